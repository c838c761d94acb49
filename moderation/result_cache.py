"""The cached responses of result links, and the writes that must drop them.

Result pages and their files are served from kernel.link_cache (see there why that is
safe). What changes a result's bytes or takes it down must forget its link:

- `reject_results` (a pull) and `erase_players` (a visitor's deletion, staff's erasure,
  the retention purge) call `forget_results` on their write paths;
- the receivers below catch every other write through the ORM that changes a result:
  an admin's edit of a visitor, a job or an asset, a deletion of a single row.
  (Queryset `.update()` sends no signal: a service that updates results that way must
  call `forget_results` itself, as `reject_results` does.)

A new result needs nothing: its link was never cached (404s are not cached).
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from experiences.models.events import Player
from experiences.models.photo import Asset, Job
from experiences.photo.web_images import WEBP_WIDTHS
from kernel.link_cache import LinkCache

# The cache alias (settings.CACHES): its own, so big pictures never evict rate-limit counts.
CACHE_ALIAS = "results"


def _variants() -> list[str]:
    return [
        *(f"page-{code}" for code, _ in settings.LANGUAGES),
        "image",
        "qr",
        *(f"webp-{width}" for width in WEBP_WIDTHS),
    ]


RESULT_LINKS = LinkCache("result", _variants, alias=CACHE_ALIAS)


def forget_results(tokens: Iterable[str]) -> None:
    """Drop the cached page and files of these result links (portrait tokens)."""
    RESULT_LINKS.forget([token for token in tokens if token])


def forget_jobs(job_ids: Iterable[int]) -> None:
    """Drop the cached page and files of these jobs' results."""
    forget_results(
        Asset.objects.filter(job_id__in=list(job_ids), kind=Asset.Kind.PORTRAIT).values_list(
            "token", flat=True
        )
    )


@receiver(post_save, sender=Asset)
@receiver(post_delete, sender=Asset)
def asset_changed(sender: Any, instance: Asset, created: bool = False, **kwargs: Any) -> None:
    """A portrait replaced, or a narration added after the result was published (the page
    then shows its player): the cached page no longer matches."""
    if instance.kind == Asset.Kind.NARRATION:
        forget_jobs([instance.job_id])
    elif not created and instance.kind == Asset.Kind.PORTRAIT:
        forget_results([instance.token])


@receiver(post_save, sender=Job)
def job_changed(sender: Any, instance: Job, created: bool, **kwargs: Any) -> None:
    """A job saved again (staff's review in the admin, a retry) may change what its link shows."""
    if not created and instance.state == Job.State.SUCCEEDED:
        forget_jobs([instance.pk])


@receiver(post_save, sender=Player)
def player_changed(sender: Any, instance: Player, created: bool, **kwargs: Any) -> None:
    """The nickname and deletion date are on the page."""
    if not created:
        forget_jobs(Job.objects.filter(capture__player=instance).values_list("pk", flat=True))
