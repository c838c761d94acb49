"""Seconds of processing per second of kick-camera clip, for the local slow-motion replay.

    .venv/bin/python bench/replay.py [--seconds 3] [--size 1280x720] [--fps 30] [--runs 3]

Makes a synthetic clip (a ball crossing a textured pitch, H.264 like a camera's), then
times the 3x slow motion with each local backend (OpenCV DIS optical flow, FFmpeg's
minterpolate) and the side-by-side version. Prints the
median wall time and the ratio to the clip's duration (under 1 would be faster than real
time), and the CPU seconds used (this process plus FFmpeg).
FFmpeg's minterpolate is slow (about 50 s per clip second at 720p): add --minterpolate.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booth.settings")

import django  # noqa: E402

django.setup()

from experiences.sports.replay_backends import FFmpegSlowMotion, OpticalFlowSlowMotion  # noqa: E402
from experiences.sports.video import FrameWriter, probe, side_by_side  # noqa: E402


def make_clip(path: Path, seconds: float, width: int, height: int, fps: int) -> None:
    """A textured pitch (so motion estimation has real work) and a ball crossing it."""
    rng = np.random.default_rng(7)
    pitch = np.clip(rng.normal((40, 140, 40), 18, (height, width, 3)), 0, 255).astype(np.uint8)
    frames = int(seconds * fps)
    writer = FrameWriter(path, width, height, fps)
    for index in range(frames):
        frame = pitch.copy()
        x = int(width * 0.1 + index * width * 0.8 / frames)
        y = int(height * 0.7 - np.sin(index / frames * np.pi) * height * 0.4)
        cv2.circle(frame, (x, y), height // 24, (250, 250, 250), -1)
        writer.write(frame)
    writer.close()


def cpu_seconds() -> float:
    """This process (the optical flow runs here) plus its finished children (FFmpeg)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF),
                      resource.getrusage(resource.RUSAGE_CHILDREN))
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--minterpolate", action="store_true", help="also time FFmpeg's filter")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clip = folder / "kick.mp4"
        make_clip(clip, args.seconds, width, height, args.fps)
        info = probe(clip)
        print(
            f"clip: {info.width}x{info.height} {info.fps:.0f} fps, {info.duration:.2f} s, "
            f"{clip.stat().st_size / 1e6:.1f} MB; {os.cpu_count()} CPUs"
        )
        jobs = [("flow 3x", lambda out: OpticalFlowSlowMotion().make(clip, info, out, 3, None))]
        if args.minterpolate:
            jobs.append(
                ("minterpolate 3x", lambda out: FFmpegSlowMotion().make(clip, info, out, 3, None))
            )
        jobs.append(("side by side", lambda out: side_by_side(clip, folder / "flow-0.mp4", out)))
        for label, work in jobs:
            walls, cpus = [], []
            for run in range(args.runs):
                out = folder / f"{label.split()[0]}-{run}.mp4"
                cpu, start = cpu_seconds(), time.perf_counter()
                work(out)
                walls.append(time.perf_counter() - start)
                cpus.append(cpu_seconds() - cpu)
            wall = statistics.median(walls)
            print(
                f"{label:15s} median {wall:6.2f} s wall = {wall / info.duration:5.2f} s per "
                f"clip second; CPU {statistics.median(cpus):6.2f} s "
                f"(runs: {', '.join(f'{w:.2f}' for w in walls)})"
            )


if __name__ == "__main__":
    main()
