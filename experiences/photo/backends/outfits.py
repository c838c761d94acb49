"""Offline uniform try-on and business portrait: person masks, a recolour, a studio cut-out.

The person comes from the bundled selfie-segmentation model (experiences/
selfie_segmentation.py), which measured better than GrabCut on hand-labelled real photos
(mask IoU 0.73 vs 0.71 and 0.96 vs 0.88, 15–18 ms vs 170–312 ms of CPU; see
experiences/photo/mlmodels/README.md); the clothes are that person less skin and head
(experiences/segmentation.clothing_mask).

These are approximations of what the reference booth did with Titan Image Generator: they
cannot draw a new jersey or suit, but they run on the booth's own CPU with no network and
no model weights, so an event without AWS still has both experiences.
"""

import cv2
import numpy as np
from django.utils.translation import gettext_lazy as _
from PIL import Image

from experiences.photo import segmentation, selfie_segmentation
from experiences.photo.faces import Box
from experiences.photo.framing import crop_with_fill, head_and_shoulders_box

# A pale studio blue, as in the reference's "plain light blue background portrait photo".
STUDIO_BLUE = (188, 214, 238)
PORTRAIT_SIZE = (600, 800)
# Lightness of very dark and very light kits is kept off the ends of the scale, so the
# folds and shading of the clothes stay visible in a black or white kit.
KIT_LIGHTNESS_RANGE = (45, 225)
SHADING_KEPT = 0.8


def recolour(rgb: np.ndarray, alpha: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Paint `colour` where `alpha` is 1, keeping the light and shade of what was there.

    In CIELAB the chroma (a, b) becomes the kit colour's and the lightness is shifted so the
    region's mean matches the kit's while each pixel keeps its difference from that mean:
    folds stay darker, highlights lighter, and an orange suit turns properly blue (a hue
    swap alone would leave a white shirt white).
    """
    rows, cols = np.nonzero(alpha.any(axis=1))[0], np.nonzero(alpha.any(axis=0))[0]
    if rows.size == 0:
        return rgb
    # Only the clothes' bounding box is converted and blended: about half a frame.
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    result = rgb.copy()
    result[top:bottom, left:right] = _recolour_region(
        rgb[top:bottom, left:right], alpha[top:bottom, left:right], colour
    )
    return result


def _recolour_region(rgb: np.ndarray, alpha: np.ndarray, colour) -> np.ndarray:
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    target = cv2.cvtColor(np.uint8([[colour]]), cv2.COLOR_RGB2LAB)[0, 0].astype(np.float32)
    inside = alpha > 0.5
    if not inside.any():
        return rgb
    mean_lightness = float(lab[..., 0][inside].mean())
    kit_lightness = float(np.clip(target[0], *KIT_LIGHTNESS_RANGE))
    painted = np.empty_like(lab)
    painted[..., 0] = kit_lightness + (lab[..., 0] - mean_lightness) * SHADING_KEPT
    painted[..., 1] = target[1]
    painted[..., 2] = target[2]
    painted_rgb = cv2.cvtColor(np.clip(painted, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
    weight = alpha[..., None]
    blended = painted_rgb.astype(np.float32) * weight + rgb.astype(np.float32) * (1 - weight)
    return np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def _feather_radius(face: Box) -> int:
    return max(1, face.w // 40)


class LocalUniformPainter:
    """The person's clothes (minus face and skin), recoloured to the kit colour."""

    name = "local-recolour"
    label = _(
        "Offline approximation: clothing mask (person segmentation) recoloured to the kit colour"
    )

    def paint(self, photo: Image.Image, face_box: Box, colour, gender: str) -> Image.Image:
        rgb = np.asarray(photo.convert("RGB"))
        person = selfie_segmentation.person_mask(rgb, face_box)
        clothes = segmentation.clothing_mask(rgb, face_box, person)
        alpha = segmentation.feathered(clothes, _feather_radius(face_box))
        return Image.fromarray(recolour(rgb, alpha, colour.rgb))


class LocalBusinessPortraitMaker:
    """The visitor cut out (person segmentation) onto a light-blue backdrop, head and shoulders."""

    name = "local-studio"
    label = _("Offline approximation: person cut out onto a light-blue studio background")

    def make(self, photo: Image.Image, face_box: Box, gender: str) -> Image.Image:
        rgb = np.asarray(photo.convert("RGB"))
        person = selfie_segmentation.person_mask(rgb, face_box)
        crop = head_and_shoulders_box(face_box, PORTRAIT_SIZE[0] / PORTRAIT_SIZE[1])
        pixels = crop_with_fill(rgb, crop, STUDIO_BLUE).astype(np.float32)
        alpha = segmentation.feathered(crop_with_fill(person, crop, 0), _feather_radius(face_box))
        backdrop = np.empty_like(pixels)
        backdrop[:] = STUDIO_BLUE
        weight = alpha[..., None]
        portrait = np.clip(pixels * weight + backdrop * (1 - weight) + 0.5, 0, 255)
        image = Image.fromarray(portrait.astype(np.uint8))
        return image.resize(PORTRAIT_SIZE, Image.Resampling.LANCZOS)
