"""What the library's generation, import and export share: limits, lookups, saving."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction

from experiences.models.events import AgeBand, Experience, Gender
from experiences.models.library import BaseImage

ATTRIBUTES = ("country", "era", "occupation", "age", "gender")


STORED_JPEG_QUALITY = 92


MAX_BASE_IMAGE_BYTES = 25 * 1024 * 1024


MIN_BASE_IMAGE_SIDE = 256


MAX_BASE_IMAGE_SIDE = 4096


class LibraryError(ValueError):
    """A spec, manifest or argument Booth cannot use; the message says what to fix."""


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
