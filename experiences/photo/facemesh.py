"""Faces with 468 landmarks and head pose, from MediaPipe's models run by OpenCV's DNN.

Why these models: the BlazeFace short-range detector and the 468-point face mesh are small
(1.5 MB together), Apache-2.0, and `cv2.dnn.readNetFromTFLite` (OpenCV ≥ 4.8) runs them,
so the booth finds tilted and three-quarter faces, and their landmarks, with no new
package and nothing downloaded at run time (the files are vendored in
`experiences/photo/mlmodels/`, see its README). The mediapipe package itself is not used: it
brings ~900 MB and replaces our cv2.

Pipeline (as MediaPipe's face_detection_short_range and face_landmark graphs do it):

1. BlazeFace on 128×128 views of the frame (the whole frame letterboxed when it is near
   square, else three overlapping squares of its short side, so that a visitor a step
   back still covers enough input pixels), 896 SSD anchors, sigmoid scores (kept from
   `SCORE_MIN`), weighted non-maximum suppression.
2. For each candidate, a square crop 1.5× the detector's box, rotated so the eyes are
   level (tilted heads arrive upright), resized to 192×192 for the face mesh.
3. The mesh's face-presence score rejects what the detector mistook for a face (a cat,
   a lamp): only candidates with `presence ≥ PRESENCE_MIN` are returned.
4. Landmarks mapped back to image pixels; head pose from the mesh's own 3-D landmarks.

Public API (compositing and the capture intake depend on it; keep it stable):
`detect_faces(image_rgb) -> list[FaceObservation]`, largest face first.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kernel.pools import BoundedPool, available_cores

MODELS = Path(__file__).resolve().parent / "mlmodels"
DETECTOR_MODEL = MODELS / "face_detection_short_range.tflite"
MESH_MODEL = MODELS / "face_landmark.tflite"

DETECTOR_INPUT = 128
MESH_INPUT = 192
# Below MediaPipe's default 0.5: a face of 12% of a 1280×720 frame is about 15 px in the
# detector's view and scores 0.4-0.6, so 0.5 lost some (the astronaut at 12% on either
# side of the frame). Lamps, cats and clocks the lower floor lets through are refused by
# the mesh's presence score, at one mesh run (~4 ms) each, at most MAX_CANDIDATES.
SCORE_MIN = 0.35
NMS_IOU = 0.3  # MediaPipe's min_suppression_threshold for this model
PRESENCE_MIN = 0.5  # MediaPipe's face-presence threshold in face_landmark_cpu
MAX_CANDIDATES = 4  # the mesh runs on at most this many detector boxes, largest first
ROI_SCALE = 1.5  # face_detection_front_detection_to_roi: scale_x/scale_y 1.5, square_long

# Landmark indices of the 468-point mesh (MediaPipe's canonical face topology). "Right" and
# "left" are the person's own: their right eye appears on the image's left.
RIGHT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_EYE_TOP, RIGHT_EYE_BOTTOM = 33, 133, 159, 145
LEFT_EYE_INNER, LEFT_EYE_OUTER, LEFT_EYE_TOP, LEFT_EYE_BOTTOM = 362, 263, 386, 374
FOREHEAD, CHIN, NOSE_TIP = 10, 152, 1
EYES_PER_FACE_HEIGHT = 0.44  # distance between the eye centres ÷ forehead-to-chin height
RIGHT_EYE_RING = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_RING = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
# The face's outline, in order round the face (forehead, down the image's right side, chin).
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class FaceObservation:
    """One face as the mesh sees it, in the pixel coordinates of the image it came from.

    `box` is the landmarks' bounding box (x, y, w, h): forehead to chin, cheek to cheek,
    whatever the head's tilt. `score` is the detector's confidence, `presence` the mesh's
    confidence that the crop shows a face at all (both 0–1). `landmarks` is (468, 2)
    float32, x then y; `depth` (468,) float32 is the mesh's relative depth in the same
    pixel scale (smaller = nearer the camera). Angles in degrees, 0 when facing the
    camera: `yaw` > 0 when the nose points to the image's right, `pitch` > 0 when the
    face looks down, `roll` > 0 when the head tilts clockwise in the image (the
    person's left eye, on the image's right, lower than the other).
    """

    box: tuple[int, int, int, int]
    score: float
    presence: float
    landmarks: np.ndarray
    yaw: float
    pitch: float
    roll: float
    depth: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(468, np.float32))

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]

    @property
    def size(self) -> float:
        """The face's height (forehead to chin) in pixels, estimated from the distance
        between the eye centres, corrected for yaw; a head's tilt does not change it.

        Why the eyes: they are what the mesh places best in a small, soft face. Its
        forehead and chin points drift outwards there (+20-30% on faces under ~90 px),
        while eye distance ÷ face height stayed 0.41-0.47 from 66 to 200 px on the test
        photos (tests/face_photos), hence `EYES_PER_FACE_HEIGHT`.
        """
        (ax, ay), (bx, by) = self.eye_centres()
        turned = max(math.cos(math.radians(self.yaw)), 0.5)
        return math.hypot(bx - ax, by - ay) / turned / EYES_PER_FACE_HEIGHT

    def eye_centres(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Centres of the two eyes, the image's left one first (the person's right eye)."""
        right = self.landmarks[list(RIGHT_EYE_RING)].mean(axis=0)
        left = self.landmarks[list(LEFT_EYE_RING)].mean(axis=0)
        first, second = sorted([right, left], key=lambda p: float(p[0]))
        return (float(first[0]), float(first[1])), (float(second[0]), float(second[1]))

    def eye_openness(self) -> tuple[float, float]:
        """Lid gap ÷ eye width for the person's right and left eye: about 0.25–0.35 for
        open eyes, under ~0.1 when closed (a blink)."""

        def ratio(top: int, bottom: int, outer: int, inner: int) -> float:
            gap = np.linalg.norm(self.landmarks[top] - self.landmarks[bottom])
            width = np.linalg.norm(self.landmarks[outer] - self.landmarks[inner])
            return float(gap / width) if width > 0 else 0.0

        return (
            ratio(RIGHT_EYE_TOP, RIGHT_EYE_BOTTOM, RIGHT_EYE_OUTER, RIGHT_EYE_INNER),
            ratio(LEFT_EYE_TOP, LEFT_EYE_BOTTOM, LEFT_EYE_OUTER, LEFT_EYE_INNER),
        )

    @property
    def eyes_open_ratio(self) -> float:
        """The more open of the two eyes' ratios (a turned head hides one eye's lids)."""
        return max(self.eye_openness())

    def outline(self) -> np.ndarray:
        """(36, 2) float32 points round the face (the mesh's face oval), in order."""
        return self.landmarks[list(FACE_OVAL)]

    def shifted(self, dx: float, dy: float) -> FaceObservation:
        """The same face in an image cut out at (dx, dy) of this one (e.g. a face crop):
        every coordinate minus the offset."""
        x, y, w, h = self.box
        offset = np.float32([dx, dy])
        return FaceObservation(
            box=(round(x - dx), round(y - dy), w, h),
            score=self.score,
            presence=self.presence,
            landmarks=(self.landmarks - offset).astype(np.float32),
            yaw=self.yaw,
            pitch=self.pitch,
            roll=self.roll,
            depth=self.depth,
        )

    def to_dict(self, *, depth: bool = False) -> dict:
        """A compact JSON-able form (landmarks rounded to 0.1 px, about 6 kB) for storing
        with a capture; `from_dict` gives the observation back. Depth only when asked:
        store the minimum (the pose, computed from it, is kept)."""
        data = {
            "box": list(self.box),
            "score": round(self.score, 4),
            "presence": round(self.presence, 4),
            "yaw": round(self.yaw, 2),
            "pitch": round(self.pitch, 2),
            "roll": round(self.roll, 2),
            "landmarks": np.round(self.landmarks, 1).flatten().tolist(),
        }
        if depth:
            data["depth"] = np.round(self.depth, 1).tolist()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FaceObservation:
        return cls(
            box=tuple(int(v) for v in data["box"]),
            score=float(data["score"]),
            presence=float(data["presence"]),
            landmarks=np.asarray(data["landmarks"], np.float32).reshape(468, 2),
            yaw=float(data["yaw"]),
            pitch=float(data["pitch"]),
            roll=float(data["roll"]),
            depth=np.asarray(data["depth"] if "depth" in data else np.zeros(468), np.float32),
        )


