"""The Bedrock backends of the uniform try-on and the business portrait, through the job,
against botocore's Stubber on the client they use, with InvokeModel's real shapes."""

import base64
import io
import json

import numpy as np
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from PIL import Image

from displays.models import Display
from experiences.models.photo import Job
from experiences.photo.backends.local import HaarFaceDetector
from experiences.photo.jobs import run_job
from kernel import aws
from tests import factories, photos

pytestmark = pytest.mark.django_db

V2 = "amazon.titan-image-generator-v2:0"
V1 = "amazon.titan-image-generator-v1"
GREEN = (20, 150, 60)
# The astronaut on a 16:9 frame, as a tablet camera takes it: 910×512 with grey wall on
# both sides, the astronaut's 512×512 photo from x = 199.
FRAME = (910, 512)
OFFSET_X = 199
SUIT_LEFT_ARM = (45, 300, 60, 80)  # in the astronaut photo's own coordinates
FACE = (195, 85, 60, 60)
WALL = (330, 10, 60, 40)


@pytest.fixture
def uniform_on_bedrock(settings):
    settings.BOOTH_UNIFORM_PAINTER = "experiences.photo.backends.titan_edit.TitanUniformPainter"


@pytest.fixture
def business_on_bedrock(settings):
    settings.BOOTH_BUSINESS_PORTRAIT_MAKER = (
        "experiences.photo.backends.titan_edit.TitanBusinessPortraitMaker"
    )


def wide_photo() -> Image.Image:
    frame = Image.new("RGB", FRAME, (200, 195, 190))
    frame.paste(photos.face_image(), (OFFSET_X, 0))
    return frame


