"""Importing companies into the library from CSV or JSON (`manage.py import_companies`,
the admin's import action, the demo).

Rows have name, profile and optionally keywords, language ("en" by default) and
is_active; a row whose name and language exist already updates that company, so a file
can be imported again after editing. Every row is checked before any is saved: a bad file
changes nothing, and the error names the row and what to fix.
"""

import csv
import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from experiences.models.resume import Company

LANGUAGES = {code for code, _ in settings.LANGUAGES}
FIELDS = ("name", "profile", "keywords", "language", "is_active")


class ImportRejected(ValueError):
    """The file cannot be imported; the message says which row and why."""


@dataclass
class ImportResult:
    created: int
    updated: int


def read_rows(data: bytes, filename: str) -> list[dict]:
    """Rows of a .json (a list of objects) or .csv (with a header line) file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected("The file is not UTF-8 text. Save it as UTF-8 and try again.") from exc
    if filename.lower().endswith(".json"):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportRejected(f"The JSON is not valid: {exc}.") from exc
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ImportRejected("The JSON must be a list of objects, one per company.")
        return rows
    if filename.lower().endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text)))
    raise ImportRejected("Import a .csv or a .json file.")


def _clean(row: dict, number: int) -> dict:
    name = str(row.get("name") or "").strip()
    profile = str(row.get("profile") or "").strip()
    language = str(row.get("language") or "en").strip().lower()
    if not name or not profile:
        raise ImportRejected(f"Row {number}: every company needs a name and a profile.")
    if len(name) > 200:
        raise ImportRejected(f"Row {number}: the name is longer than 200 characters.")
    if language not in LANGUAGES:
        raise ImportRejected(
            f"Row {number}: language {language!r} is not one of {', '.join(sorted(LANGUAGES))}."
        )
    keywords = row.get("keywords") or ""
    if isinstance(keywords, list):
        keywords = " ".join(str(word) for word in keywords)
    active = row.get("is_active", True)
    if isinstance(active, str):
        active = active.strip().lower() not in ("0", "false", "no", "")
    return {
        "name": name,
        "profile": profile,
        "keywords": " ".join(str(keywords).replace(",", " ").split())[:500],
        "language": language,
        "is_active": bool(active),
    }


@transaction.atomic
def import_companies(rows: list[dict]) -> ImportResult:
    cleaned = [_clean(row, number) for number, row in enumerate(rows, start=1)]
    created = updated = 0
    for row in cleaned:
        _, made = Company.objects.update_or_create(
            name=row["name"], language=row["language"], defaults=row
        )
        created += made
        updated += not made
    return ImportResult(created, updated)


def export_rows() -> list[dict]:
    return list(Company.objects.order_by("language", "name").values(*FIELDS))
