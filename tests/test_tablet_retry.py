"""The tablet keeps the photo and retries by itself when the booth answers 503, with the
same Idempotency-Key, so the retry never makes a second job (real Chromium, real server).

The first upload really reaches the server and is accepted; its answer is replaced by the
503 a database outage gives (the answer lost on the way back is the hardest case: the job
exists, the tablet does not know). The tablet must show "One moment", send the same photo
again with the same key, get that same job back and end on its result.
"""

import json
import sqlite3

import pytest

from tests import servers
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD, _take_photo

pytestmark = [pytest.mark.browser, pytest.mark.system]


@pytest.fixture(scope="module")
def booth_server_and_database(tmp_path_factory):
    var = tmp_path_factory.mktemp("booth-var")
    port = servers.free_port()
    env = servers.booth_env(var, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    servers.manage(env, "migrate", "-v0")
    servers.manage(
        env, "seed_demo", "--device-password", PASSWORD, "--admin-password", ADMIN_PASSWORD
    )
    log = var / "serve.log"
    server = servers.start(env, log, "serve", "--port", str(port))
    servers.wait_for_port(port, server, log)
    yield f"http://127.0.0.1:{port}", var / "booth.sqlite3"
    servers.stop(server)


def test_the_tablet_retries_a_503_with_the_same_key_and_one_job_results(
    booth_server_and_database,
    browser,
):
    base, database = booth_server_and_database
    tablet = _take_photo(browser, base, "station2", "Lin")
    attempts: list[dict] = []

    def outage_on_first_answer(route) -> None:
        request = route.request
        answer = route.fetch()  # the server really gets it (and may accept it)
        attempts.append(
            {
                "key": request.headers.get("idempotency-key"),
                "status": answer.status,
                "body": answer.json(),
            }
        )
        if len(attempts) == 1:
            route.fulfill(
                status=503,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body=json.dumps({"code": "unavailable", "detail": "back in a moment"}),
            )
        else:
            route.fulfill(response=answer)

    tablet.route("**/api/stations/2/captures/", outage_on_first_answer)
    tablet.click("[data-action=submit]")
    tablet.wait_for_selector("#sending-retry:not([hidden])", timeout=5000)
    assert "One moment" in tablet.inner_text("[data-screen=sending]")
    assert tablet.is_visible("[data-screen=sending]")  # the photo is kept, not rejected

    tablet.wait_for_selector("[data-screen=ready]:not([hidden])", timeout=30000)
    assert "display 2" in tablet.inner_text("[data-screen=ready]")
    assert [a["status"] for a in attempts] == [201, 200]
    assert attempts[0]["key"] and attempts[0]["key"] == attempts[1]["key"]
    assert attempts[0]["body"]["job"] == attempts[1]["body"]["job"]
    with sqlite3.connect(database) as connection:
        (jobs,) = connection.execute(
            "SELECT count(*) FROM experiences_job j JOIN experiences_capture c "
            "ON c.id = j.capture_id WHERE c.idempotency_key = ?",
            (attempts[0]["key"],),
        ).fetchone()
    assert jobs == 1
