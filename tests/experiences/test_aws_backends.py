"""The AWS backends against botocore's Stubber: the exact requests Booth sends, the real
response shapes, and what staff and visitors see when AWS fails."""

import base64
import io
import json
import re

import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber
from django.conf import settings
from django.test import Client
from PIL import Image

from experiences.library.bedrock_images import (
    StableDiffusionImageGenerator,
    TitanImageGenerator,
    generator_for,
)
from experiences.models.photo import Job
from experiences.photo.backends import BackendFailed, StoryUnavailable
from experiences.photo.backends.bedrock_text import SYSTEM_PROMPTS, BedrockStoryWriter, write_story
from experiences.photo.backends.rekognition import (
    RekognitionFaceDetector,
    detection_client,
    to_pixels,
)
from experiences.photo.backends.sagemaker import (
    SageMakerAsyncCompositor,
    SageMakerCompositor,
    realtime_client,
)
from experiences.photo.faces import Box
from experiences.photo.imaging import encode_jpeg, fit_within
from experiences.photo.intake import VisitorProfile, decode_photo
from experiences.photo.jobs import run_job
from kernel import aws
from moderation.models import ConsentText
from tests import factories, photos
from visitors.capture import take_capture

BUCKET = "booth-scratch"
STORY_MODEL = "us.anthropic.claude-haiku-4-5-20251001-v1:0"


@pytest.fixture(autouse=True)
def aws_settings(settings):
    settings.BOOTH_AWS_S3_BUCKET = BUCKET
    settings.BOOTH_AWS_S3_PREFIX = "tmp/"
    settings.BOOTH_AWS_MAX_ATTEMPTS = 1  # a stubbed error is answered once, not retried
    settings.BOOTH_SAGEMAKER_ENDPOINT = "faceswap-gfpgan"
    settings.BOOTH_BEDROCK_STORY_MODEL = STORY_MODEL
    settings.BOOTH_STORY_MAX_ATTEMPTS = 1


def story_client():
    """The client the story writer gets (its own timeout and attempts)."""
    return aws.client(
        "bedrock-runtime",
        read_timeout=settings.BOOTH_STORY_TIMEOUT,
        max_attempts=settings.BOOTH_STORY_MAX_ATTEMPTS,
    )


def body_of(payload: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(payload), len(payload))


def png_b64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def converse_reply(text: str) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 80, "outputTokens": 60, "totalTokens": 140},
        "metrics": {"latencyMs": 1200},
    }


def face_detail(left, top, width, height, confidence=99.9) -> dict:
    return {
        "BoundingBox": {"Width": width, "Height": height, "Left": left, "Top": top},
        "Confidence": confidence,
        "Landmarks": [],
        "Pose": {"Roll": 0.0, "Yaw": 0.0, "Pitch": 0.0},
        "Quality": {"Brightness": 80.0, "Sharpness": 90.0},
    }


# --- Rekognition ----------------------------------------------------------------------


def test_rekognition_sends_the_photo_bytes_and_returns_pixel_boxes_largest_first(settings):
    image = photos.face_image()  # 512×512
    with Stubber(detection_client()) as stub:
        stub.add_response(
            "detect_faces",
            {
                "FaceDetails": [
                    face_detail(0.5, 0.5, 0.125, 0.125),
                    face_detail(0.25, 0.125, 0.25, 0.3125),
                    face_detail(0.0, 0.0, 0.5, 0.5, confidence=40.0),  # a poster, not a face
                ]
            },
            {"Image": {"Bytes": encode_jpeg(image, 90)}, "Attributes": ["DEFAULT", "AGE_RANGE"]},
        )

        boxes = RekognitionFaceDetector().detect(image)

        stub.assert_no_pending_responses()
    assert boxes == [Box(128, 64, 128, 160), Box(256, 256, 64, 64)]


def test_rekognition_boxes_past_the_edge_are_clamped_to_the_image():
    assert to_pixels({"Left": -0.1, "Top": 0.9, "Width": 0.3, "Height": 0.2}, (1000, 500)) == Box(
        0, 450, 200, 50
    )


