"""The commentary wall in a real browser against the real embedded server: a shot posted
by the sensor appears with its speed, commentary and leaderboard; a line staff hide leaves
the page; a display with the overlay shows the line too."""

import httpx
import pytest

from tests import servers
from tests.clips import ball_clip, needs_ffmpeg
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.system]


@pytest.fixture(scope="module")
def sports_server(tmp_path_factory):
    """`manage.py serve` on the demo event (with its free-kick challenge) and a sensor token."""
    demo = servers.ServedDemo(tmp_path_factory.mktemp("booth-sports"), PASSWORD, ADMIN_PASSWORD)
    token = demo.integration_token()
    yield demo.start(), token
    demo.stop()


def post_shot(base: str, token: str, event_id: str, **fields) -> dict:
    shot = {
        "event_id": event_id,
        "player_name": "Sarah",
        "shot_speed": 30.5,
        "shot_distance": 20,
        "shot_goal": True,
        "shots_done": 1,
        **fields,
    }
    response = httpx.post(
        f"{base}/api/shots/", json=shot, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    return response.json()


def staff_page(browser, base: str):
    page = browser.new_context().new_page()
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


def test_a_posted_shot_updates_the_commentary_wall_and_a_hidden_line_leaves(
    sports_server,
    browser,
):
    base, token = sports_server
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    wall.goto(f"{base}/displays/commentary/")
    wall.wait_for_selector("#connection[data-connected=true]", state="attached")
    assert wall.inner_text("#speed") == "–"

    first = post_shot(base, token, "e2e-1", player_name="Sarah", shot_speed=30.5)
    wall.wait_for_selector(f"#commentary[data-shot='{first['shot']}']")
    wall.wait_for_selector("#feed li")
    assert wall.inner_text("#speed") == "109.8"
    assert wall.inner_text("#now-name") == "Sarah"
    assert "Sarah" in wall.inner_text("#feed li")
    assert "109.8" in wall.inner_text("#feed li")
    post_shot(base, token, "e2e-2", player_name="Joon", shot_speed=25.0, shot_goal=False)
    wall.wait_for_function("() => document.querySelectorAll('#feed li').length === 2")
    board = wall.locator("#leaderboard li").all_inner_texts()
    assert board[0].split() == ["1", "Sarah", "109.8", "km/h"]
    assert board[1].split() == ["2", "Joon", "90.0", "km/h"]
    assert wall.inner_text("#speed") == "90.0"

    staff = staff_page(browser, base)
    staff.goto(f"{base}/admin/experiences/commentaryline/")
    staff.locator("#result_list tbody tr", has_text="Joon").locator(
        "input[name=_selected_action]"
    ).check()
    staff.select_option("select[name=action]", "hide")
    staff.click("button[name=index]")

    wall.wait_for_function("() => document.querySelectorAll('#feed li').length === 1")
    assert "Joon" not in wall.inner_text("#feed")


def test_a_display_with_the_overlay_shows_the_commentary(sports_server, browser):
    base, token = sports_server
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    wall.goto(f"{base}/displays/5/")
    wall.wait_for_selector("#connection[data-connected=true]", state="attached")

    staff = staff_page(browser, base)
    staff.goto(f"{base}/admin/displays/display/")
    row = staff.locator("#result_list tbody tr", has_text="LED wall 5")
    row.locator("input[name$=commentary_overlay]").check()
    staff.click("input[name=_save]")
    wall.wait_for_selector("#commentary-overlay[data-connected=true]", state="attached")

    post_shot(base, token, "e2e-overlay", player_name="Mina", shot_speed=20.0)

    wall.wait_for_selector("#commentary-overlay:not([hidden])")
    assert "Mina" in wall.inner_text("#commentary-overlay [data-overlay=text]")
    assert wall.inner_text("#commentary-overlay [data-overlay=speed]") == "72.0 km/h"


@needs_ffmpeg
def test_a_kick_clip_plays_as_a_slow_motion_replay_with_its_qr_code(
    browser,
    sports_server,
    tmp_path,
):
    base, token = sports_server
    wall = browser.new_context().new_page()
    wall.goto(f"{base}/displays/commentary/")
    wall.wait_for_selector("#connection[data-connected=true]")
    post_shot(base, token, "kick-replay-1", player_name="Lee")

    clip = ball_clip(tmp_path / "kick.mp4", frames=24, fps=24)
    response = httpx.post(
        f"{base}/api/shots/kick-replay-1/clip",
        files={"clip": ("kick.mp4", clip.read_bytes(), "video/mp4")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 202, response.text
    page_url = response.json()["page_url"]

    # The finished replay plays on the wall beside a QR code to the visitor's page.
    wall.wait_for_selector("#replay:not([hidden])", timeout=60_000)
    assert wall.inner_text("#replay figcaption").startswith("Lee")
    wall.wait_for_function("() => document.querySelector('#replay video').readyState >= 2")
    qr = wall.get_attribute("#replay img", "src")
    assert qr.startswith("/displays/media/")  # a display link: no replay token on the wall
    wall.wait_for_function(
        "() => { const img = document.querySelector('#replay img');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    # The phone opens the replay page: both videos play and download.
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(page_url)
    phone.wait_for_function(
        "() => [...document.querySelectorAll('video')].every(v => v.readyState >= 1)"
    )
    assert phone.locator("video").count() == 2
    assert phone.get_by_text("Download the slow motion").is_visible()
