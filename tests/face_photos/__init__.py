"""Real photos of real people as 1280×720 tablet frames, with hand-labelled face boxes.

photos.json says where each source photo comes from, its licence, and its faces as
labelled by hand (in the source's pixels); `frames()` composes the tablet-like frames it
lists, deterministically, and carries every label through the same scale and rotation.
Only the Grace Hopper photo is stored here (61 kB): the others come from scikit-image,
which the tests already install.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import data

HERE = Path(__file__).resolve().parent
FRAME_SIZE = (1280, 720)


@dataclass(frozen=True)
class LabelledFace:
    box: tuple[int, int, int, int]  # x, y, w, h in the frame
    visitor: bool  # the face the booth must choose
    frontal: bool  # labelled as facing the camera (within the booth's ±35° yaw)
    roll: float  # degrees, clockwise in the image

    @property
    def share(self) -> float:
        """The face's height as a share of the frame's short side."""
        return self.box[3] / min(FRAME_SIZE)


@dataclass(frozen=True)
class Frame:
    name: str
    image: np.ndarray  # (720, 1280, 3) uint8 RGB
    faces: tuple[LabelledFace, ...]
    expect: tuple[str, ...]  # ("ok",) or the 422 codes the capture API may answer
    objects: tuple[str, ...]  # sources in the frame that have no face (cat, clock…)

    @property
    def visitor(self) -> LabelledFace | None:
        return next((face for face in self.faces if face.visitor), None)

    def jpeg(self, quality: int = 90) -> bytes:
        import io

        buffer = io.BytesIO()
        Image.fromarray(self.image).save(buffer, "JPEG", quality=quality)
        return buffer.getvalue()


@cache
def spec() -> dict:
    return json.loads((HERE / "photos.json").read_text())


@cache
def _source(name: str) -> np.ndarray:
    entry = spec()["sources"][name]
    if "file" in entry:
        image = np.asarray(Image.open(HERE / entry["file"]).convert("RGB"))
    else:
        image = getattr(data, entry["skimage"])()
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    return image


def _wall() -> np.ndarray:
    """A plain, softly lit wall behind the visitor (no texture the detector could use)."""
    width, height = FRAME_SIZE
    x = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    light = 150 - 30 * (x * x + y * y)
    return np.stack([light, light * 0.97, light * 0.92], axis=-1).clip(0, 255).astype(np.uint8)


def _ellipse_bounds(matrix: np.ndarray, box: list[int]) -> tuple[int, int, int, int]:
    """Bounding box, after the affine `matrix`, of the ellipse inscribed in `box`."""
    x, y, w, h = box
    angles = np.linspace(0, 2 * math.pi, 180, endpoint=False)
    points = np.stack(
        [x + w / 2 + w / 2 * np.cos(angles), y + h / 2 + h / 2 * np.sin(angles)], axis=1
    )
    moved = points @ matrix[:, :2].T + matrix[:, 2]
    (left, top), (right, bottom) = moved.min(axis=0), moved.max(axis=0)
    return round(left), round(top), round(right - left), round(bottom - top)


def _frame(entry: dict) -> Frame:
    canvas = _wall()
    faces, objects = [], []
    for layer in entry["layers"]:
        source = _source(layer["source"])
        crop = layer.get("crop", [0, 0, source.shape[1], source.shape[0]])
        cx, cy, cw, ch = crop
        scale = layer["height"] / ch
        roll = layer.get("roll", 0)
        # Source pixel → frame pixel: move the crop's centre to the origin, scale, turn
        # clockwise by `roll` (cv2's angle is anticlockwise), move to the layer's centre.
        turn = cv2.getRotationMatrix2D((0, 0), -roll, scale)
        centre = np.array([cx + cw / 2, cy + ch / 2])
        matrix = turn.copy()
        matrix[:, 2] = np.asarray(layer["centre"]) - turn[:, :2] @ centre
        width, height = FRAME_SIZE
        warped = cv2.warpAffine(source, matrix, (width, height), flags=cv2.INTER_AREA)
        mask = np.zeros(source.shape[:2], np.uint8)
        mask[cy : cy + ch, cx : cx + cw] = 255
        inside = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_NEAREST) > 0
        canvas[inside] = warped[inside]
        labels = spec()["sources"][layer["source"]]["faces"]
        if not labels:
            objects.append(layer["source"])
        for label in labels:
            faces.append(
                LabelledFace(
                    box=_ellipse_bounds(matrix, label["box"]),
                    visitor=bool(layer.get("visitor")),
                    frontal=label["yaw"] == "frontal",
                    roll=float(roll),
                )
            )
    expect = entry["expect"]
    return Frame(
        name=entry["name"],
        image=canvas,
        faces=tuple(faces),
        expect=tuple(expect) if isinstance(expect, list) else (expect,),
        objects=tuple(objects),
    )


@cache
def frames() -> tuple[Frame, ...]:
    return tuple(_frame(entry) for entry in spec()["frames"])


def frame(name: str) -> Frame:
    return next(f for f in frames() if f.name == name)


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    iw = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    union = a[2] * a[3] + b[2] * b[3] - iw * ih
    return iw * ih / union if union else 0.0
