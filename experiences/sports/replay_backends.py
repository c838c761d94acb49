"""Slow-motion replays: one small Protocol, one class per backend, chosen in settings
(BOOTH_SLOW_MOTION)."""

import io
import json
import math
import tarfile
import tempfile
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from django.conf import settings

from experiences.photo.backends import scratch
from experiences.photo.backends.sagemaker import Polling, run_async
from experiences.sports.video import (
    EVEN,
    PHONE_H264,
    ClipInfo,
    FrameWriter,
    Progress,
    VideoFailed,
    encode_frames,
    run_ffmpeg,
    slow_motion_filter,
)
from kernel.plugins import BackendFailed, Backends


class SlowMotionMaker(Protocol):
    name: str

    def make(
        self, clip: Path, info: ClipInfo, output: Path, factor: int, progress: Progress
    ) -> None:
        """Write `clip` slowed `factor` times, at its own frame rate, as phone H.264 to
        `output`; call `progress` with the fraction done."""
        ...


class FFmpegSlowMotion:
    """Motion-compensated interpolation (FFmpeg's minterpolate), offline on the CPU."""

    name = "ffmpeg-minterpolate"

    def make(
        self, clip: Path, info: ClipInfo, output: Path, factor: int, progress: Progress
    ) -> None:
        run_ffmpeg(
            ["-i", str(clip), "-vf", slow_motion_filter(info, factor), *PHONE_H264, str(output)],
            duration=info.duration * factor,
            progress=progress,
        )


SLOW_MOTION_MAKERS = Backends(
    "BOOTH_SLOW_MOTION",
    {
        "optical-flow": "experiences.sports.replay_backends.OpticalFlowSlowMotion",
        "ffmpeg": "experiences.sports.replay_backends.FFmpegSlowMotion",
        "film": "experiences.sports.replay_backends.SageMakerFilmSlowMotion",
    },
    moved={
        "experiences.backends.replay.OpticalFlowSlowMotion": "optical-flow",
        "experiences.backends.replay.FFmpegSlowMotion": "ffmpeg",
        "experiences.backends.replay.SageMakerFilmSlowMotion": "film",
    },
)


def slow_motion_maker() -> SlowMotionMaker:
    return SLOW_MOTION_MAKERS.get()


class OpticalFlowSlowMotion:
    """Dense optical flow (OpenCV's DIS) both ways between neighbouring frames, and frames in
    between warped from both sides (the linear-motion approximation of Super SloMo).

    About twenty times cheaper than FFmpeg's minterpolate at 720p, so a replay is ready
    while the player is still at the booth.
    """

    name = "opencv-dis-flow"

    def make(
        self, clip: Path, info: ClipInfo, output: Path, factor: int, progress: Progress
    ) -> None:
        reader = cv2.VideoCapture(str(clip))
        ok, previous = reader.read()
        if not ok:
            raise VideoFailed("The clip has no frames OpenCV can decode.")
        height, width = previous.shape[:2]
        writer = FrameWriter(output, width, height, info.fps)
        flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
        grid = np.dstack(np.meshgrid(np.arange(width), np.arange(height))).astype(np.float32)
        done, total = 0, max(1, info.frames - 1)
        try:
            while True:
                ok, current = reader.read()
                if not ok:
                    break
                writer.write(previous)
                for frame in _between(previous, current, factor, flow, grid):
                    writer.write(frame)
                previous = current
                done += 1
                if progress:
                    progress(min(0.99, done / total))
            writer.write(previous)
            writer.close()
        except BaseException:
            writer.abort()
            raise
        finally:
            reader.release()
        if progress:
            progress(1.0)


