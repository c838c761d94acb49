"""The replay page and the clip errors in Korean, for a phone set to Korean."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import translation

from experiences.models.sports import Replay
from experiences.sports.video import ClipRejected, check_clip
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "state,korean",
    [
        (Replay.State.SUCCEEDED, "슬로 모션 내려받기"),
        (Replay.State.FAILED, "리플레이를 만들지 못했습니다"),
    ],
)
def test_the_replay_page_speaks_korean(booth, state, korean):
    player = factories.make_player(factories.make_sports_experience(booth.event), "Min-jun")
    shot = factories.make_shot(player, 25)
    replay = Replay.objects.create(player=player, shot=shot, state=state)
    if state == Replay.State.SUCCEEDED:
        replay.slow_motion.save("slow.mp4", ContentFile(b"\0" * 64), save=False)
        replay.side_by_side.save("side.mp4", ContentFile(b"\0" * 64))

    page = Client(HTTP_ACCEPT_LANGUAGE="ko").get(f"/replays/{replay.token}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Min-jun 님의 프리킥" in text
    assert korean in text
    assert "에 삭제됩니다" in text
    assert "Download" not in text and "free kick" not in text


def test_a_clip_error_reads_in_korean(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    with translation.override("ko"), pytest.raises(ClipRejected) as rejected:
        check_clip(path)
    assert "MP4 또는 MOV" in str(rejected.value.message)
