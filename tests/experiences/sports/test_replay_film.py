"""The reference FILM container (aws-samples "super slow motion video creation") on a
SageMaker asynchronous endpoint, against botocore's Stubber with the container's own
contract: top-level JPEG frames and config.json in, a JSON answer naming the folder of
frames it uploaded, which Booth downloads and deletes."""

import io
import json
import tarfile

import cv2
import numpy as np
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from experiences.photo.backends import BackendFailed
from experiences.sports.replay_backends import SageMakerFilmSlowMotion
from experiences.sports.video import probe
from kernel import aws
from tests.clips import ball_clip, ball_frames, ball_x, needs_ffmpeg, read_frames

pytestmark = needs_ffmpeg

BUCKET = "booth-scratch"
INPUT_KEY = "tmp/rep-1/input.tar.gz"
OUTPUT = f"s3://{BUCKET}/film/out/rep-1.out"
FAILURE = f"s3://{BUCKET}/film/failed/rep-1-error.out"
FRAMES_PREFIX = "tmp/film-frames/12345/"


@pytest.fixture(autouse=True)
def film_settings(settings):
    settings.BOOTH_AWS_S3_BUCKET = BUCKET
    settings.BOOTH_AWS_S3_PREFIX = "tmp/"
    settings.BOOTH_AWS_MAX_ATTEMPTS = 1
    settings.BOOTH_FILM_ENDPOINT = "film-interpolation"
    settings.BOOTH_FILM_TIMEOUT = 600
    settings.BOOTH_SAGEMAKER_ASYNC_POLL_SECONDS = 5


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def film_frames(frames: int) -> list[bytes]:
    """What the FILM container uploads: the interpolated frames as JPEGs."""
    return [cv2.imencode(".jpg", frame)[1].tobytes() for frame in ball_frames(frames, 10 / 4)]


def film_answer(status: str = "SUCCESS") -> bytes:
    """The container's reply, written by SageMaker to the OutputLocation."""
    return json.dumps(
        {"status": status, "output_location": f"s3://{BUCKET}/{FRAMES_PREFIX}"}
    ).encode()


def expect_frames(s3: Stubber, frames: list[bytes]) -> None:
    keys = [f"{FRAMES_PREFIX}frame_{i:07d}.jpg" for i in range(len(frames))]
    s3.add_response(
        "list_objects_v2",
        {"Contents": [{"Key": k, "Size": len(f)} for k, f in zip(keys, frames, strict=True)],
         "IsTruncated": False},
        {"Bucket": BUCKET, "Prefix": FRAMES_PREFIX},
    )  # fmt: skip
    for key, frame in zip(keys, frames, strict=True):
        s3.add_response("get_object", {"Body": body(frame)}, {"Bucket": BUCKET, "Key": key})
    s3.add_response(
        "delete_objects",
        {},
        {"Bucket": BUCKET, "Delete": {"Objects": [{"Key": k} for k in keys], "Quiet": True}},
    )


def body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def uploads(client) -> list[dict]:
    """Every PutObject the client sends, as Booth built it."""
    seen: list[dict] = []
    client.meta.events.register(
        "provide-client-params.s3.PutObject", lambda params, **_: seen.append(dict(params))
    )
    return seen


def expect_invoke(s3: Stubber, sm: Stubber) -> None:
    s3.add_response(
        "put_object",
        {},
        {"Bucket": BUCKET, "Key": INPUT_KEY, "Body": ANY, "ContentType": "application/gzip"},
    )
    sm.add_response(
        "invoke_endpoint_async",
        {"InferenceId": "rep-1", "OutputLocation": OUTPUT, "FailureLocation": FAILURE},
        {
            "EndpointName": "film-interpolation",
            "InputLocation": f"s3://{BUCKET}/{INPUT_KEY}",
            "ContentType": "application/gzip",
            "Accept": "application/json",
            "InferenceId": "rep-1",
            "RequestTTLSeconds": 600,
        },
    )


