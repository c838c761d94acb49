"""Stored files staff may look at in admin, and the thumbnails that show them.

Media is never served at MEDIA_URL (visitors' photos are private), so admin thumbnails
go through one staff-only view that checks the model permission of whatever it streams.
"""

from dataclasses import dataclass

from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from displays.models import Display
from experiences.models.events import Experience
from experiences.models.library import BaseImage
from experiences.models.photo import Asset, Capture


@dataclass(frozen=True)
class StaffFile:
    model: type[models.Model]
    field: str
    permissions: tuple[str, ...]  # any one of them lets a staff member see the file


STAFF_FILES: dict[str, StaffFile] = {
    "capture-original": StaffFile(
        Capture, "original", ("experiences.view_capture", "experiences.view_player")
    ),
    "capture-face": StaffFile(
        Capture, "face_crop", ("experiences.view_capture", "experiences.view_player")
    ),
    "asset": StaffFile(Asset, "file", ("experiences.view_asset", "moderation.view_result")),
    "base-image": StaffFile(BaseImage, "image", ("experiences.view_baseimage",)),
    "experience-default": StaffFile(Experience, "default_image", ("experiences.view_experience",)),
    "display-default": StaffFile(Display, "default_image", ("displays.view_display",)),
}


def staff_file_url(kind: str, pk: int) -> str:
    return reverse("staff-file", args=[kind, pk])


def thumbnail(kind: str, obj: models.Model | None, *, height: int = 96) -> str:
    """An <img> of the object's stored file for admin lists and forms, or a dash."""
    if obj is None or obj.pk is None or not getattr(obj, STAFF_FILES[kind].field):
        return "—"
    url = staff_file_url(kind, obj.pk)
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" loading="lazy" '
        'style="max-height:{}px;max-width:{}px"></a>',
        url,
        url,
        height,
        height * 2,
    )
