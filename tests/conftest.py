"""Shared fixtures: every test gets its own media folder and a fresh in-memory channel layer."""

import copy
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from booth.demo import seed_demo
from kernel import aws
from tests import factories
from tests.browser import browser  # noqa: F401 - one Chromium per test module, for every browser test


def pytest_sessionstart(session) -> None:
    """Compile the translation catalogues, as the demo does, so Korean pages are tested."""
    call_command("compiletranslations", verbosity=0)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """MEDIA_ROOT in the test's temporary folder: real files, never ./var/media."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.BOOTH_TLS_DIR = tmp_path / "tls"  # never ./var/tls: a developer's local CA
    return root


@pytest.fixture(autouse=True)
def fresh_channel_layer(settings) -> None:
    """A new channel layer per test (setting CHANNEL_LAYERS resets Channels' layer cache),
    so no group or queued message leaks from one test into another: in memory, or on
    Redis under a prefix of its own when REDIS_URL is set (CI's scaled-mode pass)."""
    if settings.REDIS_URL:
        layer = copy.deepcopy(settings.CHANNEL_LAYERS)
        layer["default"]["CONFIG"]["prefix"] = f"booth-test-{uuid.uuid4().hex}"
        settings.CHANNEL_LAYERS = layer
    else:
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "kernel.layers.FanOutInMemoryChannelLayer"}
        }


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Rate-limit counts and cached result pages live in caches: each test starts from none.
    Result opens are counted at once (no waiting counts carried into another test)."""
    from django.core.cache import caches

    settings.BOOTH_TALLY_FLUSH_SECONDS = 0
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def narration_off(settings) -> None:
    """No story is read aloud unless a test asks (BOOTH_NARRATOR=espeak or polly): the
    embedded default would queue an espeak-ng + ffmpeg task after every job, and the tests
    that count a job's assets, files or queued tasks are about other things. The narration
    tests (tests/experiences/photo/test_narration.py) and those of erasure and the event
    report that include it turn it on."""
    settings.BOOTH_NARRATOR = "none"


@pytest.fixture(autouse=True)
def no_worker_processes_expected(settings) -> None:
    """No separate worker process runs beside a test, whatever REDIS_URL implies (scaled
    mode expects them, and /readyz would say they are missing): the worker-health tests
    in tests/booth/test_worker_health.py turn the expectation back on."""
    settings.BOOTH_EXPECT_WORKERS = False


@pytest.fixture(autouse=True)
def login_throttling_off(settings) -> None:
    """django-axes refuses `Client.login()` (it authenticates without a request); the
    lockout tests in tests/booth/test_login_security.py turn it back on."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Device accounts are created in most tests: PBKDF2 would cost ~0.5 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def offline_aws(monkeypatch):
    """Fake credentials and fresh boto3 clients per test: no test can reach real AWS, and a
    Stubber put on one test's client never leaks into the next."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }.items():
        monkeypatch.setenv(name, value)
    aws.reset()
    yield
    aws.reset()


@pytest.fixture
def public_base_url(settings) -> str:
    settings.PUBLIC_BASE_URL = "https://booth.example.org"
    return settings.PUBLIC_BASE_URL


@pytest.fixture
def booth(db) -> factories.Booth:
    """An active event: one experience with three approved base images, station 1 and
    station 2, each with its display and device account."""
    return factories.make_booth(stations=2)


@pytest.fixture
def demo(db):
    """The full demo event from `manage.py seed_demo` (16 base images, 8 stations)."""
    return seed_demo(device_password=factories.DEVICE_PASSWORD, admin_password="admin-pass-1234")


@pytest.fixture
def device_client(booth) -> Client:
    """A browser session logged in as station 1's tablet."""
    client = Client()
    assert client.login(username=booth.user.username, password=factories.DEVICE_PASSWORD)
    return client


@pytest.fixture(scope="session")
def moto_s3_endpoint():
    """A real S3-compatible HTTP server (moto in server mode) on a free loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_media(settings, moto_s3_endpoint):
    """Media in a fresh private bucket on the moto server, as scaled mode stores it; yields
    a boto3 client to look inside the bucket, with its name as `client.bucket`."""
    import boto3

    bucket = f"booth-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_s3_endpoint, region_name="eu-west-1")
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    settings.BOOTH_S3_ENDPOINT_URL = moto_s3_endpoint
    settings.BOOTH_S3_REGION = "eu-west-1"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "kernel.storage.PrivateS3Storage",
            "OPTIONS": {"bucket_name": bucket, "location": "booth", "querystring_expire": 120},
        },
    }
    settings.BOOTH_S3_URL_EXPIRY_SECONDS = 120
    client.bucket = bucket
    return client
