"""Face detection quality and cost, Haar vs mesh side by side, and Booth's local image work.

    .venv/bin/python bench/face_detection.py [--runs N] [--cv-threads N] [--skip-timing]

First, on the labelled real photos of tests/face_photos (1280×720 tablet frames), for the
Haar detector (experiences.photo.backends.local.detect_faces) and the mesh detector
(experiences.photo.facemesh.detect_faces): recall on the faces the booth must find (≥ 12% of the
short side, roll ≤ 30°, facing the camera), recall on every labelled face, false faces
(a detection overlapping no labelled face: on the object photos and overall), whether the
largest face is the visitor's, and ms per frame (wall and process CPU). Targets: recall
≥ 95%, 0 false faces, ≤ 15 ms.

Then, at a 640 px and a 1280 px wide frame of the astronaut: each detector, the whole
request-side accept work (decode, fit, detect, crop, two JPEG encodes), the eye search the
job used to run versus the stored landmarks, and the job-side compositor (BlendCompositor
into a demo_art base portrait) plus the result JPEG encode. Prints p50/p95/max in ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booth.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from photo import jpeg_bytes, tablet_frame  # noqa: E402
from PIL import Image  # noqa: E402
from timing import timed  # noqa: E402

from experiences.library import demo_art  # noqa: E402
from experiences.photo import facemesh  # noqa: E402
from experiences.photo.backends.local import (  # noqa: E402
    BlendCompositor,
    base_eyes,
    detect_eyes,
    detect_faces,
)
from experiences.photo.faces import Box, crop_face, largest  # noqa: E402
from experiences.photo.imaging import encode_jpeg, fit_within  # noqa: E402
from experiences.photo.intake import decode_photo, find_face  # noqa: E402
from tests import face_photos  # noqa: E402

MATCH_IOU = 0.5  # a detection within this overlap of a labelled face found it
FALSE_IOU = 0.2  # a detection overlapping no labelled face this much is a false face

SIZES = [(640, 360), (1280, 720)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per measurement")
    parser.add_argument(
        "--cv-threads", type=int, default=None, help="cv2.setNumThreads(N) first (default: leave)"
    )
    parser.add_argument(
        "--skip-timing",
        action="store_true",
        help="only the labelled set, not the astronaut timings",
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
    labelled_set(runs)
    if args.skip_timing:
        return
    persona = demo_art.PERSONAS[0]
    base = demo_art.paint_portrait(persona)
    compositor = BlendCompositor()

    for width, height in SIZES:
        bench_size(width, height, base, compositor, runs)


def _haar(image) -> list[tuple[int, int, int, int]]:
    return [tuple(box.as_list()) for box in detect_faces(Image.fromarray(image))]


def _mesh(image) -> list[tuple[int, int, int, int]]:
    return [face.box for face in facemesh.detect_faces(image)]


def labelled_set(runs: int) -> None:
    """Recall, false faces, the chosen face and ms per frame on tests/face_photos."""
    frames = face_photos.frames()
    print(f"\nLabelled real photos: {len(frames)} frames of 1280x720 (tests/face_photos)")
    header = (
        f"  {'detector':<8} {'recall target':>14} {'recall all':>11} {'false faces':>12} "
        f"{'on objects':>11} {'visitor chosen':>15} {'ms/frame':>9} {'cpu ms':>7}"
    )
    print(header)
    misses: dict[str, list[str]] = {}
    for name, detect in (("haar", _haar), ("mesh", _mesh)):
        target = found_target = labelled = found = false = false_on_objects = 0
        chosen = ok_frames = 0
        wall, cpu = [], []
        misses[name] = []
        for frame in frames:
            detect(frame.image)  # warm
            for _ in range(max(1, runs // 10)):
                started, cpu_started = time.perf_counter(), time.process_time()
                boxes = detect(frame.image)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            for face in frame.faces:
                hit = any(face_photos.iou(box, face.box) >= MATCH_IOU for box in boxes)
                labelled += 1
                found += hit
                if face.share >= 0.12 and abs(face.roll) <= 30 and face.frontal:
                    target += 1
                    found_target += hit
                    if not hit:
                        misses[name].append(frame.name)
            for box in boxes:
                if all(face_photos.iou(box, face.box) < FALSE_IOU for face in frame.faces):
                    false += 1
                    false_on_objects += bool(frame.objects)
                    misses[name].append(f"{frame.name} (false face {box})")
            if frame.visitor is not None:
                ok_frames += 1
                if boxes:
                    largest_box = max(boxes, key=lambda b: b[2] * b[3])
                    chosen += face_photos.iou(largest_box, frame.visitor.box) >= MATCH_IOU
        print(
            f"  {name:<8} {found_target:>6}/{target:<3} {found_target / target:4.0%} "
            f"{found:>4}/{labelled:<3}{found / labelled:4.0%} {false:>12} {false_on_objects:>11} "
            f"{chosen:>9}/{ok_frames:<5} {statistics.median(wall):>9.1f} "
            f"{statistics.median(cpu):>7.1f}"
        )
    for name, missed in misses.items():
        if missed:
            print(f"  {name} missed: {', '.join(missed)}")


def bench_size(width: int, height: int, base, compositor, runs: int) -> None:
    import numpy as np

    base_box = demo_art.FACE_BOX
    frame = tablet_frame(width, height)
    upload = jpeg_bytes(frame)
    frame_rgb = np.asarray(frame)
    observed = facemesh.detect_faces(frame_rgb)
    if not observed:
        raise SystemExit(f"No face found in the {width}x{height} frame")
    face = Box.from_list(observed[0].box)
    haar_faces = detect_faces(frame)
    print(
        f"\n{width}x{height} frame ({len(upload) / 1024:.0f} KiB JPEG), mesh face {face}, "
        f"Haar face {largest(haar_faces) if haar_faces else None}"
    )

    timed("Haar detect_faces (two cascades)", lambda: detect_faces(frame), runs)
    timed(
        "mesh detect_faces (+468 landmarks, pose)", lambda: facemesh.detect_faces(frame_rgb), runs
    )

    def accept() -> None:
        image = fit_within(decode_photo(upload), settings.BOOTH_STORED_CAPTURE_MAX_SIDE)
        box, _ = find_face(image)
        crop, _ = crop_face(image, box, settings.BOOTH_FACE_PADDING)
        encode_jpeg(image, 90)
        encode_jpeg(crop, 92)

    timed(f"request side, {settings.BOOTH_FACE_DETECTOR.rsplit('.', 1)[-1]}", accept, runs)

    crop, crop_box = crop_face(frame, face, settings.BOOTH_FACE_PADDING)
    crop_rgb, base_rgb = np.asarray(crop), np.asarray(base)
    print(f"  face crop {crop.size[0]}x{crop.size[1]}, base portrait {base.size[0]}x{base.size[1]}")
    # The eyes the job needs: the base portrait's come from base_eyes' cache (the same
    # base image every run, as in a show); the visitor's were searched with the eye
    # cascade before, and are read off the stored landmarks now.
    timed(
        "job eyes before: detect_eyes(crop) + base",
        lambda: (detect_eyes(crop_rgb, crop_box), base_eyes(base_rgb, base_box)),
        runs,
    )
    in_crop = observed[0].shifted(face.x - crop_box.x, face.y - crop_box.y)
    timed(
        "job eyes now: stored landmarks + base",
        lambda: (in_crop.eye_centres(), base_eyes(base_rgb, base_box)),
        runs,
    )
    timed(
        "BlendCompositor.composite (stored landmarks)",
        lambda: compositor.composite(crop, crop_box, base, base_box, face_observation=in_crop),
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
