"""No visitor's link token reaches a public socket, a public page or a log line.

A result or replay token is the key that opens and deletes a visitor's photo. Anonymous
clients listen on every public socket (two displays, the commentary wall, a station's
socket without login) while results arrive, attract rounds run, a replay is made, staff
push a result and a visitor is erased; no message may contain any token that was live at
the time. The log test reads what the configured console handler really writes.
"""

import io
import json
import logging
import re

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from booth.log_privacy import MaskLinkTokens
from displays import control
from displays.consumers import CLOSE_FORBIDDEN
from displays.models import Display
from experiences.models.events import new_public_token
from experiences.models.photo import Asset
from experiences.models.sports import Replay
from experiences.sports.replays import run_replay
from moderation.models import ErasureLog
from moderation.services import erase_player
from tests import factories
from tests.clips import needs_ffmpeg
from tests.displays.test_consumers import connected, open_socket, visit
from tests.experiences.sports.test_feed import make_replay, post_shot

pytestmark = pytest.mark.django_db(transaction=True)

MEDIA_LINK = re.compile(r"/displays/media/[^\"'\s]+")


def live_tokens() -> set[str]:
    return {
        *Asset.objects.values_list("token", flat=True),
        *Replay.objects.values_list("token", flat=True),
    }


async def drain(socket, into: list[str], seconds: float = 0.5) -> None:
    """Everything the socket has sent so far (receive_nothing leaves the consumer running,
    where a timed-out receive would cancel it)."""
    while not await socket.receive_nothing(timeout=seconds):
        into.append(await socket.receive_from(timeout=seconds))


@needs_ffmpeg
async def test_no_public_socket_or_page_carries_a_live_token(booth, tmp_path):
    sports = await database_sync_to_async(factories.make_sports_experience)(booth.event)
    _, integration = await database_sync_to_async(factories.make_integration)(booth.event)
    await Display.objects.filter(number=2).aupdate(commentary_overlay=True)
    heard: list[str] = []
    seen_tokens: set[str] = set()

    displays = [await connected(f"/ws/displays/{n}/") for n in (1, 2)]
    commentary = await connected(f"/ws/commentary/{sports.pk}/")
    station = await open_socket("/ws/stations/1/")  # no login: the tablet's socket refuses
    assert await station.connect(timeout=10) == (False, CLOSE_FORBIDDEN)
    sockets = [*displays, commentary]

    async def listen() -> None:
        seen_tokens.update(await database_sync_to_async(live_tokens)())
        for socket in sockets:
            await drain(socket, heard)

    mina = await visit(booth.station, "Mina")
    joon = await visit(booth.station, "Joon")
    await visit(await booth.event.stations.aget(number=2), "Ada")
    await listen()
    for socket in displays:  # attract rounds: the pages ask for a fresh list
        await socket.send_json_to({"type": "attract"})
    await listen()

    await post_shot(integration, "kick-1", player_name="Sarah")
    replay = await database_sync_to_async(make_replay)(tmp_path, "kick-1")
    await database_sync_to_async(run_replay)(replay.pk)
    await listen()

    staff = await database_sync_to_async(get_user_model().objects.create_superuser)("root")
    portrait = await Asset.objects.aget(job=mina, kind=Asset.Kind.PORTRAIT)
    displays_1_2 = await database_sync_to_async(list)(Display.objects.order_by("number")[:2])
    await database_sync_to_async(control.push_asset)(
        displays_1_2, portrait, by=staff, via="control page"
    )
    await listen()
    player = await database_sync_to_async(lambda: joon.capture.player)()
    await database_sync_to_async(erase_player)(player, reason=ErasureLog.Reason.VISITOR)
    await listen()
    late = await connected("/ws/displays/1/")  # a page (re)connecting: the full state
    sockets.append(late)
    await listen()

    kinds = {re.search(r'"type":\s*"(\w+)"', text).group(1) for text in heard}
    assert {"state", "processing", "attract", "shot", "replay"} <= kinds, kinds
    assert len(seen_tokens) >= 7  # 3 portraits, 3 QR codes and a replay were live
    leaks = [(token, text) for text in heard for token in seen_tokens if token in text]
    assert not leaks, f"a public socket carried a visitor's token: {leaks[:3]}"

    # The public pages' embedded states, too.
    client = Client()
    pages = {
        path: (await database_sync_to_async(client.get)(path)).content.decode()
        for path in ("/displays/1/", "/displays/2/", "/displays/wall/", "/displays/commentary/")
    }
    for path, html in pages.items():
        assert not [t for t in seen_tokens if t in html], f"{path} carries a token"

    # What the sockets do carry still works: the pictures on the walls load.
    links = set(MEDIA_LINK.findall("\n".join([*heard, pages["/displays/1/"]])))
    answers = [
        (await database_sync_to_async(client.get)(link.replace("\\u0026", "&"))).status_code
        for link in links
    ]
    assert answers.count(200) >= 3  # portraits, the current QR, the replay
    messages = [json.loads(text) for text in heard]
    replay_message = next(m for m in messages if m["type"] == "replay")["replay"]
    for link in (replay_message["video"], replay_message["qr"]):
        assert (await database_sync_to_async(client.get)(link)).status_code == 200, link
    for socket in sockets:
        await socket.disconnect()


