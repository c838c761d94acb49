"""Rate limits per tablet, per network address and per integration token: the one over its
limit gets a 429 it can act on (Retry-After, a sentence saying how long to wait), and
every other tablet, address or token goes on as before."""

import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.test import Client

from experiences.models.events import new_public_token
from experiences.models.photo import Asset
from tests import factories

pytestmark = pytest.mark.django_db

REDIS_TEST_URL = "redis://127.0.0.1:6379/9"
TABLET_A = "10.0.0.11"
TABLET_B = "10.0.0.12"


def limits(settings, **rates: str) -> None:
    """Only the named limits; every other one off."""
    settings.BOOTH_RATE_LIMITS = {
        scope: rates.get(scope, "") for scope in settings.BOOTH_RATE_LIMITS
    }


def tablet(user, address: str = TABLET_A, **headers) -> Client:
    client = Client(REMOTE_ADDR=address, **headers)
    client.force_login(user)
    return client


def upload(client: Client, number: int = 1):
    """A capture post missing its photo: a quick 400 once past the limits."""
    return client.post(f"/api/stations/{number}/captures/", {"nickname": "Mina"})


def assert_throttled(response, who: str) -> int:
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    body = response.json()
    assert body["code"] == "throttled"
    assert body["retry_after"] == retry_after
    assert body["detail"] == (
        f"Too many requests from {who}: wait {retry_after} seconds, then try again."
    )
    return retry_after


@pytest.fixture
def second_device(booth):
    return booth.event.stations.get(number=2).user


def test_a_tablet_over_its_limit_waits_and_another_tablet_does_not(settings, booth, second_device):
    limits(settings, capture_device="2/minute")
    first = tablet(booth.user)

    assert [upload(first).status_code for _ in range(2)] == [400, 400]
    assert_throttled(upload(first), "this tablet")
    # Same address (one Wi-Fi), another tablet: its own count.
    assert upload(tablet(second_device), number=2).status_code == 400


def test_an_address_over_its_limit_waits_and_another_address_does_not(
    settings, booth, second_device
):
    limits(settings, capture_ip="2/minute")
    upload(tablet(booth.user, TABLET_A))
    upload(tablet(booth.user, TABLET_A))

    assert_throttled(upload(tablet(second_device, TABLET_A), number=2), "this network address")
    assert upload(tablet(second_device, TABLET_B), number=2).status_code == 400


