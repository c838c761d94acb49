"""Offline backends: OpenCV's bundled Haar cascades, classical blending, story templates.

The offline face detector is now experiences.photo.backends.mesh.MeshFaceDetector (landmarks,
pose, no lamps taken for faces). Haar stays for two things: the eye cascade finds a base
portrait's eyes (and a visitor's, for captures stored without landmarks, e.g. with
Rekognition), and HaarFaceDetector is the baseline bench/face_detection.py compares the
mesh with. opencv-python-headless 4.x wheels ship the cascade files (5.x wheels do not),
hence the `<5` pin.
"""

import hashlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from experiences.photo import compositing, facemesh, mesh_compositing
from experiences.photo.faces import Box
from experiences.selectors import story_language
from kernel.pools import BoundedPool, available_cores

CASCADES = Path(cv2.data.haarcascades)
DETECT_MAX_SIDE = 400
MIN_FACE_SHARE = 0.12
SCALE_STEP = 1.15


class _Cascades:
    """One set of loaded classifiers (about 45 ms to parse the three XML files)."""

    def __init__(self) -> None:
        self.face = cv2.CascadeClassifier(str(CASCADES / "haarcascade_frontalface_default.xml"))
        self.face_alt = cv2.CascadeClassifier(str(CASCADES / "haarcascade_frontalface_alt2.xml"))
        self.eye = cv2.CascadeClassifier(str(CASCADES / "haarcascade_eye.xml"))


# OpenCV cascades are not safe to share across threads, so each call borrows a set that no
# other thread is using. A pool rather than a thread-local: Django's ASGI handler runs
# every request on a thread of its own, so thread-local sets were loaded anew per upload.
# The pool holds at most one set per core: when eight tablets upload at once, the extra
# requests wait for a set instead of loading more (45 ms of CPU each) and fighting over
# two cores, so the first visitors in a burst are served first.
_cascades = BoundedPool(_Cascades, size=available_cores()).take


def _gray(image: Image.Image | np.ndarray) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim == 3:
        array = cv2.cvtColor(array, cv2.COLOR_RGB2GRAY)
    return cv2.equalizeHist(array)


def detect_faces(image: Image.Image) -> list[Box]:
    """Frontal faces, detected on a grey copy scaled to at most 400 px for speed.

    The box only has to be good enough for a padded crop; the crop itself is cut from
    the full-resolution photo, and the eyes are found there for alignment.
    """
    scale = min(1.0, DETECT_MAX_SIDE / max(image.size))
    # Grey before scaling: a third of the pixels to resample (7 → 3 ms for a 1280×720
    # photo), and the detector sees the same grey levels within ±1.
    small = (
        image
        if scale == 1.0
        else image.convert("L").resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR
        )
    )
    gray = _gray(small)
    # A visitor at the tablet fills a good part of the frame: faces under 12% of the
    # short side are passers-by (and the smallest scales are the costliest to search).
    min_side = max(24, int(min(gray.shape) * MIN_FACE_SHARE))
    with _cascades() as cascades:
        found = cascades.face.detectMultiScale(
            gray, scaleFactor=SCALE_STEP, minNeighbors=6, minSize=(min_side, min_side)
        )
        if len(found) == 0:  # alt2 finds some faces (glasses, beards) the default misses
            found = cascades.face_alt.detectMultiScale(
                gray, scaleFactor=SCALE_STEP, minNeighbors=4, minSize=(min_side, min_side)
            )
    return [Box.from_list(box).scaled(1 / scale) for box in found]