def _between(first, second, factor: int, flow, grid):
    """The `factor - 1` frames at times k/factor between two frames."""
    f01, f10 = _flow(first, second, flow), _flow(second, first, flow)
    for k in range(1, factor):
        t = k / factor
        # Where each pixel of the in-between frame comes from in each neighbour, assuming
        # steady motion; OpenCV's arithmetic and a two-channel map keep this multi-threaded.
        to0 = cv2.add(grid, cv2.addWeighted(f01, -(1 - t) * t, f10, t * t, 0))
        to1 = cv2.add(grid, cv2.addWeighted(f01, (1 - t) * (1 - t), f10, -t * (1 - t), 0))
        from0 = cv2.remap(first, to0, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        from1 = cv2.remap(second, to1, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        yield cv2.addWeighted(from0, 1 - t, from1, t, 0)


def _flow(source, target, flow):
    """Dense flow at half resolution (motion between frames is smooth; this is 4x cheaper),
    scaled back up to full size."""
    height, width = source.shape[:2]
    small = [
        cv2.cvtColor(cv2.resize(img, (width // 2, height // 2), interpolation=cv2.INTER_AREA),
                     cv2.COLOR_BGR2GRAY)
        for img in (source, target)
    ]  # fmt: skip
    coarse = flow.calc(small[0], small[1], None)
    return cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR) * 2


# The reference container's interpolator settings (its model.py's defaults): frames are
# padded to a multiple of `align` and processed as one block.
FILM_CONFIG = {"align": 64, "block_height": 1, "block_width": 1}
# SageMaker asynchronous inference accepts request payloads up to 1 GB.
ASYNC_PAYLOAD_LIMIT = 1_000_000_000


class SageMakerFilmSlowMotion(Polling):
    """FILM frame interpolation on a SageMaker asynchronous endpoint running the reference
    container (aws-samples "super slow motion video creation using generative AI on AWS").

    Its contract, which this class speaks: the request is a tar.gz with the clip's frames as
    JPEG files at the top level (`frame_00001.jpg`, ...; the container reads `*.jpg` in name
    order) and a `config.json` with `align`, `block_height`, `block_width` and
    `time_to_interpolate` (FILM passes: each doubles the frame count). The container uploads
    the interpolated frames itself, to `s3://<its s3_bucket>/<its s3_prefix>/<folder>/`, and
    answers with JSON `{"status": "SUCCESS", "output_location": "s3://..."}`. Booth then
    lists and downloads those frames, deletes them (they are a visitor's video), and FFmpeg
    reassembles them at the rate that makes the clip `factor` times slower.

    Frames are JPEG and at most BOOTH_FILM_MAX_SIDE pixels on their longer side, so a
    1080p clip stays far under the asynchronous payload cap; a request still over it is
    refused before upload. The container's s3_prefix should sit under BOOTH_AWS_S3_PREFIX,
    so Booth's IAM policy and the bucket's lifecycle rule cover the frames too.
    """

    name = "aws-sagemaker-film"

    def make(
        self, clip: Path, info: ClipInfo, output: Path, factor: int, progress: Progress
    ) -> None:
        endpoint = settings.BOOTH_FILM_ENDPOINT
        if not endpoint:
            raise BackendFailed("BOOTH_FILM_ENDPOINT is not set: no FILM endpoint to call.")
        passes = max(1, math.ceil(math.log2(factor)))
        request_id = self.new_id()
        input_key = scratch.key(request_id, "input.tar.gz")
        created = [input_key]
        report = progress or (lambda _fraction: None)
        try:
            with tempfile.TemporaryDirectory() as folder:
                work = Path(folder)
                frames = _extract_frames(clip, info, work / "frames", report)
                config = {**FILM_CONFIG, "time_to_interpolate": passes}
                payload = _pack(frames, config)
                if len(payload) > ASYNC_PAYLOAD_LIMIT:
                    raise BackendFailed(
                        f"The clip's frames are {len(payload) / 1e6:.0f} MB, over SageMaker's "
                        f"asynchronous payload limit of 1 GB: lower BOOTH_FILM_MAX_SIDE or "
                        "shorten the clip."
                    )
                scratch.put(input_key, payload, "application/gzip")
                report(0.3)
                answer = run_async(
                    endpoint, request_id, input_key, "application/gzip", created,
                    timeout=settings.BOOTH_FILM_TIMEOUT, timeout_setting="BOOTH_FILM_TIMEOUT",
                    clock=self.clock, sleep=self.sleep,
                )  # fmt: skip
                report(0.7)
                count = _fetch_frames(_output_location(answer, endpoint), work / "slow", endpoint)
                report(0.8)
                rate = info.fps * 2**passes / factor
                encode_frames(work / "slow" / "%06d.jpg", rate, output,
                              lambda f: report(0.8 + 0.2 * f), frames=count)  # fmt: skip
        finally:
            scratch.delete(created)


def _extract_frames(clip: Path, info: ClipInfo, folder: Path, report: Progress) -> list[Path]:
    """The clip's frames as high-quality JPEGs, downscaled to BOOTH_FILM_MAX_SIDE."""
    folder.mkdir()
    side = settings.BOOTH_FILM_MAX_SIDE
    scale = (
        f"scale=w='min({side},iw)':h='min({side},ih)':force_original_aspect_ratio=decrease,{EVEN}"
    )
    run_ffmpeg(["-i", str(clip), "-vf", scale, "-q:v", "2", str(folder / "frame_%05d.jpg")],
               duration=info.duration, progress=lambda f: report(0.2 * f))  # fmt: skip
    return sorted(folder.glob("frame_*.jpg"))


def _pack(frames: list[Path], config: dict) -> bytes:
    """The request archive: JPEG frames and config.json, all at the top level."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for frame in frames:
            archive.add(frame, arcname=frame.name)
        data = json.dumps(config).encode()
        entry = tarfile.TarInfo("config.json")
        entry.size = len(data)
        archive.addfile(entry, io.BytesIO(data))
    return buffer.getvalue()


def _output_location(answer: bytes, endpoint: str) -> str:
    """The folder the container wrote its frames to, from its JSON answer."""
    try:
        reply = json.loads(answer)
        status, location = reply["status"], reply["output_location"]
    except (ValueError, TypeError, KeyError) as exc:
        raise BackendFailed(
            f"FILM endpoint {endpoint} answered {answer[:200]!r}, not the reference "
            'container\'s JSON {"status", "output_location"}: is it the reference container?'
        ) from exc
    if str(status).upper() != "SUCCESS":
        raise BackendFailed(
            f"FILM endpoint {endpoint} reports status {status!r}: it could not upload its frames "
            f"to {location} (check its s3_bucket/s3_prefix and its role's s3:PutObject)."
        )
    return str(location)


def _fetch_frames(location: str, folder: Path, endpoint: str) -> int:
    """Download the container's frames in name order as 000000.jpg, ...; then delete them
    from S3 whatever happens (they are frames of a visitor's video)."""
    bucket_name, prefix = scratch.split_s3_uri(location)
    keys = [key for key in scratch.list_keys(bucket_name, prefix) if key.endswith(".jpg")]
    try:
        if len(keys) < 2:
            raise BackendFailed(f"FILM endpoint {endpoint} wrote {len(keys)} frames to {location}.")
        folder.mkdir()
        for index, key in enumerate(keys):
            data = scratch.get(key, bucket_name=bucket_name)
            if data is None:
                raise BackendFailed(f"FILM frame s3://{bucket_name}/{key} vanished.")
            (folder / f"{index:06d}.jpg").write_bytes(data)
    finally:
        scratch.delete(keys, bucket_name=bucket_name)
    return len(keys)
