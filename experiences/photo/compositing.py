"""Putting a visitor's face into a base portrait with classical image operations.

Three steps make the result look natural rather than pasted: align (eyes onto eyes when
both are found, else face box onto face box with the eyes levelled), match colour (shift
the face's Lab means toward the skin of the base portrait) and blend with a feathered
elliptical mask so no edge is visible.
"""

import functools
import math

import cv2
import numpy as np

from experiences.photo.faces import Box

Point = tuple[float, float]
Eyes = tuple[Point, Point] | None

# How far an eye-based scale may stray from the box-based one before the eyes are
# treated as a misdetection.
EYE_SCALE_TOLERANCE = (0.7, 1.45)


def _box_scale(face_box: Box, base_box: Box) -> float:
    return (base_box.w / face_box.w + base_box.h / face_box.h) / 2


def _two_point_similarity(src: tuple[Point, Point], dst: tuple[Point, Point]) -> np.ndarray:
    """The rotation + uniform scale + shift mapping src[0]→dst[0] and src[1]→dst[1]."""
    (sx0, sy0), (sx1, sy1) = src
    (dx0, dy0), (dx1, dy1) = dst
    src_vec = complex(sx1 - sx0, sy1 - sy0)
    dst_vec = complex(dx1 - dx0, dy1 - dy0)
    rot = dst_vec / src_vec  # scale·e^{iθ}
    shift = complex(dx0, dy0) - rot * complex(sx0, sy0)
    return np.array([[rot.real, -rot.imag, shift.real], [rot.imag, rot.real, shift.imag]])


def face_transform(face_box: Box, base_box: Box, face_eyes: Eyes, base_eyes: Eyes) -> np.ndarray:
    """A 2×3 affine matrix taking face-crop pixels to base-portrait pixels."""
    box_scale = _box_scale(face_box, base_box)
    if face_eyes and base_eyes:
        matrix = _two_point_similarity(face_eyes, base_eyes)
        scale = math.hypot(matrix[0, 0], matrix[1, 0])
        low, high = EYE_SCALE_TOLERANCE
        if low <= scale / box_scale <= high:
            return matrix
    angle = 0.0
    if face_eyes:
        (lx, ly), (rx, ry) = face_eyes
        angle = math.degrees(math.atan2(ry - ly, rx - lx))
    fx, fy = face_box.center
    bx, by = base_box.center
    matrix = cv2.getRotationMatrix2D((fx, fy), angle, box_scale)
    matrix[0, 2] += bx - fx
    matrix[1, 2] += by - fy
    return matrix


def _mask_geometry(base_box: Box) -> tuple[tuple[int, int], tuple[int, int], float]:
    """Centre and axes of the face ellipse, and the feather's Gaussian sigma."""
    cx, cy = base_box.center
    centre = (round(cx), round(cy + base_box.h * 0.04))
    axes = (max(1, round(base_box.w * 0.5)), max(1, round(base_box.h * 0.64)))
    return centre, axes, max(1.0, base_box.w * 0.08)


def face_mask(
    shape: tuple[int, int], base_box: Box, origin: tuple[int, int] = (0, 0)
) -> np.ndarray:
    """A float mask in [0, 1]: an ellipse over the face, feathered over ~8% of its width.

    `shape` and `origin` (x, y) give the window of the base portrait the mask covers.
    """
    return _cached_mask(tuple(shape), base_box, tuple(origin)).copy()


@functools.lru_cache(maxsize=32)
def _cached_mask(shape: tuple[int, int], base_box: Box, origin: tuple[int, int]) -> np.ndarray:
    """The mask, read-only: every job on the same base image needs the same one, and the
    wide blur is the costliest step of a blend."""
    height, width = shape
    mask = np.zeros((height, width), np.float32)
    (cx, cy), axes, sigma = _mask_geometry(base_box)
    cv2.ellipse(mask, (cx - origin[0], cy - origin[1]), axes, 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), sigma)
    mask.flags.writeable = False
    return mask


def mask_window(shape: tuple[int, int], base_box: Box) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): the part of the portrait the feathered mask can reach.

    Outside it the mask is exactly 0 (OpenCV cuts a float Gaussian off at 4 sigma), so
    only this window has to be warped, colour-matched and blended. With a margin of one
    kernel radius and a little more, the blur reads only zeros beyond the window's edge,
    as it would in the whole portrait. The result matches blending the whole portrait
    up to OpenCV's fixed-point rounding of the sub-pixel warp (a few levels, few pixels).
    """
    height, width = shape
    (cx, cy), (ax, ay), sigma = _mask_geometry(base_box)
    margin = round(sigma * 4) + 3
    return (
        max(0, cx - ax - margin),
        max(0, cy - ay - margin),
        min(width, cx + ax + margin + 1),
        min(height, cy + ay + margin + 1),
    )


def _lab_mean(pixels: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(pixels.reshape(-1, 1, 3), cv2.COLOR_RGB2LAB).reshape(-1, 3).mean(axis=0)


def match_colour(face: np.ndarray, base: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Shift the face's Lab means toward the base's inside `region` (a boolean mask).

    Lightness moves half-way and colour most of the way: the visitor stays recognisable
    while their skin takes on the portrait's light and palette. Means come from the
    region's pixels only; the shift is a saturating uint8 add, which needs no clipping.
    """
    if region.sum() < 16:
        return face
    shift = (_lab_mean(base[region]) - _lab_mean(face[region])) * (0.5, 0.8, 0.8)
    lab = cv2.add(cv2.cvtColor(face, cv2.COLOR_RGB2LAB), (*map(float, shift), 0.0))
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def blend_face(
    face: np.ndarray,
    face_box: Box,
    base: np.ndarray,
    base_box: Box,
    *,
    face_eyes: Eyes = None,
    base_eyes: Eyes = None,
) -> np.ndarray:
    """The base portrait (RGB uint8) with the face from `face` blended into `base_box`.

    Only the window the feathered mask reaches is computed (see `mask_window`); the rest
    of the portrait is copied unchanged, which is what blending with a zero mask gives.
    """
    x0, y0, x1, y1 = mask_window(base.shape[:2], base_box)
    size = (x1 - x0, y1 - y0)
    matrix = face_transform(face_box, base_box, face_eyes, base_eyes).copy()
    matrix[0, 2] -= x0  # warp straight into the window's coordinates
    matrix[1, 2] -= y0
    warped = cv2.warpAffine(
        face, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    valid = cv2.warpAffine(
        np.ones(face.shape[:2], np.float32), matrix, size, flags=cv2.INTER_LINEAR
    )
    window = base[y0:y1, x0:x1]
    mask = _cached_mask((size[1], size[0]), base_box, (x0, y0)) * valid
    warped = match_colour(warped, window, mask > 0.9)
    result = base.copy()
    result[y0:y1, x0:x1] = cv2.blendLinear(warped, window, mask, 1 - mask)
    return result