def detect_eyes(
    image: np.ndarray, face: Box
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Centres of the two eyes (left, right in the image) inside `face`, or None.

    Only the upper half of the face is searched and the pair must be side by side, which
    throws away the nostrils and mouth corners the eye cascade sometimes reports.
    """
    x, y, w, h = face.x, face.y, face.w, face.h
    region = _gray(image[y : y + h // 2 + h // 10, x : x + w])
    if region.size == 0:
        return None
    min_eye = max(8, w // 8)
    with _cascades() as cascades:
        eyes = cascades.eye.detectMultiScale(
            region,
            scaleFactor=SCALE_STEP,
            minNeighbors=5,
            minSize=(min_eye, min_eye),
            maxSize=(w // 2, w // 2),
        )
    centres = sorted((ex + ew / 2, ey + eh / 2) for ex, ey, ew, eh in eyes)
    left = [c for c in centres if c[0] < w / 2]
    right = [c for c in centres if c[0] >= w / 2]
    if not left or not right:
        return None
    (lx, ly), (rx, ry) = left[0], right[-1]
    if abs(ly - ry) > h * 0.15 or (rx - lx) < w * 0.25:
        return None
    return (x + lx, y + ly), (x + rx, y + ry)


class HaarFaceDetector:
    """Frontal faces from two Haar cascades: the old offline default, kept as the bench's
    baseline and as a choice that needs no model files beyond OpenCV's own."""

    name = "local-haar"

    def detect(self, image: Image.Image) -> list[Box]:
        return detect_faces(image)


class BlendCompositor:
    """The visitor's inner face warped onto the base face by both face meshes, colour- and
    light-matched, blended from the brows down (experiences/photo/mesh_compositing.py).

    A base image whose face the mesh cannot read (none stored and none found) falls back to
    the eye-aligned feathered oval of experiences/photo/compositing.py, so an old library still
    works.
    """

    name = "local-blend"

    def composite(
        self,
        face: Image.Image,
        face_box: Box,
        base: Image.Image,
        base_box: Box,
        *,
        face_observation: facemesh.FaceObservation | None = None,
        base_landmarks: np.ndarray | None = None,
    ) -> Image.Image:
        face_rgb = np.asarray(face if face.mode == "RGB" else face.convert("RGB"))
        base_rgb = np.asarray(base if base.mode == "RGB" else base.convert("RGB"))
        if base_landmarks is not None and face_observation is None:
            face_observation = _face_near(face_rgb, face_box)
        if base_landmarks is not None and face_observation is not None:
            return Image.fromarray(
                mesh_compositing.composite(
                    face_rgb, face_observation.landmarks, base_rgb, base_landmarks
                )
            )
        # The capture's stored landmarks give the eyes; the eye cascade only for captures
        # from a box-only detector (Rekognition) or from before landmarks were stored.
        face_eyes = (
            face_observation.eye_centres()
            if face_observation is not None
            else detect_eyes(face_rgb, face_box)
        )
        result = compositing.blend_face(
            face_rgb,
            face_box,
            base_rgb,
            base_box,
            face_eyes=face_eyes,
            base_eyes=base_eyes(base_rgb, base_box),
        )
        return Image.fromarray(result)


def _face_near(image: np.ndarray, box: Box) -> facemesh.FaceObservation | None:
    """The mesh of the face in `image` that overlaps `box` most (the capture's face), for a
    capture stored without landmarks (a box-only detector, or from before they were kept)."""
    faces = facemesh.detect_faces(image)
    if not faces:
        return None
    return max(faces, key=lambda face: facemesh.box_iou(tuple(face.box), tuple(box.as_list())))


_BASE_EYES_CACHE: dict[tuple, object] = {}
_BASE_EYES_CACHE_SIZE = 64
_MISSING = object()


def base_eyes(
    image: np.ndarray, face: Box
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """`detect_eyes` for a base portrait, remembered: every job on the same base image
    would find the same eyes again. The key is a digest of exactly the pixels
    `detect_eyes` looks at, so an edited or replaced base image is searched anew."""
    x, y, w, h = face.x, face.y, face.w, face.h
    region = image[y : y + h // 2 + h // 10, x : x + w]
    key = (face, region.shape, hashlib.blake2b(region.tobytes(), digest_size=16).digest())
    eyes = _BASE_EYES_CACHE.get(key, _MISSING)
    if eyes is _MISSING:
        eyes = detect_eyes(image, face)
        if len(_BASE_EYES_CACHE) >= _BASE_EYES_CACHE_SIZE:
            _BASE_EYES_CACHE.clear()
        _BASE_EYES_CACHE[key] = eyes
    return eyes


class TemplateStoryWriter:
    """The base image's story, in the visitor's language when it has one, with the
    visitor's nickname in it."""

    name = "local-template"

    def write(self, base_image, player) -> str:
        story, _ = base_image.story_in(story_language(player))
        return personalise(story, player.nickname)

    def language_for(self, base_image, player) -> str:
        """Korean for a Korean visitor when the base image has a Korean story, else English."""
        return base_image.story_in(story_language(player))[1]


def personalise(story: str, nickname: str) -> str:
    if "{nickname}" in story:
        return story.replace("{nickname}", nickname)
    return f"{nickname}: {story}"
