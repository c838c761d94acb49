"""The résumé experience in a real browser on the real embedded server, offline writer:
MBTI → three companies → pick → photo → the letter streams onto the tablet and the wall →
QR → result page with the letter and a one-page PDF."""

import io
import urllib.request

import pytest
from pypdf import PdfReader

from tests import servers
from tests.axe import assert_no_violations
from tests.browser import CHROMIUM, _require_chromium  # noqa: F401 (shared)
from tests.test_end_to_end import PASSWORD, _log_in, _open_wall, link_on_wall

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "admin-pass-123"
# Station 3 runs the demo's Résumé experience.
USE_RESUME = (
    "from displays.models import Station; from experiences.models import Experience; "
    "Station.objects.filter(number=3).update("
    "experience=Experience.objects.get(pipeline='resume'))"
)
# Counts the letter's updates on the wall as they arrive, before the result replaces it.
WATCH_WALL = """() => {
  window.letterUpdates = [];
  new MutationObserver(() => {
    const count = document.querySelector('[data-part=letter-sections]').dataset.updates;
    if (count && window.letterUpdates.at(-1) !== count) window.letterUpdates.push(count);
  }).observe(document.querySelector('[data-part=letter-sections]'), {attributes: true});
}"""


@pytest.fixture(scope="module")
def resume_server(tmp_path_factory):
    demo = servers.ServedDemo(
        tmp_path_factory.mktemp("resume-var"),
        PASSWORD,
        ADMIN_PASSWORD,
        BOOTH_LETTER_OFFLINE_CHUNK_SECONDS="0.01",
        BOOTH_LETTER_PUSH_SECONDS="0.1",
    )
    servers.manage(demo.env, "shell", "-c", USE_RESUME)
    yield demo.start()
    demo.stop()


def test_the_letter_streams_to_tablet_and_wall_and_comes_home_as_a_pdf(resume_server, browser):
    base = resume_server
    wall = _open_wall(browser, base, 3)
    wall.evaluate(WATCH_WALL)
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    _log_in(tablet, base, "station3")
    tablet.click("[data-action=start]")
    tablet.click("[data-action=accept]")
    tablet.fill("input[name=nickname]", "Ada")
    tablet.click(".mbti-grid label:has(input[value=ISFJ])")
    tablet.click("#profile button[type=submit]")

    tablet.wait_for_selector("[data-screen=companies]:not([hidden]) .company")
    offers = tablet.locator(".company")
    assert offers.count() == 3
    assert "Harbor & Hearth Care" in offers.nth(0).inner_text()
    assert "care" in offers.nth(0).inner_text()
    company = offers.nth(0).locator("strong").inner_text()
    offers.nth(0).click()

    tablet.wait_for_function("() => document.getElementById('video').videoWidth > 0")
    tablet.click("[data-action=shoot]")
    tablet.wait_for_selector("[data-screen=preview]:not([hidden])")
    tablet.evaluate(
        """() => { window.tabletUpdates = [];
        new MutationObserver(() => window.tabletUpdates.push(
          document.getElementById('letter').dataset.updates)).observe(
          document.getElementById('letter'), {attributes: true}); }"""
    )
    tablet.click("[data-action=submit]")

    tablet.wait_for_selector("#letter[data-done=true]", timeout=30000)
    assert tablet.locator("#letter section").count() == 4
    assert company in tablet.inner_text("#letter")
    # Several partial updates reached the tablet before the whole letter did.
    assert len(set(tablet.evaluate("window.tabletUpdates"))) > 3

    wall.wait_for_selector("#wall[data-view=result]", timeout=30000)
    assert len(wall.evaluate("window.letterUpdates")) > 3, "the wall saw the letter grow"
    assert wall.inner_text("#nickname") == "Ada"
    tablet.wait_for_selector("[data-screen=ready]:not([hidden])")

    # axe is injected as a script: the phone's context lets it past the CSP (the tablet and
    # wall above ran under it).
    phone = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True).new_page()
    link = link_on_wall(wall)
    phone.goto(link)
    letter = phone.inner_text(".letter")
    assert_no_violations(phone, "the résumé result page")
    assert company in letter and "Ada" in letter
    pdf_url = phone.get_attribute("a[href$='resume.pdf']", "href")
    with urllib.request.urlopen(base + pdf_url) as response:  # noqa: S310 (loopback)
        assert response.headers["Content-Type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.read()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().replace("\x00", "")  # see test_resume_flow.pdf_text
    assert company in text and "Ada" in text


def test_korean_visitors_pick_from_korean_companies_on_accessible_screens(resume_server, browser):
    # axe is injected as a script: this context lets it past the CSP.
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="ko-KR", bypass_csp=True
    )
    tablet = context.new_page()
    _log_in(tablet, resume_server, "station3")
    tablet.click("[data-action=start]")
    tablet.click("[data-action=accept]")
    tablet.fill("input[name=nickname]", "민지")
    assert "MBTI" in tablet.inner_text(".mbti-grid legend")
    assert tablet.locator(".mbti-grid label").count() == 17  # 16 types and "skip"
    tablet.click(".mbti-grid label:has(input[value=ENTJ])")
    assert_no_violations(tablet, "the résumé profile screen (Korean)")
    tablet.click("#profile button[type=submit]")
    tablet.wait_for_selector("[data-screen=companies]:not([hidden]) .company")
    offers = tablet.inner_text("#companies")
    assert "노스윈드전략컨설팅" in offers and "ENTJ의 강점을 찾는 회사" in offers
    assert_no_violations(tablet, "the résumé companies screen (Korean)")
