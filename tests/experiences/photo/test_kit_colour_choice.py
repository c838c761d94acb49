"""Visitors pick their kit colour on the tablet when the uniform experience offers it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from experiences.models.events import Player, UniformColour
from experiences.models.photo import Job
from experiences.photo.jobs import run_job
from tests import factories, photos

pytestmark = pytest.mark.django_db

URL = "/api/stations/1/captures/"


def uniform_booth(*, visitors_choose: bool, colour: str = "blue") -> factories.Booth:
    booth = factories.make_photo_booth("uniform", uniform_colour=colour)
    if visitors_choose:
        booth.experience.profile_fields = ["gender", "uniform_colour"]
        booth.experience.save(update_fields=["profile_fields"])
    return booth


def device(booth: factories.Booth) -> Client:
    client = Client()
    assert client.login(username=booth.user.username, password=factories.DEVICE_PASSWORD)
    return client


def post(client: Client, **fields):
    return client.post(
        URL,
        {
            "image": SimpleUploadedFile("photo.jpg", photos.face_jpeg(), content_type="image/jpeg"),
            "nickname": "Mina",
            "consent_version": factories.CONSENT_VERSION,
            **fields,
        },
    )


def test_tablet_offers_the_eleven_colours_with_the_experience_colour_preselected():
    booth = uniform_booth(visitors_choose=True, colour="navy")

    page = device(booth).get(reverse("tablet")).content.decode()

    assert "Kit colour" in page
    for colour in UniformColour:
        assert f'name="uniform_colour" value="{colour.value}"' in page
    assert page.count('name="uniform_colour"') == 11
    assert 'value="navy" checked' in page
    assert "#14235a" in page  # navy's swatch


def test_tablet_does_not_ask_when_the_operator_fixed_the_colour():
    booth = uniform_booth(visitors_choose=False)

    page = device(booth).get(reverse("tablet")).content.decode()

    assert 'name="uniform_colour"' not in page


def test_the_visitors_colour_is_the_kit_they_get():
    booth = uniform_booth(visitors_choose=True, colour="blue")

    response = post(device(booth), uniform_colour="pink")

    assert response.status_code == 201
    job = Job.objects.get(pk=response.json()["job"])
    assert job.capture.player.uniform_colour == "pink"
    assert run_job(job.pk) == Job.State.SUCCEEDED
    job.refresh_from_db()
    assert job.story == "Mina, in the pink kit and ready for kick-off!"


def test_a_colour_posted_where_the_operator_fixed_it_is_neither_stored_nor_used():
    booth = uniform_booth(visitors_choose=False, colour="green")

    response = post(device(booth), uniform_colour="pink")

    assert response.status_code == 201
    job = Job.objects.get(pk=response.json()["job"])
    assert job.capture.player.uniform_colour == ""
    run_job(job.pk)
    job.refresh_from_db()
    assert job.story == "Mina, in the green kit and ready for kick-off!"


def test_an_unknown_colour_is_refused_with_a_message_naming_the_field():
    booth = uniform_booth(visitors_choose=True)

    response = post(device(booth), uniform_colour="gold")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"].startswith("uniform_colour:")
    assert "gold" in body["detail"]
    assert not Player.objects.exists()
