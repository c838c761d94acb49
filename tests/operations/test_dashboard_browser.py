"""The day from one page: the admin index shows the seeded event's stations, displays,
jobs, queue and failures with the right numbers, and results are moderated in one click
on a 1,366 px laptop screen."""

import re

import pytest

from tests import servers
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.system]

# Known counts: 3 results shown, 1 awaiting review, 2 failed, 1 still queued.
SEED = """
from django.utils import timezone
from displays.models import Station
from experiences.models.photo import Job
from experiences.photo.jobs import run_job
from tests.factories import make_job
one = Station.objects.get(number=1)
two = Station.objects.get(number=2)
for nickname in ["Ada", "Grace", "Linus"]:
    run_job(make_job(one, nickname=nickname).pk)
waiting = make_job(two, nickname="Wait")
run_job(waiting.pk)
Job.objects.filter(pk=waiting.pk).update(review=Job.Review.PENDING)
for nickname in ["Bad1", "Bad2"]:
    job = make_job(two, nickname=nickname)
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.FAILED, error="The image service timed out.", finished=timezone.now()
    )
make_job(two, nickname="Later")
assert Job.objects.filter(state=Job.State.SUCCEEDED).count() == 4
print("STATIONS", Station.objects.count())
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    demo = servers.ServedDemo(tmp_path_factory.mktemp("booth-dashboard"), PASSWORD, ADMIN_PASSWORD)
    demo.env["BOOTH_EMBEDDED_WORKER"] = "false"  # the queued job stays queued
    out = servers.manage(demo.env, "shell", "-c", SEED)
    demo.stations = int(out.split("STATIONS ")[1].split()[0])
    demo.start()
    yield demo
    demo.stop()


def _admin(browser, base: str, path: str, width: int = 1366):
    page = browser.new_context(viewport={"width": width, "height": 768}).new_page()
    page.goto(f"{base}/admin/login/?next={path}")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"{base}{path}")
    return page


def test_the_admin_index_shows_the_event_at_a_glance(seeded, browser, tmp_path):
    base = seeded.url
    walls = browser.new_context(viewport={"width": 640, "height": 360})
    for number in (1, 2):
        wall = walls.new_page()
        wall.goto(f"{base}/displays/{number}/")
        wall.wait_for_selector("#connection[data-connected=true]", state="attached")

    page = _admin(browser, base, "/admin/")
    dash = page.locator("#event-dashboard")
    number = lambda name: dash.locator(f"[data-dash={name}]").inner_text()  # noqa: E731
    assert number("displays-online") == "2"
    assert number("displays-total") == str(seeded.stations)
    assert number("jobs-last-hour") == "7"
    assert number("succeeded") == "4"
    assert number("failed") == "2"
    assert number("queued") == "1"
    assert number("awaiting-review") == "1"
    assert "2× The image service timed out." in dash.inner_text()

    rows = dash.locator("#dashboard-stations tbody tr")
    assert rows.count() == seeded.stations
    assert dash.locator("tr[data-station='1']").get_attribute("data-online") == "true"
    if seeded.stations > 2:
        assert dash.locator("tr[data-station='3']").get_attribute("data-online") == "false"
        assert "silent" in dash.locator("tr[data-station='3']").inner_text()
    heard = dash.locator("tr[data-station='1'] time").inner_text()
    assert heard in {"just now"} or heard.endswith("s ago"), heard
    for link in ["Control panel", "Status", "All walls", "Commentary wall", "Tablet certificate"]:
        assert dash.get_by_role("link", name=link).count() == 1, link
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    page.get_by_role("link", name="Status").click()
    page.wait_for_selector("#display-status")
    # Human, local times on the status page: "just now · 21:05:07", not ISO microseconds.
    heard = page.inner_text("tr[data-display='1'] [data-field=last_heartbeat]")
    assert re.fullmatch(r"(just now|\d+ s ago) · \d\d:\d\d:\d\d", heard), heard
    assert re.fullmatch(r"\d\d:\d\d:\d\d", page.inner_text("#status-at"))
    walls.close()


def test_results_are_moderated_in_one_click_with_every_column_on_a_laptop(
    seeded,
    browser,
    tmp_path,
):
    page = _admin(browser, seeded.url, "/admin/moderation/result/")
    # Measured once the thumbnails have loaded (an image still loading takes no width).
    page.wait_for_function("() => [...document.images].every((image) => image.complete)")
    table = page.locator("#result_list")
    fits = page.evaluate(
        "() => { const t = document.getElementById('result_list');"
        " return t.getBoundingClientRect().right <= document.documentElement.clientWidth"
        " && t.scrollWidth <= t.parentElement.clientWidth + 1; }"
    )
    widths = page.evaluate(
        "() => [...document.querySelectorAll('#result_list thead th')]"
        ".map(th => th.className + ':' + Math.round(th.getBoundingClientRect().width))"
        ".concat([document.getElementById('result_list').scrollWidth,"
        " document.getElementById('result_list').parentElement.clientWidth])"
    )
    page.screenshot(path=str(tmp_path / "moderation.png"))
    assert fits, f"the results table is wider than a 1,366 px screen: {widths}"
    heights = page.evaluate(
        "() => [...document.querySelectorAll('#result_list img')]"
        ".map(i => i.getBoundingClientRect().height)"
    )
    assert heights and max(heights) <= 121

    waiting = table.locator("tr", has_text="Wait")
    with page.expect_navigation():
        waiting.get_by_role("button", name="Approve").click()
    assert "1 result approved" in page.inner_text(".messagelist")
    assert "Shown" in table.locator("tr", has_text="Wait").inner_text()

    with page.expect_navigation():
        table.locator("tr", has_text="Grace").get_by_role("button", name="Pull").click()
    assert "1 result taken down" in page.inner_text(".messagelist")
    grace = table.locator("tr", has_text="Grace").inner_text()
    assert "Rejected or pulled" in grace and "Pulled from the review list" in grace

    # Keyboard: focus Linus's row and press "p".
    table.locator("tr", has_text="Linus").get_by_role("button", name="Pull").focus()
    with page.expect_navigation():
        page.keyboard.press("p")
    assert "Rejected or pulled" in table.locator("tr", has_text="Linus").inner_text()


# On the day, meanwhile: a visitor's photo is queued at station 3, and staff pause display 1.
MEANWHILE = """
from displays.models import Display, Station
from tests.factories import make_job
make_job(Station.objects.get(number=3), nickname="Live")
Display.objects.filter(number=1).update(mode=Display.Mode.PAUSED)
"""


def test_the_dashboard_follows_the_day_without_a_reload(seeded, browser):
    page = _admin(browser, seeded.url, "/admin/")
    page.evaluate("window.stillThisPage = true")  # gone if the page reloads
    dash = page.locator("#event-dashboard")
    number = lambda name: int(dash.locator(f"[data-dash={name}]").inner_text())  # noqa: E731
    jobs, queued = number("jobs-last-hour"), number("queued")
    mode = dash.locator("tr[data-station='1'] [data-field=mode]")
    assert mode.inner_text() != "Paused: keep what it shows"

    servers.manage(seeded.env, "shell", "-c", MEANWHILE)

    page.wait_for_function(
        "n => document.querySelector('[data-dash=jobs-last-hour]').textContent === String(n)",
        arg=jobs + 1,
        timeout=15000,  # refreshed every 5 s
    )
    assert number("queued") == queued + 1
    assert mode.inner_text() == "Paused: keep what it shows"
    assert page.evaluate("window.stillThisPage") is True
    assert page.is_hidden("#dashboard-paused")


def test_a_dashboard_whose_staff_session_ended_says_so(seeded, browser):
    page = _admin(browser, seeded.url, "/admin/")
    before = page.inner_text("#dashboard-live")

    servers.manage(
        seeded.env,
        "shell",
        "-c",
        "from django.contrib.sessions.models import Session\nSession.objects.all().delete()",
    )

    page.wait_for_selector("#dashboard-paused:not([hidden])", timeout=15000)
    assert "signed out" in page.inner_text("#dashboard-paused")
    assert page.inner_text("#dashboard-live") == before  # the last figures stay