def test_rekognition_in_s3_mode_uploads_the_photo_detects_on_the_object_and_deletes_it(settings):
    settings.BOOTH_REKOGNITION_IMAGE_SOURCE = "s3"
    image = photos.face_image()
    jpeg = encode_jpeg(image, 90)
    with (
        Stubber(aws.client("s3")) as s3,
        Stubber(detection_client()) as rekognition,
    ):
        s3.add_response(
            "put_object",
            {},
            {
                "Bucket": BUCKET,
                "Key": "tmp/req-1/detect.jpg",
                "Body": jpeg,
                "ContentType": "image/jpeg",
            },
        )
        rekognition.add_response(
            "detect_faces",
            {"FaceDetails": [face_detail(0.25, 0.125, 0.25, 0.3125)]},
            {
                "Image": {"S3Object": {"Bucket": BUCKET, "Name": "tmp/req-1/detect.jpg"}},
                "Attributes": ["DEFAULT", "AGE_RANGE"],
            },
        )
        s3.add_response(
            "delete_objects",
            {"Deleted": [{"Key": "tmp/req-1/detect.jpg"}]},
            {
                "Bucket": BUCKET,
                "Delete": {"Objects": [{"Key": "tmp/req-1/detect.jpg"}], "Quiet": True},
            },
        )

        boxes = RekognitionFaceDetector(new_id=lambda: "req-1").detect(image)

        s3.assert_no_pending_responses()
    assert boxes == [Box(128, 64, 128, 160)]


@pytest.fixture
def rekognition_booth(booth, settings):
    settings.BOOTH_FACE_DETECTOR = "experiences.photo.backends.rekognition.RekognitionFaceDetector"
    return booth


def stored_jpeg(photo: bytes) -> bytes:
    """The bytes Booth sends Rekognition for an upload: the decoded, downscaled photo."""
    return encode_jpeg(fit_within(decode_photo(photo), 1280), 90)


def post_capture(client: Client, photo: bytes):
    return client.post(
        "/api/stations/1/captures/",
        {
            "image": io.BytesIO(photo),
            "nickname": "Mina",
            "consent_version": factories.CONSENT_VERSION,
        },
    )


def test_no_face_from_rekognition_refuses_the_photo_like_the_local_detector(
    rekognition_booth, device_client
):
    photo = photos.no_face_jpeg()
    with Stubber(detection_client()) as stub:
        stub.add_response(
            "detect_faces",
            {"FaceDetails": []},
            {"Image": {"Bytes": stored_jpeg(photo)}, "Attributes": ["DEFAULT", "AGE_RANGE"]},
        )

        response = post_capture(device_client, photo)

    assert response.status_code == 422
    assert response.json()["code"] == "no_face"
    assert response.json()["detail"].startswith("We could not find a face in the photo.")
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("code", "status", "detail"),
    [
        ("ThrottlingException", 503, "Face detection is busy or unreachable."),
        ("ProvisionedThroughputExceededException", 503, "Face detection is busy or unreachable."),
        ("InvalidImageFormatException", 400, "Face detection could not read this photo."),
        ("ImageTooLargeException", 400, "Face detection could not read this photo."),
    ],
)
def test_rekognition_errors_give_the_tablet_a_clear_answer(
    rekognition_booth, device_client, code, status, detail
):
    with Stubber(detection_client()) as stub:
        stub.add_client_error("detect_faces", code, "nope", http_status_code=400)

        response = post_capture(device_client, photos.face_jpeg())

    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)
    assert not Job.objects.exists()


def test_rekognition_in_s3_mode_without_a_bucket_asks_the_visitor_to_retry_and_logs_why(
    rekognition_booth, device_client, settings, caplog
):
    settings.BOOTH_REKOGNITION_IMAGE_SOURCE = "s3"
    settings.BOOTH_AWS_S3_BUCKET = ""

    response = post_capture(device_client, photos.face_jpeg())

    assert response.status_code == 503
    assert response.json()["code"] == "face_detection_unavailable"
    assert "BOOTH_AWS_S3_BUCKET is not set" in caplog.text


