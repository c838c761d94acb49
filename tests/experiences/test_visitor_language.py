"""Stories in the visitor's language, and the small things a visitor reads on their phone."""

import io
import re

import pytest
from django.utils import timezone
from PIL import Image

from displays.services import result_payload
from experiences.library.demo_art import STORIES_KO
from experiences.models.library import BaseImage
from experiences.models.photo import Job
from experiences.photo.jobs import run_job
from tests import factories

pytestmark = pytest.mark.django_db
HANGUL = re.compile("[\uac00-\ud7a3]")


def finished(booth, language: str, nickname: str = "Mina") -> Job:
    job = factories.make_job(booth.station, nickname=nickname, language=language)
    assert run_job(job.pk) == Job.State.SUCCEEDED
    job.refresh_from_db()
    return job


def test_a_korean_visitor_gets_the_base_images_korean_story(booth):
    job = finished(booth, "ko", nickname="하늘")

    assert job.story_language == "ko"
    assert job.story == job.base_image.story_ko.replace("{nickname}", "하늘")
    assert "님은" in job.story


def test_an_english_visitor_gets_the_english_story(booth):
    job = finished(booth, "en")

    assert job.story_language == "en"
    assert job.story == job.base_image.story.replace("{nickname}", "Mina")
    assert not HANGUL.search(job.story)


def test_a_base_image_without_a_korean_story_falls_back_to_english_marked_as_such(booth):
    BaseImage.objects.update(story_ko="")
    job = finished(booth, "ko")

    assert job.story_language == "en"
    assert job.story.startswith("In ")


def test_every_demo_portrait_has_a_korean_story_with_the_nickname(demo):
    bases = BaseImage.objects.all()
    assert bases.count() >= len(STORIES_KO)
    for base in bases:
        assert "{nickname}" in base.story_ko and HANGUL.search(base.story_ko), base.title


def test_the_story_is_marked_with_its_language_where_the_page_speaks_another(client, booth):
    job = finished(booth, "ko", nickname="하늘")
    token = job.portrait.token

    english = client.get(f"/r/{token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = client.get(f"/r/{token}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert '<p class="story" lang="ko">' in english
    assert '<p class="story">' in korean
    assert result_payload(job.portrait)["story_language"] == "ko"  # the walls mark it too


def test_the_deletion_date_ends_with_one_full_stop(client, booth):
    job = finished(booth, "en")
    player = job.capture.player
    player.delete_after = timezone.make_aware(timezone.datetime(2026, 12, 3, 19, 17))
    player.save()

    page = client.get(f"/r/{job.portrait.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "deleted on Dec. 3, 2026, 19:17." in page
    assert ".." not in re.sub(r"<[^>]+>", "", page).replace("…", "")


def test_the_delete_page_has_a_title_and_offers_the_safe_choice_first(client, booth):
    token = finished(booth, "en").portrait.token
    page = client.get(f"/r/{token}/delete").content.decode()

    assert "<title>Delete your photo? · Booth</title>" in page
    keep, delete = page.index("No, keep it"), page.index("Yes, delete everything")
    assert keep < delete
    assert 'class="danger wide">Yes, delete everything' in page
    assert 'class="button primary" href="/r/' in page


@pytest.mark.parametrize("width", [480, 640, 960])
def test_the_portrait_comes_in_webp_sized_for_phones_and_walls(client, booth, width):
    job = finished(booth, "en")
    token = job.portrait.token

    response = client.get(f"/r/{token}/image-{width}.webp")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "private" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    original = Image.open(job.portrait.file.path)
    assert image.format == "WEBP" and image.width == min(width, original.width)  # never up
    assert not image.info.get("exif")
    assert len(response.content) < job.portrait.file.size / 2
    page = client.get(f"/r/{token}/").content.decode()
    assert f"/r/{token}/image-{width}.webp {width}w" in page
    assert f'src="/r/{token}/image.jpg"' in page  # the fallback, and the download, stay JPEG
    # Walls get WebP too, by display links, never a token URL (docs/security.md).
    payload = result_payload(job.portrait)
    assert token not in str(payload)
    links = dict(reversed(item.rsplit(" ", 1)) for item in payload["image_srcset"].split(", "))
    wall = client.get(links[f"{width}w"])
    assert wall.status_code == 200 and wall["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(wall.content)).width == min(width, original.width)


def test_other_webp_sizes_are_404(client, booth):
    token = finished(booth, "en").portrait.token
    assert client.get(f"/r/{token}/image-4000.webp").status_code == 404


def test_favicon_is_a_redirect_to_the_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".ico")
    assert client.get(response["Location"]).status_code == 200


def test_in_korean_mode_english_is_called_english(booth, device_client):
    page = device_client.get("/tablet/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<button type="submit" name="language" value="en" lang="en" >English</button>' in (
        re.sub(r"\s+", " ", page)
    )
    assert "영어" not in page


@pytest.mark.parametrize("fields", [[], ["gender", "age_band"]])
def test_the_tablet_has_the_same_translatable_parts_in_each_language(booth, device_client, fields):
    """The in-place language switch swaps texts part by part ([data-t]), so both languages
    must render the same parts in the same order."""
    booth.experience.profile_fields = fields
    booth.experience.save()
    english = device_client.get("/tablet/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = device_client.get("/tablet/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert english.count(" data-t>") == korean.count(" data-t>") > 20
    assert "아직 계신가요?" in korean  # "Still there?"
