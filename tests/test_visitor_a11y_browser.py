"""The visitor at their own pace and in their own language, checked in real Chromium.

- a visitor typing a nickname for longer than the idle timeout keeps it; one who stops is
  asked "Still there?" with a countdown before the tablet starts over;
- switching language on the preview screen changes the texts in place and keeps the photo;
- a Korean visitor's story is Korean on the wall and on their phone, marked lang="ko" where
  the page around it is English;
- axe-core (WCAG 2.2 AA rule set) finds nothing on every tablet screen in English and
  Korean, the result and delete pages, a display, the wall, the commentary wall and the
  staff control and status pages.

The server runs with a 4 s idle timeout and a 2 s "Still there?" countdown.
"""

import re
import time

import pytest

from tests import servers
from tests.axe import assert_no_violations
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD, link_on_wall

pytestmark = [pytest.mark.browser, pytest.mark.system]

IDLE_SECONDS = 4
STILL_THERE_SECONDS = 2
HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def booth_server(tmp_path_factory):
    demo = servers.ServedDemo(
        tmp_path_factory.mktemp("booth-var"),
        PASSWORD,
        ADMIN_PASSWORD,
        BOOTH_TABLET_IDLE_SECONDS=str(IDLE_SECONDS),
        BOOTH_TABLET_STILL_THERE_SECONDS=str(STILL_THERE_SECONDS),
    )
    yield demo.start()
    demo.stop()


def _page(browser, locale: str = "en-GB", **viewport):
    """A page whose context may run axe (the CSP bypassed in this test context only)."""
    size = viewport or {"width": 1280, "height": 800}
    return browser.new_context(viewport=size, locale=locale, bypass_csp=True).new_page()


def _tablet(browser, base: str, username: str, locale: str = "en-GB"):
    page = _page(browser, locale)
    page.goto(f"{base}/accounts/login/?next=/tablet/")
    assert_no_violations(page, f"the login page ({locale})")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/tablet/")
    page.wait_for_selector("body[data-current=attract]")
    return page


def _screen(page, name: str) -> None:
    page.wait_for_selector(f"[data-screen={name}]:not([hidden])")


def _to_preview(page, nickname: str, check=lambda page, screen: None) -> None:
    """Tap to start, agree, give a nickname, take the photo: up to the preview screen."""
    check(page, "attract")
    page.click("[data-action=start]")
    _screen(page, "consent")
    check(page, "consent")
    page.click("[data-action=accept]")
    _screen(page, "profile")
    check(page, "profile")
    page.fill("input[name=nickname]", nickname)
    page.click("#profile button[type=submit]")
    page.wait_for_function("() => document.getElementById('video').videoWidth > 0")
    check(page, "camera")
    page.click("[data-action=shoot]")
    _screen(page, "preview")
    check(page, "preview")


def _focused_heading(page) -> str:
    return page.evaluate(
        "() => document.activeElement.matches('h1, h2') ? document.activeElement.textContent : ''"
    )


def test_typing_for_longer_than_the_idle_timeout_keeps_the_nickname(booth_server, browser):
    tablet = _tablet(browser, booth_server, "station3")
    tablet.click("[data-action=start]")
    tablet.click("[data-action=accept]")
    _screen(tablet, "profile")
    nickname = "Seo-yeon the Magnificent"
    started = time.monotonic()
    tablet.locator("input[name=nickname]").press_sequentially(nickname, delay=300)
    assert time.monotonic() - started > IDLE_SECONDS + STILL_THERE_SECONDS

    assert tablet.get_attribute("body", "data-current") == "profile"
    assert tablet.input_value("input[name=nickname]") == nickname
    assert tablet.is_hidden("#still-there")


def test_an_idle_visitor_is_asked_if_they_are_still_there_before_the_tablet_resets(
    booth_server, browser
):
    tablet = _tablet(browser, booth_server, "station5")
    tablet.click("[data-action=start]")
    tablet.click("[data-action=accept]")
    tablet.fill("input[name=nickname]", "Min")

    warning = tablet.locator("#still-there")
    warning.wait_for(state="visible", timeout=IDLE_SECONDS * 1000 + 1000)
    assert "Still there?" in warning.inner_text()
    assert re.search(r"Starting over in [12] seconds", warning.inner_text())
    assert _focused_heading(tablet) == "Still there?"
    tablet.click("[data-action=still-here]")
    assert warning.is_hidden()
    assert tablet.get_attribute("body", "data-current") == "profile"
    assert tablet.input_value("input[name=nickname]") == "Min"

    warning.wait_for(state="visible", timeout=IDLE_SECONDS * 1000 + 1000)
    tablet.wait_for_selector(
        "body[data-current=attract]", timeout=STILL_THERE_SECONDS * 1000 + 1000
    )
    assert tablet.input_value("input[name=nickname]") == ""  # the next visitor starts afresh
    assert warning.is_hidden()


def test_screens_announce_themselves_and_pass_axe_in_english(booth_server, browser):
    def check(page, screen):
        assert_no_violations(page, f"the tablet's {screen} screen (English)")
        if screen != "attract":  # the first screen is where the page starts anyway
            heading = page.locator(f"[data-screen={screen}] :is(h1, h2)")
            assert _focused_heading(page) == heading.text_content()
            assert page.text_content("#announcer") == heading.text_content().strip()

    tablet = _tablet(browser, booth_server, "station7")
    assert tablet.locator("main").count() == 1
    _to_preview(tablet, "Ada", check)
    switch = tablet.locator(".language-switch button")
    assert switch.evaluate_all("buttons => buttons.map(b => b.getBoundingClientRect().height)")
    for height in switch.evaluate_all("bs => bs.map(b => b.getBoundingClientRect().height)"):
        assert height >= 44


