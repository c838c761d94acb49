"""Staff side of the sports experience: integration tokens, CSV export, commentary lines."""

import csv
import io
import re

import pytest
from django.test import Client

from experiences.models.sports import CommentaryLine, Integration, LeaderboardReset
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def experience(db):
    return factories.make_sports_experience(factories.make_event())


def shown_token(response) -> str:
    match = re.search(r"is (booth_[A-Za-z0-9_-]+)", response.content.decode())
    assert match, "no token in the page"
    return match.group(1)


def post_shot(token: str, event_id: str = "a", **fields):
    return Client().post(
        "/api/shots/",
        factories.shot_json(event_id, **fields),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_new_integrations_token_is_shown_once_and_works(admin_client, experience):
    created = admin_client.post(
        "/admin/experiences/integration/add/",
        {"name": "Sensor", "event": experience.event.pk, "scopes": ["shots"], "is_active": "on"},
        follow=True,
    )

    token = shown_token(created)
    integration = Integration.objects.get()
    assert "cannot be shown again" in created.content.decode()
    assert post_shot(token).status_code == 201
    page = admin_client.get(f"/admin/experiences/integration/{integration.pk}/change/")
    assert token not in page.content.decode()
    assert integration.token_prefix in page.content.decode()  # to recognise it
    assert token not in str(Integration.objects.values().get())


def test_issuing_a_new_token_retires_the_old_one(admin_client, experience):
    integration, old = factories.make_integration(experience.event)

    response = admin_client.post(
        "/admin/experiences/integration/",
        {"action": "issue_new_token", "_selected_action": [integration.pk]},
        follow=True,
    )

    new = shown_token(response)
    assert post_shot(old, "a").status_code == 401
    assert post_shot(new, "b").status_code == 201


def test_the_leaderboard_exports_as_csv(admin_client, experience):
    factories.make_shot(factories.make_player(experience, "Ana"), 25)
    factories.make_shot(factories.make_player(experience, "Ben"), 28)

    response = admin_client.post(
        "/admin/experiences/experience/",
        {"action": "export_leaderboard", "_selected_action": [experience.pk]},
    )

    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[:3] for row in rows[1:]] == [["1", "Ben", "100.8"], ["2", "Ana", "90.0"]]


def test_exporting_a_portrait_experience_says_what_to_select(admin_client, booth):
    response = admin_client.post(
        "/admin/experiences/experience/",
        {"action": "export_leaderboard", "_selected_action": [booth.experience.pk]},
        follow=True,
    )

    assert "Select exactly one sports experience" in response.content.decode()


def test_a_reset_asks_first_then_records_who_and_why(admin_client, admin_user, experience):
    factories.make_shot(factories.make_player(experience, "Ana"), 25)
    form = {"action": "reset_leaderboard", "_selected_action": [experience.pk]}

    asked = admin_client.post("/admin/experiences/experience/", form)
    assert "only new shots count" in asked.content.decode()
    assert not LeaderboardReset.objects.exists()

    admin_client.post("/admin/experiences/experience/", {**form, "confirm": "yes", "note": "Day 2"})

    reset = LeaderboardReset.objects.get()
    assert (reset.experience, reset.by, reset.note) == (experience, admin_user, "Day 2")


def test_staff_edit_a_line_and_it_is_marked_edited(admin_client, experience):
    from experiences.sports.commentary.service import write_commentary

    line = write_commentary(factories.make_shot(factories.make_player(experience), 25).pk)

    admin_client.post(
        f"/admin/experiences/commentaryline/{line.pk}/change/", {"text": "Fixed wording."}
    )

    line.refresh_from_db()
    assert (line.text, line.edited, line.hidden) == ("Fixed wording.", True, False)
    assert CommentaryLine.objects.count() == 1


def test_the_create_integration_command_prints_a_working_token(experience, capsys):
    from django.core.management import call_command

    call_command("create_integration", "--name", "Sensor")

    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert Integration.objects.get().name == "Sensor"
    assert post_shot(token).status_code == 201
