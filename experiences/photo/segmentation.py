"""Person and clothing masks from a face box, with classical OpenCV (no model weights).

The reference booth segmented clothes with Segformer; offline, Booth seeds OpenCV's GrabCut
with what the face box tells us about a visitor standing in front of the tablet: the face
and a strip of chest below it are the person for sure, above the head is background, the
head and a body widening from the shoulders down are probably the person (see
`_seed_mask`). Skin (coloured like the visitor's own face) and everything above the chin
are then taken out to leave the clothes.

GrabCut runs only on the region around the person, scaled to at most `WORK_SIDE` pixels
(its cost grows with the pixels it has to decide), and the mask is scaled back up
smoothly: about 0.2 s of CPU for a 1280×720 frame (bench/photo_experiences.py).
"""

import cv2
import numpy as np

from experiences.photo.faces import Box

WORK_SIDE = 256
GRABCUT_ITERATIONS = 3
GRABCUT_SEED = 12345
# Skin as YCrCb chroma close to the visitor's own face (a generic skin range alone takes in
# orange and tan clothes).
SKIN_CR_RANGE = (133, 173)
SKIN_CB_RANGE = (77, 127)
SKIN_TOLERANCE = 14
MIN_CLOTHES_SHARE = 0.004  # specks smaller than this share of the frame are dropped
# Less clothing than this (relative to the face's area) means the visitor's body is not in
# the photo: a close-up of a face has nothing to dress.
MIN_CLOTHES_PER_FACE = 0.5


class NoClothesFound(ValueError):
    """The photo shows too little of the visitor below the face to put a kit on."""


def _work_scale(shape: tuple[int, ...]) -> float:
    return min(1.0, WORK_SIDE / max(shape[:2]))


def _clip(value: float, high: int) -> int:
    return int(min(max(round(value), 0), high))


def _seed_mask(height: int, width: int, face: Box) -> np.ndarray:
    """GrabCut's starting labels, from where a face puts the rest of a person at a tablet.

    Above the head is wall for sure. The head (with hair) and a body widening from the
    shoulders down are probably the person, the rest probably wall: "probably", so GrabCut
    may still move the edge to where the colours say it is. The middle of the face and a
    strip of chest below the chin are the person for sure.
    """
    seeds = np.full((height, width), cv2.GC_BGD, np.uint8)
    cx = face.x + face.w / 2
    rows = np.arange(height, dtype=np.float32)[:, None]
    cols = np.arange(width, dtype=np.float32)[None, :]
    shoulders = face.y + 1.0 * face.h
    # Half-width of the body: the head's below the crown, then 1.6 face widths at the
    # shoulders growing to 2.4 three face heights lower (arms, elbows).
    growth = np.clip((rows - shoulders) / (3.0 * face.h), 0, 1)
    half_width = np.where(rows < shoulders, 0.85 * face.w, (1.6 + 0.8 * growth) * face.w)
    offset = np.abs(cols - cx)
    # Only a band around that shape is left for GrabCut to decide; farther out is wall
    # for sure, which also keeps the graph cut small (and fast).
    seeds[(offset <= half_width + 0.8 * face.w) & (rows >= face.y - 0.9 * face.h)] = cv2.GC_PR_BGD
    seeds[(offset <= half_width) & (rows >= face.y - 0.6 * face.h)] = cv2.GC_PR_FGD
    seeds[
        _clip(face.y + 0.2 * face.h, height) : _clip(face.y + 0.9 * face.h, height),
        _clip(face.x + 0.2 * face.w, width) : _clip(face.x + 0.8 * face.w, width),
    ] = cv2.GC_FGD
    seeds[
        _clip(face.y + 1.4 * face.h, height) : _clip(face.y + 2.6 * face.h, height),
        _clip(face.x + 0.2 * face.w, width) : _clip(face.x + 0.8 * face.w, width),
    ] = cv2.GC_FGD
    if not np.isin(seeds, (cv2.GC_BGD, cv2.GC_PR_BGD)).any():  # a face filling the frame
        seeds[:, :2] = seeds[:, -2:] = cv2.GC_PR_BGD
    return seeds


def person_region(face: Box, width: int, height: int) -> Box:
    """Where in the photo the person can be: a few face widths either side of the face and
    everything below it. GrabCut works on this part only, at a finer scale."""
    left = _clip(face.x + face.w / 2 - 3.5 * face.w, width)
    right = _clip(face.x + face.w / 2 + 3.5 * face.w, width)
    top = _clip(face.y - 1.0 * face.h, height)
    return Box(left, top, right - left, height - top)