def detect_faces(image_rgb: np.ndarray) -> list[FaceObservation]:
    """Every face in an upright RGB (or grey) uint8 image, largest first.

    Only faces the mesh confirms (presence ≥ 0.5) are returned, so an empty list means
    "no face". Thread-safe; the models are loaded once per process and shared.
    """
    image = _as_rgb(image_rgb)
    with _networks() as nets:
        # The largest few only: a crowd behind the visitor costs no more than this.
        candidates = sorted(_detect(nets.detector, image), key=_candidate_area, reverse=True)
        faces = []
        for candidate in candidates[:MAX_CANDIDATES]:
            face = _mesh(nets.mesh, image, candidate)
            if face is not None and face.presence >= PRESENCE_MIN:
                faces.append(face)
    faces = _drop_duplicates(faces)
    return sorted(faces, key=lambda f: f.area, reverse=True)


# --- model loading ---------------------------------------------------------------------


class _Networks:
    """One detector and one mesh network: cv2.dnn.Net objects must not run two forward
    passes at once, so each thread borrows a pair no other thread is using."""

    def __init__(self) -> None:
        self.detector = cv2.dnn.readNetFromTFLite(_model_bytes(DETECTOR_MODEL))
        self.mesh = cv2.dnn.readNetFromTFLite(_model_bytes(MESH_MODEL))


