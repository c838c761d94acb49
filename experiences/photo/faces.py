"""Face boxes and the padded crop the reference booth used."""

from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @classmethod
    def from_list(cls, values: list[int] | tuple[int, ...]) -> "Box":
        x, y, w, h = (int(v) for v in values)
        return cls(x, y, w, h)

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]

    @property
    def area(self) -> int:
        return self.w * self.h

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def scaled(self, factor: float) -> "Box":
        return Box(
            round(self.x * factor),
            round(self.y * factor),
            round(self.w * factor),
            round(self.h * factor),
        )


@dataclass(frozen=True)
class EstimatedBox(Box):
    """A face box with the detector's age estimate (Rekognition's AgeRange, years), shown to
    the visitor for fun while they wait and never stored."""

    age_range: tuple[int, int] | None = None


class NoFaceFound(ValueError):
    """The photo shows no face the detector can use."""


def largest(boxes: list[Box]) -> Box:
    if not boxes:
        raise NoFaceFound("No face found")
    return max(boxes, key=lambda b: b.area)


def padded_crop_box(face: Box, image_size: tuple[int, int], padding: float = 0.5) -> Box:
    """The face box grown by `padding` × its size on every side, clamped to the image.

    With padding 0.5 (the reference booth's ratio) the crop keeps hair, ears and chin,
    which the compositor needs to blend the edge of the face naturally.
    """
    width, height = image_size
    pad_x, pad_y = face.w * padding, face.h * padding
    left = max(0, round(face.x - pad_x))
    top = max(0, round(face.y - pad_y))
    right = min(width, round(face.x + face.w + pad_x))
    bottom = min(height, round(face.y + face.h + pad_y))
    return Box(left, top, right - left, bottom - top)


def crop_face(image: Image.Image, face: Box, padding: float = 0.5) -> tuple[Image.Image, Box]:
    """Return the padded crop and the face box in the crop's coordinates."""
    crop = padded_crop_box(face, image.size, padding)
    region = image.crop((crop.x, crop.y, crop.x + crop.w, crop.y + crop.h))
    return region, Box(face.x - crop.x, face.y - crop.y, face.w, face.h)
