"""Importing a base-image library from a folder and manifest, and exporting one."""

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from experiences.library.common import (
    MAX_BASE_IMAGE_BYTES,
    MAX_BASE_IMAGE_SIDE,
    MIN_BASE_IMAGE_SIDE,
    STORED_JPEG_QUALITY,
    LibraryError,
    save_base_image,
    stored_hash,
)
from experiences.library.generation import _fields
from experiences.models.events import Experience
from experiences.models.library import BaseImage
from experiences.photo import base_faces
from experiences.photo.faces import Box
from experiences.photo.imaging import ImageRejected, encode_jpeg, load_upload

MANIFEST_FIELDS = (
    *("file", "title", "country", "era", "occupation", "gender", "age_band"),
    *("story", "story_ko"),
)


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
    marked = _face_box(row.get("face_box"), image)
    try:
        face_fields = base_faces.measure(image).fields()
    except base_faces.UnusableFace as exc:
        if marked is None:
            label = BaseImage.RejectionReason(exc.reason).label
            raise LibraryError(f"{name}: {label}: {exc}") from exc
        face_fields = {}  # staff marked the face by hand: kept, blended as an oval
    if marked is not None:
        face_fields["face_box"] = marked.as_list()
    title = str(row.get("title") or "").strip() or Path(name).stem
    return (
        data,
        image,
        {
            **fields,
            "title": title[:200],
            "story": story,
            "story_ko": str(row.get("story_ko") or "").strip(),
            **face_fields,
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
                "story_ko": base.story_ko,
                "face_box": base.face_box,
                "prompt": base.prompt,
            }
        )
    (folder / "manifest.json").write_text(
        json.dumps({"experience": experience.name, "images": rows}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    return rows