# --- SageMaker ------------------------------------------------------------------------

FACE = Image.new("RGB", (200, 240), (200, 150, 120))
BASE = Image.new("RGB", (300, 400), (40, 60, 90))
OUTPUT = encode_jpeg(Image.new("RGB", (300, 400), (120, 110, 100)), 90)
KEYS = {name: f"tmp/job-7/{name}.jpg" for name in ("source", "target", "output")}
CONTRACT = {
    "uuid": "job-7",
    "bucket": BUCKET,
    "source": KEYS["source"],
    "output": KEYS["output"],
    "target": KEYS["target"],
}


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


def expect_cleanup(s3: Stubber, keys: list[str]) -> None:
    s3.add_response(
        "delete_objects",
        {},
        {"Bucket": BUCKET, "Delete": {"Objects": [{"Key": k} for k in keys], "Quiet": True}},
    )


def composite(compositor):
    return compositor.composite(FACE, Box(50, 60, 100, 120), BASE, Box(100, 100, 100, 120))


def test_sagemaker_uploads_both_images_invokes_with_the_s3_contract_and_reads_the_output():
    with (
        Stubber(aws.client("s3")) as s3,
        Stubber(realtime_client()) as sm,
    ):
        expect_uploads(s3)
        sm.add_response(
            "invoke_endpoint",
            {"Body": body_of(b'{"status": "ok"}'), "ContentType": "application/json"},
            {
                "EndpointName": "faceswap-gfpgan",
                "Body": json.dumps(CONTRACT),
                "ContentType": "application/json",
                "Accept": "application/json",
            },
        )
        s3.add_response(
            "get_object", {"Body": body_of(OUTPUT)}, {"Bucket": BUCKET, "Key": KEYS["output"]}
        )
        expect_cleanup(s3, [KEYS["output"], KEYS["source"], KEYS["target"]])

        result = composite(SageMakerCompositor(new_id=lambda: "job-7"))

        s3.assert_no_pending_responses()
        sm.assert_no_pending_responses()
    assert result.size == (300, 400)
    assert result.getpixel((150, 200)) == pytest.approx((120, 110, 100), abs=3)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ModelError", "ModelError: Received server error (500) from primary"),
        ("ValidationError", "ValidationError: Endpoint faceswap-gfpgan of account"),
        ("ThrottlingException", "ThrottlingException: Rate exceeded"),
    ],
)
def test_sagemaker_errors_name_the_endpoint_and_code_and_still_delete_the_faces(code, message):
    with (
        Stubber(aws.client("s3")) as s3,
        Stubber(realtime_client()) as sm,
    ):
        expect_uploads(s3)
        sm.add_client_error(
            "invoke_endpoint", code, message.split(": ", 1)[1], http_status_code=424
        )
        expect_cleanup(s3, [KEYS["output"], KEYS["source"], KEYS["target"]])

        with pytest.raises(
            BackendFailed, match=re.escape(f"SageMaker endpoint faceswap-gfpgan failed: {message}")
        ):
            composite(SageMakerCompositor(new_id=lambda: "job-7"))

        s3.assert_no_pending_responses()


def test_a_sagemaker_timeout_is_a_clear_error_naming_the_setting():
    runtime = realtime_client()

    def time_out(**kwargs):  # what botocore raises when the endpoint outlives read_timeout
        raise ReadTimeoutError(endpoint_url="https://runtime.sagemaker")

    runtime.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", time_out)
    with Stubber(aws.client("s3")) as s3:
        expect_uploads(s3)
        expect_cleanup(s3, [KEYS["output"], KEYS["source"], KEYS["target"]])

        with pytest.raises(
            BackendFailed, match=r"did not answer within 70 s \(BOOTH_SAGEMAKER_TIMEOUT\)"
        ):
            composite(SageMakerCompositor(new_id=lambda: "job-7"))
        s3.assert_no_pending_responses()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def async_compositor(clock: FakeClock) -> SageMakerAsyncCompositor:
    return SageMakerAsyncCompositor(new_id=lambda: "job-7", clock=clock, sleep=clock.sleep)


