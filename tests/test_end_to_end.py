"""The whole booth in a real browser against the real embedded server.

A device logs in on the tablet page, consents, takes a photo with Chromium's fake camera
(fed a real face: scikit-image's public-domain astronaut photo) and submits it; the
display page, open in another tab, shows the portrait, story and QR code; the QR link
opens the result page on a phone-sized screen.
"""

import time

import pytest

from tests import servers
from tests.browser import CHROMIUM, _require_chromium, write_face_y4m  # noqa: F401 (shared)
from tests.qrcodes import decode_qr

PASSWORD = "station-pass-123"
ADMIN_PASSWORD = "admin-pass-123"


@pytest.fixture(scope="module")
def booth_server(tmp_path_factory):
    """`manage.py serve` on a fresh demo event in a temporary folder; yields its base URL."""
    demo = servers.ServedDemo(tmp_path_factory.mktemp("booth-var"), PASSWORD, ADMIN_PASSWORD)
    yield demo.start()
    demo.stop()


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/tablet/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/tablet/")
    page.wait_for_selector("body[data-current=attract]")  # the tablet's script is running


def _open_wall(browser, base: str, number: int):
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    wall.goto(f"{base}/displays/{number}/")
    wall.wait_for_selector("#wall[data-view=default]")
    wall.wait_for_selector("#connection[data-connected=true]", state="attached")
    return wall


def link_on_wall(wall) -> str:
    """The result link the wall's QR code holds, read from a screenshot as a phone would:
    the page itself holds no token (kernel/display_links.py)."""
    wall.wait_for_function("() => document.getElementById('qr').naturalWidth > 0")
    return decode_qr(wall.screenshot())


def _take_photo(browser, base: str, username: str, nickname: str):
    """A visitor consents and takes a photo on the tablet, up to pressing "Use this photo"."""
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    _log_in(tablet, base, username)
    tablet.click("[data-action=start]")
    assert "deleted" in tablet.inner_text("[data-screen=consent]")
    tablet.click("[data-action=accept]")
    tablet.fill("input[name=nickname]", nickname)
    tablet.click("#profile button[type=submit]")
    tablet.wait_for_function("() => document.getElementById('video').videoWidth > 0")
    tablet.click("[data-action=shoot]")
    tablet.wait_for_selector("[data-screen=preview]:not([hidden])")
    return tablet


def test_capture_on_tablet_appears_on_display_and_phone(booth_server, browser, tmp_path):
    base = booth_server
    wall = _open_wall(browser, base, 1)
    tablet = _take_photo(browser, base, "station1", "Ada")
    started = time.monotonic()
    tablet.click("[data-action=submit]")

    wall.wait_for_selector("#wall[data-view=result]", timeout=15000)
    on_wall = time.monotonic() - started
    assert wall.inner_text("#nickname") == "Ada"
    assert "Ada" in wall.inner_text("#story")
    assert wall.evaluate("document.getElementById('qr').naturalWidth") > 100
    assert wall.evaluate("document.getElementById('portrait').naturalWidth") > 300
    tablet.wait_for_selector("[data-screen=ready]:not([hidden])")
    assert "display 1" in tablet.inner_text("[data-screen=ready]")
    wall.screenshot(path=str(tmp_path / "wall.png"))
    print(f"tablet submit → portrait on the display: {on_wall:.2f} s")

    link = link_on_wall(wall)
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(link)
    assert phone.inner_text("h1") == "Ada"
    assert "Ada" in phone.inner_text(".story")
    with phone.expect_download() as download:
        phone.click("text=Download your portrait")
    assert download.value.suggested_filename.endswith(".jpg")


def test_photo_without_a_face_asks_the_visitor_to_retake(booth_server, browser, tmp_path):
    """Chromium's built-in fake camera (no file) shows no face: the tablet says what to do."""
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, booth_server, "station2")
    # Replace the camera stream with a plain canvas so the photo surely has no face.
    page.evaluate(
        """() => {
        navigator.mediaDevices.getUserMedia = async () => {
          const canvas = Object.assign(document.createElement('canvas'), {width: 640, height: 480});
          const ctx = canvas.getContext('2d');
          setInterval(() => { ctx.fillStyle = '#4a6'; ctx.fillRect(0, 0, 640, 480); }, 50);
          return canvas.captureStream(10);
        };
    }"""
    )
    page.click("[data-action=start]")
    page.click("[data-action=accept]")
    page.fill("input[name=nickname]", "Nobody")
    page.click("#profile button[type=submit]")
    page.wait_for_function("() => document.getElementById('video').videoWidth > 0")
    page.click("[data-action=shoot]")
    page.click("[data-action=submit]")
    page.wait_for_selector("[data-screen=rejected]:not([hidden])")
    assert "could not find a face" in page.inner_text("#rejected-message")
    page.click("[data-screen=rejected] [data-action=retake]")
    page.wait_for_selector("[data-screen=camera]:not([hidden])")


