"""What the event day's AWS failures look like: a poll without s3:ListBucket, a real-time
swap that times out, a visitor-facing call past its deadline, a misconfigured Rekognition.
botocore's Stubber answers where a response is needed; botocore's own `before-send` event
stands in for the network where the failure is a timeout."""

import io
import logging

import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.stub import Stubber
from django.test import Client
from PIL import Image

from experiences.models.photo import Job
from experiences.photo.backends import BackendFailed
from experiences.photo.backends.rekognition import detection_client
from experiences.photo.backends.sagemaker import (
    SageMakerAsyncCompositor,
    SageMakerCompositor,
    realtime_client,
)
from experiences.photo.faces import Box
from experiences.photo.imaging import encode_jpeg
from kernel import aws
from tests import factories, photos

BUCKET = "booth-scratch"
FACE = Image.new("RGB", (200, 240), (200, 150, 120))
BASE = Image.new("RGB", (300, 400), (40, 60, 90))
KEYS = {name: f"tmp/job-7/{name}.jpg" for name in ("source", "target", "output")}


@pytest.fixture(autouse=True)
def aws_settings(settings):
    settings.BOOTH_AWS_S3_BUCKET = BUCKET
    settings.BOOTH_AWS_S3_PREFIX = "tmp/"
    settings.BOOTH_AWS_MAX_ATTEMPTS = 5  # the generous default the call sites must not inherit
    settings.BOOTH_SAGEMAKER_ENDPOINT = "faceswap-gfpgan"


class FakeClock:
    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def expect_uploads(s3: Stubber) -> None:
    for name, image in (("source", FACE), ("target", BASE)):
        s3.add_response(
            "put_object",
            {},
            {
                "Bucket": BUCKET,
                "Key": KEYS[name],
                "Body": encode_jpeg(image, 95),
                "ContentType": "image/jpeg",
            },
        )


def composite(compositor):
    return compositor.composite(FACE, Box(40, 40, 120, 150), BASE, Box(100, 80, 100, 120))


def test_a_403_on_the_async_poll_is_reported_at_once_as_the_missing_list_permission():
    clock = FakeClock()
    with Stubber(aws.client("s3")) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_uploads(s3)
        s3.add_response("put_object", {}, None)
        sm.add_response(
            "invoke_endpoint_async",
            {
                "InferenceId": "job-7",
                "OutputLocation": f"s3://{BUCKET}/tmp/async-out/job-7.out",
                "FailureLocation": f"s3://{BUCKET}/tmp/async-failed/job-7-error.out",
            },
        )
        # What S3 answers for a key not written yet when the caller lacks s3:ListBucket.
        s3.add_client_error("get_object", "AccessDenied", "Access Denied", 403)
        s3.add_response("delete_objects", {}, None)

        with pytest.raises(BackendFailed) as failure:
            composite(
                SageMakerAsyncCompositor(new_id=lambda: "job-7", clock=clock, sleep=clock.sleep)
            )
        s3.assert_no_pending_responses()

    message = str(failure.value)
    assert "This is a permission problem, not a broken object" in message
    assert f"s3:ListBucket on arn:aws:s3:::{BUCKET} (prefix tmp/async-out/)" in message
    assert "unreadable" not in message
    assert clock.sleeps == []  # no waiting out the timeout on a request that cannot succeed


def test_an_endpoint_without_a_failure_path_says_so_when_the_deadline_passes(settings):
    settings.BOOTH_SAGEMAKER_ASYNC_TIMEOUT = 60
    settings.BOOTH_SAGEMAKER_ASYNC_POLL_SECONDS = 60
    clock = FakeClock()
    with Stubber(aws.client("s3")) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_uploads(s3)
        s3.add_response("put_object", {}, None)
        sm.add_response(
            "invoke_endpoint_async",
            {"InferenceId": "job-7", "OutputLocation": f"s3://{BUCKET}/tmp/out/job-7.out"},
        )
        for _ in range(2):
            s3.add_client_error("get_object", "NoSuchKey", "missing", 404)
        s3.add_response("delete_objects", {}, None)

        with pytest.raises(BackendFailed, match="The endpoint has no S3FailurePath"):
            composite(
                SageMakerAsyncCompositor(new_id=lambda: "job-7", clock=clock, sleep=clock.sleep)
            )


def count_sends(client, operation: str, outcome) -> list[int]:
    """Replace the network for `operation`: every attempt is counted and `outcome` raised."""
    attempts: list[int] = []

    def send(**_kwargs):
        attempts.append(1)
        raise outcome

    client.meta.events.register(f"before-send.{client.meta.service_model.service_id.hyphenize()}"
                                f".{operation}", send)  # fmt: skip
    return attempts


