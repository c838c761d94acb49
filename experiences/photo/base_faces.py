"""A base portrait's face, measured once: landmarks, pose and box, or why it is unusable.

Why at import, generation and approval rather than in every job: the base image does not
change, so its face mesh is the same every time; measuring it when it enters the library
also lets staff hear at once that an image cannot take a face (in profile, too small, no
face at all) instead of a visitor's job failing on it later. Rows stored before this
existed are measured on first use by a job (`ensure_measured`) and kept.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from experiences.models.library import BaseImage
from experiences.photo import facemesh
from experiences.photo.faces import Box

# A face turned further than this (either way) shows one side only: the visitor's frontal
# face cannot be warped onto it without stretching one half (MediaPipe's mesh tracks up
# to about 45°; the capture side accepts visitors up to 35°).
MAX_BASE_YAW = 30.0
MAX_BASE_PITCH = 30.0
# The face (forehead to chin) must be at least this share of the portrait's short side: a
# smaller face leaves too few pixels for the visitor's features to be recognised (the
# demo's painted faces are about 30%; a head-and-shoulders portrait is over 20%).
MIN_FACE_SHARE = 0.15


class UnusableFace(ValueError):
    """The image has no face a visitor's face can go into; `reason` is one of
    BaseImage.RejectionReason, and the message says what is wrong in a sentence."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class BaseFace:
    box: Box
    landmarks: np.ndarray  # (468, 2) float32, image pixels
    pose: dict[str, float]  # yaw, pitch, roll in degrees

    def fields(self) -> dict:
        """BaseImage fields to store: face_box, face_landmarks, face_pose."""
        return {
            "face_box": self.box.as_list(),
            "face_landmarks": np.round(self.landmarks, 1).tolist(),
            "face_pose": self.pose,
        }


def measure(image: Image.Image) -> BaseFace:
    """The largest face in a base portrait, or UnusableFace saying why there is none."""
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    faces = facemesh.detect_faces(rgb)
    if not faces:
        raise UnusableFace(
            BaseImage.RejectionReason.NO_FACE,
            "use a portrait with a clear face, or give a face_box column to mark one",
        )
    face = faces[0]
    if abs(face.yaw) > MAX_BASE_YAW or abs(face.pitch) > MAX_BASE_PITCH:
        raise UnusableFace(
            BaseImage.RejectionReason.FACE_IN_PROFILE,
            f"the face is turned too far ({face.yaw:+.0f}° left-right, {face.pitch:+.0f}° "
            f"up-down; at most {MAX_BASE_YAW:.0f}°): use a portrait facing the viewer",
        )
    short_side = min(image.size)
    if face.size < MIN_FACE_SHARE * short_side:
        raise UnusableFace(
            BaseImage.RejectionReason.PERSON_TOO_SMALL,
            f"the face is {face.size:.0f} px tall, under {MIN_FACE_SHARE:.0%} of the "
            f"image's short side ({short_side} px): use a closer portrait",
        )
    return BaseFace(
        box=Box.from_list(list(face.box)),
        landmarks=np.asarray(face.landmarks, np.float32),
        pose={
            "yaw": round(face.yaw, 1),
            "pitch": round(face.pitch, 1),
            "roll": round(face.roll, 1),
        },
    )


def stored_landmarks(base: BaseImage) -> np.ndarray | None:
    """The base image's stored mesh as (468, 2) float32, or None if it has none."""
    if not base.face_landmarks:
        return None
    points = np.asarray(base.face_landmarks, np.float32)
    return points.reshape(-1, 2) if points.size == 468 * 2 else None


def ensure_measured(base: BaseImage, image: Image.Image) -> np.ndarray | None:
    """The base's landmarks, measured now and stored if the row predates them.

    None if the image has no usable face: the caller falls back to its face box (the row
    is left as it is; staff see the reason when they next import or approve it).
    """
    landmarks = stored_landmarks(base)
    if landmarks is not None:
        return landmarks
    try:
        face = measure(image)
    except UnusableFace:
        return None
    fields = face.fields()
    fields.pop("face_box")  # the box staff may have marked by hand stays as it was
    BaseImage.objects.filter(pk=base.pk).update(**fields)
    base.face_landmarks, base.face_pose = fields["face_landmarks"], fields["face_pose"]
    return face.landmarks


def measure_for_approval(images) -> dict[int, str]:
    """Measure the faces of `images` (a BaseImage queryset) that have no landmarks yet.

    Stores what it finds. Returns {pk: message} for those without a usable face, each
    marked rejected with its reason: approval must leave them out (`approve` keeps only
    NO_FACE out by itself). A row whose face box staff marked by hand in a manifest but
    where the mesh finds nothing is refused too: it would only get the old oval blend.
    """
    refused: dict[int, str] = {}
    for base in images.filter(face_landmarks__isnull=True):
        with base.image.open("rb") as handle:
            image = Image.open(handle)
            image.load()
        try:
            face = measure(image.convert("RGB"))
        except UnusableFace as exc:
            BaseImage.objects.filter(pk=base.pk).update(approved=False, rejection_reason=exc.reason)
            refused[base.pk] = f"{base.title}: {exc}"
            continue
        fields = face.fields()
        fields.pop("face_box")
        BaseImage.objects.filter(pk=base.pk).update(**fields)
    return refused
