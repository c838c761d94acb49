"""Generating a base-image library from a spec with an image model, resumably."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings

from experiences.library.bedrock_images import generator_for
from experiences.library.common import (
    STORED_JPEG_QUALITY,
    age_band,
    find_experience,
    gender_value,
    save_base_image,
)
from experiences.library.pacing import Pacer
from experiences.library.spec import GenerationSpec, _Blank, combination_key, seed_for
from experiences.models.library import BaseImage
from experiences.photo import backends, base_faces
from experiences.photo.backends.bedrock_text import write_story
from experiences.photo.imaging import ImageRejected, encode_jpeg
from experiences.selectors import STORY_LANGUAGES


def story_languages_from(first: str) -> list[str]:
    """English and Korean, the spec's story_language first (its story is written first, so
    a run stopped by a story error has spent its first call on the language it asked for)."""
    return sorted(STORY_LANGUAGES, key=lambda language: language != first)


@dataclass
class GenerationReport:
    created: list[BaseImage] = field(default_factory=list)
    skipped: int = 0
    no_face: list[BaseImage] = field(default_factory=list)
    failed: list[tuple[dict[str, str], str]] = field(default_factory=list)


def generate_library(
    spec: GenerationSpec,
    *,
    limit: int | None = None,
    pacer: Pacer | None = None,
    progress: Callable[[Iterator], Iterator] = lambda items: items,
) -> GenerationReport:
    """Generate the spec's missing combinations (pending review), one model call each.

    Resumable: a combination whose key is already stored for the experience is skipped.
    A failed combination is reported and left for the next run; one whose image has no
    face Booth can find is stored rejected (“No face found”), so it is not paid for again.
    """
    experience = find_experience(spec.experience)
    generator = generator_for(spec.model)
    pacer = pacer or Pacer(settings.BOOTH_IMAGE_GENERATION_RATE_PER_MINUTE)
    done = set(
        BaseImage.objects.filter(experience=experience)
        .exclude(combination_key="")
        .values_list("combination_key", flat=True)
    )
    report = GenerationReport()
    todo = []
    for combination in spec.combinations():
        if combination_key(combination) in done:
            report.skipped += 1
        else:
            todo.append(combination)
    if limit is not None:
        todo = todo[:limit]
    for combination in progress(todo):
        pacer.wait()
        try:
            base = _generate_one(spec, experience, generator, combination)
        except (backends.BackendFailed, ImageRejected) as exc:
            report.failed.append((combination, str(exc)))
            continue
        (report.no_face if base.rejection_reason else report.created).append(base)
    return report


def _generate_one(spec, experience, generator, combination: dict[str, str]) -> BaseImage:
    key = combination_key(combination)
    prompt = spec.prompt.format(**combination)
    image = generator.generate(
        prompt,
        negative_prompt=spec.negative_prompt,
        seed=seed_for(spec.seed, key),
        width=spec.width,
        height=spec.height,
    )
    fields = _fields(combination)
    try:
        face, rejection = base_faces.measure(image), ""
    except base_faces.UnusableFace as exc:
        face, rejection = None, exc.reason
    stories = {"en": "", "ko": ""}
    if face is not None:  # a story in each visitor language: the writer picks the visitor's
        for language in story_languages_from(spec.story_language):
            stories[language] = write_story(
                {**combination, **{"gender": fields["gender"]}},
                "{nickname}",
                language,
                model_id=spec.story_model or None,
            )
    return save_base_image(
        experience,
        encode_jpeg(image, STORED_JPEG_QUALITY),
        title=spec.title.format_map(_Blank(combination)).strip(" ,")[:200] or prompt[:200],
        **(face.fields() if face else {"face_box": []}),
        story=stories["en"] or stories["ko"],
        story_ko=stories["ko"],
        prompt=prompt,
        generator=generator.model_id,
        combination_key=key,
        approved=False,
        rejection_reason=rejection,
        **fields,
    )


def _fields(attributes: dict[str, str]) -> dict[str, str]:
    return {
        "country": attributes.get("country", "")[:100],
        "era": attributes.get("era", "")[:100],
        "occupation": attributes.get("occupation", "")[:100],
        "gender": gender_value(attributes.get("gender", "")),
        "age_band": age_band(attributes["age"]) if attributes.get("age") else "",
    }
