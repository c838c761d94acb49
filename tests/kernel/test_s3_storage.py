"""Media in a private S3 bucket (scaled mode), against moto's real S3 HTTP server."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from experiences.models.photo import Asset
from experiences.photo.jobs import run_job
from moderation.services import erase_player
from tests import factories
from tests.moderation.test_admin import staff_client

pytestmark = pytest.mark.django_db


def _keys(s3_media, prefix: str = "") -> set[str]:
    listing = s3_media.list_objects_v2(Bucket=s3_media.bucket, Prefix=f"booth/{prefix}")
    return {item["Key"] for item in listing.get("Contents", [])}


def test_a_visitors_photo_and_results_are_stored_in_the_bucket_under_the_prefix(s3_media, booth):
    job = factories.make_finished_job(booth.station)

    stored = _keys(s3_media)
    assert {f"booth/{name}" for name in factories.files_of(job)} <= stored
    assert {f"booth/assets/{job.pk}/" in key for key in stored} == {True, False}


def test_stored_objects_are_private(s3_media, booth, moto_s3_endpoint):
    job = factories.make_finished_job(booth.station)
    key = f"booth/{job.portrait.file.name}"

    grants = s3_media.get_object_acl(Bucket=s3_media.bucket, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only
    assert "URI" not in grants[0]["Grantee"]  # no AllUsers / AuthenticatedUsers group
    assert httpx.get(f"{moto_s3_endpoint}/{s3_media.bucket}/{key}").status_code == 403


def test_the_result_image_redirects_to_a_short_lived_presigned_url(s3_media, booth):
    job = factories.make_finished_job(booth.station)
    portrait = job.portrait

    response = Client().get(f"/r/{portrait.token}/image.jpg")

    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["120"]  # BOOTH_S3_URL_EXPIRY_SECONDS
    assert "X-Amz-Signature" in query
    # A cached redirect must never outlive the URL it points to.
    assert "max-age=60" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    image = httpx.get(location)
    assert image.status_code == 200
    with portrait.file.open("rb") as stored:
        assert image.content == stored.read()
    assert image.content.startswith(b"\xff\xd8")


def test_the_qr_code_and_the_download_come_from_the_bucket_too(s3_media, booth):
    job = factories.make_finished_job(booth.station)
    token = job.portrait.token

    qr = httpx.get(Client().get(f"/r/{token}/qr.png")["Location"])
    download = httpx.get(Client().get(f"/r/{token}/download")["Location"])

    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    assert "booth-portrait-" in download.headers["content-disposition"]


def test_erasure_deletes_every_object_of_the_visitor(s3_media, booth):
    job = factories.make_finished_job(booth.station)
    others = factories.make_finished_job(booth.station, nickname="Other")
    theirs = {f"booth/{name}" for name in factories.files_of(job)}
    kept = {f"booth/{name}" for name in factories.files_of(others)}
    assert theirs | kept <= _keys(s3_media)

    erasure = erase_player(job.capture.player)

    assert erasure.files == 4
    remaining = _keys(s3_media)
    assert not theirs & remaining
    assert kept <= remaining


def test_erasure_also_deletes_files_an_interrupted_attempt_left_in_the_bucket(s3_media, booth):
    job = factories.make_finished_job(booth.station)
    stray = f"booth/assets/{job.pk}/cut-off.jpg"
    s3_media.put_object(Bucket=s3_media.bucket, Key=stray, Body=b"\xff\xd8")

    erase_player(job.capture.player)

    assert _keys(s3_media, f"assets/{job.pk}/") == set()


def test_a_job_made_again_leaves_one_portrait_and_one_qr_in_the_bucket(s3_media, booth):
    job = factories.make_finished_job(booth.station)
    s3_media.put_object(
        Bucket=s3_media.bucket, Key=f"booth/assets/{job.pk}/cut-off.jpg", Body=b"\xff\xd8"
    )
    type(job).objects.filter(pk=job.pk).update(state="queued")

    run_job(job.pk)

    names = {f"booth/{a.file.name}" for a in Asset.objects.filter(job=job)}
    assert len(names) == 2
    assert _keys(s3_media, f"assets/{job.pk}/") == names


def test_the_s3_endpoint_can_come_from_booth_aws_endpoint_overrides(
    s3_media, settings, moto_s3_endpoint
):
    settings.BOOTH_S3_ENDPOINT_URL = ""
    settings.BOOTH_AWS_ENDPOINT_URLS = {"s3": moto_s3_endpoint}
    settings.STORAGES = {**settings.STORAGES}  # a new storage reads the settings again
    name = default_storage.save("probe/override.txt", ContentFile(b"via BOOTH_AWS_ENDPOINT_URLS"))

    body = s3_media.get_object(Bucket=s3_media.bucket, Key=f"booth/{name}")["Body"].read()
    assert body == b"via BOOTH_AWS_ENDPOINT_URLS"


def test_admin_thumbnails_redirect_staff_to_presigned_urls_and_refuse_others(s3_media, booth):
    job = factories.make_finished_job(booth.station)
    url = f"/admin/files/capture-original/{job.capture.pk}"

    allowed = staff_client("experiences.view_capture").get(url)
    refused = staff_client("experiences.view_event", username="other").get(url)

    assert allowed.status_code == 302
    assert "X-Amz-Signature=" in allowed["Location"]
    original = httpx.get(allowed["Location"])
    assert original.status_code == 200 and original.content.startswith(b"\xff\xd8")
    assert refused.status_code == 403
