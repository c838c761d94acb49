"""The public result page behind the QR code, and the files it serves."""

import pytest
from django.utils.html import escape

from experiences.models.photo import Asset, Job
from experiences.photo.jobs import run_job
from tests import factories
from tests.qrcodes import decode_qr

pytestmark = pytest.mark.django_db


@pytest.fixture
def result(booth) -> Asset:
    """A finished visitor's portrait."""
    job = factories.make_job(booth.station, nickname="Mina")
    assert run_job(job.pk) == Job.State.SUCCEEDED
    return job.portrait


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def assert_private(response) -> None:
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_result_page_shows_the_portrait_story_and_download(client, result):
    response = client.get(f"/r/{result.token}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Mina" in html
    assert escape(result.job.story) in html
    assert f'src="/r/{result.token}/image.jpg"' in html
    assert f'href="/r/{result.token}/download"' in html
    assert_private(response)


def test_result_image_serves_the_stored_portrait(client, result):
    response = client.get(f"/r/{result.token}/image.jpg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert body(response) == stored(result.file)
    assert_private(response)


def test_result_qr_serves_a_png_of_the_result_link(client, result):
    response = client.get(f"/r/{result.token}/qr.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    text = decode_qr(body(response))
    assert text == result.public_url
    assert text.endswith(f"/r/{result.token}/")
    assert_private(response)


def test_download_is_an_attachment_with_the_portrait(client, result):
    response = client.get(f"/r/{result.token}/download")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="booth-portrait-')
    assert response["Content-Disposition"].endswith('.jpg"')
    assert body(response) == stored(result.file)
    assert_private(response)


@pytest.mark.parametrize("suffix", ["", "image.jpg", "qr.png", "download"])
def test_unknown_token_is_404(client, result, suffix):
    response = client.get(f"/r/{'x' * 32}/{suffix}")

    assert response.status_code == 404


def test_the_qr_assets_own_token_opens_nothing(client, result):
    qr = result.job.assets.get(kind=Asset.Kind.QR)

    assert client.get(f"/r/{qr.token}/").status_code == 404
    assert client.get(f"/r/{qr.token}/image.jpg").status_code == 404


def test_link_is_dead_once_the_visitors_data_is_deleted(client, result):
    token = result.token
    result.job.capture.player.delete()  # what retention or "delete my data" does

    assert client.get(f"/r/{token}/").status_code == 404
    assert client.get(f"/r/{token}/image.jpg").status_code == 404
