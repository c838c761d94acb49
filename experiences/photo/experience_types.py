"""What each experience type makes from a capture: the picture, its caption, its backends.

The pipeline does the rest the same way for every type (QR code, storage, display, result
page); only the picture differs. Themed portraits need an approved base image; the
uniform try-on and the business portrait work on the visitor's own photo, so they need
none and never look for one.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image

from experiences.models.events import Experience, UniformColour
from experiences.models.library import BaseImage
from experiences.models.photo import Capture, Job
from experiences.photo import backends, base_faces
from experiences.photo.backends.local import TemplateStoryWriter
from experiences.photo.facemesh import FaceObservation
from experiences.photo.faces import Box
from experiences.photo.rotation import take_base_image
from experiences.photo.segmentation import NoClothesFound
from experiences.selectors import visitor_language
from kernel.aws import AWSCallFailed
from kernel.stages import PipelineError, stage

logger = logging.getLogger(__name__)


@dataclass
class Picture:
    image: Image.Image
    story: str
    backends: dict[str, str]
    base_image: BaseImage | None = None
    story_language: str = ""
    # More files of the result, stored with the portrait: Asset kind → (bytes, extension).
    extra_assets: dict[str, tuple[bytes, str]] = field(default_factory=dict)


def _open(field_file) -> Image.Image:
    with field_file.open("rb") as handle:
        image = Image.open(handle)
        image.load()
    return image if image.mode == "RGB" else image.convert("RGB")  # no copy when it is


def face_in_crop(capture: Capture) -> FaceObservation | None:
    """The landmarks the upload request found, moved into the face crop's pixels (the crop
    is cut from the original at the same scale), or None for a box-only detector."""
    if not capture.face_landmarks:
        return None
    face, in_crop = Box.from_list(capture.face_box), Box.from_list(capture.crop_face_box)
    observation = FaceObservation.from_dict(capture.face_landmarks)
    return observation.shifted(face.x - in_crop.x, face.y - in_crop.y)


def themed_portrait(job: Job, timings: dict[str, float]) -> Picture:
    """The visitor's face blended into an approved base image, with its story."""
    capture, player = job.capture, job.capture.player
    experience = player.experience
    compositor, writer = backends.compositor(), backends.story_writer()
    with stage(timings, "choose"):
        base = take_base_image(experience, player)
        if base is None:
            raise PipelineError(
                f"No approved base image for “{experience.name}”. Approve one in admin."
            )
    with stage(timings, "composite"):
        face, base_image = _open(capture.face_crop), _open(base.image)
        result = compositor.composite(
            face,
            Box.from_list(capture.crop_face_box),
            base_image,
            Box.from_list(base.face_box),
            face_observation=face_in_crop(capture),
            base_landmarks=base_faces.ensure_measured(base, base_image),
        )
    with stage(timings, "story"):
        story, language, story_backends = _write_story(writer, base, player)
    return Picture(
        result,
        story,
        {"compositor": compositor.name, **story_backends},
        base_image=base,
        story_language=language,
    )


def _write_story(writer, base, player) -> tuple[str, str, dict[str, str]]:
    """The story, its language, and what to record about who wrote it.

    The story is shown on the wall next to the portrait, so a failed story service must
    not fail the job: the base image's own story (personalised as the local writer does)
    takes its place, and the job records the error for staff.
    """
    try:
        story = writer.write(base, player)
        return story, writer.language_for(base, player), {"story": writer.name}
    except backends.StoryUnavailable as exc:
        logger.warning("Story backend %s failed, using the stored story: %s", writer.name, exc)
        fallback = TemplateStoryWriter()
        return (
            fallback.write(base, player),
            fallback.language_for(base, player),
            {
                "story": fallback.name,
                "story_fallback_from": writer.name,
                "story_error": str(exc),
            },
        )


def _aws_error(what: str, exc: AWSCallFailed) -> PipelineError:
    return PipelineError(f"The {what} could not be made: {exc}")


def uniform_try_on(job: Job, timings: dict[str, float]) -> Picture:
    """The visitor in a soccer kit of the colour they chose, or the experience's colour."""
    capture, player = job.capture, job.capture.player
    colour = UniformColour(player.uniform_colour or player.experience.uniform_colour)
    painter = backends.uniform_painter()
    with stage(timings, "uniform"):
        try:
            result = painter.paint(
                _open(capture.original), Box.from_list(capture.face_box), colour, player.gender
            )
        except AWSCallFailed as exc:
            raise _aws_error("uniform try-on", exc) from exc
        except NoClothesFound as exc:
            raise PipelineError(
                "The photo shows too little below the face to put a kit on. Ask the visitor "
                "to step back so their shoulders and chest are in the picture, and retake it."
            ) from exc
    with stage(timings, "story"), translation.override(visitor_language(player)):
        story = _("%(nickname)s, in the %(colour)s kit and ready for kick-off!") % {
            "nickname": player.nickname,
            "colour": colour.label.lower(),
        }
    return Picture(
        result, story, {"uniform": painter.name}, story_language=visitor_language(player)
    )


def business_portrait(job: Job, timings: dict[str, float]) -> Picture:
    """A head-and-shoulders résumé photo: the visitor's face, suit, light-blue studio."""
    capture, player = job.capture, job.capture.player
    maker = backends.business_portrait_maker()
    with stage(timings, "business"):
        try:
            result = maker.make(
                _open(capture.original), Box.from_list(capture.face_box), player.gender
            )
        except AWSCallFailed as exc:
            raise _aws_error("business portrait", exc) from exc
    with stage(timings, "story"), translation.override(visitor_language(player)):
        story = _("%(nickname)s, dressed for the interview of a lifetime.") % {
            "nickname": player.nickname
        }
    return Picture(result, story, {"business": maker.name}, story_language=visitor_language(player))


# The résumé type (experiences.resume.job) registers itself here when the app is ready.
MAKERS: dict[str, Callable[[Job, dict[str, float]], Picture]] = {
    Experience.Pipeline.PORTRAIT: themed_portrait,
    Experience.Pipeline.UNIFORM: uniform_try_on,
    Experience.Pipeline.BUSINESS: business_portrait,
}


def make_picture(job: Job, timings: dict[str, float]) -> Picture:
    """Dispatch on the experience's type (Experience.pipeline)."""
    kind = job.capture.player.experience.pipeline
    try:
        maker = MAKERS[kind]
    except KeyError:
        raise PipelineError(f"Unknown experience type “{kind}”. Pick one in admin.") from None
    return maker(job, timings)


def configured_backend(experience: Experience) -> str:
    """What admin shows for an experience: the backend its type runs with, and its kind."""
    if experience.pipeline == Experience.Pipeline.UNIFORM:
        backend = backends.uniform_painter()
    elif experience.pipeline in (Experience.Pipeline.BUSINESS, Experience.Pipeline.RESUME):
        backend = backends.business_portrait_maker()
    else:
        return str(_("Face compositor: %(name)s") % {"name": backends.compositor().name})
    return f"{backend.label} ({backend.name})"
