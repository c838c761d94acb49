"""Slow-motion replays: one small Protocol, one class per backend, chosen in settings
(BOOTH_SLOW_MOTION)."""

from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from django.conf import settings

from experiences.backends import _instance
from experiences.video import (
    PHONE_H264,
    ClipInfo,
    FrameWriter,
    Progress,
    VideoFailed,
    run_ffmpeg,
    slow_motion_filter,
)


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


def slow_motion_maker() -> SlowMotionMaker:
    return _instance(settings.BOOTH_SLOW_MOTION)


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