def test_a_forged_forwarded_for_header_escapes_no_limit(settings, booth):
    limits(settings, capture_ip="2/minute")
    for _ in range(2):
        upload(tablet(booth.user, TABLET_A))

    forged = tablet(booth.user, TABLET_A, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert_throttled(upload(forged), "this network address")


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings, booth):
    settings.BOOTH_TRUSTED_PROXIES = 1
    limits(settings, capture_ip="2/minute")
    proxy = "10.0.0.1"
    for _ in range(2):
        upload(tablet(booth.user, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"))

    assert upload(tablet(booth.user, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")).status_code == 429
    assert upload(tablet(booth.user, proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")).status_code == 400


@pytest.fixture
def sensors(booth):
    factories.make_sports_experience(booth.event)
    _, first = factories.make_integration(booth.event, scopes=("shots", "clips"))
    _, second = factories.make_integration(booth.event, scopes=("shots", "clips"))
    return first, second


def post_shot(token: str, address: str = TABLET_A):
    client = Client(REMOTE_ADDR=address, HTTP_AUTHORIZATION=f"Bearer {token}")
    body = factories.shot_json(f"kick-{uuid.uuid4().hex[:10]}")
    return client.post("/api/shots/", body, content_type="application/json")


def test_an_integration_token_over_its_limit_waits_and_another_token_does_not(settings, sensors):
    limits(settings, integration_token="2/minute")
    first, second = sensors

    assert [post_shot(first).status_code for _ in range(2)] == [201, 201]
    assert_throttled(post_shot(first), "this integration token")
    assert post_shot(second).status_code == 201


def test_clips_share_the_tokens_limit(settings, sensors):
    limits(settings, integration_token="1/minute")
    first, _ = sensors
    assert post_shot(first).status_code == 201

    client = Client(HTTP_AUTHORIZATION=f"Bearer {first}")
    assert_throttled(client.post("/api/shots/kick-1/clip", {}), "this integration token")


def test_integrations_are_limited_per_address_too(settings, sensors):
    limits(settings, integration_ip="2/minute")
    first, second = sensors
    post_shot(first, TABLET_A)
    post_shot(first, TABLET_A)

    assert_throttled(post_shot(second, TABLET_A), "this network address")
    assert post_shot(second, TABLET_B).status_code == 201


@pytest.fixture
def result_token(booth) -> str:
    job = factories.make_finished_job(booth.station)
    return job.assets.get(kind=Asset.Kind.PORTRAIT).token


def test_trying_result_links_in_bulk_is_slowed_per_address(settings, result_token):
    limits(settings, result_ip="3/minute")
    guesser = Client(REMOTE_ADDR="198.51.100.20")

    answers = [guesser.get(f"/r/{new_public_token()}/").status_code for _ in range(3)]

    assert answers == [404, 404, 404]
    assert_throttled(guesser.get(f"/r/{new_public_token()}/image.jpg"), "this network address")
    # The visitor on another address still opens their portrait.
    assert Client(REMOTE_ADDR="198.51.100.21").get(f"/r/{result_token}/").status_code == 200


def test_a_phone_over_the_limit_gets_a_page_saying_how_long_to_wait(settings, result_token):
    limits(settings, result_ip="1/minute")
    phone = Client(REMOTE_ADDR="198.51.100.30", HTTP_ACCEPT="text/html,*/*;q=0.8")
    phone.get(f"/r/{result_token}/")

    response = phone.get(f"/r/{result_token}/")

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    seconds = int(response["Retry-After"])
    assert f"Please wait {seconds} seconds, then reload the page." in response.content.decode()


def test_an_empty_rate_turns_a_limit_off(settings, booth):
    limits(settings)
    client = tablet(booth.user)

    assert {upload(client).status_code for _ in range(30)} == {400}


def test_limits_are_counted_in_redis_when_redis_url_is_set(settings, booth):
    """Several web processes share one count: the counter lives in Redis, not in memory."""
    prefix = f"booth-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    limits(settings, capture_device="2/minute")
    server = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        first = tablet(booth.user)
        upload(first)
        upload(first)
        keys = server.keys(f"{prefix}:*throttle_capture_device_{booth.user.pk}")
        assert len(keys) == 1
        # Another "process": a new connection to the same cache sees the same count.
        cache.close()
        assert_throttled(upload(tablet(booth.user)), "this tablet")
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


@pytest.mark.parametrize(
    "redis_url,backend",
    [
        ("redis://127.0.0.1:6379/9", "django.core.cache.backends.redis.RedisCache"),
        ("", "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_the_default_cache_is_redis_exactly_when_redis_url_is_set(redis_url, backend, tmp_path):
    root = Path(__file__).resolve().parents[2]
    probe = "import booth.settings as s; print(s.CACHES['default']['BACKEND'])"
    env = {"REDIS_URL": redis_url, "BOOTH_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == backend


def test_the_429_speaks_the_visitors_language(settings, result_token):
    limits(settings, result_ip="1/minute")
    phone = Client(REMOTE_ADDR="198.51.100.40", HTTP_ACCEPT_LANGUAGE="ko")
    phone.get(f"/r/{result_token}/qr.png")

    body = phone.get(f"/r/{result_token}/qr.png").json()

    assert body["detail"].startswith("이 네트워크 주소에서 요청이 너무 많습니다")


def test_an_unreachable_cache_lets_requests_through(settings, booth, caplog):
    """Rate limits must not take the booth down with Redis: the requests are served, and
    the outage is logged once, not with a traceback per request."""
    from kernel.throttling import CACHE_OUTAGE

    CACHE_OUTAGE.since = None  # another test's outage in this process
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/9",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    limits(settings, capture_device="1/minute")
    try:
        assert upload(tablet(booth.user)).status_code == 400
        assert upload(tablet(booth.user)).status_code == 400
        assert caplog.text.count("The rate limits' cache unavailable") == 1
        assert "Traceback" not in caplog.text
    finally:  # the shared teardown clears the cache: give it one that answers
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
