"""Pluggable pipeline backends: one small Protocol per stage, one class per backend.

Settings name the class to use (BOOTH_FACE_DETECTOR, BOOTH_COMPOSITOR,
BOOTH_STORY_WRITER, BOOTH_UNIFORM_PAINTER, BOOTH_BUSINESS_PORTRAIT_MAKER); the local
classes work offline with what installed packages carry.
"""

from functools import cache
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from PIL import Image

from experiences.photo.faces import Box

if TYPE_CHECKING:
    import numpy as np

    from experiences.models.events import Player, UniformColour
    from experiences.models.library import BaseImage
    from experiences.photo.facemesh import FaceObservation


class BackendFailed(RuntimeError):
    """A backend could not do its part; the message is shown to staff as it is, so it names
    the service, the error and what to check."""


class StoryUnavailable(BackendFailed):
    """The story service failed; the pipeline falls back to the base image's own story."""


class FaceDetector(Protocol):
    name: str

    def detect(self, image: Image.Image) -> list[Box]:
        """Every face found in an upright RGB image, in pixel coordinates."""
        ...


class Compositor(Protocol):
    name: str

    def composite(
        self,
        face: Image.Image,
        face_box: Box,
        base: Image.Image,
        base_box: Box,
        *,
        face_observation: "FaceObservation | None" = None,
        base_landmarks: "np.ndarray | None" = None,
    ) -> Image.Image:
        """The base portrait with the visitor's face (`face_box` within `face`) in `base_box`.

        `face_observation` is the capture's stored face mesh in `face`'s coordinates and
        `base_landmarks` the base image's stored mesh ((468, 2), its pixels), when known; a
        compositor that needs landmarks uses these rather than searching the faces again,
        one that finds faces itself ignores them.
        """
        ...


class StoryWriter(Protocol):
    name: str

    def write(self, base_image: "BaseImage", player: "Player") -> str:
        """The story shown beside the portrait, personalised for the player."""
        ...


class ImageGenerator(Protocol):
    """Text to image, for pre-generating base images (never in a visitor's job)."""

    name: str
    model_id: str

    def generate(
        self, prompt: str, *, negative_prompt: str, seed: int, width: int, height: int
    ) -> Image.Image:
        """One image for `prompt`; raises BackendFailed with the model's reason otherwise."""
        ...


class UniformPainter(Protocol):
    """Uniform try-on: the visitor's clothes become a soccer kit of one colour."""

    name: str
    label: str  # what admin shows, e.g. that the local one is an offline approximation

    def paint(
        self, photo: Image.Image, face_box: Box, colour: "UniformColour", gender: str
    ) -> Image.Image:
        """`photo` (upright RGB) with the clothes below `face_box` in the kit; same size.

        `gender` is the visitor's profile answer ("female", "male" or "")."""
        ...


class BusinessPortraitMaker(Protocol):
    """Business portrait: the visitor's face kept, suit and plain light-blue background."""

    name: str
    label: str

    def make(self, photo: Image.Image, face_box: Box, gender: str) -> Image.Image:
        """A head-and-shoulders portrait of the person whose face is `face_box`."""
        ...


@cache
def _instance(path: str) -> object:
    return import_string(path)()


def face_detector() -> FaceDetector:
    return _instance(settings.BOOTH_FACE_DETECTOR)


def compositor() -> Compositor:
    return _instance(settings.BOOTH_COMPOSITOR)


def story_writer() -> StoryWriter:
    return _instance(settings.BOOTH_STORY_WRITER)


def uniform_painter() -> UniformPainter:
    return _instance(settings.BOOTH_UNIFORM_PAINTER)


def business_portrait_maker() -> BusinessPortraitMaker:
    return _instance(settings.BOOTH_BUSINESS_PORTRAIT_MAKER)
