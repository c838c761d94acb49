"""Writing pipeline outputs to whichever storage backend is configured.

Each job's files live in a folder of their own (`assets/<job id>/`), so the files an
attempt wrote before its worker died (rows rolled back, files left behind) can be found
and removed by the next attempt and by erasure, on local disk and in S3 alike.
"""

import logging
import posixpath
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from experiences.models.photo import Asset, Job

logger = logging.getLogger(__name__)


def job_folder(job: Job) -> str:
    return posixpath.join(str(Asset.file.field.upload_to).rstrip("/"), str(job.pk))


def save_asset(
    job: Job, kind: str, content: bytes, extension: str, asset: Asset | None = None
) -> Asset:
    """Store `content` as the job's asset of `kind` under a random file name."""
    asset = asset or Asset(job=job, kind=kind)
    asset.file.save(f"{job.pk}/{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
    asset.save()
    return asset


def stray_files(job: Job, storage: Storage | None = None) -> list[str]:
    """Files in the job's folder that no asset row points at (an interrupted attempt's)."""
    storage = storage or Asset.file.field.storage
    folder = job_folder(job)
    try:
        _, names = storage.listdir(folder)
    except FileNotFoundError:
        return []
    kept = set(Asset.objects.filter(job=job).values_list("file", flat=True))
    return [path for name in names if (path := posixpath.join(folder, name)) not in kept]


def delete_assets(job: Job) -> int:
    """Remove the job's assets and any stray file in its folder; returns files deleted."""
    deleted = 0
    for asset in job.assets.all():
        if asset.file.name:
            asset.file.storage.delete(asset.file.name)
            deleted += 1
        asset.delete()
    storage = Asset.file.field.storage
    for name in stray_files(job, storage):
        logger.info("Deleting %s, left by an interrupted attempt of job %s", name, job.pk)
        storage.delete(name)
        deleted += 1
    return deleted
