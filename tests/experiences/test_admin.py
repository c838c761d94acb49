"""Staff choose an experience's type and kit colour in admin and see which backend runs it."""

import pytest

from experiences.models.events import Experience, UniformColour
from tests import factories

pytestmark = pytest.mark.django_db


def change_url(experience: Experience) -> str:
    return f"/admin/experiences/experience/{experience.pk}/change/"


def test_the_experience_page_offers_the_types_the_colours_and_names_the_offline_backend(
    admin_client,
):
    booth = factories.make_photo_booth("uniform", uniform_colour="navy")

    page = admin_client.get(change_url(booth.experience)).content.decode()

    for value, label in Experience.Pipeline.choices:
        assert f'<option value="{value}"' in page, label
    assert "These two need no base images." in page  # the type's help text
    assert page.count('<option value="') >= len(UniformColour.choices) + 3
    assert '<option value="navy" selected>Navy</option>' in page
    assert (
        "Offline approximation: clothing mask (person segmentation) recoloured to the kit colour"
        in page
    )


def test_the_page_says_when_bedrock_makes_the_business_portrait(admin_client, settings):
    settings.BOOTH_BUSINESS_PORTRAIT_MAKER = (
        "experiences.photo.backends.titan_edit.TitanBusinessPortraitMaker"
    )
    booth = factories.make_photo_booth("business")

    page = admin_client.get(change_url(booth.experience)).content.decode()

    assert "Amazon Titan Image Generator (outpainting around the face)" in page
    assert "bedrock-titan-outpainting" in page


def test_staff_switch_an_experience_to_the_uniform_try_on_with_a_colour(admin_client):
    booth = factories.make_booth(personas=())
    experience = booth.experience
    form = {
        "event": experience.event_id,
        "name": "Kit booth",
        "theme": experience.theme,
        "pipeline": "uniform",
        "uniform_colour": "sky_blue",
        "retention_hours": 48,
        "profile_fields": "[]",
        "moderation": "post",
        "commentary_language": "ko",
    }

    response = admin_client.post(change_url(experience), form)

    assert response.status_code == 302, response.content.decode()[:2000]
    experience.refresh_from_db()
    assert experience.pipeline == Experience.Pipeline.UNIFORM
    assert experience.uniform_colour == UniformColour.SKY_BLUE
