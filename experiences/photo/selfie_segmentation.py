"""The person in a photo, from MediaPipe's selfie-segmentation model run by OpenCV's DNN.

Why: GrabCut (experiences/photo/segmentation.py) guesses the person from colours seeded by the
face box, so a suit the colour of the wall, or a wall the colour of skin, goes the wrong
way. This small network (250 KB, Apache-2.0, vendored in experiences/photo/mlmodels/ with its
SHA-256) was trained to find people: on hand-labelled real photos its mask overlaps the
person better and costs less CPU (figures in experiences/photo/mlmodels/README.md and
bench/portrait_quality.py). The mediapipe package is not used, see
experiences/photo/facemesh.py.

The model takes a 256×256 RGB image in [0, 1] (the photo squeezed to a square, as
MediaPipe's own graph feeds it) and gives a 256×256 probability of "person".
"""

from pathlib import Path

import cv2
import numpy as np

from experiences.photo.faces import Box
from kernel.pools import BoundedPool, available_cores

MODEL = Path(__file__).resolve().parent / "mlmodels" / "selfie_segmentation.tflite"
INPUT_SIDE = 256
THRESHOLD = 0.5

# One network per core; a network must not run two passes at once.
_network = BoundedPool(
    lambda: cv2.dnn.readNetFromTFLite(np.frombuffer(MODEL.read_bytes(), np.uint8)),
    size=available_cores(),
).take


def person_probability(rgb: np.ndarray) -> np.ndarray:
    """float32 in [0, 1], the photo's size: how likely each pixel shows a person."""
    height, width = rgb.shape[:2]
    square = cv2.resize(rgb, (INPUT_SIDE, INPUT_SIDE), interpolation=cv2.INTER_AREA)
    blob = (square.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
    with _network() as net:
        net.setInput(blob)
        out = net.forward()
    probability = out.reshape(INPUT_SIDE, INPUT_SIDE).astype(np.float32)
    return cv2.resize(probability, (width, height), interpolation=cv2.INTER_LINEAR)


def person_mask(rgb: np.ndarray, face: Box) -> np.ndarray:
    """255 where the visitor is, 0 elsewhere (same contract as segmentation.person_mask).

    Only the connected region holding the visitor's face is kept, so a passer-by behind
    them is not cut out with them.
    """
    mask = np.where(person_probability(rgb) >= THRESHOLD, 255, 0).astype(np.uint8)
    height, width = mask.shape
    cx = int(min(max(face.x + face.w // 2, 0), width - 1))
    cy = int(min(max(face.y + face.h // 2, 0), height - 1))
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    label = labels[cy, cx]
    if count > 1 and label != 0:
        mask = np.where(labels == label, 255, 0).astype(np.uint8)
    return mask