def test_a_read_timeout_on_the_real_time_swap_is_not_retried(settings):
    settings.BOOTH_SAGEMAKER_MAX_ATTEMPTS = 5
    attempts = count_sends(
        realtime_client(), "InvokeEndpoint", ReadTimeoutError(endpoint_url="https://runtime")
    )
    with Stubber(aws.client("s3")) as s3:
        expect_uploads(s3)
        s3.add_response("delete_objects", {}, None)

        with pytest.raises(BackendFailed, match="did not answer within 70 s"):
            composite(SageMakerCompositor(new_id=lambda: "job-7"))
    assert len(attempts) == 1


def test_a_connect_timeout_on_the_real_time_swap_is_retried_within_its_budget(settings):
    settings.BOOTH_SAGEMAKER_MAX_ATTEMPTS = 2
    attempts = count_sends(
        realtime_client(), "InvokeEndpoint", ConnectTimeoutError(endpoint_url="https://runtime")
    )
    with Stubber(aws.client("s3")) as s3:
        expect_uploads(s3)
        s3.add_response("delete_objects", {}, None)

        with pytest.raises(BackendFailed, match="ConnectTimeoutError"):
            composite(SageMakerCompositor(new_id=lambda: "job-7"))
    assert len(attempts) == 2  # nothing reached the container: trying again is safe


def test_no_rekognition_retry_starts_that_could_not_finish_before_the_deadline(settings):
    settings.BOOTH_REKOGNITION_MAX_ATTEMPTS = 4
    settings.BOOTH_REKOGNITION_TIMEOUT = 10
    settings.BOOTH_REKOGNITION_DEADLINE = 12  # one attempt's worst case is 5 + 10 s
    attempts = count_sends(
        detection_client(), "DetectFaces", ConnectTimeoutError(endpoint_url="https://rekognition")
    )

    with pytest.raises(ConnectTimeoutError):
        detection_client().detect_faces(Image={"Bytes": b"jpeg"})
    assert len(attempts) == 1


def test_rekognition_retries_while_the_deadline_allows(settings):
    settings.BOOTH_REKOGNITION_MAX_ATTEMPTS = 2
    settings.BOOTH_REKOGNITION_TIMEOUT = 1
    settings.BOOTH_AWS_CONNECT_TIMEOUT = 1
    settings.BOOTH_REKOGNITION_DEADLINE = 60
    attempts = count_sends(
        detection_client(), "DetectFaces", ConnectTimeoutError(endpoint_url="https://rekognition")
    )

    with pytest.raises(ConnectTimeoutError):
        detection_client().detect_faces(Image={"Bytes": b"jpeg"})
    assert len(attempts) == 2


def test_the_assume_role_sts_client_is_configured_like_the_others(settings):
    settings.BOOTH_AWS_REGION = "ap-northeast-2"
    settings.BOOTH_AWS_ROLE_ARN = "arn:aws:iam::123456789012:role/booth"
    settings.BOOTH_AWS_READ_TIMEOUT = 12
    settings.BOOTH_AWS_MAX_ATTEMPTS = 3
    credentials = aws._session().get_credentials()
    fetcher = credentials._refresh_using.__self__

    sts = fetcher._client_creator(
        "sts", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"
    )

    assert sts.meta.region_name == "ap-northeast-2"
    assert "ap-northeast-2" in sts.meta.endpoint_url  # the regional endpoint, not global
    assert sts.meta.config.read_timeout == 12
    assert sts.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 3}


# --- Rekognition misconfigured: the tablet is told staff know, never "retake" ---------


@pytest.fixture
def rekognition_booth(booth, settings):
    settings.BOOTH_FACE_DETECTOR = "experiences.photo.backends.rekognition.RekognitionFaceDetector"
    return booth


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("InvalidS3ObjectException", "Unable to get object metadata from S3."),
        ("AccessDeniedException", "User is not authorized to perform: rekognition:DetectFaces"),
    ],
)
def test_a_configuration_error_is_a_503_for_the_tablet_and_an_alert_for_staff(
    rekognition_booth, device_client: Client, code, message, caplog
):
    with Stubber(detection_client()) as stub, caplog.at_level(logging.ERROR):
        stub.add_client_error("detect_faces", code, message, http_status_code=400)

        response = device_client.post(
            "/api/stations/1/captures/",
            {
                "image": io.BytesIO(photos.face_jpeg()),
                "nickname": "Mina",
                "consent_version": factories.CONSENT_VERSION,
            },
        )

    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "face_detection_misconfigured"
    assert "Staff have been told" in body["detail"]
    assert "retake" not in body["detail"].lower() and "take it again" not in body["detail"]
    assert f"{code}: {message}" in caplog.text
    assert not Job.objects.exists()
