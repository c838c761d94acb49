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


class SageMakerFilmSlowMotion(Polling):
    """The reference booth's FILM frame interpolation on a SageMaker asynchronous endpoint.

    Contract: Booth uploads `<prefix><uuid>/input.tar.gz` holding the clip's frames
    (`frames/frame_00000.png`, ...) and `config.json` (`uuid`, `times_to_interpolate`,
    `fps`, `frames`); the container answers with a tar.gz of the interpolated frames (PNG,
    in name order). FILM doubles the frame count per pass, so `times_to_interpolate` is the
    passes needed to reach `factor` and FFmpeg reassembles the frames at the rate that
    makes the clip `factor` times slower. Every temporary object is deleted afterwards.
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
                config = {"uuid": request_id, "times_to_interpolate": passes,
                          "fps": round(info.fps, 3), "frames": len(frames)}  # fmt: skip
                scratch.put(input_key, _pack(frames, config), "application/gzip")
                report(0.3)
                result = run_async(
                    endpoint, request_id, input_key, "application/gzip", created,
                    timeout=settings.BOOTH_FILM_TIMEOUT, timeout_setting="BOOTH_FILM_TIMEOUT",
                    clock=self.clock, sleep=self.sleep,
                )  # fmt: skip
                report(0.8)
                count = _unpack_frames(result, work / "slow", endpoint)
                rate = info.fps * 2**passes / factor
                encode_frames(work / "slow" / "%06d.png", rate, output,
                              lambda f: report(0.8 + 0.2 * f), frames=count)  # fmt: skip
        finally:
            scratch.delete(created)


def _extract_frames(clip: Path, info: ClipInfo, folder: Path, report: Progress) -> list[Path]:
    folder.mkdir()
    run_ffmpeg(["-i", str(clip), "-vf", EVEN, str(folder / "frame_%05d.png")],
               duration=info.duration, progress=lambda f: report(0.2 * f))  # fmt: skip
    return sorted(folder.glob("frame_*.png"))


def _pack(frames: list[Path], config: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for frame in frames:
            archive.add(frame, arcname=f"frames/{frame.name}")
        data = json.dumps(config).encode()
        entry = tarfile.TarInfo("config.json")
        entry.size = len(data)
        archive.addfile(entry, io.BytesIO(data))
    return buffer.getvalue()


def _unpack_frames(data: bytes, folder: Path, endpoint: str) -> int:
    """The container's frames, renumbered in name order; refuses anything but PNG files (the
    archive comes from outside: `filter="data"` also blocks paths leaving the folder)."""
    folder.mkdir()
    staging = folder.parent / "unpacked"
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackendFailed(
            f"FILM endpoint {endpoint} returned an unreadable archive: {exc}"
        ) from exc
    pngs = sorted(p for p in staging.rglob("*.png") if p.is_file())
    if len(pngs) < 2:
        raise BackendFailed(f"FILM endpoint {endpoint} returned {len(pngs)} frames.")
    for index, png in enumerate(pngs):
        png.rename(folder / f"{index:06d}.png")
    return len(pngs)