_bytes: dict[Path, np.ndarray] = {}
_bytes_lock = threading.Lock()


def _model_bytes(path: Path) -> np.ndarray:
    """The model file, read from disk once per process."""
    with _bytes_lock:
        if path not in _bytes:
            _bytes[path] = np.frombuffer(path.read_bytes(), np.uint8)
        return _bytes[path]


# At most one pair per core: a burst of uploads waits for a free pair, first come first
# served, rather than parsing more models and fighting over the cores. The upload request
# runs on a thread of its own (Django's ASGI handler), never on the server's event loop.
_networks = BoundedPool(_Networks, size=available_cores()).take


def warm_up() -> None:
    """Load the models now (a worker's start) rather than in the first visitor's request."""
    detect_faces(np.zeros((DETECTOR_INPUT, DETECTOR_INPUT, 3), np.uint8))


# --- detector --------------------------------------------------------------------------


def _anchors() -> np.ndarray:
    """BlazeFace short-range SSD anchors, (896, 2) centres in 0–1.

    SsdAnchorsCalculator with strides [8, 16, 16, 16], aspect ratio 1, an interpolated
    scale and fixed anchor size: 2 anchors per cell on the 16×16 grid, 6 on the 8×8
    grid (three layers share stride 16); width and height are always 1.
    """
    centres = []
    for grid, per_cell in ((DETECTOR_INPUT // 8, 2), (DETECTOR_INPUT // 16, 6)):
        for y in range(grid):
            for x in range(grid):
                centres.extend([((x + 0.5) / grid, (y + 0.5) / grid)] * per_cell)
    return np.asarray(centres, np.float32)


ANCHORS = _anchors()


@dataclass
class _Candidate:
    score: float
    box: np.ndarray  # x0, y0, x1, y1 in image px
    keypoints: np.ndarray  # (6, 2) image px: right eye, left eye, nose, mouth, ears


def _candidate_area(candidate: _Candidate) -> float:
    x0, y0, x1, y1 = candidate.box
    return float((x1 - x0) * (y1 - y0))


def _as_rgb(image: np.ndarray) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim == 2:
        return cv2.cvtColor(array, cv2.COLOR_GRAY2RGB)
    if array.shape[2] == 4:
        return cv2.cvtColor(array, cv2.COLOR_RGBA2RGB)
    return array


def _views(width: int, height: int) -> list[tuple[float, float, float]]:
    """Square regions (x, y, side) of the frame that the detector looks at.

    A frame near square is seen whole (letterboxed). A wide or tall one is seen as three
    overlapping squares of its short side instead: a visitor whose face is 12% of a
    1280×720 frame's height would be 11 px in the whole frame squeezed to 128 px, too
    small for this model (it finds faces from about 14 px; its smallest anchor is
    19 px), but is 14–16 px in a 720 px square. The squares overlap by 440 px, so every
    face up to 61% of the short side lies whole in one of them, and a larger one is
    centred enough to lie in the middle square.
    """
    short, long_ = min(width, height), max(width, height)
    if long_ <= short * 1.2:
        side = float(long_)
        return [((width - side) / 2, (height - side) / 2, side)]
    count = 3
    step = (long_ - short) / (count - 1)
    if width > height:
        return [(i * step, 0.0, float(short)) for i in range(count)]
    return [(0.0, i * step, float(short)) for i in range(count)]


def _detect(net: cv2.dnn.Net, image: np.ndarray) -> list[_Candidate]:
    height, width = image.shape[:2]
    boxes, keypoints, scores = [], [], []
    for x0, y0, side in _views(width, height):
        scale = DETECTOR_INPUT / side
        matrix = np.float32([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]])
        view = cv2.warpAffine(
            image,
            matrix,
            (DETECTOR_INPUT, DETECTOR_INPUT),
            flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
        )
        net.setInput(cv2.dnn.blobFromImage(view, 1 / 127.5, mean=(127.5, 127.5, 127.5)))
        raw_scores, raw = net.forward(["classificators", "regressors"])
        logits = np.clip(raw_scores.reshape(-1).astype(np.float64), -100, 100)
        probability = 1 / (1 + np.exp(-logits))
        keep = np.flatnonzero(probability >= SCORE_MIN)
        if keep.size == 0:
            continue
        regress = raw.reshape(-1, 16)[keep] / DETECTOR_INPUT
        anchors = ANCHORS[keep]
        centre = regress[:, 0:2] + anchors
        half = regress[:, 2:4] / 2
        box = np.concatenate([centre - half, centre + half], axis=1)
        points = regress[:, 4:16].reshape(-1, 6, 2) + anchors[:, None, :]
        # Back from the view's 0–1 coordinates to image pixels.
        boxes.append(box * side + np.float32([x0, y0, x0, y0]))
        keypoints.append(points * side + np.float32([x0, y0]))
        scores.append(probability[keep])
    if not scores:
        return []
    return _weighted_nms(np.concatenate(scores), np.concatenate(boxes), np.concatenate(keypoints))


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    x0 = np.maximum(box[0], others[:, 0])
    y0 = np.maximum(box[1], others[:, 1])
    x1 = np.minimum(box[2], others[:, 2])
    y1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-6)


