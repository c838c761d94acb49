"""Debian's chromium driven by Playwright, with a fake camera: the browser tests' shared
fixture (`browser`, one Chromium per test module) and its helpers."""

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [pytest.mark.browser, pytest.mark.system]


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


def write_face_y4m(path: Path, width: int = 640, height: int = 480) -> Path:
    """A Y4M clip of the astronaut's face, for --use-file-for-fake-video-capture."""
    frame = np.full((height, width, 3), 90, np.uint8)
    face = cv2.resize(data.astronaut(), (height, height), interpolation=cv2.INTER_AREA)
    left = (width - height) // 2
    frame[:, left : left + height] = face
    yuv = cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(2):
            out.write(b"FRAME\n" + yuv.tobytes())
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    _require_chromium()
    from playwright.sync_api import sync_playwright

    video = write_face_y4m(tmp_path_factory.mktemp("camera") / "face.y4m")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()
