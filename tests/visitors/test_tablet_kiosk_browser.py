"""The tablet as an all-day kiosk, in real Chromium against a real server:

- it keeps the screen on with the Screen Wake Lock and asks again when shown again, and
  says so to staff; where the API is missing the page runs as before, without an error;
- one tap on "Full screen" takes the page full screen, and the button goes away;
- a device session ended on the server (its row deleted) is not a silent failure: the next
  photo, or the tablet's own check-in while idle, shows "This tablet was signed out" with a
  sign-in link that leads back to the tablet.

Wake lock calls are recorded by wrapping the browser's own `navigator.wakeLock.request`
(the real lock is still taken: Chromium grants it on loopback).
"""

import sqlite3

import pytest

from tests import servers
from tests.axe import assert_no_violations
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD, _log_in, _take_photo

pytestmark = [pytest.mark.browser, pytest.mark.system]

CHECK_IN_SECONDS = 2

RECORD_WAKE_LOCKS = """
window.wakeLocks = [];
if (navigator.wakeLock) {
  const request = navigator.wakeLock.request.bind(navigator.wakeLock);
  navigator.wakeLock.request = async (type) => {
    const lock = await request(type);
    window.wakeLocks.push(lock);
    return lock;
  };
}
"""

WITHOUT_KIOSK_APIS = """
delete Navigator.prototype.wakeLock;
Object.defineProperty(Document.prototype, "fullscreenEnabled", { get: () => false });
"""


@pytest.fixture(scope="module")
def booth(tmp_path_factory):
    demo = servers.ServedDemo(
        tmp_path_factory.mktemp("booth-var"),
        PASSWORD,
        ADMIN_PASSWORD,
        BOOTH_TABLET_SESSION_CHECK_SECONDS=str(CHECK_IN_SECONDS),
    )
    demo.start()
    yield demo
    demo.stop()


def _tablet(browser, base: str, username: str, init_script: str = "", **options):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, **options)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    _log_in(page, base, username)
    return page


def _end_session_on_server(booth, page) -> None:
    """What an expired, cleared or elsewhere-ended session looks like: no row."""
    (key,) = [c["value"] for c in page.context.cookies() if c["name"] == "sessionid"]
    with sqlite3.connect(booth.var / "booth.sqlite3") as connection:
        deleted = connection.execute("DELETE FROM django_session WHERE session_key = ?", (key,))
        assert deleted.rowcount == 1


def test_the_screen_stays_on_and_one_tap_goes_full_screen(booth, browser, tmp_path):
    page = _tablet(browser, booth.url, "station1", RECORD_WAKE_LOCKS)

    page.wait_for_selector("#screen-awake:not([hidden])")
    page.screenshot(path=str(tmp_path / "tablet-kiosk.png"))
    assert page.evaluate("wakeLocks.map((lock) => [lock.type, lock.released])") == [
        ["screen", False]
    ]
    # Hidden, the browser drops the lock; shown again, the page asks for a new one.
    page.evaluate("wakeLocks[0].release()")
    page.wait_for_selector("#screen-awake", state="hidden")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_selector("#screen-awake:not([hidden])")
    assert page.evaluate("wakeLocks.map((lock) => lock.released)") == [True, False]

    button = page.get_by_role("button", name="Full screen")
    box = button.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # a finger-sized target
    assert page.evaluate("document.fullscreenElement") is None
    button.click()
    page.wait_for_function("document.fullscreenElement === document.documentElement")
    button.wait_for(state="hidden")  # on the fullscreenchange event that follows
    page.evaluate("document.exitFullscreen()")
    page.wait_for_function("document.fullscreenElement === null")
    button.wait_for(state="visible")  # out of full screen (a swipe, Escape): offered again
    assert page.errors == []


def test_without_the_kiosk_apis_the_tablet_runs_and_hides_their_controls(booth, browser):
    page = _tablet(browser, booth.url, "station2", WITHOUT_KIOSK_APIS)

    assert page.evaluate("'wakeLock' in navigator") is False
    page.click("[data-action=start]")
    page.wait_for_selector("[data-screen=consent]:not([hidden])")
    assert page.is_hidden("#full-screen")
    assert page.is_hidden("#screen-awake")
    assert page.errors == []


def test_a_photo_from_a_signed_out_tablet_says_so_and_staff_can_sign_in_again(
    booth, browser, tmp_path
):
    tablet = _take_photo(browser, booth.url, "station3", "Ada")
    _end_session_on_server(booth, tablet)

    with tablet.expect_response("**/api/stations/3/captures/") as upload:
        tablet.click("[data-action=submit]")
    assert upload.value.status == 403
    tablet.wait_for_selector("[data-screen=signed-out]:not([hidden])")
    screen = tablet.inner_text("[data-screen=signed-out]")
    assert "This tablet was signed out" in screen
    assert "Staff: sign in again" in screen
    tablet.screenshot(path=str(tmp_path / "signed-out.png"))
    # It stays: no idle reset back to an attract screen that cannot send a photo.
    tablet.wait_for_timeout(1500)
    assert tablet.is_visible("[data-screen=signed-out]")

    tablet.get_by_role("link", name="Staff: sign in again").click()
    tablet.wait_for_url(f"{booth.url}/accounts/login/?next=/tablet/")
    tablet.fill("input[name=username]", "station3")
    tablet.fill("input[name=password]", PASSWORD)
    tablet.click("button[type=submit]")
    tablet.wait_for_url(f"{booth.url}/tablet/")
    tablet.wait_for_selector("[data-screen=attract]:not([hidden])")


def test_an_idle_tablet_finds_out_it_was_signed_out_by_itself(booth, browser):
    tablet = _tablet(browser, booth.url, "station4", bypass_csp=True)  # axe runs in it
    with tablet.expect_response("**/api/stations/4/session/") as check_in:
        pass
    assert check_in.value.status == 200  # checking in while signed in: nothing to show
    assert tablet.is_visible("[data-screen=attract]")

    _end_session_on_server(booth, tablet)

    tablet.wait_for_selector(
        "[data-screen=signed-out]:not([hidden])", timeout=(CHECK_IN_SECONDS + 5) * 1000
    )
    assert tablet.get_by_role("link", name="Staff: sign in again").get_attribute("href") == (
        "/accounts/login/?next=/tablet/"
    )
    # Announced like every screen: focus on its heading, which the live region reads.
    assert tablet.evaluate("document.activeElement.id") == "signed-out-heading"
    assert tablet.inner_text("#announcer") == "This tablet was signed out"
    assert_no_violations(tablet, "the tablet's signed-out screen")
