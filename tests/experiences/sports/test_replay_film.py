"""The reference booth's FILM interpolation on a SageMaker asynchronous endpoint, against
botocore's Stubber with the real request and response shapes."""

import io
import json
import tarfile

import cv2
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


def film_output(frames: int) -> bytes:
    """What the FILM container returns: the interpolated frames as PNGs in a tar.gz."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for index, frame in enumerate(ball_frames(frames, 10 / 4)):
            png = cv2.imencode(".png", frame)[1].tobytes()
            entry = tarfile.TarInfo(f"interpolated/{index:05d}.png")
            entry.size = len(png)
            archive.addfile(entry, io.BytesIO(png))
    return buffer.getvalue()


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


def test_film_sends_frames_and_config_and_reassembles_three_times_slower(tmp_path):
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
            "get_object", {"Body": body(film_output(93))},
            {"Bucket": BUCKET, "Key": "film/out/rep-1.out"},
        )  # fmt: skip
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
    assert config == {"uuid": "rep-1", "times_to_interpolate": 2, "fps": 24.0, "frames": 24}
    assert sorted(n for n in names if n.startswith("frames/")) == [
        f"frames/frame_{i:05d}.png" for i in range(1, 25)
    ]
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
