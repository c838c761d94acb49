"""Which face is the visitor's, or what to tell them so the next photo works.

The tablet asks for a retake while the visitor is still there (HTTP 422 with a `code` and
a sentence in their language) rather than putting a bad portrait on the wall: a face the
compositor cannot use well (turned away, eyes shut, tiny) would become a bad picture, and
two people of the same size leave it to chance whose face goes in.

Codes, in the order they are checked (the sentence's first words in brackets):

- `no_face`: no face found ("We could not find a face…").
- `several_faces`: a second face at least `SEVERAL_FACES_RATIO` the size of the largest
  ("One person at a time, please.").
- `face_too_small`: the face is under `MIN_FACE_SHARE` of the photo's short side
  ("Come closer.").
- `face_turned`: head turned (yaw) over `MAX_YAW` or tipped (pitch) over `MAX_PITCH`
  degrees ("Face the camera.").
- `eyes_closed`: both eyes' lid gap under `MIN_EYES_OPEN` of their width
  ("Keep your eyes open.").

Detectors that give only boxes (Rekognition) get the first three; the mesh all five.
"""

from collections.abc import Callable, Sequence

from django.utils.translation import gettext as _

from experiences.photo.facemesh import FaceObservation
from experiences.photo.faces import Box
from experiences.photo.imaging import ImageRejected

# A visitor at the tablet fills a good part of the frame (the Haar detector searched no
# smaller than 12% of the short side); someone further away is asked to come closer. The
# mesh's size estimate is within about ±8% for faces of 12% and more (tests/face_photos),
# so the line is drawn at 11%: no visitor at 12% is sent back by an estimate's error.
# The detector itself finds faces down to about 9-10% of a 1280×720 frame's height; below
# that the visitor hears "we could not find a face… move closer".
MIN_FACE_SHARE = 0.11
# A passer-by behind the visitor is clearly smaller; two faces this close in size are two
# people at the tablet.
SEVERAL_FACES_RATIO = 0.8
# Beyond these the face's far side is hidden or foreshortened and no warp makes a
# portrait of it (the prototype: strongly turned heads failed with every method).
MAX_YAW = 35.0
MAX_PITCH = 30.0
# Open eyes measure about 0.25-0.35 (lid gap ÷ eye width), narrow or smiling eyes down to
# about 0.15, a blink under 0.1: refuse only what is clearly shut.
MIN_EYES_OPEN = 0.09


def _no_face() -> ImageRejected:
    return ImageRejected(
        "no_face",
        _(
            "We could not find a face in the photo. Look at the camera, move closer and "
            "make sure your face is well lit, then take it again."
        ),
        status=422,
    )


def _several_faces() -> ImageRejected:
    return ImageRejected(
        "several_faces",
        _(
            "One person at a time, please. Ask the others to step out of the picture, "
            "then take it again."
        ),
        status=422,
    )


def _too_small() -> ImageRejected:
    return ImageRejected(
        "face_too_small",
        _(
            "Come closer. Your face is too small in the photo: step up to the tablet and "
            "take it again."
        ),
        status=422,
    )


def _turned() -> ImageRejected:
    return ImageRejected(
        "face_turned",
        _("Face the camera. Look straight at the tablet, then take it again."),
        status=422,
    )


def _eyes_closed() -> ImageRejected:
    return ImageRejected(
        "eyes_closed",
        _("Keep your eyes open. Your eyes were closed in the photo: please take it again."),
        status=422,
    )


def choose_visitor(
    faces: Sequence[FaceObservation], image_size: tuple[int, int]
) -> FaceObservation:
    """The visitor's face among the mesh's faces, or the ImageRejected that says why not.

    Faces are compared by their forehead-to-chin length, which a tilted head does not
    change (a tilted face's box grows with the tilt).
    """
    visitor = _one_near_face(faces, lambda face: face.size, image_size)
    if abs(visitor.yaw) > MAX_YAW or abs(visitor.pitch) > MAX_PITCH:
        raise _turned()
    if visitor.eyes_open_ratio < MIN_EYES_OPEN:
        raise _eyes_closed()
    return visitor


def choose_visitor_box(boxes: Sequence[Box], image_size: tuple[int, int]) -> Box:
    """The same rules for a detector that gives only boxes: by box height."""
    return _one_near_face(boxes, lambda box: box.h, image_size)


def _one_near_face[F](faces: Sequence[F], size: Callable[[F], float], image_size) -> F:
    """The largest face by `size`, if it is alone and near enough; else the refusal."""
    if not faces:
        raise _no_face()
    ranked = sorted(faces, key=size, reverse=True)
    visitor = ranked[0]
    if len(ranked) > 1 and size(ranked[1]) >= SEVERAL_FACES_RATIO * size(visitor):
        raise _several_faces()
    if size(visitor) < MIN_FACE_SHARE * min(image_size):
        raise _too_small()
    return visitor
