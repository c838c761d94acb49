"""The story read aloud: a follow-up task after the portrait is published.

Narration is its own task (`narrate_job`, on the persistent queue, queued once the job's
result is published) rather than a stage of the job: the wall never waits for it, and a
narrator that is slow, missing or failing cannot fail the visitor's job. A failed
narration is logged once (the job's id and the reason: never the story, the nickname or
the token) and the result simply has no audio. The audio is an asset of the job
(`Asset.Kind.NARRATION`, in the job's storage folder), so erasure and the retention purge
delete it with the portrait.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task

from experiences.models import tallies
from experiences.models.events import Player
from experiences.models.photo import Asset, Job
from experiences.models.tallies import Tally
from experiences.photo import backends, signals, storage

logger = logging.getLogger(__name__)

_missing_logged: set[str] = set()  # narrators already reported missing by this process


def enabled() -> bool:
    return backends.NARRATORS.short_name(settings.BOOTH_NARRATOR) != "none"


def queue_narration(job: Job) -> None:
    """Queue the narration of a published job's story, after the current transaction."""
    if not job.story or not enabled():
        return
    job_id = job.pk
    transaction.on_commit(lambda: narrate_job.enqueue(job_id))


# Below the portraits' jobs (priority 0): a worker that is free takes the next visitor's
# portrait first, so at a busy moment narration waits instead of the wall.
NARRATION_PRIORITY = -10


@task(priority=NARRATION_PRIORITY)
def narrate_job(job_id: int) -> str:
    """Read the job's story aloud and store it with the result (see the module docstring)."""
    return narrate(job_id)


def narrate(job_id: int) -> str:
    """Make and store the narration; returns what happened ("narrated", "skipped"…)."""
    job = Job.objects.filter(pk=job_id, state=Job.State.SUCCEEDED).first()
    if job is None or not job.story:
        return "skipped: no story to read"
    if job.assets.filter(kind=Asset.Kind.NARRATION).exists():
        return "skipped: narrated already"
    narrator = backends.narrator()
    missing = narrator.missing()
    if missing:
        if narrator.name not in _missing_logged:
            _missing_logged.add(narrator.name)
            logger.warning("Narration skipped: %s", missing)
        return "skipped: narrator missing"
    try:
        speech = narrator.narrate(job.story, job.story_language or "en")
    except backends.BackendFailed as exc:
        logger.warning("Narration of job %s failed, shown without audio: %s", job_id, exc)
        return "failed"
    except Exception as exc:  # a narrator's bug must not take the worker's task down
        logger.warning(
            "Narration of job %s failed, shown without audio: %s", job_id, type(exc).__name__
        )
        return "failed"
    narration = _store(job_id, speech)
    if narration is None:
        return "skipped: result gone"
    signals.narration_ready.send(sender=Job, job=narration.job, narration=narration)
    return "narrated"


def _store(job_id: int, speech: backends.Speech) -> Asset | None:
    """Save the audio as the job's narration, unless the visitor was erased (or the job
    made again) meanwhile. The player's row is locked first, as erasure locks it: an
    erasure either ran before (nothing to store) or waits and then finds this file."""
    with transaction.atomic():
        player_id = Job.objects.filter(pk=job_id).values_list("capture__player_id", flat=True)
        if not Player.objects.select_for_update().filter(pk__in=list(player_id)).exists():
            return None
        job = (
            Job.objects.select_for_update(of=("self",))
            .select_related("capture__station")
            .filter(pk=job_id)
            .first()
        )
        if (
            job is None
            or job.state != Job.State.SUCCEEDED
            or job.assets.filter(kind=Asset.Kind.NARRATION).exists()
        ):
            return None
        narration = storage.save_asset(job, Asset.Kind.NARRATION, speech.audio, speech.extension)
        station = job.capture.station
        if station is not None:
            tallies.count(station.event_id, Tally.Kind.NARRATION, station.number)
    return narration