def _weighted_nms(scores: np.ndarray, boxes: np.ndarray, keypoints: np.ndarray) -> list[_Candidate]:
    """MediaPipe's weighted NMS: each cluster of overlapping boxes (IoU > 0.3) becomes
    one, its box and keypoints the score-weighted mean, its score the best one's. Steadier
    than plain NMS, and it merges what several views saw of the same face."""
    order = np.argsort(-scores)
    remaining = order
    found = []
    while remaining.size:
        top = remaining[0]
        overlap = _iou(boxes[top], boxes[remaining])
        cluster = remaining[overlap > NMS_IOU]
        weights = scores[cluster][:, None]
        total = weights.sum()
        found.append(
            _Candidate(
                score=float(scores[top]),
                box=(boxes[cluster] * weights).sum(axis=0) / total,
                keypoints=(keypoints[cluster] * weights[:, :, None]).sum(axis=0) / total,
            )
        )
        remaining = remaining[overlap <= NMS_IOU]
    return found


# --- face mesh -------------------------------------------------------------------------


def _mesh(net: cv2.dnn.Net, image: np.ndarray, candidate: _Candidate) -> FaceObservation | None:
    """The 468-point mesh on a square crop around the candidate, rotated so its eyes
    (the detector's keypoints 0 and 1) are level."""
    (rx, ry), (lx, ly) = candidate.keypoints[0], candidate.keypoints[1]
    angle = math.atan2(ly - ry, lx - rx)  # radians; 0 when the eyes are level
    x0, y0, x1, y1 = candidate.box
    centre = ((x0 + x1) / 2, (y0 + y1) / 2)
    side = max(x1 - x0, y1 - y0) * ROI_SCALE
    if side < 8:
        return None
    # Crop → 192 px: rotate by -angle about the centre, scale side → MESH_INPUT.
    scale = MESH_INPUT / side
    cos, sin = math.cos(angle) * scale, math.sin(angle) * scale
    matrix = np.float32(
        [
            [cos, sin, MESH_INPUT / 2 - cos * centre[0] - sin * centre[1]],
            [-sin, cos, MESH_INPUT / 2 + sin * centre[0] - cos * centre[1]],
        ]
    )
    crop = cv2.warpAffine(
        image,
        matrix,
        (MESH_INPUT, MESH_INPUT),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
    )
    net.setInput(cv2.dnn.blobFromImage(crop, 1 / 255.0))
    raw_presence, raw_landmarks = net.forward(["conv2d_31", "conv2d_21"])
    presence = 1 / (1 + math.exp(-float(np.clip(raw_presence.reshape(-1)[0], -100, 100))))
    points = raw_landmarks.reshape(468, 3)
    inverse = cv2.invertAffineTransform(matrix)
    xy = (points[:, :2] @ inverse[:, :2].T + inverse[:, 2]).astype(np.float32)
    depth = (points[:, 2] / scale).astype(np.float32)
    yaw, pitch, roll = _head_pose(xy, depth)
    left, top = np.floor(xy.min(axis=0))
    right, bottom = np.ceil(xy.max(axis=0))
    box = (int(left), int(top), int(right - left), int(bottom - top))
    return FaceObservation(
        box=box,
        score=candidate.score,
        presence=presence,
        landmarks=xy,
        yaw=yaw,
        pitch=pitch,
        roll=roll,
        depth=depth,
    )