def expect_async_invoke(s3: Stubber, sm: Stubber) -> None:
    expect_uploads(s3)
    s3.add_response(
        "put_object",
        {},
        {
            "Bucket": BUCKET,
            "Key": "tmp/job-7/request.json",
            "Body": json.dumps(CONTRACT).encode(),
            "ContentType": "application/json",
        },
    )
    sm.add_response(
        "invoke_endpoint_async",
        {
            "InferenceId": "job-7",
            "OutputLocation": f"s3://{BUCKET}/async/out/job-7.out",
            "FailureLocation": f"s3://{BUCKET}/async/failed/job-7-error.out",
        },
        {
            "EndpointName": "faceswap-gfpgan",
            "InputLocation": f"s3://{BUCKET}/tmp/job-7/request.json",
            "ContentType": "application/json",
            "Accept": "application/json",
            "InferenceId": "job-7",
            "RequestTTLSeconds": 300,
        },
    )


def not_yet(s3: Stubber, key: str) -> None:
    s3.add_client_error(
        "get_object",
        "NoSuchKey",
        "The specified key does not exist.",
        404,
        expected_params={"Bucket": BUCKET, "Key": key},
    )


ASYNC_CLEANUP = [
    KEYS["output"],
    KEYS["source"],
    KEYS["target"],
    "tmp/job-7/request.json",
    "async/out/job-7.out",
    "async/failed/job-7-error.out",
]


def test_async_sagemaker_polls_until_the_output_appears_then_cleans_up(settings):
    settings.BOOTH_SAGEMAKER_ASYNC_POLL_SECONDS = 2
    clock = FakeClock()
    with Stubber(aws.client("s3")) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_async_invoke(s3, sm)
        not_yet(s3, "async/out/job-7.out")
        not_yet(s3, "async/failed/job-7-error.out")
        s3.add_response(
            "get_object",
            {"Body": body_of(b'{"status":"ok"}')},
            {"Bucket": BUCKET, "Key": "async/out/job-7.out"},
        )
        s3.add_response(
            "get_object", {"Body": body_of(OUTPUT)}, {"Bucket": BUCKET, "Key": KEYS["output"]}
        )
        expect_cleanup(s3, ASYNC_CLEANUP)

        result = composite(async_compositor(clock))

        s3.assert_no_pending_responses()
    assert result.size == (300, 400)
    assert clock.sleeps == [2]


def test_async_sagemaker_reports_the_failure_object_the_container_wrote():
    with Stubber(aws.client("s3")) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_async_invoke(s3, sm)
        not_yet(s3, "async/out/job-7.out")
        s3.add_response(
            "get_object",
            {"Body": body_of(b"No face found in source image\n")},
            {"Bucket": BUCKET, "Key": "async/failed/job-7-error.out"},
        )
        expect_cleanup(s3, ASYNC_CLEANUP)

        with pytest.raises(
            BackendFailed, match=r"faceswap-gfpgan failed: No face found in source image$"
        ):
            composite(async_compositor(FakeClock()))
        s3.assert_no_pending_responses()


def test_async_sagemaker_gives_up_at_the_deadline(settings):
    settings.BOOTH_SAGEMAKER_ASYNC_TIMEOUT = 300
    settings.BOOTH_SAGEMAKER_ASYNC_POLL_SECONDS = 200
    clock = FakeClock()
    with Stubber(aws.client("s3")) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_async_invoke(s3, sm)
        for _ in range(3):  # t=0, t=200, t=400 ≥ deadline
            not_yet(s3, "async/out/job-7.out")
            not_yet(s3, "async/failed/job-7-error.out")
        expect_cleanup(s3, ASYNC_CLEANUP)

        with pytest.raises(BackendFailed, match=r"did not finish within 300 s"):
            composite(async_compositor(clock))
        s3.assert_no_pending_responses()
    assert clock.sleeps == [200, 200]


