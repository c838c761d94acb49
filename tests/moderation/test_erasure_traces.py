"""After an erasure nothing of the visitor is left: no file, no empty folder, no table row
(task-queue rows included), and after the retention purge not even the nickname's bytes
in the SQLite file or its write-ahead log."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from booth.worker import task_worker
from experiences.models.photo import Asset, Job
from experiences.photo.storage import job_folder
from experiences.photo.tasks import process_job
from moderation.models import ErasureLog
from moderation.services import erase_player, purge_expired
from tests import factories, servers

NICKNAME = "Quetzalina"


def everything_under(root: Path) -> set[str]:
    """Every file and folder under the media root, relative to it."""
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def every_row() -> dict[str, list[str]]:
    """Every row of every table, as text (what a database dump would show)."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            rows[table] = [repr(row) for row in cursor.fetchall()]
    return rows


@pytest.mark.django_db(transaction=True)
def test_an_erased_visitor_leaves_no_file_folder_or_row(booth, media_root):
    mine = factories.make_job(booth.station, nickname=NICKNAME)  # enqueued on commit
    theirs = factories.make_job(booth.station, nickname="Joon")
    task_worker("test", 0, batch=True).run()  # the queue's rows as a real worker leaves them
    mine.refresh_from_db()
    assert mine.state == Job.State.SUCCEEDED
    # An attempt a killed worker left behind: a stray file in the job's folder.
    folder = media_root / job_folder(mine)
    (folder / "interrupted.png").write_bytes(b"\x89PNG half")
    tokens = set(Asset.objects.filter(job=mine).values_list("token", flat=True))
    names = {Path(n).name for n in Asset.objects.filter(job=mine).values_list("file", flat=True)}
    names |= {Path(mine.capture.original.name).name, Path(mine.capture.face_crop.name).name}
    assert DBTaskResult.objects.filter(args_kwargs__args=[mine.pk]).exists()
    before = everything_under(media_root)
    assert str(folder.relative_to(media_root)) in before

    erase_player(mine.capture.player, reason=ErasureLog.Reason.VISITOR)

    after = everything_under(media_root)
    assert not [p for p in after if any(name in p for name in names)]
    assert str(folder.relative_to(media_root)) not in after  # no empty assets/<job id>/
    empty = [p for p in after if (media_root / p).is_dir() and not any((media_root / p).iterdir())]
    assert all("/" not in p for p in empty), f"empty folders left: {empty}"
    assert str(Path(job_folder(theirs))) in after  # the other visitor keeps theirs

    rows = every_row()
    leftovers = [
        (table, row)
        for table, table_rows in rows.items()
        for row in table_rows
        if NICKNAME in row or any(secret in row for secret in tokens | names)
    ]
    assert not leftovers, leftovers
    # The queue keeps the other visitor's row, not the erased one's.
    tasks = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert (process_job.module_path, {"args": [theirs.pk], "kwargs": {}}) in tasks
    assert not [t for t in tasks if t[1].get("args") == [mine.pk]], tasks


def test_a_task_running_during_the_erasure_is_forgotten_by_the_next_purge(booth):
    job = factories.make_finished_job(booth.station, NICKNAME)
    running = process_job.enqueue(job.pk)  # e.g. a retry a worker is running right now
    DBTaskResult.objects.filter(pk=running.id).update(status="RUNNING")
    waiting = process_job.enqueue(job.pk)

    erase_player(job.capture.player)

    assert DBTaskResult.objects.filter(pk=running.id).exists()  # the worker still owns it
    assert not DBTaskResult.objects.filter(pk=waiting.id).exists()
    DBTaskResult.objects.filter(pk=running.id).update(status="SUCCESSFUL")  # it finished
    other = factories.make_finished_job(booth.station, "Joon")
    kept = process_job.enqueue(other.pk)

    purge_expired()

    assert not DBTaskResult.objects.filter(pk=running.id).exists()
    assert DBTaskResult.objects.filter(pk=kept.id).exists()


# --- The SQLite file itself ------------------------------------------------------------------

MAKE_VISITOR = f"""
from datetime import timedelta
from django.utils import timezone
from experiences.models import Player
from experiences.photo.jobs import run_job
from tests.factories import make_booth, make_job
booth = make_booth()
job = make_job(booth.station, nickname="{NICKNAME}")
run_job(job.pk)
Player.objects.update(delete_after=timezone.now() - timedelta(minutes=1))
"""

# Runs in the server's own process setup (manage.py shell): the purge, then a look at the
# files while the connection is still open, as on a running booth (closing the last
# connection would checkpoint the WAL by itself and hide a missing checkpoint).
PURGE_AND_LOOK = f"""
import json
from pathlib import Path
from django.conf import settings
from django.db import connection
from experiences.models import Player
from moderation.services import purge_expired

def holders():
    name = Path(settings.DATABASES["default"]["NAME"])
    files = [name, Path(f"{{name}}-wal"), Path(f"{{name}}-shm")]
    return [f.name for f in files if f.exists() and b"{NICKNAME}" in f.read_bytes()]

connection.ensure_connection()
before = holders()
erased = purge_expired()
print(json.dumps({{
    "before": before,
    "after": holders(),
    "erased": erased.players,
    "players": Player.objects.count(),
}}))
"""


@pytest.mark.system
def test_the_purge_leaves_no_nickname_in_the_sqlite_file(tmp_path):
    env = servers.booth_env(tmp_path, PUBLIC_BASE_URL="http://127.0.0.1:8000")
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "shell", "-c", MAKE_VISITOR)

    seen = json.loads(servers.manage(env, "shell", "-c", PURGE_AND_LOOK).strip().splitlines()[-1])

    assert seen["before"], "the visitor's nickname was never in the database file"
    assert seen["erased"] == 1 and seen["players"] == 0
    assert seen["after"] == [], f"the nickname's bytes are still in {seen['after']}"
