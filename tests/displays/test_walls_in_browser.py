"""LED walls in a real browser against the real server process.

The server is killed while a display page is open: the page must fall back to the
default image, and once the server is back (same database and media) it must recover
and show the newest result, one made while the server was down.
"""

import time

import pytest

from tests import servers
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.system]

MAKE_RESULT = """
from displays.models import Station
from experiences.photo.jobs import run_job
from tests.factories import make_job
job = make_job(Station.objects.get(number={station}), nickname="{nickname}")
run_job(job.pk)
job.refresh_from_db()
assert job.state == "succeeded", job.error
print("TOKEN", job.portrait.pk)
"""


def make_result(env: dict, station: int, nickname: str) -> str:
    """A visitor's job run to the end by a separate `manage.py shell` process."""
    out = servers.manage(env, "shell", "-c", MAKE_RESULT.format(station=station, nickname=nickname))
    return out.split("TOKEN ")[1].strip()


class Booth:
    """A seeded Booth in a temporary folder, whose server can be killed and restarted."""

    def __init__(self, var, **settings: str) -> None:
        self.port = servers.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.var = var
        self.env = servers.booth_env(var, PUBLIC_BASE_URL=self.base, **settings)
        servers.manage(self.env, "migrate", "-v0")
        servers.manage(self.env, "compiletranslations")
        servers.manage(
            self.env, "seed_demo", "--device-password", PASSWORD, "--admin-password", ADMIN_PASSWORD
        )
        self.process = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = self.var / f"serve-{self.starts}.log"
        self.process = servers.start(self.env, log, "serve", "--port", str(self.port))
        servers.wait_for_port(self.port, self.process, log)

    def kill(self) -> None:
        self.process.kill()  # as a crash would: no goodbye to the open sockets
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None:
            servers.stop(self.process)


@pytest.fixture
def booth_factory(tmp_path):
    started = []

    def make(**settings: str) -> Booth:
        booth = Booth(tmp_path / f"var{len(started)}", **settings)
        started.append(booth)
        return booth

    yield make
    for booth in started:
        booth.stop()


def test_display_falls_back_when_the_server_dies_and_recovers_the_newest_result(
    booth_factory,
    browser,
):
    booth = booth_factory(
        BOOTH_DISPLAY_FAILURES_BEFORE_DEFAULT="2",
        BOOTH_DISPLAY_OFFLINE_DEFAULT_SECONDS="4",
        BOOTH_ATTRACT_AFTER_SECONDS="0",
    )
    before = make_result(booth.env, 1, "Before")
    booth.start()
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.goto(f"{booth.base}/displays/1/")
    page.wait_for_selector(f"#wall[data-view=result][data-result='{before}']")
    page.wait_for_selector("#connection[data-connected=true]", state="attached")
    assert page.get_attribute("#wall", "data-failures-before-default") == "2"

    booth.kill()
    page.wait_for_selector("#connection[data-connected=false]", state="attached", timeout=10000)
    page.wait_for_selector("#wall[data-view=default]", timeout=20000)
    assert page.evaluate("document.getElementById('default-image').naturalWidth") > 0

    during = make_result(booth.env, 1, "During")  # made while the server was down
    booth.start()

    page.wait_for_selector(f"#wall[data-view=result][data-result='{during}']", timeout=30000)
    assert page.inner_text("#nickname") == "During"
    assert "During" in page.inner_text("#story")
    assert page.evaluate("document.getElementById('portrait').naturalWidth") > 300
    assert page.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )


def _staff_page(chromium, booth: Booth):
    staff = chromium.new_context().new_page()
    staff.goto(f"{booth.base}/admin/login/?next=/displays/control/")
    staff.fill("input[name=username]", "admin")
    staff.fill("input[name=password]", ADMIN_PASSWORD)
    staff.click("input[type=submit]")
    staff.wait_for_url(f"{booth.base}/displays/control/")
    return staff


def test_wall_shows_all_displays_follows_the_control_panel_and_attracts(
    booth_factory,
    browser,
):
    booth = booth_factory(BOOTH_ATTRACT_AFTER_SECONDS="2", BOOTH_ATTRACT_INTERVAL_SECONDS="1")
    first = make_result(booth.env, 1, "Ada")
    second = make_result(booth.env, 3, "Grace")
    booth.start()
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    wall.goto(f"{booth.base}/displays/wall/")
    tiles = wall.locator("[data-screen-root]")
    assert tiles.count() == 8
    wall.wait_for_selector(f"[data-display='1'][data-view=result][data-result='{first}']")
    assert wall.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )
    wall.screenshot(path=str(booth.var / "wall.png"))  # kept with the test's tmp files
    box = tiles.nth(7).bounding_box()
    assert box["width"] > 400 and box["height"] > 450  # a 4 × 2 grid filling the screen

    # Idle: display 2 has no result of its own, so it cycles through the event's results.
    wall.wait_for_selector("[data-display='2'][data-attract=true][data-view=result]")
    tokens = set()
    deadline = time.monotonic() + 15
    while len(tokens) < 2 and time.monotonic() < deadline:
        token = wall.get_attribute("[data-display='2']", "data-result")
        if token:
            tokens.add(token)
        wall.wait_for_timeout(200)
    assert tokens == {first, second}

    # Default image on every display at once, from the staff control page.
    staff = _staff_page(browser, booth)
    staff.wait_for_selector("#display-status tr[data-display='1'][data-silent=false]")
    staff.locator("tr.all-row select[name=mode]").select_option("default")
    started = time.monotonic()
    staff.locator("tr.all-row button[value=set_mode]").click()
    for number in range(1, 9):
        wall.wait_for_selector(f"[data-display='{number}'][data-view=default][data-mode=default]")
    assert time.monotonic() - started < 3
    assert "Done: Set mode" in staff.inner_text("body")

    # Remote reload of display 3's pages only.
    staff.locator("tr[data-display='3'] select[name=mode]").select_option("live")
    staff.locator("tr[data-display='3'] button[value=set_mode]").click()
    wall.wait_for_selector(f"[data-display='3'][data-view=result][data-result='{second}']")
    pages = {}
    for number in (3, 4):
        pages[number] = browser.new_context().new_page()
        pages[number].goto(f"{booth.base}/displays/{number}/")
        pages[number].wait_for_selector("#connection[data-connected=true]", state="attached")
        pages[number].evaluate("window.reloadMarker = 'before'")
    staff.locator("tr[data-display='3'] button[value=reload]").click()
    pages[3].wait_for_function("() => window.reloadMarker === undefined", timeout=5000)
    pages[3].wait_for_selector(f"#wall[data-view=result][data-result='{second}']")
    assert pages[4].evaluate("window.reloadMarker") == "before"

    # The status shows display 3's page and what it shows, live.
    status = staff.context.new_page()
    status.goto(f"{booth.base}/displays/status/")
    status.wait_for_selector("[data-connection]:has-text('live')")
    status.wait_for_function(
        "() => Number(document.querySelector('[data-booth=displays_online]').textContent) === 8"
    )
