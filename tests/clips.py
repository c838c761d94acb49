"""Synthetic kick-camera clips: a white ball crossing a green pitch at a steady speed.

The ball's x position in each frame is known, so a test can tell a real interpolated
frame (ball between its neighbours) from a duplicated one (ball where it was).
"""

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from experiences.sports.video import FrameWriter

WIDTH, HEIGHT, RADIUS = 320, 180, 14

# Replays need Debian's FFmpeg: outside CI a machine without it skips these tests and says
# why; in CI (which installs it) they run, and fail if it is missing.
needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None and not os.environ.get("CI"),
    reason="needs Debian's ffmpeg (apt-get install ffmpeg)",
)


def ball_frames(frames: int, step: float) -> list[np.ndarray]:
    pictures = []
    for index in range(frames):
        frame = np.full((HEIGHT, WIDTH, 3), (40, 140, 40), np.uint8)
        cv2.circle(frame, (round(30 + index * step), HEIGHT // 2), RADIUS, (255, 255, 255), -1)
        pictures.append(frame)
    return pictures


def ball_clip(path: Path, *, frames: int = 24, fps: int = 24, step: int = 10) -> Path:
    """An H.264 clip of the moving ball, as a phone or kick camera would record it (the
    container follows the file's extension)."""
    writer = FrameWriter(path, WIDTH, HEIGHT, fps)
    for frame in ball_frames(frames, step):
        writer.write(frame)
    writer.close()
    return path


def read_frames(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def ball_x(frame: np.ndarray) -> float | None:
    """The x of the ball's centre (the white blob), or None when no ball is visible."""
    white = cv2.inRange(frame, (200, 200, 200), (255, 255, 255))
    moments = cv2.moments(white, binaryImage=True)
    return moments["m10"] / moments["m00"] if moments["m00"] > 50 else None
