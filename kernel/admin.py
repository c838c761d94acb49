"""Admin pieces every app uses: read-only audit lists, and staff-only file thumbnails.

Media is never served at MEDIA_URL (visitors' photos are private), so admin thumbnails
go through one staff-only view that checks the model permission of whatever it streams.
Each app registers the stored files its admin shows (`register_staff_file`, at import of
its admin module); the kernel knows no model.
"""

from dataclasses import dataclass

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html

from kernel.http import stored_file_response


class ReadOnlyAdmin(admin.ModelAdmin):
    """An audit trail or a record kept by the system: staff may look, never add, change or
    delete (an edited audit log is worthless)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@dataclass(frozen=True)
class StaffFile:
    model: type[models.Model]
    field: str
    permissions: tuple[str, ...]  # any one of them lets a staff member see the file


STAFF_FILES: dict[str, StaffFile] = {}


def register_staff_file(kind: str, model: type[models.Model], field: str, *permissions: str):
    """Let staff with any of `permissions` see `model.field` through `staff_file_url(kind)`."""
    STAFF_FILES[kind] = StaffFile(model, field, permissions)


def staff_file_url(kind: str, pk: int) -> str:
    return reverse("staff-file", args=[kind, pk])


def thumbnail(kind: str, obj: models.Model | None, *, height: int = 120) -> str:
    """An <img> of the object's stored file for admin lists and forms, or a dash.

    Sized by the `height` attribute (the width follows the aspect ratio): the CSP forbids
    inline style attributes, which left full-size 768×1024 portraits in the lists.
    """
    if obj is None or obj.pk is None or not getattr(obj, STAFF_FILES[kind].field):
        return "—"
    url = staff_file_url(kind, obj.pk)
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" loading="lazy" '
        'height="{}" class="booth-thumbnail"></a>',
        url,
        url,
        height,
    )


def _stored_file(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = STAFF_FILES.get(kind)
    if spec is None:
        raise Http404("No such kind of file.")
    if not any(request.user.has_perm(permission) for permission in spec.permissions):
        raise PermissionDenied
    stored = getattr(get_object_or_404(spec.model, pk=pk), spec.field)
    if not stored:
        raise Http404("No file stored.")
    return stored_file_response(stored, max_age=300)


def stored_file(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The staff-only view streaming a registered stored file (admin_view: active staff
    only, others are sent to the admin login; never cached publicly)."""
    return admin.site.admin_view(_stored_file)(request, kind=kind, pk=pk)