def test_a_sagemaker_failure_fails_the_job_with_that_message(booth, settings):
    settings.BOOTH_COMPOSITOR = "experiences.photo.backends.sagemaker.SageMakerCompositor"
    job = factories.make_job(booth.station)
    with (
        Stubber(aws.client("s3")) as s3,
        Stubber(realtime_client()) as sm,
    ):
        s3.add_response("put_object", {})
        s3.add_response("put_object", {})
        sm.add_client_error("invoke_endpoint", "ModelError", "CUDA out of memory", 424)
        s3.add_response("delete_objects", {})

        assert run_job(job.pk) == Job.State.FAILED

    job.refresh_from_db()
    assert job.error.startswith(
        "SageMaker endpoint faceswap-gfpgan failed: ModelError: CUDA out of memory"
    )
    assert not job.assets.exists()


# --- Bedrock stories ------------------------------------------------------------------


def test_the_story_writer_asks_for_a_past_life_story_for_the_visitor_in_their_language(booth):
    job = factories.make_job(booth.station, nickname="Sun-woo")
    base = booth.base_images[0]
    with Stubber(story_client()) as stub:
        stub.add_response(
            "converse",
            converse_reply("“In a past life, you were Sun-woo, a scholar of Hanseong.”"),
            {
                "modelId": STORY_MODEL,
                "system": [{"text": SYSTEM_PROMPTS["en"]}],
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "text": "The past-life person — country: Korea; era: 1590s; "
                                "occupation: scholar; gender: male. The visitor's name: Sun-woo."
                            }
                        ],
                    }
                ],
                "inferenceConfig": {"maxTokens": 400, "temperature": 0.8},
            },
        )

        story = BedrockStoryWriter().write(base, job.player)

    assert story == "In a past life, you were Sun-woo, a scholar of Hanseong."


def test_a_visitor_who_read_the_korean_consent_gets_a_korean_story(booth):
    consent = ConsentText.objects.current_for(booth.experience, "ko")
    job = take_capture(
        booth.station,
        photos.face_jpeg(),
        VisitorProfile(nickname="민아", language="ko"),
        consent.version,
    )
    with Stubber(story_client()) as stub:
        stub.add_response(
            "converse",
            converse_reply("당신은 한양의 선비 민아였습니다."),
            {
                "modelId": STORY_MODEL,
                "system": [{"text": SYSTEM_PROMPTS["ko"]}],
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "text": (
                                    "전생의 인물 — country: Korea; era: 1590s; "
                                    "occupation: scholar; "
                                    "gender: male. 방문자 이름: 민아."
                                )
                            }
                        ],
                    }
                ],
                "inferenceConfig": {"maxTokens": 400, "temperature": 0.8},
            },
        )

        story = BedrockStoryWriter().write(booth.base_images[0], job.player)

    assert story.startswith("당신은")


def test_korean_stories_use_the_korean_system_prompt_that_starts_with_dangsineun(settings):
    settings.BOOTH_STORY_LANGUAGE = "ko"
    with Stubber(story_client()) as stub:
        stub.add_response(
            "converse",
            converse_reply("당신은 조선의 선비였습니다."),
            {
                "modelId": STORY_MODEL,
                "system": [{"text": SYSTEM_PROMPTS["ko"]}],
                "messages": [
                    {
                        "role": "user",
                        "content": [{"text": "전생의 인물 — country: Korea. 방문자 이름: 민아."}],
                    }
                ],
                "inferenceConfig": {"maxTokens": 400, "temperature": 0.8},
            },
        )

        assert write_story({"country": "Korea"}, "민아", "ko") == "당신은 조선의 선비였습니다."
    assert SYSTEM_PROMPTS["ko"].count("'당신은'으로 시작") == 1


def test_a_long_story_is_cut_after_the_last_sentence_that_fits(settings):
    settings.BOOTH_STORY_MAX_CHARS = 60
    text = "In a past life, you were a sailor. You sailed far. " + "And then " * 20
    with Stubber(story_client()) as stub:
        stub.add_response("converse", converse_reply(text))
        assert write_story({}, "Mina", "en") == "In a past life, you were a sailor. You sailed far."


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "ValidationException", "ModelTimeoutException"]
)
def test_story_errors_name_the_aws_code(code):
    with Stubber(story_client()) as stub:
        stub.add_client_error("converse", code, "details", http_status_code=400)
        with pytest.raises(StoryUnavailable, match=f"{code}: details"):
            write_story({}, "Mina", "en")