def test_a_result_pulled_in_admin_leaves_even_a_paused_wall_and_the_phone(booth_server, browser):
    base = booth_server
    wall = _open_wall(browser, base, 4)
    _take_photo(browser, base, "station4", "Grace").click("[data-action=submit]")
    wall.wait_for_selector("#wall[data-view=result]", timeout=15000)
    link = link_on_wall(wall)
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    assert phone.goto(link).status == 200

    staff = browser.new_context().new_page()
    staff.goto(f"{base}/admin/login/?next=/admin/moderation/result/")
    staff.fill("input[name=username]", "admin")
    staff.fill("input[name=password]", ADMIN_PASSWORD)
    staff.click("input[type=submit]")
    # Paused, a wall keeps what it shows: but not a result that staff take down.
    staff.goto(f"{base}/admin/displays/display/")
    staff.locator("#result_list tbody tr", has_text="LED wall 4").locator("select").select_option(
        "paused"
    )
    staff.click("input[name=_save]")
    wall.wait_for_selector("#wall[data-mode=paused][data-view=result]")
    staff.goto(f"{base}/admin/moderation/result/")
    row = staff.locator("#result_list tbody tr", has_text="Grace")
    assert row.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)") > 100
    row.locator("input[name=_selected_action]").check()
    staff.select_option("select[name=action]", "reject")
    staff.click("button[name=index]")
    staff.fill("input[name=reason]", "Offensive gesture")
    started = time.monotonic()
    staff.click("input[type=submit][value='Take them down']")

    wall.wait_for_selector("#wall[data-view=default]", timeout=5000)
    assert time.monotonic() - started < 2
    # The admin page is still loading when the wall has already changed.
    staff.wait_for_selector("text=1 result taken down", timeout=10000)
    gone = phone.goto(link)
    assert gone.status == 410
    assert "This portrait is gone" in phone.inner_text("h1")


def test_staff_put_a_station_on_the_uniform_try_on_and_the_visitor_picks_red(booth_server, browser):
    base = booth_server
    staff = browser.new_context().new_page()
    staff.goto(f"{base}/admin/login/?next=/admin/displays/station/")
    staff.fill("input[name=username]", "admin")
    staff.fill("input[name=password]", ADMIN_PASSWORD)
    staff.click("input[type=submit]")
    staff.locator("#result_list tbody tr", has_text="Tablet 6").locator("a").first.click()
    staff.select_option("select[name=experience]", label="Uniform try-on (Booth demo)")
    staff.click("input[name=_save]")
    staff.wait_for_url(f"{base}/admin/displays/station/")  # the changelist, after the save
    staff.locator("ul.messagelist").wait_for()
    assert "was changed successfully" in staff.inner_text("ul.messagelist")

    wall = _open_wall(browser, base, 6)
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    _log_in(tablet, base, "station6")
    tablet.click("[data-action=start]")
    tablet.click("[data-action=accept]")
    tablet.fill("input[name=nickname]", "Sol")
    assert tablet.is_checked("input[name=uniform_colour][value=blue]")  # the preset
    tablet.check("input[name=uniform_colour][value=red]")
    tablet.click("#profile button[type=submit]")
    tablet.wait_for_function("() => document.getElementById('video').videoWidth > 0")
    tablet.click("[data-action=shoot]")
    tablet.wait_for_selector("[data-screen=preview]:not([hidden])")
    tablet.click("[data-action=submit]")

    wall.wait_for_selector("#wall[data-view=result]", timeout=20000)
    assert wall.inner_text("#nickname") == "Sol"
    assert wall.inner_text("#story") == "Sol, in the red kit and ready for kick-off!"
    assert wall.evaluate("document.getElementById('portrait').naturalWidth") >= 640
    tablet.wait_for_selector("[data-screen=ready]:not([hidden])")


def test_two_people_in_the_photo_are_asked_to_come_one_at_a_time(booth_server, browser):
    """A real photo of two people of the same size: the retake screen says why, in words."""
    import base64

    from tests import face_photos

    frame = base64.b64encode(face_photos.frame("two_people_same_size").jpeg()).decode()
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, booth_server, "station2")
    # The camera shows the photo (drawn on a canvas), as if both stood at the tablet.
    page.evaluate(
        """(jpeg) => {
        navigator.mediaDevices.getUserMedia = async () => {
          const canvas = document.createElement('canvas');
          Object.assign(canvas, {width: 1280, height: 720});
          const ctx = canvas.getContext('2d');
          const image = new Image();
          image.src = 'data:image/jpeg;base64,' + jpeg;
          setInterval(() => image.complete && ctx.drawImage(image, 0, 0), 50);
          return canvas.captureStream(10);
        };
    }""",
        frame,
    )
    page.click("[data-action=start]")
    page.click("[data-action=accept]")
    page.fill("input[name=nickname]", "Pair")
    page.click("#profile button[type=submit]")
    page.wait_for_function("() => document.getElementById('video').videoWidth > 0")
    page.wait_for_timeout(300)  # a frame of the photo drawn
    page.click("[data-action=shoot]")
    page.click("[data-action=submit]")
    page.wait_for_selector("[data-screen=rejected]:not([hidden])")
    assert page.inner_text("#rejected-message").startswith("One person at a time, please.")
    assert page.get_attribute("#rejected-message", "data-code") == "several_faces"
    context.close()
