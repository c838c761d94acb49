"""Writing pipeline outputs to whichever storage backend is configured."""

import uuid

from django.core.files.base import ContentFile

from experiences.models import Asset, Job


def save_asset(
    job: Job, kind: str, content: bytes, extension: str, asset: Asset | None = None
) -> Asset:
    """Store `content` as the job's asset of `kind` under a random file name."""
    asset = asset or Asset(job=job, kind=kind)
    asset.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
    asset.save()
    return asset


def delete_assets(job: Job) -> int:
    """Remove the job's assets, files first; returns how many files were deleted."""
    deleted = 0
    for asset in job.assets.all():
        if asset.file.name:
            asset.file.storage.delete(asset.file.name)
            deleted += 1
        asset.delete()
    return deleted
