"""The base-image library: generate from a spec, import from a folder, export for the next event.

Management commands (generate_base_images, import_base_images, export_base_images) only
parse arguments and print; the work is here. Every image Booth stores is re-encoded from
pixels (no metadata), gets a face box from the configured face detector, and enters the
library awaiting review unless the operator says otherwise.
"""

import csv
import hashlib
import io
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from experiences import backends
from experiences.backends.bedrock_images import generator_for
from experiences.backends.bedrock_text import write_story
from experiences.faces import Box
from experiences.imaging import ImageRejected, encode_jpeg, load_upload
from experiences.models import AgeBand, BaseImage, Experience, Gender

ATTRIBUTES = ("country", "era", "occupation", "age", "gender")
STORED_JPEG_QUALITY = 92
MAX_BASE_IMAGE_BYTES = 25 * 1024 * 1024
MIN_BASE_IMAGE_SIDE = 256
MAX_BASE_IMAGE_SIDE = 4096


class LibraryError(ValueError):
    """A spec, manifest or argument Booth cannot use; the message says what to fix."""


# --- shared ---------------------------------------------------------------------------


def find_experience(reference: str) -> Experience:
    """An experience by id, or by name (case-insensitive) if exactly one has it."""
    if reference.isdigit():
        experience = Experience.objects.filter(pk=int(reference)).first()
    else:
        matches = list(Experience.objects.filter(name__iexact=reference).select_related("event"))
        if len(matches) > 1:
            listing = ", ".join(f"{e.pk} ({e.event})" for e in matches)
            raise LibraryError(
                f"{len(matches)} experiences are called {reference!r}: {listing}. Use the id."
            )
        experience = matches[0] if matches else None
    if experience is None:
        raise LibraryError(f"No experience {reference!r}: give its id or exact name.")
    return experience


def age_band(age: str) -> str:
    """A BaseImage age band from an age ("35") or a band name ("adult")."""
    value = str(age).strip().lower()
    if value in AgeBand.values:
        return value
    if not value.isdigit():
        raise LibraryError(f"Age {age!r} is neither a number nor one of {sorted(AgeBand.values)}.")
    years = int(value)
    return "child" if years < 13 else "teen" if years < 20 else "adult" if years < 60 else "senior"


def gender_value(gender: str) -> str:
    value = str(gender).strip().lower()
    aliases = {"woman": "female", "man": "male", "f": "female", "m": "male"}
    value = aliases.get(value, value)
    if value not in Gender.values:
        raise LibraryError(f"Gender {gender!r} is not one of female, male or empty.")
    return value


def stored_hash(jpeg: bytes) -> str:
    return hashlib.sha256(jpeg).hexdigest()


def face_box_of(image: Image.Image) -> Box | None:
    """The largest face the configured detector finds, or None."""
    faces = backends.face_detector().detect(image)
    return max(faces, key=lambda box: box.area) if faces else None


def save_base_image(experience: Experience, image_jpeg: bytes, **fields) -> BaseImage:
    base = BaseImage(experience=experience, content_sha256=stored_hash(image_jpeg), **fields)
    base.image.save(f"{base.content_sha256[:16]}.jpg", ContentFile(image_jpeg), save=False)
    try:
        with transaction.atomic():
            base.save()
    except BaseException:
        base.image.storage.delete(base.image.name)
        raise
    return base


# --- generation -----------------------------------------------------------------------