def missing(s3: Stubber, uri: str) -> None:
    key = uri.removeprefix(f"s3://{BUCKET}/")
    s3.add_client_error(
        "get_object", "NoSuchKey", "The specified key does not exist.", 404,
        expected_params={"Bucket": BUCKET, "Key": key},
    )  # fmt: skip


def expect_cleanup(s3: Stubber) -> None:
    keys = [INPUT_KEY, "film/out/rep-1.out", "film/failed/rep-1-error.out"]
    s3.add_response(
        "delete_objects",
        {},
        {"Bucket": BUCKET, "Delete": {"Objects": [{"Key": k} for k in keys], "Quiet": True}},
    )


def test_film_speaks_the_reference_contract_and_reassembles_three_times_slower(tmp_path):
    clip = ball_clip(tmp_path / "kick.mp4", frames=24, fps=24)
    info = probe(clip)
    clock = FakeClock()
    s3_client = aws.client("s3")
    sent = uploads(s3_client)
    with Stubber(s3_client) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_invoke(s3, sm)
        missing(s3, OUTPUT)
        missing(s3, FAILURE)
        s3.add_response(
            "get_object", {"Body": body(film_answer())},
            {"Bucket": BUCKET, "Key": "film/out/rep-1.out"},
        )  # fmt: skip
        expect_frames(s3, film_frames(93))
        expect_cleanup(s3)
        out = tmp_path / "slow.mp4"

        SageMakerFilmSlowMotion(new_id=lambda: "rep-1", clock=clock, sleep=clock.sleep).make(
            clip, info, out, 3, None
        )

        s3.assert_no_pending_responses()
        sm.assert_no_pending_responses()
    with tarfile.open(fileobj=io.BytesIO(sent[0]["Body"]), mode="r:gz") as archive:
        names = archive.getnames()
        config = json.load(archive.extractfile("config.json"))
        first = archive.extractfile("frame_00001.jpg").read()
    # Exactly the keys the reference container's model.py and utils.py read.
    assert config == {"align": 64, "block_height": 1, "block_width": 1, "time_to_interpolate": 2}
    assert sorted(n for n in names if n != "config.json") == [
        f"frame_{i:05d}.jpg" for i in range(1, 25)
    ]  # top level: the container globs <folder>/*.jpg
    assert first[:3] == b"\xff\xd8\xff"  # JPEG
    slow = probe(out)
    # 93 frames (4x from two FILM passes) at 32 fps: the 1 s kick lasts about 3 s.
    assert slow.duration == pytest.approx(3 * info.duration, abs=0.15)
    assert slow.fps == pytest.approx(32, abs=0.01)
    positions = [ball_x(frame) for frame in read_frames(out)]
    assert positions[0] < positions[len(positions) // 2] < positions[-1]
    assert clock.now == 5  # polled once more after the output was missing


def test_a_failure_the_container_reports_is_the_job_error_and_everything_is_deleted(tmp_path):
    clip = ball_clip(tmp_path / "kick.mp4", frames=12, fps=24)
    clock = FakeClock()
    with Stubber(aws.client("s3")) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_invoke(s3, sm)
        missing(s3, OUTPUT)
        s3.add_response(
            "get_object", {"Body": body(b"CUDA out of memory")},
            {"Bucket": BUCKET, "Key": "film/failed/rep-1-error.out"},
        )  # fmt: skip
        expect_cleanup(s3)

        with pytest.raises(BackendFailed, match="film-interpolation failed: CUDA out of memory"):
            SageMakerFilmSlowMotion(new_id=lambda: "rep-1", clock=clock, sleep=clock.sleep).make(
                clip, probe(clip), tmp_path / "slow.mp4", 3, None
            )

        s3.assert_no_pending_responses()


def test_a_throttled_invoke_names_the_aws_error(tmp_path):
    clip = ball_clip(tmp_path / "kick.mp4", frames=12, fps=24)
    with Stubber(aws.client("s3")) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        s3.add_response("put_object", {}, {"Bucket": BUCKET, "Key": INPUT_KEY, "Body": ANY,
                                           "ContentType": "application/gzip"})  # fmt: skip
        sm.add_client_error("invoke_endpoint_async", "ThrottlingException", "Rate exceeded", 400)
        s3.add_response(
            "delete_objects", {},
            {"Bucket": BUCKET, "Delete": {"Objects": [{"Key": INPUT_KEY}], "Quiet": True}},
        )  # fmt: skip

        with pytest.raises(BackendFailed, match="ThrottlingException: Rate exceeded"):
            SageMakerFilmSlowMotion(new_id=lambda: "rep-1").make(
                clip, probe(clip), tmp_path / "slow.mp4", 3, None
            )


def test_without_an_endpoint_the_error_says_which_setting(settings, tmp_path):
    settings.BOOTH_FILM_ENDPOINT = ""
    clip = ball_clip(tmp_path / "kick.mp4", frames=6)

    with pytest.raises(BackendFailed, match="BOOTH_FILM_ENDPOINT is not set"):
        SageMakerFilmSlowMotion().make(clip, probe(clip), tmp_path / "slow.mp4", 3, None)


def test_an_answer_that_is_not_the_reference_json_says_which_contract_was_expected(tmp_path):
    clip = ball_clip(tmp_path / "kick.mp4", frames=12, fps=24)
    with Stubber(aws.client("s3")) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_invoke(s3, sm)
        s3.add_response(
            "get_object", {"Body": body(b"\x1f\x8b\x08 an old tar.gz")},
            {"Bucket": BUCKET, "Key": "film/out/rep-1.out"},
        )  # fmt: skip
        expect_cleanup(s3)

        with pytest.raises(BackendFailed, match=r'JSON \{"status", "output_location"\}'):
            SageMakerFilmSlowMotion(new_id=lambda: "rep-1").make(
                clip, probe(clip), tmp_path / "slow.mp4", 3, None
            )
        s3.assert_no_pending_responses()


def test_a_failed_upload_the_container_reports_is_the_job_error(tmp_path):
    clip = ball_clip(tmp_path / "kick.mp4", frames=12, fps=24)
    with Stubber(aws.client("s3")) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_invoke(s3, sm)
        s3.add_response(
            "get_object", {"Body": body(film_answer("Failed"))},
            {"Bucket": BUCKET, "Key": "film/out/rep-1.out"},
        )  # fmt: skip
        expect_cleanup(s3)

        with pytest.raises(BackendFailed, match="reports status 'Failed'"):
            SageMakerFilmSlowMotion(new_id=lambda: "rep-1").make(
                clip, probe(clip), tmp_path / "slow.mp4", 3, None
            )
        s3.assert_no_pending_responses()


def test_large_frames_are_sent_downscaled(tmp_path, settings):
    settings.BOOTH_FILM_MAX_SIDE = 160
    clip = ball_clip(tmp_path / "kick.mp4", frames=6, fps=24)
    s3_client = aws.client("s3")
    sent = uploads(s3_client)
    with Stubber(s3_client) as s3, Stubber(aws.client("sagemaker-runtime")) as sm:
        expect_invoke(s3, sm)
        s3.add_response(
            "get_object", {"Body": body(film_answer("Failed"))},
            {"Bucket": BUCKET, "Key": "film/out/rep-1.out"},
        )  # fmt: skip
        expect_cleanup(s3)
        with pytest.raises(BackendFailed):
            SageMakerFilmSlowMotion(new_id=lambda: "rep-1").make(
                clip, probe(clip), tmp_path / "slow.mp4", 3, None
            )
    with tarfile.open(fileobj=io.BytesIO(sent[0]["Body"]), mode="r:gz") as archive:
        jpeg = archive.extractfile("frame_00001.jpg").read()
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert max(frame.shape[:2]) <= 160
