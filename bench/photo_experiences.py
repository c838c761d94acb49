"""Time the two photo experiences' local work per image, on a 1280×720 tablet frame.

    .venv/bin/python bench/photo_experiences.py [--runs N] [--width W --height H]

Measures, on the astronaut tablet frame (bench/photo.py), the stages a uniform try-on or
business portrait job runs: the person mask, by GrabCut and by the selfie-segmentation
model the jobs use (experiences/photo/selfie_segmentation.py), the clothing mask
(experiences/photo/segmentation.py), the whole offline uniform try-on (LocalUniformPainter) and
business portrait (LocalBusinessPortraitMaker) each with the published JPEG encode, and
the local part of the Bedrock path (clothes mask, letterbox, PNG encodes of image and
mask: what Booth does before Titan's own seconds). Prints p50/p95/max in ms per image.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booth.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from photo import tablet_frame  # noqa: E402
from timing import timed  # noqa: E402

from experiences.models.events import UniformColour  # noqa: E402
from experiences.photo import (  # noqa: E402
    segmentation,
    selfie_segmentation,
)
from experiences.photo.backends.local import detect_faces  # noqa: E402
from experiences.photo.backends.outfits import (  # noqa: E402
    LocalBusinessPortraitMaker,
    LocalUniformPainter,
)
from experiences.photo.backends.titan_edit import (  # noqa: E402
    TitanBusinessPortraitMaker,
    TitanUniformPainter,
)
from experiences.photo.faces import largest  # noqa: E402
from experiences.photo.imaging import encode_jpeg  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per measurement")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    runs = max(1, args.runs)

    import cv2

    print(
        f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} OpenCV thread(s), {runs} runs each, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
        f"GrabCut at {segmentation.WORK_SIDE} px, {segmentation.GRABCUT_ITERATIONS} iterations"
    )
    frame = tablet_frame(args.width, args.height)
    face = largest(detect_faces(frame))
    rgb = np.asarray(frame)
    quality = settings.BOOTH_RESULT_JPEG_QUALITY
    colour = UniformColour.BLUE
    print(f"{args.width}×{args.height} frame, face {face.as_list()}")

    timed("person mask (GrabCut)", lambda: segmentation.person_mask(rgb, face), runs)
    timed(
        "person mask (selfie segmentation, used)",
        lambda: selfie_segmentation.person_mask(rgb, face),
        runs,
    )
    timed(
        "clothing mask (GrabCut − skin − face)", lambda: segmentation.clothing_mask(rgb, face), runs
    )
    uniform = timed(
        "uniform try-on, local, + JPEG",
        lambda: encode_jpeg(LocalUniformPainter().paint(frame, face, colour, "female"), quality),
        runs,
    )
    business = timed(
        "business portrait, local, + JPEG",
        lambda: encode_jpeg(LocalBusinessPortraitMaker().make(frame, face, "female"), quality),
        runs,
    )

    def uniform_request() -> dict:
        clothes = segmentation.clothing_mask(rgb, face)
        return TitanUniformPainter().request(frame, clothes, colour, "female")

    timed("uniform, Titan request built (no call)", uniform_request, runs)
    timed(
        "business, Titan request built (no call)",
        lambda: TitanBusinessPortraitMaker().request(frame, face, "female"),
        runs,
    )
    print(
        f"per image (p50): uniform try-on {uniform / 1000:.2f} s, "
        f"business portrait {business / 1000:.2f} s"
    )


if __name__ == "__main__":
    main()