def png_b64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def decode_png(data: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    assert image.format == "PNG"
    image.load()
    return image


def titan_reply(*images: Image.Image, error=None) -> dict:
    """InvokeModel's response: the JSON body Titan Image Generator sends back."""
    payload = json.dumps({"images": [png_b64(image) for image in images], "error": error}).encode()
    return {
        "body": StreamingBody(io.BytesIO(payload), len(payload)),
        "contentType": "application/json",
    }


class StubbedBedrock:
    """Stubber on the client the Titan backends get, recording every InvokeModel request."""

    def __init__(self, read_timeout: float | None = None):
        self.client = aws.client("bedrock-runtime", read_timeout=read_timeout)
        self.stubber = Stubber(self.client)
        self.requests: list[dict] = []
        self.client.meta.events.register(
            "before-parameter-build.bedrock-runtime.InvokeModel", self._record
        )

    def _record(self, params, **kwargs):
        self.requests.append(dict(params))

    def expect(self, model: str, response: dict) -> None:
        self.stubber.add_response(
            "invoke_model",
            response,
            {
                "modelId": model,
                "body": ANY,
                "contentType": "application/json",
                "accept": "application/json",
            },
        )

    def fail(self, code: str, message: str, status: int) -> None:
        self.stubber.add_client_error(
            "invoke_model",
            service_error_code=code,
            service_message=message,
            http_status_code=status,
        )

    def body(self, index: int = 0) -> dict:
        return json.loads(self.requests[index]["body"])


@pytest.fixture
def bedrock():
    stub = StubbedBedrock()
    with stub.stubber:
        yield stub
        stub.stubber.assert_no_pending_responses()


def region(image: Image.Image, box, offset_x: int = 0) -> np.ndarray:
    x, y, w, h = box
    return np.asarray(image.convert("RGB"), np.float32)[y : y + h, x + offset_x : x + offset_x + w]


def read_portrait(job: Job) -> Image.Image:
    with job.portrait.file.open("rb") as handle:
        data = handle.read()
    assert b"Exif\x00\x00" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image


@pytest.mark.parametrize("model", [V2, V1])
def test_uniform_sends_the_reference_inpainting_request(
    settings, uniform_on_bedrock, bedrock, model
):
    settings.BOOTH_TITAN_IMAGE_EDIT_MODEL = model
    booth = factories.make_photo_booth("uniform", uniform_colour="sky_blue")
    job = factories.make_job(
        booth.station, gender="female", photo=photos.jpeg_bytes(wide_photo(), quality=95)
    )
    bedrock.expect(model, titan_reply(Image.new("RGB", (512, 512), GREEN)))

    assert run_job(job.pk) == Job.State.SUCCEEDED

    assert bedrock.requests[0]["modelId"] == model
    body = bedrock.body()
    assert body["taskType"] == "INPAINTING"
    assert body["imageGenerationConfig"] == {
        "numberOfImages": 1,
        "height": 512,
        "width": 512,
        "cfgScale": 8.0,
    }
    params = body["inPaintingParams"]
    assert set(params) == {"image", "text", "negativeText", "maskImage"}
    assert params["text"] == "woman's soccer uniform, short-sleeved team jersey, of sky blue color"
    assert params["negativeText"] == "bad quality, low res"
    sent = decode_png(params["image"]).convert("RGB")
    mask = np.asarray(decode_png(params["maskImage"]).convert("RGB"))
    assert sent.size == (512, 512) and mask.shape == (512, 512, 3)
    assert set(np.unique(mask)) <= {0, 255}  # pure black and white, nothing in between
    # The 910×512 frame is letterboxed: scaled by 512/910, bands above and below.
    scale = 512 / FRAME[0]
    top = (512 - round(FRAME[1] * scale)) // 2

    def square(x: float, y: float) -> tuple[int, int]:
        return round(x * scale), round(top + y * scale)

    arm_x, arm_y = square(OFFSET_X + 75, 340)
    assert (mask[arm_y, arm_x] == 0).all()  # the suit is black: Titan redraws it
    for x, y in [(OFFSET_X + 225, 115), (OFFSET_X + 360, 30), (20, 300)]:  # face, wall, wall
        sx, sy = square(x, y)
        assert (mask[sy, sx] == 255).all(), (x, y)
    assert (mask[: top - 1] == 255).all() and (mask[512 - top + 1 :] == 255).all()  # bands kept
    faces = HaarFaceDetector().detect(sent)
    assert len(faces) == 1
    fx, fy = (round(v) for v in faces[0].center)
    assert (mask[fy, fx] == 255).all()  # the face Titan sees is outside the mask
    assert 0.05 < (mask[..., 0] == 0).mean() < 0.4

    job.refresh_from_db()
    assert job.backends["uniform"] == "bedrock-titan-inpainting"
    portrait = read_portrait(job)
    assert portrait.size == FRAME
    arm = region(portrait, SUIT_LEFT_ARM, OFFSET_X).mean(axis=(0, 1))
    assert np.abs(arm - np.array(GREEN)).max() < 20  # Titan's kit, mapped back in place
    original = wide_photo()
    for box in (FACE, WALL):  # the photo's own pixels outside the clothes
        change = np.abs(region(portrait, box, OFFSET_X) - region(original, box, OFFSET_X))
        assert change.mean() < 6  # three JPEG generations (upload, stored, published)


def test_business_sends_the_reference_outpainting_request(settings, business_on_bedrock, bedrock):
    settings.BOOTH_TITAN_OUTPAINTING_MODE = "PRECISE"
    booth = factories.make_photo_booth("business")
    job = factories.make_job(booth.station, gender="male")
    generated = Image.new("RGB", (512, 512), (190, 215, 240))
    bedrock.expect(V2, titan_reply(generated))

    assert run_job(job.pk) == Job.State.SUCCEEDED

    body = bedrock.body()
    assert body["taskType"] == "OUTPAINTING"
    assert body["imageGenerationConfig"] == {
        "numberOfImages": 1,
        "height": 512,
        "width": 512,
        "cfgScale": 8.0,
    }
    params = body["outPaintingParams"]
    assert set(params) == {"image", "text", "negativeText", "maskImage", "outPaintingMode"}
    assert params["text"] == (
        "A man in a well tailored formal business suit, plain light blue background portrait photo"
    )
    assert params["negativeText"] == "Beard, Accessory, Scarf"
    assert params["outPaintingMode"] == "PRECISE"
    sent = decode_png(params["image"]).convert("RGB")
    mask = np.asarray(decode_png(params["maskImage"]).convert("RGB"))
    assert sent.size == (512, 512) and mask.shape == (512, 512, 3)
    assert set(np.unique(mask)) <= {0, 255}
    faces = HaarFaceDetector().detect(sent)
    assert len(faces) == 1
    fx, fy = (round(v) for v in faces[0].center)
    assert (mask[fy, fx] == 0).all()  # the face is inside the mask: outpainting keeps it
    assert abs(fx - 256) < 40  # head and shoulders, face centred
    for x, y in [(5, 5), (506, 5), (256, 500), (5, 500), (506, 500)]:  # suit and backdrop
        assert (mask[y, x] == 255).all(), (x, y)
    assert 0.03 < (mask[..., 0] == 0).mean() < 0.25

    job.refresh_from_db()
    assert job.backends["business"] == "bedrock-titan-outpainting"
    assert job.story.endswith("dressed for the interview of a lifetime.")
    portrait = read_portrait(job)
    assert portrait.size == (768, 768)
    assert np.abs(region(portrait, (0, 0, 768, 768)).mean(axis=(0, 1)) - (190, 215, 240)).max() < 3


def test_content_filter_rejection_fails_the_job_with_the_aws_reason(uniform_on_bedrock, bedrock):
    booth = factories.make_photo_booth("uniform")
    shown = factories.make_job(booth.station, nickname="First")
    bedrock.expect(V2, titan_reply(Image.new("RGB", (512, 512), GREEN)))
    run_job(shown.pk)
    shown.refresh_from_db()
    job = factories.make_job(booth.station, nickname="Second")
    bedrock.fail(
        "ValidationException", "This request has been blocked by our content filters.", 400
    )

    assert run_job(job.pk) == Job.State.FAILED

    job.refresh_from_db()
    assert job.error == (
        "The uniform try-on could not be made: Bedrock InvokeModel "
        "(amazon.titan-image-generator-v2:0) failed: ValidationException: "
        "This request has been blocked by our content filters."
    )
    assert not job.assets.exists()
    assert Display.objects.get(pk=booth.display.pk).current_asset == shown.portrait


@pytest.mark.parametrize(
    ("code", "status"), [("ThrottlingException", 429), ("ModelTimeoutException", 408)]
)
def test_throttling_and_model_timeouts_fail_the_job_naming_the_aws_code(
    settings, business_on_bedrock, code, status
):
    settings.BOOTH_AWS_MAX_ATTEMPTS = 1  # adaptive retries would otherwise try again
    stub = StubbedBedrock()
    booth = factories.make_photo_booth("business")
    job = factories.make_job(booth.station)

    with stub.stubber:
        stub.fail(code, "Model is busy, try later", status)
        assert run_job(job.pk) == Job.State.FAILED

    job.refresh_from_db()
    assert job.error == (
        "The business portrait could not be made: Bedrock InvokeModel "
        f"(amazon.titan-image-generator-v2:0) failed: {code}: Model is busy, try later"
    )
    assert not job.assets.exists()


def test_a_reply_without_an_image_fails_the_job_readably(business_on_bedrock, bedrock):
    booth = factories.make_photo_booth("business")
    job = factories.make_job(booth.station)
    bedrock.expect(V2, titan_reply(error="An internal error occurred"))

    assert run_job(job.pk) == Job.State.FAILED

    job.refresh_from_db()
    assert job.error == (
        "The business portrait could not be made: Bedrock InvokeModel "
        "(amazon.titan-image-generator-v2:0) returned an error: An internal error occurred"
    )


def test_titan_calls_wait_as_long_as_the_titan_read_timeout_says(settings, uniform_on_bedrock):
    settings.BOOTH_TITAN_READ_TIMEOUT = 90
    stub = StubbedBedrock(read_timeout=90)  # the client made for that timeout
    assert stub.client.meta.config.read_timeout == 90
    booth = factories.make_photo_booth("uniform")
    job = factories.make_job(booth.station)

    with stub.stubber:
        stub.expect(V2, titan_reply(Image.new("RGB", (512, 512), GREEN)))
        assert run_job(job.pk) == Job.State.SUCCEEDED

    assert len(stub.requests) == 1
