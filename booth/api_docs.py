"""The interactive API docs (Swagger UI) for staff, served under the strict CSP.

Swagger UI comes from drf-spectacular-sidecar (our own static files, no CDN) and its
start-up script is a separate request (the "split" view), so the page needs no inline
script; the template override in templates/drf_spectacular/ drops the inline style.
"""

from django.contrib import admin
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


def staff_as_admin_decides(view):
    """Admin's own gate (kernel/admin_site.py): active staff, TOTP-verified under
    BOOTH_STAFF_2FA; anyone else is sent to the admin login."""
    return admin.site.admin_view(view)


@method_decorator(staff_as_admin_decides, name="dispatch")
class StaffSwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI, for staff logged in to admin."""