async def test_a_qr_link_is_served_only_while_its_result_is_on_a_display(booth):
    display = await connected("/ws/displays/1/")
    await display.receive_json_from(timeout=10)
    first = await visit(booth.station, "First")
    texts: list[str] = []
    await drain(display, texts)
    state = [t for t in texts if '"state"' in t][-1]
    qr_link = re.search(r'"qr":"([^"]+)"', state).group(1)
    client = Client()
    assert (await database_sync_to_async(client.get)(qr_link)).status_code == 200

    await visit(booth.station, "Second")  # the next visitor's result takes the display

    assert (await database_sync_to_async(client.get)(qr_link)).status_code == 404
    portrait_link = re.search(r'"image":"([^"]+)"', state).group(1)
    assert (await database_sync_to_async(client.get)(portrait_link)).status_code == 200
    await database_sync_to_async(erase_player)(
        await database_sync_to_async(lambda: first.capture.player)()
    )
    assert (await database_sync_to_async(client.get)(portrait_link)).status_code == 404
    await display.disconnect()


def test_a_display_link_expires_and_cannot_be_forged(booth, settings):
    from kernel import display_links as media

    job = factories.make_finished_job(booth.station)
    link = media.media_url(media.PORTRAIT, job.portrait.pk)
    assert Client().get(link).status_code == 200
    signed = link.rsplit("/", 1)[1]
    other = media.media_url(media.PORTRAIT, job.portrait.pk + 1).rsplit("/", 1)[1]
    forged = signed.split(":")[0] + ":" + ":".join(other.split(":")[1:])
    assert Client().get(f"/displays/media/{forged}").status_code == 404
    settings.BOOTH_DISPLAY_MEDIA_SECONDS = -1  # every link is now past its lifetime
    assert Client().get(link).status_code == 404


# --- Logs ----------------------------------------------------------------------------------


@pytest.fixture
def server_log():
    """What the configured console handler (booth/settings.py LOGGING) writes."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, MaskLinkTokens) for f in handler.filters)
    ]
    assert handlers, "LOGGING's console handler lost its token mask"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def test_no_log_line_carries_a_token(booth, server_log):
    job = factories.make_finished_job(booth.station)
    token = job.portrait.token
    browser = Client(enforce_csrf_checks=True)

    # The bug report's lines: a CSRF refusal (no token, then Origin null), a 404, a 410.
    assert browser.post(f"/r/{token}/delete").status_code == 403
    refused = browser.post(f"/r/{token}/delete", headers={"Origin": "null"})
    assert refused.status_code == 403
    assert Client().get(f"/r/{new_public_token()}/").status_code == 404
    erase_player(job.capture.player, reason=ErasureLog.Reason.VISITOR)
    assert Client().get(f"/r/{token}/image.jpg").status_code == 410
    try:
        raise ValueError(f"while serving /replays/{token}/slow.mp4")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: /r/%s/", token)

    written = server_log.getvalue()
    assert "Forbidden (CSRF" in written and "Not Found: /r/[token]/" in written
    assert "Gone: /r/[token]/image.jpg" in written
    assert token not in written
    assert not re.search(r"/(r|replays)/[A-Za-z0-9_-]{12,}", written)
