"""Erasing visitors' data completely: database rows and every stored file.

Every erasure that removed anything leaves two traces without personal data: a
tombstone per result link (so the link answers 410 Gone instead of 404) and one line in
the audit log (what kind, how many, why, on whose order).
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from displays.models import Display, DisplayConnection
from displays.services import push_states
from experiences.models.events import Experience, Player
from experiences.models.photo import Asset, Capture, Job
from experiences.models.sports import CommentaryLine, Replay, Shot
from experiences.photo.storage import stray_files
from experiences.sports import feed as commentary
from moderation import traces
from moderation.models import ConsentRecord, ErasedToken, ErasureLog, Result, token_digest
from moderation.result_cache import forget_results

logger = logging.getLogger(__name__)


@dataclass
class Erasure:
    players: int = 0
    rows: int = 0
    files: int = 0
    rows_by_kind: dict[str, int] = field(default_factory=dict)
    files_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredFile:
    kind: str  # "original", "face_crop", or an asset kind ("portrait", "qr")
    storage: object
    name: str


def stored_files(player_ids: list[int]) -> list[StoredFile]:
    """Every file derived from these players, in whatever storage holds it."""
    files = []
    for capture in Capture.objects.filter(player_id__in=player_ids):
        for kind, stored in (("original", capture.original), ("face_crop", capture.face_crop)):
            if stored.name:
                files.append(StoredFile(kind, stored.storage, stored.name))
    for asset in Asset.objects.filter(job__capture__player_id__in=player_ids):
        if asset.file.name:
            files.append(StoredFile(asset.kind, asset.file.storage, asset.file.name))
    for replay in Replay.objects.filter(player_id__in=player_ids):
        for kind in ("clip", "slow_motion", "side_by_side"):
            stored = getattr(replay, kind)
            if stored.name:
                files.append(StoredFile(kind, stored.storage, stored.name))
    storage = Asset.file.field.storage
    for job in Job.objects.filter(capture__player_id__in=player_ids):
        # What a worker killed mid-job wrote before its rows were rolled back.
        files.extend(StoredFile("unfinished", storage, name) for name in stray_files(job, storage))
    return files


def admin_history(player_ids: list[int]) -> QuerySet[LogEntry]:
    """Admin's history entries about these players' rows: each names its row as it was
    (`object_repr`, e.g. "Capture 7 of Mina"), so they go with the visitor."""
    jobs = Job.objects.filter(capture__player_id__in=player_ids)
    targets = [
        (Player, Player.objects.filter(pk__in=player_ids)),
        (Capture, Capture.objects.filter(player_id__in=player_ids)),
        (Job, jobs),
        (Result, jobs),
        (Asset, Asset.objects.filter(job__in=jobs)),
        (ConsentRecord, ConsentRecord.objects.filter(player_id__in=player_ids)),
        (Shot, Shot.objects.filter(player_id__in=player_ids)),
        (CommentaryLine, CommentaryLine.objects.filter(shot__player_id__in=player_ids)),
        (Replay, Replay.objects.filter(player_id__in=player_ids)),
    ]
    about = Q()
    for model, rows in targets:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        object_ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
        about |= Q(content_type=content_type, object_id__in=object_ids)
    return LogEntry.objects.filter(about)


def _who(by) -> dict:
    """The audit log's record of who ordered an erasure: staff only, visitors stay unnamed."""
    if by is None or not getattr(by, "is_authenticated", False):
        return {}
    return {"staff_user_id": by.pk, "staff_username": by.get_username()}


