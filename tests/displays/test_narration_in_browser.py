"""Narration in a real browser against the real server: the result page's player loads
the story's audio under the CSP, and a wall with its sound switch on is handed the new
result's narration once it is made (after the portrait, by the embedded worker)."""

import pytest

from tests import servers
from tests.axe import assert_no_violations
from tests.displays.test_walls_in_browser import booth_factory  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.system]

# The visitor's job is queued like a tablet's upload; the server's embedded worker makes it.
MAKE_RESULT = """
import time
from displays.models import Display, Station
from tests.factories import make_job
Display.objects.filter(number=1).update(sound=True)
job = make_job(Station.objects.get(number=1), nickname="Narrated")
for _ in range(600):
    job.refresh_from_db()
    if job.state in ("succeeded", "failed"):
        break
    time.sleep(0.1)
assert job.state == "succeeded", (job.state, job.error)
print("RESULT", job.portrait.pk, job.portrait.token)
"""
WAIT_MS = 60_000


def test_the_wall_and_the_result_page_play_the_narrated_story(booth_factory, browser):  # noqa: F811
    booth = booth_factory(BOOTH_NARRATOR="espeak", BOOTH_ATTRACT_AFTER_SECONDS="0")
    booth.start()
    wall = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    wall.goto(f"{booth.base}/displays/1/")
    wall.wait_for_selector("#connection[data-connected=true]", state="attached")

    out = servers.manage(booth.env, "shell", "-c", MAKE_RESULT)
    pk, token = out.split("RESULT ")[1].split()
    # The server's embedded worker runs the queued narration and pushes it to the wall.
    wall.wait_for_selector(f"#wall[data-view=result][data-result='{pk}']", timeout=WAIT_MS)
    wall.wait_for_selector(f"#wall[data-spoken='{pk}']", state="attached", timeout=WAIT_MS)
    assert wall.get_attribute("#wall", "data-sound") in ("playing", "refused", None)

    page = browser.new_context().new_page()
    page.goto(f"{booth.base}/r/{token}/")
    duration = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const audio = document.querySelector("audio.narration");
            audio.onloadedmetadata = () => resolve(audio.duration);
            audio.onerror = () => reject(new Error("audio error " + audio.error?.code));
            audio.load();
        })"""
    )
    assert duration > 1  # a sentence or more, decoded by the browser under the CSP

    checked = browser.new_context(bypass_csp=True).new_page()  # axe needs the CSP bypassed
    checked.goto(f"{booth.base}/r/{token}/")
    assert_no_violations(checked, "the result page with its narration")
