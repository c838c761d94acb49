"""The staff-only view that streams stored files for admin thumbnails."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from kernel.http import stored_file_response
from moderation.files import STAFF_FILES


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


# admin_view: active staff only (others are sent to the admin login), never cached publicly.
stored_file = admin.site.admin_view(_stored_file)
