"""A visitor deletes their photo from their phone, in real Chromium, against the real server.

The link comes the way a visitor gets it: decoded from a screenshot of the wall's QR code
(the wall's page holds no token). Chromium sends the confirmation form's `Origin` as the
delete page's referrer policy allows; under `no-referrer` it sent `Origin: null` and
Django's CSRF check refused the deletion (issue 14).
"""

import re

import pytest

from tests.displays.test_walls_in_browser import Booth, make_result
from tests.test_end_to_end import link_on_wall

pytestmark = [pytest.mark.browser, pytest.mark.system]


@pytest.fixture
def booth_with_a_result(tmp_path):
    booth = Booth(tmp_path / "var")
    make_result(booth.env, 1, "Mina")
    booth.start()
    yield booth
    booth.stop()


def test_a_visitor_deletes_their_photo_from_the_qr_code_on_the_wall(booth_with_a_result, browser):
    booth = booth_with_a_result
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    wall.goto(f"{booth.base}/displays/1/")
    wall.wait_for_selector("#wall[data-view=result]", timeout=15000)
    link = link_on_wall(wall)
    assert re.fullmatch(rf"{re.escape(booth.base)}/r/[A-Za-z0-9_-]{{32}}/", link), link
    assert link.split("/")[-2] not in wall.content()  # the QR is the only way to the link

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    assert phone.goto(link).status == 200
    assert phone.inner_text("h1") == "Mina"
    phone.tap("text=Delete my photo")
    phone.wait_for_url(f"{link}delete")
    phone.tap("text=Yes, delete everything")

    phone.wait_for_selector("h1:has-text('Deleted')")
    assert "have been deleted" in phone.inner_text("main")
    wall.wait_for_selector("#wall[data-view=default]", timeout=5000)  # off the wall at once
    assert phone.goto(link).status == 410
    assert phone.goto(f"{link}delete").status == 410
    log = (booth.var / f"serve-{booth.starts}.log").read_text()
    assert "CSRF" not in log
    assert link.split("/")[-2] not in log  # the 410 warnings name no token
