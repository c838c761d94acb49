"""Two retention purges at once, as two real processes on the real SQLite file (WAL): a
cron run overlapping the embedded server's purge thread must erase each visitor once."""

import json
import subprocess
import sys

import pytest

from tests import servers
from tests.factories import media_files

pytestmark = [pytest.mark.system]

SETUP = """
from django.utils import timezone
from experiences.models import Player
from tests import factories
booth = factories.make_booth(personas=("joseon-scholar",))
for name in ("Old1", "Old2", "Old3", "Fresh"):
    factories.make_finished_job(booth.station, name)
Player.objects.exclude(nickname="Fresh").update(delete_after=timezone.now())
"""

REPORT = """
import json
from experiences.models import Player
from moderation.models import ErasureLog
print(json.dumps({
    "players": list(Player.objects.values_list("nickname", flat=True)),
    "logged": [[log.players, log.files, log.reason] for log in ErasureLog.objects.all()],
}))
"""


def test_two_purges_at_once_erase_each_visitor_once(tmp_path):
    env = servers.booth_env(tmp_path)
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "shell", "-v0", "-c", SETUP)
    media = tmp_path / "media"
    before = media_files(media)

    purges = [
        subprocess.Popen(
            [sys.executable, "manage.py", "purge_expired"],
            cwd=servers.ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [purge.communicate(timeout=60)[0] for purge in purges]

    assert [purge.returncode for purge in purges] == [0, 0], outputs
    report = json.loads(servers.manage(env, "shell", "-v0", "-c", REPORT))
    assert report["players"] == ["Fresh"]
    assert sum(players for players, _, _ in report["logged"]) == 3
    assert sum(files for _, files, _ in report["logged"]) == 12
    assert {reason for _, _, reason in report["logged"]} == {"retention"}
    visitor_files = {name for name in before if not name.startswith("base_images/")}
    assert len(visitor_files) == 16
    assert len(visitor_files & media_files(media)) == 4  # Fresh's, untouched
