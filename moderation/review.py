"""Staff decisions on generated results: approve, reject or pull, and what displays show.

Post-moderated results are shown at once and staff may pull them; pre-moderated ones wait
as "awaiting review" until staff approve them. Either way a decision reaches every open
display page at once over the channel layer (displays.services.push_state), and the
result page follows the stored state on its next request.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from displays import services as displays
from experiences.models.photo import Job
from moderation.result_cache import forget_jobs


def approve_results(jobs: Iterable[Job], by) -> int:
    """Show these results: each station's display gets its newest newly approved one.

    Results already shown are left as they are (so approving a post-moderated result
    does not push it onto a display again). Returns how many were newly approved.
    """
    with transaction.atomic():
        approved = list(
            Job.objects.select_for_update()
            .filter(pk__in=[job.pk for job in jobs], state=Job.State.SUCCEEDED)
            .exclude(review=Job.Review.APPROVED)
            .order_by("created")
        )
        Job.objects.filter(pk__in=[job.pk for job in approved]).update(
            review=Job.Review.APPROVED, review_reason="", reviewed_at=timezone.now(), reviewed_by=by
        )
    newest_per_station = {}
    for job in (
        Job.objects.filter(pk__in=[job.pk for job in approved])
        .select_related("capture__station__display", "capture__player")
        .order_by("created")
    ):
        newest_per_station[job.capture.station_id] = job
    for job in newest_per_station.values():
        if portrait := job.portrait:
            displays.publish_result(job, portrait, newest_wins=False)
    return len(approved)


def reject_results(jobs: Iterable[Job], by, reason: str) -> int:
    """Take these results down everywhere (reject in pre-, pull in post-moderation).

    Their displays fall back to the default image and their result pages answer 410 Gone;
    the visitor's data stays until the retention purge or an erasure removes it.
    """
    with transaction.atomic():
        rejected = list(
            Job.objects.select_for_update()
            .filter(pk__in=[job.pk for job in jobs])
            .exclude(review=Job.Review.REJECTED)
        )
        Job.objects.filter(pk__in=[job.pk for job in rejected]).update(
            review=Job.Review.REJECTED,
            review_reason=reason,
            reviewed_at=timezone.now(),
            reviewed_by=by,
        )
        # An update() sends no signal: the cached pages and files go here (and on commit).
        forget_jobs([job.pk for job in rejected])
    displays.withdraw_results(rejected)
    return len(rejected)
