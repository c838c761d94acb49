"""The LED wall's page and its default image."""

import io
import json
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from displays.models import Display
from experiences.models.events import Event
from experiences.photo.jobs import run_job
from tests import factories

pytestmark = pytest.mark.django_db


def initial_state(response) -> dict:
    match = re.search(
        r'<script id="display-state" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page carries no initial state"
    return json.loads(match.group(1))


def test_display_page_starts_with_the_current_result(client, booth):
    job = factories.make_job(booth.station, nickname="Mina")
    run_job(job.pk)

    response = client.get("/displays/1/")

    assert response.status_code == 200
    state = initial_state(response)
    assert state["display"] == 1
    assert state["result"]["id"] == job.portrait.pk
    assert state["result"]["nickname"] == "Mina"


def test_display_page_of_an_unknown_display_says_it_is_not_set_up(client, booth):
    response = client.get("/displays/6/")

    assert response.status_code == 404
    assert "Display 6 is not set up" in response.content.decode()


def test_the_experiences_default_image_is_shown_and_served(client, db):
    booth = factories.make_booth(default_image=True)

    response = client.get("/displays/1/")
    image = client.get("/displays/1/default-image")

    assert initial_state(response)["default_image"] == "/displays/1/default-image"
    assert image.status_code == 200
    served = b"".join(image.streaming_content)
    with booth.experience.default_image.open("rb") as stored:
        assert served == stored.read()
    assert Image.open(io.BytesIO(served)).size == (1080, 1920)


def test_a_displays_own_default_image_wins_over_the_experiences(client, db):
    booth = factories.make_booth(default_image=True)
    display = Display.objects.get(pk=booth.display.pk)
    own = factories.portrait_jpeg("roman-senator")
    display.default_image.save("wall-1.jpg", ContentFile(own))

    served = b"".join(client.get("/displays/1/default-image").streaming_content)

    assert served == own


def test_without_a_default_image_the_page_falls_back_and_the_endpoint_is_404(client, booth):
    response = client.get("/displays/1/")

    assert initial_state(response)["default_image"] == "/static/displays/default.svg"
    assert client.get("/displays/1/default-image").status_code == 404
    assert client.get("/static/displays/default.svg").status_code == 200


def test_displays_of_an_inactive_event_are_not_served(client, booth):
    Event.objects.filter(pk=booth.event.pk).update(is_active=False)

    assert client.get("/displays/1/").status_code == 404
