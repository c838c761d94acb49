"""Result and replay links: unguessable tokens, no way to list or probe them, and pages
that leak their link to no one (no referrer) and are listed by no search engine."""

import base64
import secrets

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from experiences.models.events import new_public_token
from experiences.models.photo import Asset
from experiences.models.sports import Integration, Replay
from moderation.models import ErasureLog
from moderation.services import erase_player
from tests import factories

pytestmark = pytest.mark.django_db


def entropy_bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def test_result_tokens_carry_192_random_bits():
    tokens = {new_public_token() for _ in range(2000)}

    assert len(tokens) == 2000
    assert {entropy_bits(token) for token in tokens} == {192}
    assert all(
        set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for token in tokens
    )


def test_integration_tokens_carry_256_random_bits():
    token = Integration(name="sensor", scopes=["shots"]).issue_token()

    assert token.startswith("booth_")
    assert entropy_bits(token.removeprefix("booth_")) == 256


@pytest.fixture
def result(booth):
    job = factories.make_finished_job(booth.station)
    return job.assets.get(kind=Asset.Kind.PORTRAIT)


@pytest.fixture
def replay(booth):
    sports = factories.make_sports_experience(booth.event)
    player = factories.make_player(sports)
    replay = Replay.objects.create(player=player, state=Replay.State.SUCCEEDED)
    replay.clip.save("clip.mp4", ContentFile(b"\0" * 64), save=False)
    replay.slow_motion.save("slow.mp4", ContentFile(b"\1" * 4096), save=False)
    replay.side_by_side.save("side.mp4", ContentFile(b"\2" * 4096))
    return replay


def near_miss(token: str) -> str:
    """The real token with its last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def probe(path: str):
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path)
    return response.status_code, response.content, len(queries)


@pytest.mark.parametrize(
    "template",
    ["/r/{}/", "/r/{}/image.jpg", "/r/{}/qr.png", "/r/{}/download", "/r/{}/delete"],
)
def test_an_almost_right_result_token_is_answered_like_any_random_one(result, template):
    """Same status, same page, same queries: nothing tells a guess that came close."""
    close = probe(template.format(near_miss(result.token)))
    random = probe(template.format(new_public_token()))
    garbage = probe(template.format(secrets.token_hex(4)))

    assert close == random == garbage
    assert close[0] == 404


@pytest.mark.parametrize(
    "template",
    ["/replays/{}/", "/replays/{}/status", "/replays/{}/qr.png", "/replays/{}/slow.mp4"],
)
def test_an_almost_right_replay_token_is_answered_like_any_random_one(replay, template):
    close = probe(template.format(near_miss(replay.token)))
    random = probe(template.format(new_public_token()))

    assert close == random
    assert close[0] == 404


@pytest.mark.parametrize("path", ["/r/", "/replays/", "/r/index/", "/api/results/", "/media/"])
def test_there_is_no_listing_of_links(result, replay, path):
    response = Client().get(path)

    assert response.status_code == 404
    assert result.token.encode() not in response.content
    assert replay.token.encode() not in response.content


def assert_private(response, referrer_policy: str = "no-referrer") -> None:
    assert response["Referrer-Policy"] == referrer_policy
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize(
    "template",
    ["/r/{}/", "/r/{}/image.jpg", "/r/{}/qr.png", "/r/{}/download", "/r/{}/delete"],
)
def test_every_result_route_sends_no_referrer_and_noindex(result, template):
    response = Client().get(template.format(result.token))

    assert response.status_code == 200
    # The confirmation page: same-origin, so the browser's form post carries a real Origin
    # for Django's CSRF check and still no Referer leaves for another site.
    assert_private(response, "same-origin" if template.endswith("/delete") else "no-referrer")
    if template == "/r/{}/":
        assert b'<meta name="referrer" content="no-referrer">' in response.content
        assert b'<meta name="robots" content="noindex, nofollow">' in response.content


@pytest.mark.parametrize(
    "template,headers",
    [
        ("/replays/{}/", {}),
        ("/replays/{}/status", {}),
        ("/replays/{}/qr.png", {}),
        ("/replays/{}/slow.mp4", {}),
        ("/replays/{}/side-by-side.mp4?download=1", {}),
        ("/replays/{}/slow.mp4", {"HTTP_RANGE": "bytes=0-99"}),
    ],
)
def test_every_replay_route_sends_no_referrer_and_noindex(replay, template, headers):
    response = Client().get(template.format(replay.token), **headers)

    assert response.status_code in (200, 206)
    assert_private(response)


def test_a_gone_result_still_sends_no_referrer_and_noindex(booth, result):
    token = result.token
    erase_player(result.job.capture.player, reason=ErasureLog.Reason.VISITOR)

    for path in (f"/r/{token}/", f"/r/{token}/image.jpg"):
        response = Client().get(path)
        assert response.status_code == 410
        assert_private(response)


def test_the_visitors_erasure_post_sends_no_referrer_and_noindex(result):
    response = Client().post(f"/r/{result.token}/delete")

    assert response.status_code == 200
    assert_private(response)
