"""With the database unreachable, a web process still starts and answers what a person can
act on: 503 with Retry-After, JSON `code: "unavailable"` for the API and a plain "back in a
moment" page for pages; never a 500 or a traceback, and one log line for the outage."""

import httpx
import pytest

from tests import servers

pytestmark = pytest.mark.system


def test_a_database_outage_answers_503_not_500(tmp_path):
    closed = servers.free_port()  # nothing listens there: PostgreSQL is "down"
    port = servers.free_port()
    env = servers.booth_env(
        tmp_path,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/booth",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        BOOTH_EMBEDDED_WORKER="false",
    )
    log = tmp_path / "web.log"
    web = servers.start(env, log, "serve", "--no-worker", "--port", str(port))
    try:
        servers.wait_for_port(port, web, log)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            api = client.post(
                "/api/stations/1/captures/",
                data={"nickname": "Mina", "consent_version": "1"},
                files={"image": ("capture.jpg", b"\xff\xd8", "image/jpeg")},
                cookies={"sessionid": "a" * 32},
            )
            page = client.get("/tablet/", cookies={"sessionid": "a" * 32})
            again = client.get("/tablet/", cookies={"sessionid": "a" * 32})
    finally:
        servers.stop(web)

    assert api.status_code == 503
    assert api.headers["Retry-After"] == "2"
    assert api.json()["code"] == "unavailable"
    assert "send the same request again" in api.json()["detail"]
    assert page.status_code == again.status_code == 503
    assert page.headers["Retry-After"] == "2"
    assert "Back in a moment" in page.text
    output = log.read_text()
    assert "Traceback" not in output
    assert output.count("The database unavailable") == 1  # once, not per request
