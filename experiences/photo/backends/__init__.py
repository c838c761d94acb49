"""Pluggable pipeline backends: one small Protocol per stage, one class per backend.

Settings choose each stage's backend by a short name (BOOTH_FACE_DETECTOR=mesh,
haar or rekognition, BOOTH_COMPOSITOR, BOOTH_STORY_WRITER, BOOTH_UNIFORM_PAINTER,
BOOTH_BUSINESS_PORTRAIT_MAKER, BOOTH_NARRATOR; see the tables below and kernel.plugins); the
local classes work offline with what installed packages carry.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PIL import Image

from experiences.photo.faces import Box
from kernel.plugins import BackendFailed, Backends

__all__ = ["BackendFailed"]  # backends and the job raise it; kept importable from here

if TYPE_CHECKING:
    import numpy as np

    from experiences.models.events import Player, UniformColour
    from experiences.models.library import BaseImage
    from experiences.photo.facemesh import FaceObservation


class StoryUnavailable(BackendFailed):
    """The story service failed; the pipeline falls back to the base image's own story."""


class FaceDetector(Protocol):
    name: str

    def detect(self, image: Image.Image) -> list[Box]:
        """Every face found in an upright RGB image, in pixel coordinates."""
        ...


@runtime_checkable
class FaceObserver(FaceDetector, Protocol):
    """A detector that also gives landmarks and head pose (the local mesh). The capture
    intake stores them, so the job never looks for the face again, and guides the visitor
    (turned head, closed eyes) with them; box-only detectors (Rekognition) skip that."""

    def observe(self, image: Image.Image) -> list["FaceObservation"]:
        """Every face in an upright RGB image, largest first."""
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

    def language_for(self, base_image: "BaseImage", player: "Player") -> str:
        """The language `write` writes in for this player ("en", "ko"): pages mark the
        story with it when it is not the page's own language."""
        ...


class NarrationUnavailable(BackendFailed):
    """The narrator could not read the story aloud; the result is shown without audio."""


@dataclass(frozen=True)
class Speech:
    """Audio of a story: the bytes, the file extension and its media type."""

    audio: bytes
    extension: str
    content_type: str


class Narrator(Protocol):
    """The story read aloud, for the result page and (sound on) the wall."""

    name: str

    def missing(self) -> str | None:
        """Why this narrator cannot work on this machine (a program not installed), as a
        sentence for `manage.py check`; None when it can."""
        ...

    def narrate(self, text: str, language: str) -> Speech:
        """`text`, written in `language` ("en", "ko"), as speech; raises
        NarrationUnavailable with the reason otherwise."""
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


FACE_DETECTORS = Backends(
    "BOOTH_FACE_DETECTOR",
    {
        "mesh": "experiences.photo.backends.mesh.MeshFaceDetector",
        "haar": "experiences.photo.backends.local.HaarFaceDetector",
        "rekognition": "experiences.photo.backends.rekognition.RekognitionFaceDetector",
    },
    moved={
        "experiences.backends.mesh.MeshFaceDetector": "mesh",
        "experiences.backends.local.HaarFaceDetector": "haar",
        "experiences.backends.rekognition.RekognitionFaceDetector": "rekognition",
    },
)
COMPOSITORS = Backends(
    "BOOTH_COMPOSITOR",
    {
        "blend": "experiences.photo.backends.local.BlendCompositor",
        "sagemaker": "experiences.photo.backends.sagemaker.SageMakerCompositor",
        "sagemaker-async": "experiences.photo.backends.sagemaker.SageMakerAsyncCompositor",
    },
    moved={
        "experiences.backends.local.BlendCompositor": "blend",
        "experiences.backends.sagemaker.SageMakerCompositor": "sagemaker",
        "experiences.backends.sagemaker.SageMakerAsyncCompositor": "sagemaker-async",
    },
)
STORY_WRITERS = Backends(
    "BOOTH_STORY_WRITER",
    {
        "template": "experiences.photo.backends.local.TemplateStoryWriter",
        "bedrock": "experiences.photo.backends.bedrock_text.BedrockStoryWriter",
    },
    moved={
        "experiences.backends.local.TemplateStoryWriter": "template",
        "experiences.backends.bedrock_text.BedrockStoryWriter": "bedrock",
    },
)
UNIFORM_PAINTERS = Backends(
    "BOOTH_UNIFORM_PAINTER",
    {
        "recolour": "experiences.photo.backends.outfits.LocalUniformPainter",
        "titan": "experiences.photo.backends.titan_edit.TitanUniformPainter",
    },
    moved={
        "experiences.backends.outfits.LocalUniformPainter": "recolour",
        "experiences.backends.titan_edit.TitanUniformPainter": "titan",
    },
)
BUSINESS_PORTRAIT_MAKERS = Backends(
    "BOOTH_BUSINESS_PORTRAIT_MAKER",
    {
        "studio": "experiences.photo.backends.outfits.LocalBusinessPortraitMaker",
        "titan": "experiences.photo.backends.titan_edit.TitanBusinessPortraitMaker",
    },
    moved={
        "experiences.backends.outfits.LocalBusinessPortraitMaker": "studio",
        "experiences.backends.titan_edit.TitanBusinessPortraitMaker": "titan",
    },
)
NARRATORS = Backends(
    "BOOTH_NARRATOR",
    {
        "none": "experiences.photo.backends.narrators.NoNarrator",
        "espeak": "experiences.photo.backends.narrators.EspeakNarrator",
        "polly": "experiences.photo.backends.polly.PollyNarrator",
    },
)


def face_detector() -> FaceDetector:
    return FACE_DETECTORS.get()


def compositor() -> Compositor:
    return COMPOSITORS.get()


def story_writer() -> StoryWriter:
    return STORY_WRITERS.get()


def uniform_painter() -> UniformPainter:
    return UNIFORM_PAINTERS.get()


def business_portrait_maker() -> BusinessPortraitMaker:
    return BUSINESS_PORTRAIT_MAKERS.get()


def narrator() -> Narrator:
    return NARRATORS.get()