def _component_with(mask: np.ndarray, point: tuple[int, int]) -> np.ndarray:
    """Only the connected region that contains `point` (x, y): the visitor, not passers-by."""
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    label = labels[point[1], point[0]]
    if count <= 1 or label == 0:
        return mask
    return np.where(labels == label, 255, 0).astype(np.uint8)


def _upscale(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    if mask.shape[:2] == (height, width):
        return mask
    smooth = cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.where(smooth >= 128, 255, 0).astype(np.uint8)


def person_mask(rgb: np.ndarray, face: Box) -> np.ndarray:
    """255 where the visitor is (face, hair, body and clothes), 0 elsewhere; same size as rgb."""
    height, width = rgb.shape[:2]
    region = person_region(face, width, height)
    part = rgb[region.y : region.y + region.h, region.x : region.x + region.w]
    scale = _work_scale(part.shape)
    small = cv2.resize(part, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small_face = Box(face.x - region.x, face.y - region.y, face.w, face.h).scaled(scale)
    labels = _seed_mask(small.shape[0], small.shape[1], small_face)
    background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    # GrabCut starts its colour models with k-means from OpenCV's (per-thread) random
    # generator: a fixed seed makes the same photo give the same mask every time.
    cv2.setRNGSeed(GRABCUT_SEED)
    cv2.grabCut(
        cv2.cvtColor(small, cv2.COLOR_RGB2BGR),
        labels,
        None,
        background,
        foreground,
        GRABCUT_ITERATIONS,
        cv2.GC_INIT_WITH_MASK,
    )
    mask = np.where(np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD)), 255, 0).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
    centre = (
        _clip(small_face.center[0], small.shape[1] - 1),
        _clip(small_face.center[1], small.shape[0] - 1),
    )
    person = np.zeros((height, width), np.uint8)
    person[region.y : region.y + region.h, region.x : region.x + region.w] = _upscale(
        _component_with(mask, centre), region.w, region.h
    )
    return person


def skin_mask(rgb: np.ndarray, face: Box) -> np.ndarray:
    """255 where the colour is skin like the visitor's face (neck, hands, arms)."""
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    inner = ycrcb[
        face.y + face.h // 4 : face.y + 3 * face.h // 4,
        face.x + face.w // 4 : face.x + 3 * face.w // 4,
    ]
    cr = ycrcb[..., 1].astype(np.int16)
    cb = ycrcb[..., 2].astype(np.int16)
    skin = (
        (cr >= SKIN_CR_RANGE[0])
        & (cr <= SKIN_CR_RANGE[1])
        & (cb >= SKIN_CB_RANGE[0])
        & (cb <= SKIN_CB_RANGE[1])
    )
    if inner.size:
        face_cr, face_cb = np.median(inner[..., 1]), np.median(inner[..., 2])
        skin &= (np.abs(cr - face_cr) <= SKIN_TOLERANCE) & (np.abs(cb - face_cb) <= SKIN_TOLERANCE)
    return np.where(skin, 255, 0).astype(np.uint8)


def clothing_mask(rgb: np.ndarray, face: Box, person: np.ndarray | None = None) -> np.ndarray:
    """255 on the visitor's clothes: the person below the chin, minus skin and the head.

    This stands in for the reference's merged Segformer labels (upper clothes, pants,
    skirt, dress); it also takes in whatever the visitor holds against their body.
    """
    height, width = rgb.shape[:2]
    if person is None:
        person = person_mask(rgb, face)
    clothes = person.copy()
    chin = _clip(face.y + 1.05 * face.h, height)
    clothes[:chin] = 0
    clothes[skin_mask(rgb, face) > 0] = 0
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    clothes = cv2.morphologyEx(clothes, cv2.MORPH_OPEN, kernel)
    clothes = cv2.morphologyEx(clothes, cv2.MORPH_CLOSE, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(clothes, connectivity=8)
    smallest = MIN_CLOTHES_SHARE * height * width
    keep = [label for label in range(1, count) if stats[label, cv2.CC_STAT_AREA] >= smallest]
    clothes = np.where(np.isin(labels, keep), 255, 0).astype(np.uint8)
    if np.count_nonzero(clothes) < MIN_CLOTHES_PER_FACE * face.area:
        raise NoClothesFound("No clothes found below the face")
    return clothes


def feathered(mask: np.ndarray, radius: int) -> np.ndarray:
    """The mask as float alpha in [0, 1] with edges softened over about `radius` pixels."""
    alpha = mask.astype(np.float32) / 255.0
    if radius <= 0:
        return alpha
    size = 2 * radius + 1
    return cv2.GaussianBlur(alpha, (size, size), radius / 2)
