"""What an erasure clears besides the visitor's own rows and files: the traces around them.

- **Empty folders.** A job's files live in `assets/<job id>/` (experiences/photo/storage.py);
  an empty folder left behind still says that job existed. Folders are removed once empty,
  never a top-level upload folder (`assets/`, `captures/`…), which other visitors share.
  Object storage (S3) has no folders: nothing to do there.
- **Task-queue rows** (django-tasks-db's table, which keeps finished rows):
  `process_job(<job id>)`, `narrate_job(<job id>)`, `process_replay(<replay id>)`,
  `comment_on_shot(<shot id>)` and `send_portrait_email(<job id>, <email id>, <try>)` rows
  of the erased visitor's jobs, replays and shots are deleted with them (an email's row
  names the `PortraitEmail` row that holds the address until it is sent, never the
  address itself). A row a worker is running at
  that moment is left to the worker (deleting it under the worker would fail the worker's
  final save) and removed by the next retention purge (`forget_orphan_tasks`). Rows of
  other tasks (`purge_expired_visitors`) name nobody and are kept.
- **The SQLite file.** Deleted rows stay readable in the database file (free space in
  pages, freed pages) and in its write-ahead log until they are overwritten. Every SQLite
  connection runs with `PRAGMA secure_delete=ON` (booth/sqlite_privacy.py), which zeroes
  deleted content as it is deleted; after an erasure batch the WAL is checkpointed and
  truncated (`PRAGMA wal_checkpoint(TRUNCATE)`), so the old page images in it go too.
  VACUUM would also do it, but it rewrites the whole file under an exclusive lock (seconds
  per hundred MB, while the booth is live) and needs as much free disk again; secure
  delete costs a few page writes per erasure. PostgreSQL keeps dead tuples until
  (auto)vacuum reuses their space; no equivalent is attempted there.
"""

import logging
import os
import posixpath
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django_tasks_db.models import DBTaskResult

from experiences.models.photo import Asset, Job
from experiences.models.sports import Replay, Shot
from experiences.photo.narration import narrate_job
from experiences.photo.portrait_email import send_portrait_email
from experiences.photo.storage import job_folder
from experiences.photo.tasks import process_job
from experiences.sports.commentary.service import comment_on_shot
from experiences.sports.replays import process_replay

logger = logging.getLogger(__name__)

# Which task carries which row's id as its first argument, by every path the queue table
# may name it by: this release's, and the previous release's (experiences.tasks), whose
# rows an upgrade keeps.
TASKS = (
    (process_job, Job),
    (narrate_job, Job),
    (process_replay, Replay),
    (comment_on_shot, Shot),
    (send_portrait_email, Job),
)


def _paths(task) -> list[str]:
    return [task.module_path, f"experiences.tasks.{task.name}"]


TASKS_BY_ROW = {path: model for task, model in TASKS for path in _paths(task)}
RUNNING = "RUNNING"


def remove_empty_folders(names: Iterable[tuple[object, str]], job_ids: Iterable[int]) -> int:
    """Remove the now-empty folders of deleted files (`(storage, name)` pairs) and of the
    erased jobs; returns how many were removed."""
    storage_default = Asset.file.field.storage
    candidates = {(storage, posixpath.dirname(name)) for storage, name in names}
    candidates |= {(storage_default, job_folder(Job(pk=pk))) for pk in job_ids}
    removed = 0
    for storage, folder in candidates:
        while folder and posixpath.dirname(folder):  # never a top-level upload folder
            try:
                os.rmdir(storage.path(folder))
            except NotImplementedError:  # object storage: folders do not exist
                break
            except OSError:  # not empty (someone else's files), or already gone
                break
            removed += 1
            folder = posixpath.dirname(folder)
    return removed


def forget_tasks(job_ids: list[int], replay_ids: list[int], shot_ids: list[int]) -> int:
    """Delete the queue rows of these jobs, replays and shots, but for running ones."""
    ids_by_task = (
        (process_job, job_ids),
        (narrate_job, job_ids),
        (process_replay, replay_ids),
        (comment_on_shot, shot_ids),
        (send_portrait_email, job_ids),
    )
    ids_by_path = {path: ids for task, ids in ids_by_task for path in _paths(task)}
    deleted = 0
    for path, ids in ids_by_path.items():
        if ids:
            deleted += _not_running(path).filter(args_kwargs__args__0__in=ids).delete()[0]
    return deleted


def forget_orphan_tasks() -> int:
    """Delete finished queue rows whose job, replay or shot no longer exists (those a
    worker was running while their visitor was erased)."""
    deleted = 0
    for path, model in TASKS_BY_ROW.items():
        rows = [
            (pk, _first_arg(args))
            for pk, args in _not_running(path).values_list("pk", "args_kwargs")
        ]
        ids = [row_id for _, row_id in rows if isinstance(row_id, int)]
        existing = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        orphans = [pk for pk, row_id in rows if row_id not in existing]
        if orphans:
            deleted += DBTaskResult.objects.filter(pk__in=orphans).delete()[0]
    return deleted


def _first_arg(args_kwargs) -> object:
    args = args_kwargs.get("args") if isinstance(args_kwargs, dict) else None
    return args[0] if args else None


def _not_running(path: str):
    return DBTaskResult.objects.filter(task_path=path).exclude(status=RUNNING)


def flush_database(using: str = DEFAULT_DB_ALIAS) -> None:
    """After the erasing transaction committed: checkpoint SQLite's WAL into the file and
    truncate it, so the deleted rows' old page images leave the disk (see above)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return

    def checkpoint() -> None:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = cursor.fetchone()
        if busy:  # a reader held an old snapshot: the next erasure or purge finishes it
            logger.warning("SQLite checkpoint after an erasure was blocked by a reader")

    transaction.on_commit(checkpoint, using=using)