def _head_pose(xy: np.ndarray, depth: np.ndarray) -> tuple[float, float, float]:
    """Yaw, pitch, roll in degrees from the mesh's 3-D landmarks.

    The head's own axes, read off the mesh: across = outer corner of the person's right
    eye → outer corner of the left one; down = forehead → chin, made perpendicular to
    across; forward = their cross product. The mesh predicts depth for every point in
    the same pixel scale as x and y, so this needs no camera model or canonical 3-D face
    (solvePnP would need both, and the wheel ships no canonical face). Checked on real
    photos (tests/experiences/photo/test_facemesh.py): a photo turned by ±20-30° changes roll by
    the same within 5°, a mirrored face mirrors yaw, frontal faces measure |yaw| < 15°.
    """
    points = np.column_stack([xy, depth]).astype(np.float64)
    across = points[LEFT_EYE_OUTER] - points[RIGHT_EYE_OUTER]
    across /= np.linalg.norm(across) or 1.0
    down = points[CHIN] - points[FOREHEAD]
    down -= across * (down @ across)
    down /= np.linalg.norm(down) or 1.0
    forward = np.cross(across, down)  # image axes x right, y down, z away from camera
    # `forward` points into the image for a frontal face; the face looks along -forward.
    look = -forward
    yaw = math.degrees(math.atan2(look[0], -look[2]))
    pitch = math.degrees(math.atan2(look[1], math.hypot(look[0], look[2])))
    roll = math.degrees(math.atan2(across[1], across[0]))
    return yaw, pitch, roll


def _drop_duplicates(faces: list[FaceObservation]) -> list[FaceObservation]:
    """Two detector candidates can land on one face (views that saw it at different
    sizes, a box around the eyes only); the mesh then puts both on the same face, so keep
    the more certain. Overlap is measured against the smaller box: a second mesh of the
    same face lies mostly inside the first even when their IoU is low."""
    kept: list[FaceObservation] = []
    for face in sorted(faces, key=lambda f: f.presence * f.score, reverse=True):
        if all(_overlap_of_smaller(face.box, other.box) < 0.5 for other in kept):
            kept.append(face)
    return kept


def _overlap_of_smaller(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    iw = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    smaller = min(a[2] * a[3], b[2] * b[3])
    return iw * ih / smaller if smaller else 0.0


def box_iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return inter / union if union else 0.0
