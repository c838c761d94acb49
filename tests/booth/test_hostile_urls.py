"""Junk in URL paths is a 404 at routing, on PostgreSQL too, which refuses NUL bytes in
strings: before the token converters, `/r/a%00b/` reached a query and answered 500."""

import httpx
import pytest

from tests import servers
from tests.booth.test_scaled_mode import fresh_postgres  # noqa: F401 - fixture

pytestmark = pytest.mark.system

PATHS = [
    "/r/a%00b/",
    "/r/a%00b/image.jpg",
    "/r/a%00b/qr.png",
    "/r/a%00b/download",
    "/replays/x%00/",
    "/replays/x%00/status",
    "/replays/x%00/qr.png",
    "/r/%27%20OR%201%3D1--/",
    "/r/" + "A" * 65 + "/",
]


@pytest.fixture
def postgres_server(fresh_postgres, tmp_path):  # noqa: F811
    port = servers.free_port()
    env = servers.booth_env(
        tmp_path, DATABASE_URL=fresh_postgres, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}"
    )
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "seed_demo", "--device-password", "station-pass-123")
    token = servers.manage(env, "create_integration", "--scope", "clips").strip().splitlines()[-1]
    web = servers.start(env, tmp_path / "web.log", "serve", "--no-worker", "--port", str(port))
    servers.wait_for_port(port, web, tmp_path / "web.log")
    yield f"http://127.0.0.1:{port}", token
    servers.stop(web)


def test_junk_in_tokens_and_event_ids_is_a_404_not_a_500(postgres_server):
    base, token = postgres_server
    with httpx.Client(base_url=base) as client:
        pages = {path: client.get(path).status_code for path in PATHS}
        clip = client.post(
            "/api/shots/evt%00/clip",
            files={"clip": ("kick.mp4", b"x", "video/mp4")},
            headers={"Authorization": f"Bearer {token}"},
        )

    assert pages == dict.fromkeys(PATHS, 404)
    assert clip.status_code == 404
    assert clip.json()["code"] == "not_found"