def test_the_pipeline_with_rekognition_and_bedrock_publishes_a_portrait_with_the_new_story(
    booth, settings
):
    settings.BOOTH_FACE_DETECTOR = "experiences.photo.backends.rekognition.RekognitionFaceDetector"
    settings.BOOTH_STORY_WRITER = "experiences.photo.backends.bedrock_text.BedrockStoryWriter"
    photo = photos.face_jpeg()
    stored = fit_within(decode_photo(photo), 1280)
    with (
        Stubber(detection_client()) as rekognition,
        Stubber(story_client()) as bedrock,
    ):
        # the astronaut's face, as Rekognition reports it for the 512×512 photo
        rekognition.add_response(
            "detect_faces",
            {"FaceDetails": [face_detail(0.32, 0.09, 0.2, 0.25)]},
            {"Image": {"Bytes": encode_jpeg(stored, 90)}, "Attributes": ["DEFAULT", "AGE_RANGE"]},
        )
        bedrock.add_response(
            "converse", converse_reply("In a past life, you were Mina the sailor.")
        )

        job = factories.make_job(booth.station, nickname="Mina")
        assert run_job(job.pk) == Job.State.SUCCEEDED

        rekognition.assert_no_pending_responses()
        bedrock.assert_no_pending_responses()
    job.refresh_from_db()
    assert job.capture.face_box == [164, 46, 102, 128]
    assert job.story == "In a past life, you were Mina the sailor."
    assert job.backends == {
        "face": "aws-rekognition",
        "compositor": "local-blend",
        "story": "aws-bedrock-story",
    }
    response = Client().get(job.portrait.get_absolute_url())
    assert response.status_code == 200
    assert "In a past life, you were Mina the sailor." in response.content.decode()


def test_a_failed_story_falls_back_to_the_base_images_story_and_the_job_records_why(
    booth, settings
):
    settings.BOOTH_STORY_WRITER = "experiences.photo.backends.bedrock_text.BedrockStoryWriter"
    job = factories.make_job(booth.station, nickname="Mina")
    with Stubber(story_client()) as stub:
        stub.add_client_error("converse", "ModelTimeoutException", "Model timed out", 408)

        assert run_job(job.pk) == Job.State.SUCCEEDED

    job.refresh_from_db()
    assert job.story == job.base_image.story.replace("{nickname}", "Mina")
    assert job.backends["story"] == "local-template"
    assert job.backends["story_fallback_from"] == "aws-bedrock-story"
    assert "ModelTimeoutException: Model timed out" in job.backends["story_error"]


# --- Bedrock images -------------------------------------------------------------------

PICTURE = Image.new("RGB", (64, 96), (10, 120, 200))


def invoke_reply(payload: dict) -> dict:
    data = json.dumps(payload).encode()
    return {"body": body_of(data), "contentType": "application/json"}


def invoke_params(model_id: str, body: dict) -> dict:
    return {
        "modelId": model_id,
        "body": json.dumps(body),
        "contentType": "application/json",
        "accept": "application/json",
    }


def generate(generator, **overrides):
    arguments = {
        "negative_prompt": "blurry, extra fingers",
        "seed": 42,
        "width": 768,
        "height": 1152,
    }
    return generator.generate(
        "A 30 year old female scholar in Korea, 1590s", **{**arguments, **overrides}
    )


