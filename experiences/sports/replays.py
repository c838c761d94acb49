"""Clip in, slow-motion replay out: accept an upload, make the replay in a task, report
progress on the way (a 720p replay takes seconds, not milliseconds)."""

import logging
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from experiences.models.events import Player
from experiences.models.sports import Replay, Shot
from experiences.photo.backends import BackendFailed
from experiences.photo.jobs import stage
from experiences.sports.feed import push_replay
from experiences.sports.replay_backends import slow_motion_maker
from experiences.sports.video import (
    ClipRejected,
    VideoFailed,
    check_clip,
    check_size,
    probe,
    side_by_side,
)

logger = logging.getLogger(__name__)

# Progress is written to the database at most this often: enough for a progress bar.
PROGRESS_EVERY_SECONDS = 0.5


def replay_for_shot(shot: Shot, upload: UploadedFile) -> tuple[Replay, bool]:
    """The shot's replay, made from `upload`; `(replay, False)` when the shot already has
    one (a retried upload is not processed twice)."""
    existing = Replay.objects.filter(shot=shot).first()
    if existing is not None:
        return existing, False
    try:
        return accept_clip(shot.player, upload, shot=shot), True
    except IntegrityError:  # the same clip arrived twice at once: the other one won
        return Replay.objects.get(shot=shot), False


def accept_clip(player: Player, upload: UploadedFile, shot: Shot | None = None) -> Replay:
    """Store a checked clip and queue its replay; ClipRejected says what was wrong.

    The clip is checked from a local temporary copy (ffprobe needs a file) before anything
    is stored, so a rejected upload leaves nothing behind.
    """
    check_size(upload.size)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in {".mp4", ".mov"}:
        raise ClipRejected(_("Send the clip as an .mp4 or .mov file."), status=415)
    with tempfile.TemporaryDirectory() as folder:
        local = Path(folder) / f"clip{suffix}"
        with local.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        info = check_clip(local)
        replay = Replay(
            player=player,
            shot=shot,
            clip_seconds=round(info.duration, 3),
            factor=settings.BOOTH_SLOW_MOTION_FACTOR,
        )
        with local.open("rb") as handle:
            replay.clip.save(f"{uuid.uuid4().hex}{suffix}", File(handle), save=False)
    try:
        with transaction.atomic():
            replay.save()
            transaction.on_commit(lambda: enqueue_replay(replay))
    except BaseException:
        replay.clip.storage.delete(replay.clip.name)
        raise
    return replay


def enqueue_replay(replay: Replay) -> None:
    process_replay.enqueue(replay.pk)


def _claim(replay_id: int) -> Replay | None:
    with transaction.atomic():
        replay = Replay.objects.select_for_update().filter(pk=replay_id).first()
        if replay is None or replay.state == Replay.State.SUCCEEDED:
            return None
        replay.state = Replay.State.RUNNING
        replay.attempts += 1
        replay.started = timezone.now()
        replay.progress = 0
        replay.error = ""
        replay.save(update_fields=["state", "attempts", "started", "progress", "error"])
    return replay


def run_replay(replay_id: int) -> str:
    """Make the replay and its side-by-side version; safe to run again after a crash (a
    finished replay is left alone, a half-made one starts over)."""
    replay = _claim(replay_id)
    if replay is None:
        return Replay.State.SUCCEEDED
    maker = slow_motion_maker()
    timings: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            clip = work / f"clip{Path(replay.clip.name).suffix}"
            with replay.clip.open("rb") as source, clip.open("wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            info = probe(clip)
            slow, both = work / "slow.mp4", work / "side-by-side.mp4"
            with stage(timings, "slow_motion"):
                maker.make(clip, info, slow, replay.factor, _reporter(replay, 0.0, 0.8))
            with stage(timings, "side_by_side"):
                side_by_side(clip, slow, both, _reporter(replay, 0.8, 1.0))
            with stage(timings, "store"):
                _store(replay, slow, both)
    except (ClipRejected, VideoFailed, BackendFailed, OSError) as exc:
        logger.warning("Replay %s failed: %s", replay_id, exc)
        Replay.objects.filter(pk=replay_id).update(
            state=Replay.State.FAILED, error=str(exc), timings=timings, backend=maker.name,
            finished=timezone.now(),
        )  # fmt: skip
        return Replay.State.FAILED
    Replay.objects.filter(pk=replay_id).update(
        state=Replay.State.SUCCEEDED, progress=1.0, timings=timings, backend=maker.name,
        finished=timezone.now(),
    )  # fmt: skip

    push_replay(replay_id)
    return Replay.State.SUCCEEDED


def _store(replay: Replay, slow: Path, both: Path) -> None:
    """Save both videos under fresh names, removing any a crashed earlier attempt left."""
    for field, path in ((replay.slow_motion, slow), (replay.side_by_side, both)):
        if field.name:
            field.storage.delete(field.name)
        with path.open("rb") as handle:
            field.save(f"{uuid.uuid4().hex}.mp4", File(handle), save=False)
    Replay.objects.filter(pk=replay.pk).update(
        slow_motion=replay.slow_motion.name, side_by_side=replay.side_by_side.name
    )


def _reporter(replay: Replay, start: float, end: float):
    """Progress callback mapping a stage's 0..1 onto [start, end], throttled."""
    last = [0.0]

    def report(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS and fraction < 1:
            return
        last[0] = now
        Replay.objects.filter(pk=replay.pk).update(
            progress=round(start + (end - start) * fraction, 3)
        )

    return report


@task()
def process_replay(replay_id: int) -> str:
    """Turn a stored kick clip into a slow-motion replay (see run_replay)."""
    return run_replay(replay_id)