def erase_players(
    player_ids: list[int], *, reason: str = ErasureLog.Reason.STAFF, by=None
) -> Erasure:
    """Delete the players, everything derived from them, and their files.

    Rows go first, in one transaction with the tombstones and the audit line, so no page
    can serve a half-deleted result; the files follow once that has committed. Displays
    that were showing one of the results fall back to their default image at once. Safe
    to run twice or concurrently: what is already gone is simply not counted (and an
    erasure that found nothing leaves no audit line).
    """
    with transaction.atomic():
        ids = list(
            Player.objects.select_for_update()
            .filter(pk__in=player_ids)
            .values_list("pk", flat=True)
        )
        if not ids:
            return Erasure()
        files = stored_files(ids)
        tokens = [
            *Asset.objects.filter(job__capture__player_id__in=ids).values_list("token", flat=True),
            *Replay.objects.filter(player_id__in=ids).values_list("token", flat=True),
        ]
        ErasedToken.objects.bulk_create(
            [ErasedToken(digest=token_digest(token)) for token in tokens], ignore_conflicts=True
        )
        # Their cached pages and pictures leave memory (or Redis) too, now and on commit.
        forget_results(tokens)
        # Every display of the visitors' events: one may show a result, and any may hold
        # one in its attract loop.
        affected_displays = list(
            Display.objects.filter(event__experiences__players__in=ids).distinct()
        )
        # Sports players: their shots and commentary lines go too (cascade), and the open
        # commentary pages of their experiences drop them from the feed and leaderboard.
        commentary_experiences = list(
            Experience.objects.filter(players__shots__player_id__in=ids).distinct()
        )
        history = list(admin_history(ids).values_list("pk", flat=True))  # found via the rows
        job_ids = list(Job.objects.filter(capture__player_id__in=ids).values_list("pk", flat=True))
        shown_ids = [
            str(pk) for pk in Asset.objects.filter(job_id__in=job_ids).values_list("pk", flat=True)
        ]
        traces.forget_tasks(
            job_ids,
            list(Replay.objects.filter(player_id__in=ids).values_list("pk", flat=True)),
            list(Shot.objects.filter(player_id__in=ids).values_list("pk", flat=True)),
        )
        # Open display pages report which result they show (its id): forget it now.
        DisplayConnection.objects.filter(showing_token__in=shown_ids).update(showing_token="")
        rows, per_model = Player.objects.filter(pk__in=ids).delete()
        history_rows, _ = LogEntry.objects.filter(pk__in=history).delete()
        rows += history_rows
        per_model = {**per_model, "admin.LogEntry": history_rows}
        erasure = Erasure(
            players=len(ids),
            rows=rows,
            files=len(files),
            rows_by_kind={label.split(".")[-1].lower(): n for label, n in per_model.items() if n},
            files_by_kind=dict(Counter(f.kind for f in files)),
        )
        log = ErasureLog.objects.create(
            reason=reason,
            players=erasure.players,
            rows=erasure.rows,
            files=erasure.files,
            detail={"rows": erasure.rows_by_kind, "files": erasure.files_by_kind},
            **_who(by),
        )
    failed = 0
    deleted = []
    for stored in files:
        try:
            stored.storage.delete(stored.name)
            deleted.append((stored.storage, stored.name))
        except OSError:
            failed += 1
            logger.exception("Could not delete stored file %s", stored.name)
    traces.remove_empty_folders(deleted, job_ids)
    traces.flush_database()
    if failed:  # the log says what really happened; the file names are in the server log
        erasure.files -= failed
        log.files = erasure.files
        log.detail = {**log.detail, "files_not_deleted": failed}
        log.save(update_fields=["files", "detail"])

    push_states(affected_displays)  # with the attract list, which lost these results

    for experience in commentary_experiences:
        commentary.push_state(experience)
    return erasure


def erase_player(player: Player, *, reason: str = ErasureLog.Reason.STAFF, by=None) -> Erasure:
    return erase_players([player.pk], reason=reason, by=by)


def purge_expired(now=None) -> Erasure:
    """Erase every player whose retention period has ended."""
    expired = Player.objects.filter(delete_after__lte=now or timezone.now())
    erasure = erase_players(
        list(expired.values_list("pk", flat=True)), reason=ErasureLog.Reason.RETENTION
    )
    if traces.forget_orphan_tasks():  # erase_players flushed after its own batch
        traces.flush_database()
    return erasure