def test_titan_sends_a_text_image_request_and_decodes_the_image():
    body = {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {
            "text": "A 30 year old female scholar in Korea, 1590s",
            "negativeText": "blurry, extra fingers",
        },
        "imageGenerationConfig": {
            "numberOfImages": 1,
            "height": 1152,
            "width": 768,
            "cfgScale": 8.0,
            "seed": 42,
            "quality": "premium",
        },
    }
    with Stubber(aws.client("bedrock-runtime", read_timeout=120)) as stub:
        stub.add_response(
            "invoke_model",
            invoke_reply({"images": [png_b64(PICTURE)], "error": None}),
            invoke_params("amazon.titan-image-generator-v2:0", body),
        )
        image = generate(TitanImageGenerator())
    assert image.size == (64, 96)
    assert image.getpixel((5, 5)) == (10, 120, 200)


def test_titan_content_filter_and_errors_are_clear():
    with Stubber(aws.client("bedrock-runtime", read_timeout=120)) as stub:
        stub.add_client_error(
            "invoke_model",
            "ValidationException",
            "This request has been blocked by our content filters.",
            400,
        )
        stub.add_response("invoke_model", invoke_reply({"images": [], "error": "Image blocked"}))
        stub.add_client_error("invoke_model", "ThrottlingException", "Too many requests", 429)
        stub.add_client_error("invoke_model", "ModelTimeoutException", "Model timed out", 408)

        with pytest.raises(
            BackendFailed, match="ValidationException: This request has been blocked"
        ):
            generate(TitanImageGenerator())
        with pytest.raises(BackendFailed, match="refused the prompt: Image blocked"):
            generate(TitanImageGenerator())
        with pytest.raises(BackendFailed, match="ThrottlingException: Too many requests"):
            generate(TitanImageGenerator())
        with pytest.raises(BackendFailed, match="ModelTimeoutException"):
            generate(TitanImageGenerator())


def test_sdxl_sends_weighted_prompts_and_reads_the_artifact():
    body = {
        "text_prompts": [
            {"text": "A 30 year old female scholar in Korea, 1590s", "weight": 1.0},
            {"text": "blurry, extra fingers", "weight": -1.0},
        ],
        "cfg_scale": 7.0,
        "seed": 42,
        "steps": 40,
        "width": 832,  # SDXL's own table: 768x1152 is not in it
        "height": 1216,
        "style_preset": "photographic",
    }
    with Stubber(aws.client("bedrock-runtime", read_timeout=120)) as stub:
        stub.add_response(
            "invoke_model",
            invoke_reply(
                {
                    "result": "success",
                    "artifacts": [
                        {"seed": 42, "base64": png_b64(PICTURE), "finishReason": "SUCCESS"}
                    ],
                }
            ),
            invoke_params("stability.stable-diffusion-xl-v1", body),
        )
        stub.add_response(
            "invoke_model",
            invoke_reply(
                {
                    "result": "success",
                    "artifacts": [{"seed": 42, "base64": "", "finishReason": "CONTENT_FILTERED"}],
                }
            ),
        )

        sdxl = StableDiffusionImageGenerator("stability.stable-diffusion-xl-v1")
        assert generate(sdxl, width=832, height=1216).size == (64, 96)
        with pytest.raises(BackendFailed, match=r"filtered the image \(CONTENT_FILTERED\): reword"):
            generate(sdxl, width=832, height=1216)


def test_newer_stability_models_use_prompt_and_aspect_ratio():
    model = "stability.sd3-large-v1:0"
    body = {
        "prompt": "A 30 year old female scholar in Korea, 1590s",
        "seed": 42,
        "output_format": "png",
        "aspect_ratio": "2:3",
        "negative_prompt": "blurry, extra fingers",
    }
    with Stubber(aws.client("bedrock-runtime", read_timeout=120)) as stub:
        stub.add_response(
            "invoke_model",
            invoke_reply({"seeds": [42], "finish_reasons": [None], "images": [png_b64(PICTURE)]}),
            invoke_params(model, body),
        )
        stub.add_response(
            "invoke_model",
            invoke_reply(
                {"seeds": [42], "finish_reasons": ["Filter reason: prompt"], "images": []}
            ),
        )

        assert generate(generator_for(model)).size == (64, 96)
        with pytest.raises(BackendFailed, match="filtered the image"):
            generate(generator_for(model))


def test_an_unknown_image_model_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="use titan, sdxl or a Bedrock model id"):
        generator_for("dall-e")
