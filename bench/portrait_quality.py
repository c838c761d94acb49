"""Would a visitor share it? Contact sheets and figures for the offline face compositor.

    .venv/bin/python bench/portrait_quality.py OUT_FOLDER [--photo PATH ...] [--bases N]

For every visitor photo × a few base portraits (the first N demo portraits, plus the other
real photos as bases), composites the visitor's face with BlendCompositor as a job does
(both faces' meshes from experiences/photo/facemesh.py) and writes OUT_FOLDER/<photo>.png: one
row per base, visitor | base | portrait. Prints per composite:

- ms: wall and CPU time of the composite alone (meshes found beforehand, as in a job);
- seam: mean gradient magnitude across the blend's soft edge ÷ mean gradient just inside
  it, on the result (1.0 = the edge is as busy as the face; target ≤ 1.3);
- leak: share of the blend mask's weight outside the base face's hull (the convex hull of
  its 468 landmarks): visitor pixels landing on background, hair or collar (target ≤ 2%);
- identity: skipped, see IDENTITY_SKIPPED.

Visitor photos: scikit-image's astronaut, matplotlib's grace_hopper.jpg if matplotlib is
importable, and any --photo given (e.g. the detection branch's labelled set under tests/).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booth.settings")

import django  # noqa: E402

django.setup()

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from skimage import data  # noqa: E402

from experiences.library import demo_art  # noqa: E402
from experiences.photo import (  # noqa: E402
    facemesh,
    mesh_compositing,
)
from experiences.photo.backends.local import BlendCompositor  # noqa: E402
from experiences.photo.faces import Box  # noqa: E402

IDENTITY_SKIPPED = (
    "identity: skipped - no installed package ships face-embedding weights "
    "(opencv-python-headless has only cascades; SFace/ArcFace/dlib models would be a "
    "download, which the booth does not do)"
)
SHEET_HEIGHT = 360


def visitor_photos(extra: list[str]) -> dict[str, np.ndarray]:
    photos = {"astronaut": data.astronaut()}
    try:
        import matplotlib  # optional: only its sample photo is used

        path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
        photos["grace_hopper"] = np.asarray(Image.open(path).convert("RGB"))
    except ImportError:
        pass
    for name in extra:
        photos[Path(name).stem] = np.asarray(Image.open(name).convert("RGB"))
    return photos


def seam_contrast(result: np.ndarray, mask: np.ndarray) -> float:
    """Mean gradient in the soft edge band ÷ mean gradient in a band just inside it."""
    grey = cv2.cvtColor(result, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gradient = cv2.magnitude(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    edge = (mask > 0.1) & (mask < 0.9)
    solid = (mask >= 0.98).astype(np.uint8)
    width = max(2, int(np.sqrt(edge.sum() / max(1, solid.sum())) * 20))
    inner = solid.astype(bool) & ~cv2.erode(solid, np.ones((width, width), np.uint8)).astype(bool)
    if not edge.any() or not inner.any():
        return float("nan")
    return float(gradient[edge].mean() / max(1e-6, gradient[inner].mean()))


def leak_share(mask: np.ndarray, base_landmarks: np.ndarray) -> float:
    hull = np.zeros(mask.shape, np.uint8)
    cv2.fillPoly(hull, [mesh_compositing.face_hull(base_landmarks)], 1)
    total = float(mask.sum())
    return float(mask[hull == 0].sum() / total) if total else 0.0


def fit_height(image: np.ndarray) -> Image.Image:
    picture = Image.fromarray(image)
    width = round(picture.width * SHEET_HEIGHT / picture.height)
    return picture.resize((width, SHEET_HEIGHT), Image.Resampling.LANCZOS)


def contact_sheet(rows: list[tuple[str, list[np.ndarray]]]) -> Image.Image:
    tiles = [[fit_height(image) for image in images] for _, images in rows]
    width = max(sum(tile.width for tile in row) for row in tiles) + 10 * 3
    sheet = Image.new("RGB", (width, (SHEET_HEIGHT + 24) * len(rows)), (30, 30, 30))
    draw = ImageDraw.Draw(sheet)
    for number, ((label, _), row) in enumerate(zip(rows, tiles, strict=True)):
        y, x = number * (SHEET_HEIGHT + 24), 0
        draw.text((6, y + 4), label, fill=(240, 240, 240))
        for tile in row:
            sheet.paste(tile, (x, y + 22))
            x += tile.width + 10
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the contact sheet PNGs")
    parser.add_argument("--photo", action="append", default=[], help="another visitor photo")
    parser.add_argument("--bases", type=int, default=4, help="demo portraits to use (max 16)")
    parser.add_argument("--runs", type=int, default=5, help="timed composites per pair")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(
        f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} OpenCV thread(s), "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    photos = visitor_photos(args.photo)
    bases = {p.key: np.asarray(demo_art.paint_portrait(p)) for p in demo_art.PERSONAS[: args.bases]}
    bases.update(photos)
    meshes = {}
    for name, image in {**photos, **bases}.items():
        faces = facemesh.detect_faces(image)
        meshes[name] = faces[0] if faces else None
        if not faces:
            print(f"{name}: no face found, left out")
    compositor = BlendCompositor()
    print(f"{'visitor':<14} {'base':<22} {'ms':>6} {'cpu ms':>7} {'seam':>6} {'leak %':>7}")
    seams, leaks, cpus = [], [], []
    for visitor_name, visitor in photos.items():
        face = meshes[visitor_name]
        if face is None:
            continue
        rows = []
        for base_name, base in bases.items():
            base_face = meshes[base_name]
            if base_name == visitor_name or base_face is None:
                continue
            visitor_image, base_image = Image.fromarray(visitor), Image.fromarray(base)

            def run(
                visitor_image=visitor_image, base_image=base_image, base_face=base_face, face=face
            ):
                return compositor.composite(
                    visitor_image,
                    Box.from_list(list(face.box)),
                    base_image,
                    Box.from_list(list(base_face.box)),
                    face_observation=face,
                    base_landmarks=base_face.landmarks,
                )

            run()  # the base's geometry is worked out once per base image, then kept
            walls, cpu = [], []
            for _ in range(max(1, args.runs)):
                started, cpu_started = time.perf_counter(), time.process_time()
                result = np.asarray(run())
                walls.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            mask = mesh_compositing.blend_mask(base_face.landmarks, base.shape[:2])
            seam = seam_contrast(result, mask)
            leak = leak_share(mask, base_face.landmarks)
            seams.append(seam)
            leaks.append(leak)
            cpus.append(float(np.median(cpu)))
            print(
                f"{visitor_name:<14} {base_name:<22} {np.median(walls):6.1f} "
                f"{np.median(cpu):7.1f} {seam:6.2f} {leak * 100:7.2f}"
            )
            rows.append((f"{visitor_name} -> {base_name}", [visitor, base, result]))
        sheet = args.out / f"{visitor_name}.png"
        contact_sheet(rows).save(sheet)
        print(f"  contact sheet: {sheet}")
    if seams:
        print(
            f"\n{len(seams)} composites: seam median {np.median(seams):.2f} max {max(seams):.2f}"
            f" (target <= 1.3); leak max {max(leaks) * 100:.2f}% (target <= 2%); "
            f"CPU median {np.median(cpus):.1f} ms per composite"
        )
    print(IDENTITY_SKIPPED)


if __name__ == "__main__":
    main()
