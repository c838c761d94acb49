"""Staff commands reach open display pages over real websockets, and each is recorded."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from displays import control
from displays.models import ControlAction, Display
from experiences.models.photo import Job
from moderation import review
from tests.displays.test_consumers import TIMEOUT, connected, portrait_id, visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("boss", "", "boss-pass-1234")


async def displays(*numbers: int) -> list[Display]:
    return [d async for d in Display.objects.filter(number__in=numbers).order_by("number")]


async def opened(number: int):
    socket = await connected(f"/ws/displays/{number}/")
    first = await socket.receive_json_from(timeout=TIMEOUT)
    assert first["type"] == "state"
    return socket, first


async def test_set_mode_default_reaches_the_open_page_and_is_recorded(booth, staff):
    job = await visit(booth.station, "Mina")
    page, first = await opened(1)
    assert first["mode"] == "live" and first["result"]["id"] == await portrait_id(job)

    await database_sync_to_async(control.set_mode)(
        await displays(1), "default", by=staff, via="test"
    )

    state = await page.receive_json_from(timeout=TIMEOUT)
    assert state["mode"] == "default"
    action = await ControlAction.objects.aget()
    assert (action.kind, action.displays, action.detail, action.username, action.via) == (
        "set_mode",
        [1],
        {"mode": "default"},
        "boss",
        "test",
    )
    await page.disconnect()


async def test_back_to_live_shows_the_result_made_while_on_the_default_image(booth, staff):
    await database_sync_to_async(control.set_mode)(
        await displays(1), "default", by=staff, via="test"
    )
    job = await visit(booth.station, "Mina")  # not published: the display is on default
    page, first = await opened(1)
    assert first["mode"] == "default"

    await database_sync_to_async(control.set_mode)(await displays(1), "live", by=staff, via="t")

    state = await page.receive_json_from(timeout=TIMEOUT)
    assert state["mode"] == "live"
    assert state["result"]["id"] == await portrait_id(job)
    await page.disconnect()


async def test_paused_keeps_its_result_while_new_ones_are_made(booth, staff):
    first_job = await visit(booth.station, "First")
    page, _ = await opened(1)
    await database_sync_to_async(control.set_mode)(await displays(1), "paused", by=staff, via="t")
    paused = await page.receive_json_from(timeout=TIMEOUT)
    assert paused["mode"] == "paused"

    await visit(booth.station, "Second")

    state = await page.receive_json_from(timeout=TIMEOUT)  # the publish pushes the state
    assert state["mode"] == "paused"
    assert state["result"]["id"] == await portrait_id(first_job)
    await page.disconnect()


async def test_push_a_chosen_result_to_all_displays_at_once(booth, staff):
    chosen = await visit(booth.station, "Chosen")
    await visit(booth.station, "Newer")
    page1, _ = await opened(1)
    page2, first2 = await opened(2)
    assert first2["result"] is None
    asset = await chosen.assets.aget(kind="portrait")

    await database_sync_to_async(control.push_asset)(
        await displays(1, 2), asset, by=staff, via="test"
    )

    for page in (page1, page2):
        state = await page.receive_json_from(timeout=TIMEOUT)
        assert state["result"]["id"] == asset.pk
        assert state["result"]["nickname"] == "Chosen"
    action = await ControlAction.objects.aget()
    assert (action.kind, action.displays, action.detail) == (
        "push_asset",
        [1, 2],
        {"asset": asset.pk},
    )
    await page1.disconnect()
    await page2.disconnect()


async def test_a_pulled_result_cannot_be_pushed(booth, staff):
    job = await visit(booth.station, "Mina")
    await database_sync_to_async(review.reject_results)([job], by=staff, reason="x")
    asset = await job.assets.aget(kind="portrait")

    with pytest.raises(control.ControlError, match="not approved"):
        await database_sync_to_async(control.push_asset)(
            await displays(1), asset, by=staff, via="test"
        )
    assert not await ControlAction.objects.aexists()


async def test_force_refresh_resends_the_full_state(booth, staff):
    job = await visit(booth.station, "Mina")
    page, first = await opened(1)

    await database_sync_to_async(control.force_refresh)(await displays(1), by=staff, via="t")

    assert await page.receive_json_from(timeout=TIMEOUT) == first
    assert (await ControlAction.objects.aget()).kind == "refresh"
    assert first["result"]["id"] == await portrait_id(job)
    await page.disconnect()


async def test_reload_tells_every_open_page_of_the_displays_to_reload(booth, staff):
    page_a, _ = await opened(1)
    page_b, _ = await opened(1)
    page2, _ = await opened(2)

    await database_sync_to_async(control.reload_pages)(await displays(1), by=staff, via="t")

    assert await page_a.receive_json_from(timeout=TIMEOUT) == {"type": "reload"}
    assert await page_b.receive_json_from(timeout=TIMEOUT) == {"type": "reload"}
    assert await page2.receive_nothing(timeout=0.3)
    for page in (page_a, page_b, page2):
        await page.disconnect()


async def test_a_page_that_reconnects_gets_what_it_missed(booth, staff):
    page, first = await opened(1)
    assert first["result"] is None
    await page.disconnect()

    job = await visit(booth.station, "Missed")  # published while the page was away
    await database_sync_to_async(control.set_mode)(await displays(1), "paused", by=staff, via="t")

    again, state = await opened(1)
    assert state["mode"] == "paused"
    assert state["result"]["id"] == await portrait_id(job)
    assert state["result"]["nickname"] == "Missed"
    await again.disconnect()


# --- the staff control page ------------------------------------------------------------


def test_control_page_is_for_staff_only(client, booth):
    assert client.get("/displays/control/").status_code == 302  # to the admin login
    client.force_login(booth.user)  # a tablet's device account
    assert client.get("/displays/control/").status_code == 302
    assert ControlAction.objects.count() == 0


def test_control_page_sets_the_mode_of_all_displays_and_logs_it(booth, staff):
    client = Client()
    client.force_login(staff)

    response = client.post(
        "/displays/control/", {"action": "set_mode", "target": "all", "mode": "default"}
    )

    assert response.status_code == 302
    assert set(Display.objects.values_list("mode", flat=True)) == {"default"}
    action = ControlAction.objects.get()
    assert (action.displays, action.via, action.user) == ([1, 2], "control page", staff)
    page = client.get("/displays/control/").content.decode()
    assert "Done: Set mode" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"action": "set_mode", "target": "9", "mode": "live"}, "Choose a display from 1 to 8"),
        ({"action": "set_mode", "target": "7", "mode": "live"}, "No such display"),
        ({"action": "set_mode", "target": "1"}, "Choose the mode to set."),
        ({"action": "push_asset", "target": "1"}, "Choose the result to push."),
        ({"action": "explode", "target": "1"}, "Select a valid choice"),
    ],
)
def test_control_page_refuses_bad_commands_with_a_reason(booth, staff, form, message):
    client = Client()
    client.force_login(staff)

    response = client.post("/displays/control/", form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ControlAction.objects.count() == 0


def test_control_page_pushes_a_result_and_lists_it_in_recent_commands(booth, staff):
    from experiences.photo.jobs import run_job
    from tests import factories

    job = factories.make_job(booth.station, nickname="Mina")
    run_job(job.pk)
    asset = Job.objects.get(pk=job.pk).portrait
    client = Client()
    client.force_login(staff)

    page = client.get("/displays/control/").content.decode()
    assert f'value="{asset.pk}"' in page  # offered
    response = client.post(
        "/displays/control/", {"action": "push_asset", "target": "2", "asset": asset.pk}
    )

    assert response.status_code == 302
    assert Display.objects.get(number=2).current_asset == asset
    assert "Push a result" in client.get("/displays/control/").content.decode()


# --- the Display admin's actions ---------------------------------------------------------


def test_admin_actions_command_the_displays_and_are_recorded(booth, staff):
    client = Client()
    client.force_login(staff)
    ids = list(Display.objects.values_list("pk", flat=True))

    for action in ("set_mode_paused", "force_refresh", "reload_pages"):
        response = client.post(
            "/admin/displays/display/", {"action": action, "_selected_action": ids}
        )
        assert response.status_code == 302, action

    assert set(Display.objects.values_list("mode", flat=True)) == {"paused"}
    assert list(ControlAction.objects.order_by("created").values_list("kind", "via")) == [
        ("set_mode", "admin"),
        ("refresh", "admin"),
        ("reload", "admin"),
    ]
    log = client.get("/admin/displays/controlaction/")
    assert log.status_code == 200 and "boss" in log.content.decode()
    first = ControlAction.objects.first()
    change = client.post(f"/admin/displays/controlaction/{first.pk}/change/", {"kind": "reload"})
    assert change.status_code == 403  # read-only


def test_admin_push_result_action_asks_which_result_then_pushes_it(booth, staff):
    from tests import factories

    job = factories.make_finished_job(booth.station, "Mina")
    client = Client()
    client.force_login(staff)
    display2 = Display.objects.get(number=2)
    form = {"action": "push_result", "_selected_action": [display2.pk]}

    asking = client.post("/admin/displays/display/", form)
    assert asking.status_code == 200 and "Mina" in asking.content.decode()
    done = client.post(
        "/admin/displays/display/", {**form, "confirm": "yes", "asset": job.portrait.pk}
    )

    assert done.status_code == 302
    assert Display.objects.get(number=2).current_asset == job.portrait
    assert ControlAction.objects.get().detail == {"asset": job.portrait.pk}


def test_changing_the_mode_in_the_admin_list_is_recorded_and_keeps_the_default_image(booth, staff):
    from tests import factories

    factories.make_finished_job(booth.station, "Mina")
    display = Display.objects.get(number=1)
    Display.objects.filter(pk=display.pk).update(mode="default")
    client = Client()
    client.force_login(staff)
    displays_ = list(Display.objects.order_by("number"))
    form = {
        "form-TOTAL_FORMS": str(len(displays_)),
        "form-INITIAL_FORMS": str(len(displays_)),
        "_save": "Save",
    }
    for index, row in enumerate(displays_):
        form[f"form-{index}-id"] = str(row.pk)
        form[f"form-{index}-mode"] = "paused" if row.number == 1 else row.mode

    response = client.post("/admin/displays/display/", form)

    assert response.status_code == 302
    display.refresh_from_db()
    assert display.mode == "paused"
    assert display.current_asset is None  # paused while on its default image: stays on it
    action = ControlAction.objects.get()
    assert (action.kind, action.displays, action.detail, action.via) == (
        "set_mode",
        [1],
        {"mode": "paused"},
        "admin",
    )