@dataclass
class GenerationSpec:
    experience: str
    prompt: str
    attributes: dict[str, list[str]]
    model: str = "titan"
    negative_prompt: str = ""
    seed: int = 0
    width: int = 768
    height: int = 1024
    title: str = "{occupation}, {country}, {era}"
    story_model: str = ""
    story_language: str = "en"

    @classmethod
    def load(cls, path: Path) -> "GenerationSpec":
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise LibraryError(f"Cannot read the spec {path}: {exc.strerror}.") from exc
        try:
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise LibraryError(
                f"The spec {path} is not valid {path.suffix[1:].upper()}: {exc}"
            ) from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data) -> "GenerationSpec":
        if not isinstance(data, dict):
            raise LibraryError("The spec must be a mapping with experience, prompt and attributes.")
        missing = [key for key in ("experience", "prompt", "attributes") if not data.get(key)]
        if missing:
            raise LibraryError(f"The spec is missing: {', '.join(missing)}.")
        size = data.pop("size", None)
        if size:
            data["width"], data["height"] = (int(v) for v in str(size).lower().split("x"))
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise LibraryError(f"Unknown spec keys: {', '.join(sorted(unknown))}.")
        spec = cls(**{**data, "experience": str(data["experience"])})
        spec.validate()
        return spec

    def validate(self) -> None:
        attributes = self.attributes
        if not isinstance(attributes, dict) or not all(
            isinstance(v, list) and v for v in attributes.values()
        ):
            raise LibraryError("attributes must map each name to a non-empty list of values.")
        unknown = set(attributes) - set(ATTRIBUTES)
        if unknown:
            raise LibraryError(
                f"Unknown attributes {', '.join(sorted(unknown))}; use {', '.join(ATTRIBUTES)}."
            )
        for value in attributes.get("age", []):
            age_band(value)
        for value in attributes.get("gender", []):
            gender_value(value)
        try:
            self.prompt.format(**{name: "x" for name in attributes})
            self.title.format_map(_Blank({name: "x" for name in attributes}))
        except (KeyError, IndexError, ValueError) as exc:
            raise LibraryError(
                f"The prompt uses {exc} which is not one of the spec's attributes."
            ) from exc
        try:
            generator_for(self.model)
        except ValueError as exc:
            raise LibraryError(str(exc)) from exc
        if not (64 <= self.width <= 2048 and 64 <= self.height <= 2048):
            raise LibraryError("width and height must be between 64 and 2048 pixels.")

    def combinations(self) -> Iterator[dict[str, str]]:
        names = list(self.attributes)
        for values in itertools.product(*(self.attributes[n] for n in names)):
            yield {name: str(value) for name, value in zip(names, values, strict=True)}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def combination_key(combination: dict[str, str]) -> str:
    """Stable across runs and spec edits that keep the attributes: what resume compares."""
    canonical = json.dumps(sorted(combination.items()), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seed_for(spec_seed: int, key: str) -> int:
    """One seed per combination, so a re-run of the same spec draws the same images.
    Titan takes seeds up to 2 147 483 646."""
    return (spec_seed + int(key[:8], 16)) % 2_147_483_647


class Pacer:
    """At most `per_minute` calls a minute, spaced evenly: Bedrock's image quota is per
    minute, and an even pace never trips the throttle the way bursts do."""

    def __init__(
        self,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_at: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self.next_at is not None and now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


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
    face = face_box_of(image)
    story = ""
    if face is not None:
        story = write_story(
            {**combination, **{"gender": fields["gender"]}},
            "{nickname}",
            spec.story_language,
            model_id=spec.story_model or None,
        )
    return save_base_image(
        experience,
        encode_jpeg(image, STORED_JPEG_QUALITY),
        title=spec.title.format_map(_Blank(combination)).strip(" ,")[:200] or prompt[:200],
        face_box=face.as_list() if face else [],
        story=story,
        prompt=prompt,
        generator=generator.model_id,
        combination_key=key,
        approved=False,
        rejection_reason="" if face else BaseImage.RejectionReason.NO_FACE,
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


# --- import ---------------------------------------------------------------------------

MANIFEST_FIELDS = ("file", "title", "country", "era", "occupation", "gender", "age_band", "story")


@dataclass
class ImportReport:
    imported: list[BaseImage] = field(default_factory=list)
    already: list[tuple[int, BaseImage]] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def read_manifest(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV (header line) or JSON (a list of objects) manifest."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LibraryError(f"Cannot read the manifest {path}: {exc}.") from exc
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LibraryError(f"The manifest {path} is not valid JSON: {exc}") from exc
        if isinstance(rows, dict):
            rows = rows.get("images")
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise LibraryError('A JSON manifest is a list of objects (or {"images": [...]}).')
        return rows
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "file" not in reader.fieldnames:
        raise LibraryError("A CSV manifest needs a header line with at least a 'file' column.")
    return list(reader)


def import_library(
    folder: Path, manifest: Path, experience: Experience, *, approve: bool = False
) -> ImportReport:
    """Import every good row; report each bad one with its row number and why.

    Row numbers count data rows from 1 (for a CSV, the header is line 1, so row N is on
    line N+1). Importing the same files again changes nothing: a file whose stored image
    is already in the experience's library is reported as already imported.
    """
    report = ImportReport()
    seen: dict[str, int] = {}
    for number, row in enumerate(read_manifest(manifest), start=1):
        try:
            image_bytes, image, fields = _validate_row(folder, row)
        except LibraryError as exc:
            report.bad.append((number, str(exc)))
            continue
        jpeg = encode_jpeg(image, STORED_JPEG_QUALITY)
        hashes = {stored_hash(image_bytes), stored_hash(jpeg)}
        duplicate = next((seen[h] for h in hashes if h in seen), None)
        if duplicate is not None:
            report.bad.append((number, f"the same image as row {duplicate}"))
            continue
        seen.update(dict.fromkeys(hashes, number))
        existing = BaseImage.objects.filter(
            experience=experience, content_sha256__in=hashes
        ).first()
        if existing is not None:
            report.already.append((number, existing))
            continue
        report.imported.append(
            save_base_image(experience, jpeg, generator="import", approved=approve, **fields)
        )
    return report


def _limits() -> dict[str, int]:
    return {
        "max_bytes": MAX_BASE_IMAGE_BYTES,
        "max_pixels": MAX_BASE_IMAGE_SIDE * MAX_BASE_IMAGE_SIDE,
        "min_side": MIN_BASE_IMAGE_SIDE,
    }


def _validate_row(folder: Path, row: dict) -> tuple[bytes, Image.Image, dict]:
    name = str(row.get("file") or "").strip()
    if not name:
        raise LibraryError("no file named")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise LibraryError(f"{name}: outside the folder")
    if not path.is_file():
        raise LibraryError(f"{name}: no such file in {folder}")
    data = path.read_bytes()
    try:
        image = load_upload(data, **_limits())
    except ImageRejected as exc:
        raise LibraryError(f"{name}: {exc.message}") from exc
    if max(image.size) > MAX_BASE_IMAGE_SIDE:
        raise LibraryError(f"{name}: {image.width}×{image.height} is over {MAX_BASE_IMAGE_SIDE} px")
    story = str(row.get("story") or "").strip()
    if not story:
        raise LibraryError(f"{name}: no story")
    try:
        fields = _fields(
            {
                "country": str(row.get("country") or ""),
                "era": str(row.get("era") or ""),
                "occupation": str(row.get("occupation") or ""),
                "gender": str(row.get("gender") or ""),
                "age": str(row.get("age_band") or row.get("age") or ""),
            }
        )
    except LibraryError as exc:
        raise LibraryError(f"{name}: {exc}") from exc
    face = _face_box(row.get("face_box"), image) or face_box_of(image)
    if face is None:
        raise LibraryError(f"{name}: no face found (give a face_box column to mark it)")
    title = str(row.get("title") or "").strip() or Path(name).stem
    return (
        data,
        image,
        {
            **fields,
            "title": title[:200],
            "story": story,
            "face_box": face.as_list(),
            "prompt": str(row.get("prompt") or ""),
        },
    )


def _face_box(value, image: Image.Image) -> Box | None:
    """A face box given in the manifest ("x,y,w,h" or a list), checked to lie in the image."""
    if value in (None, "", []):
        return None
    try:
        parts = value if isinstance(value, list) else str(value).replace(" ", "").split(",")
        box = Box.from_list([int(float(v)) for v in parts]) if len(parts) == 4 else None
    except (TypeError, ValueError):
        box = None
    if (
        box is None
        or box.w <= 0
        or box.h <= 0
        or box.x < 0
        or box.y < 0
        or (box.x + box.w > image.width or box.y + box.h > image.height)
    ):
        raise LibraryError(f"face_box {value!r} is not x,y,width,height inside the image")
    return box


# --- export ---------------------------------------------------------------------------


def export_library(experience: Experience, folder: Path) -> list[dict]:
    """The approved library as files plus a manifest.json that import_library reads."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "manifest.json").exists():
        raise LibraryError(f"{folder} already holds a manifest.json: export into an empty folder.")
    rows = []
    for base in BaseImage.objects.approved().filter(experience=experience).order_by("pk"):
        name = f"{base.pk:05d}-{base.content_sha256[:12] or 'image'}.jpg"
        with base.image.open("rb") as source:
            data = source.read()
        (folder / name).write_bytes(data)
        if not base.content_sha256:  # stored before hashes were kept: import recognises it now
            base.content_sha256 = stored_hash(data)
            base.save(update_fields=["content_sha256"])
        rows.append(
            {
                "file": name,
                "title": base.title,
                "country": base.country,
                "era": base.era,
                "occupation": base.occupation,
                "gender": base.gender,
                "age_band": base.age_band,
                "story": base.story,
                "face_box": base.face_box,
                "prompt": base.prompt,
            }
        )
    (folder / "manifest.json").write_text(
        json.dumps({"experience": experience.name, "images": rows}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    return rows
