"""Time Booth's local image work on the astronaut test photo, in this process.

    .venv/bin/python bench/face_detection.py [--runs N]

Measures, at a 640 px and a 1280 px wide tablet frame: the Haar face detector
(experiences.photo.backends.local.detect_faces), the whole request-side accept work (decode,
fit, detect, crop, two JPEG encodes), and the job-side compositor (BlendCompositor into
a demo_art base portrait) plus the result JPEG encode. Prints p50/p95/max in ms.
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

from django.conf import settings  # noqa: E402
from photo import jpeg_bytes, tablet_frame  # noqa: E402
from timing import timed  # noqa: E402

from experiences.library import demo_art  # noqa: E402
from experiences.photo.backends.local import BlendCompositor, detect_eyes, detect_faces  # noqa: E402
from experiences.photo.faces import crop_face, largest  # noqa: E402
from experiences.photo.imaging import encode_jpeg, fit_within  # noqa: E402
from experiences.photo.intake import decode_photo  # noqa: E402

SIZES = [(640, 360), (1280, 720)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per measurement")
    parser.add_argument(
        "--cv-threads", type=int, default=None, help="cv2.setNumThreads(N) first (default: leave)"
    )
    args = parser.parse_args()
    runs = max(1, args.runs)

    import cv2

    if args.cv_threads is not None:
        cv2.setNumThreads(args.cv_threads)
    print(
        f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} OpenCV thread(s), {runs} runs each, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    persona = demo_art.PERSONAS[0]
    base = demo_art.paint_portrait(persona)
    compositor = BlendCompositor()

    for width, height in SIZES:
        bench_size(width, height, base, compositor, runs)


def bench_size(width: int, height: int, base, compositor, runs: int) -> None:
    import numpy as np

    base_box = demo_art.FACE_BOX
    frame = tablet_frame(width, height)
    upload = jpeg_bytes(frame)
    faces = detect_faces(frame)
    if not faces:
        raise SystemExit(f"No face found in the {width}x{height} frame")
    face = largest(faces)
    print(f"\n{width}x{height} frame ({len(upload) / 1024:.0f} KiB JPEG), face {face}")

    timed("detect_faces", lambda: detect_faces(frame), runs)

    def accept() -> None:
        image = fit_within(decode_photo(upload), settings.BOOTH_STORED_CAPTURE_MAX_SIDE)
        crop, _ = crop_face(image, largest(detect_faces(image)), settings.BOOTH_FACE_PADDING)
        encode_jpeg(image, 90)
        encode_jpeg(crop, 92)

    timed("request side (decode..encode)", accept, runs)

    crop, crop_box = crop_face(frame, face, settings.BOOTH_FACE_PADDING)
    crop_rgb, base_rgb = np.asarray(crop), np.asarray(base)
    print(f"  face crop {crop.size[0]}x{crop.size[1]}, base portrait {base.size[0]}x{base.size[1]}")
    timed(
        "detect_eyes (crop + base)",
        lambda: (detect_eyes(crop_rgb, crop_box), detect_eyes(base_rgb, base_box)),
        runs,
    )
    timed(
        "BlendCompositor.composite",
        lambda: compositor.composite(crop, crop_box, base, base_box),
        runs,
    )
    result = compositor.composite(crop, crop_box, base, base_box)
    timed(
        "result encode_jpeg",
        lambda: encode_jpeg(result, settings.BOOTH_RESULT_JPEG_QUALITY),
        runs,
    )


if __name__ == "__main__":
    main()
