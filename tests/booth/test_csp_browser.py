"""The Content-Security-Policy in a real browser: every page Booth shows loads and works with
ZERO violations (Chromium reports each blocked script, style, image, socket or video as a
`securitypolicyviolation` event and a console error; both are collected).

One visitor goes through the whole booth: tablet capture, the display showing the
portrait and QR code, the result page on a phone; a shot and its clip reach the
commentary wall and the replay page; the wall of all displays shows the portrait; staff
open the API docs, the control panel and the status page.
"""

import time

import httpx
import pytest

from tests import servers
from tests.clips import ball_clip, needs_ffmpeg
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD, _open_wall, _take_photo, link_on_wall

pytestmark = [pytest.mark.browser, pytest.mark.system, needs_ffmpeg]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture(scope="module")
def csp_server(tmp_path_factory):
    """`manage.py serve` on the demo event, with an integration for shots and clips."""
    demo = servers.ServedDemo(tmp_path_factory.mktemp("booth-csp"), PASSWORD, ADMIN_PASSWORD)
    token = demo.integration_token("Sensor")
    yield demo.start(), token
    demo.stop()


class Watch:
    """Every page opened through it reports CSP violations into one list."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.pages: list = []
        self.console: list[str] = []

    def watched(self, page, *, init: bool = True):
        if init:  # pages of a context that runs the collector already have it
            page.add_init_script(COLLECT_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                self.console.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        self.pages.append(page)
        return page

    def new_page(self, **context):
        return self.watched(self.browser.new_context(**context).new_page())

    def violations(self) -> list[str]:
        found = list(self.console)
        for page in self.pages:
            if not page.is_closed():
                found += [f"{page.url}: {v}" for v in page.evaluate("window.__cspViolations")]
        return found


def test_every_page_works_with_zero_csp_violations(csp_server, browser, tmp_path):
    base, token = csp_server
    watch = Watch(browser)

    # The display and the tablet: the shared helpers open their own contexts, so every
    # context opened meanwhile gets the collector.
    original_new_context = browser.new_context

    def new_context(**kwargs):
        context = original_new_context(**kwargs)
        context.add_init_script(COLLECT_VIOLATIONS)
        context.on("page", lambda page: watch.watched(page, init=False))
        return context

    browser.new_context = new_context
    try:
        wall = _open_wall(browser, base, 1)
        tablet = _take_photo(browser, base, "station1", "Ada")
    finally:
        browser.new_context = original_new_context
    assert tablet.evaluate("document.getElementById('preview').src").startswith("blob:")
    tablet.click("[data-action=submit]")
    wall.wait_for_selector("#wall[data-view=result]", timeout=20000)
    assert wall.evaluate("document.getElementById('qr').naturalWidth") > 100
    assert wall.evaluate("document.getElementById('portrait').naturalWidth") > 300
    tablet.wait_for_selector("[data-screen=ready]:not([hidden])")

    phone = watch.new_page(viewport={"width": 390, "height": 844})
    phone.goto(link_on_wall(wall))  # the wall holds no token: its QR code, as a phone reads it
    assert phone.evaluate("document.querySelector('img.portrait').naturalWidth") > 300

    commentary = watch.new_page(viewport={"width": 1920, "height": 1080})
    commentary.goto(f"{base}/displays/commentary/")
    commentary.wait_for_selector("#connection[data-connected=true]", state="attached")
    auth = {"Authorization": f"Bearer {token}"}
    shot = {
        "event_id": "csp-1",
        "player_name": "Sarah",
        "shot_speed": 30.5,
        "shot_distance": 20,
        "shot_goal": True,
        "shots_done": 1,
    }
    assert httpx.post(f"{base}/api/shots/", json=shot, headers=auth).status_code == 201
    commentary.wait_for_selector("#feed li")
    clip = ball_clip(tmp_path / "kick.mp4").read_bytes()
    upload = httpx.post(
        f"{base}/api/shots/csp-1/clip",
        files={"clip": ("kick.mp4", clip, "video/mp4")},
        headers=auth,
    )
    assert upload.status_code == 202, upload.text
    deadline = time.monotonic() + 120
    while httpx.get(upload.json()["status_url"]).json().get("state") != "succeeded":
        assert time.monotonic() < deadline, "the replay was not made in time"
        time.sleep(1)
    replay = watch.new_page(viewport={"width": 390, "height": 844})
    replay.goto(upload.json()["page_url"])
    replay.wait_for_function("() => document.querySelector('video').readyState >= 2", timeout=20000)

    wall_of_all = watch.new_page(viewport={"width": 1920, "height": 1080})
    wall_of_all.goto(f"{base}/displays/wall/")
    wall_of_all.wait_for_selector("[data-display='1'][data-view=result]")
    columns = wall_of_all.evaluate(
        "() => getComputedStyle(document.querySelector('.wall-grid')).gridTemplateColumns"
    )
    assert len(columns.split()) == 4  # the grid's shape, set without an inline style

    staff = watch.new_page()
    staff.goto(f"{base}/admin/login/?next=/api/docs/")
    staff.fill("input[name=username]", "admin")
    staff.fill("input[name=password]", ADMIN_PASSWORD)
    staff.click("input[type=submit]")
    staff.wait_for_url(f"{base}/api/docs/")
    staff.wait_for_selector("text=/api/shots/", timeout=20000)
    control = watch.watched(staff.context.new_page())
    control.goto(f"{base}/displays/control/")
    control.wait_for_selector("form.control-form")
    status = watch.watched(staff.context.new_page())
    status.goto(f"{base}/displays/status/")
    status.wait_for_selector("[data-connection]:has-text('live')")

    time.sleep(1)  # late reports (images, media) arrive asynchronously
    assert watch.violations() == []
    # display, tablet, result, commentary, replay, wall, API docs, control panel, status
    assert len(watch.pages) == 9

    # The watch does see violations: an injected inline script is blocked and reported.
    phone.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
    }"""
    )
    phone.wait_for_function("() => window.__cspViolations.length > 0")
    assert phone.evaluate("() => window.injected") is None
    assert any("script-src" in v for v in watch.violations())