def test_switching_language_on_the_preview_keeps_the_photo(booth_server, browser):
    tablet = _tablet(browser, booth_server, "station8")
    _to_preview(tablet, "Jun")
    photo = tablet.get_attribute("#preview", "src")
    assert photo.startswith("blob:")
    loads = []
    tablet.on("framenavigated", lambda frame: loads.append(frame.url))

    tablet.click(".language-switch button[value=ko]")
    tablet.wait_for_selector("html[lang=ko]")

    assert loads == []  # no reload
    assert tablet.get_attribute("body", "data-current") == "preview"
    assert tablet.get_attribute("#preview", "src") == photo
    assert tablet.evaluate("document.getElementById('preview').naturalWidth") > 100
    assert tablet.inner_text("[data-screen=preview] [data-action=submit]") == "이 사진 사용"
    assert tablet.get_attribute("#preview", "alt") == "내 사진"
    assert tablet.inner_text(".language-switch button[value=en]") == "English"
    assert tablet.input_value("input[name=nickname]") == "Jun"
    assert_no_violations(tablet, "the preview screen after switching to Korean")

    tablet.click("[data-action=retake]")  # the camera still works in the new language
    _screen(tablet, "camera")
    assert "사진 찍기" in tablet.inner_text("[data-screen=camera]")


def test_a_korean_visitor_gets_a_korean_story_on_the_wall_and_the_phone(booth_server, browser):
    base = booth_server
    wall = _page(browser, width=1920, height=1080)
    wall.goto(f"{base}/displays/1/")
    wall.wait_for_selector("#connection[data-connected=true]", state="attached")
    assert_no_violations(wall, "display 1")

    def check(page, screen):
        assert_no_violations(page, f"the tablet's {screen} screen (Korean)")

    tablet = _tablet(browser, base, "station1", locale="ko-KR")
    assert tablet.get_attribute("html", "lang") == "ko"
    _to_preview(tablet, "하늘", check)
    tablet.click("[data-action=submit]")
    wall.wait_for_selector("#wall[data-view=result]", timeout=20000)
    _screen(tablet, "ready")
    check(tablet, "ready")
    assert tablet.text_content("#announcer") == "초상화가 1번 디스플레이에 나왔습니다"

    story = wall.inner_text("#story")
    assert "하늘" in story and HANGUL.search(story.replace("하늘", ""))
    assert wall.get_attribute("#story", "lang") == "ko"  # the wall itself is English
    assert_no_violations(wall, "display 1 showing a result")

    link = link_on_wall(wall)  # the wall holds no token: its QR code, as a phone reads it
    phone = _page(browser, "en-GB", width=390, height=844)
    phone.goto(link)
    assert phone.inner_text(".story") == story
    assert phone.get_attribute(".story", "lang") == "ko"
    assert ".." not in phone.inner_text(".fine")
    assert_no_violations(phone, "the result page")
    for target in phone.locator("a.button, button").all():
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44

    phone.click("text=Email me my portrait")
    assert phone.title().startswith("Email me my portrait")
    assert_no_violations(phone, "the email page")
    phone.fill("input[name=address]", "not-an-address")
    phone.click("main button[type=submit]")
    phone.wait_for_selector("[data-email=error]")
    assert_no_violations(phone, "the email page with a bad address")
    phone.goto(link)

    phone.click("text=Delete my photo")
    assert phone.title().startswith("Delete your photo?")
    buttons = phone.locator("main a.button, main button")
    assert buttons.nth(0).inner_text() == "No, keep it"  # the safe choice first
    assert "danger" in buttons.nth(1).get_attribute("class")
    assert_no_violations(phone, "the delete page")

    korean_phone = _page(browser, "ko-KR", width=390, height=844)
    korean_phone.goto(link)
    assert korean_phone.get_attribute(".story", "lang") is None  # the page's own language
    assert_no_violations(korean_phone, "the result page in Korean")


def test_walls_and_staff_pages_pass_axe(booth_server, browser):
    base = booth_server
    page = _page(browser, width=1920, height=1080)
    page.goto(f"{base}/displays/wall/")
    page.wait_for_selector("[data-screen-root]")
    assert_no_violations(page, "the wall of displays")
    page.goto(f"{base}/displays/commentary/")
    assert_no_violations(page, "the commentary wall")
    assert page.request.get(f"{base}/favicon.ico").ok

    page.goto(f"{base}/admin/login/?next=/displays/control/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/displays/control/")
    assert_no_violations(page, "the display control page")
    for target in page.locator(".control-form button, .control-form select, nav a").all():
        assert target.bounding_box()["height"] >= 24
    page.goto(f"{base}/displays/status/")
    assert_no_violations(page, "the status page")


def test_the_declined_screen_passes_axe_and_takes_focus(booth_server, browser):
    tablet = _tablet(browser, booth_server, "station6", locale="ko-KR")
    tablet.click("[data-action=start]")
    tablet.click("[data-action=decline]")
    _screen(tablet, "declined")
    assert _focused_heading(tablet) == tablet.text_content("[data-screen=declined] h2")
    assert_no_violations(tablet, "the declined screen (Korean)")
