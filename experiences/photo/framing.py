"""Crops and square canvases for the photo experiences, shared by the local and Titan backends.

Kept apart from the backends so both frame a visitor the same way: the business portrait
is head and shoulders whichever backend makes it, and the Titan calls see the photo
letterboxed into the 512×512 square the reference booth used, then mapped back.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from experiences.photo.faces import Box


def head_and_shoulders_box(face: Box, aspect: float, face_share: float = 0.31) -> Box:
    """A portrait crop around `face`: the face `face_share` of the width, centred across,
    with room for hair above; `aspect` is width / height. May reach outside the photo."""
    width = face.w / face_share
    height = width / aspect
    centre_x = face.x + face.w / 2
    top = face.y - 0.6 * face.h
    return Box(round(centre_x - width / 2), round(top), round(width), round(height))


def crop_with_fill(pixels: np.ndarray, box: Box, fill) -> np.ndarray:
    """`box` cut out of `pixels`; what lies outside the photo is `fill` (a value per channel,
    or "edge" to repeat the nearest row/column of the photo)."""
    height, width = pixels.shape[:2]
    left, top = max(box.x, 0), max(box.y, 0)
    right, bottom = min(box.x + box.w, width), min(box.y + box.h, height)
    inside = pixels[top:bottom, left:right]
    pad = [(top - box.y, box.y + box.h - bottom), (left - box.x, box.x + box.w - right)]
    pad += [(0, 0)] * (pixels.ndim - 2)
    pad = [(max(0, a), max(0, b)) for a, b in pad]
    if fill == "edge":
        return np.pad(inside, pad, mode="edge")
    if pixels.ndim == 2:
        return np.pad(inside, pad, mode="constant", constant_values=fill)
    channels = [
        np.pad(inside[..., c], pad[:2], mode="constant", constant_values=fill[c])
        for c in range(pixels.shape[2])
    ]
    return np.stack(channels, axis=-1)


@dataclass(frozen=True)
class Letterbox:
    """Where a photo sits inside a square canvas (scaled to fit, centred)."""

    side: int
    scale: float
    left: int
    top: int
    width: int
    height: int

    @classmethod
    def fit(cls, size: tuple[int, int], side: int) -> "Letterbox":
        scale = side / max(size)
        width, height = round(size[0] * scale), round(size[1] * scale)
        return cls(side, scale, (side - width) // 2, (side - height) // 2, width, height)

    def place(self, image: Image.Image, fill) -> Image.Image:
        """`image` scaled into the square; the bands around it are `fill`."""
        canvas = Image.new(image.mode, (self.side, self.side), fill)
        canvas.paste(
            image.resize((self.width, self.height), Image.Resampling.LANCZOS), (self.left, self.top)
        )
        return canvas

    def place_mask(self, mask: np.ndarray, fill: int) -> np.ndarray:
        """A 0/255 mask scaled into the square with hard edges (Titan wants pure values)."""
        small = Image.fromarray(mask).resize((self.width, self.height), Image.Resampling.NEAREST)
        canvas = Image.new("L", (self.side, self.side), fill)
        canvas.paste(small, (self.left, self.top))
        return np.asarray(canvas)

    def recover(self, square: Image.Image, size: tuple[int, int]) -> Image.Image:
        """The photo's part of a square result, scaled back to the photo's `size`."""
        if square.size != (self.side, self.side):
            square = square.resize((self.side, self.side), Image.Resampling.LANCZOS)
        region = square.crop((self.left, self.top, self.left + self.width, self.top + self.height))
        return region.resize(size, Image.Resampling.LANCZOS)
