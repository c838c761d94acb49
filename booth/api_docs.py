"""The interactive API docs (Swagger UI) for staff, served under the strict CSP.

Swagger UI comes from drf-spectacular-sidecar (our own static files, no CDN) and its
start-up script is a separate request (the "split" view), so the page needs no inline
script; the template override in templates/drf_spectacular/ drops the inline style.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


@method_decorator(staff_member_required, name="dispatch")
class StaffSwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI, for staff logged in to admin; others are sent to the admin login."""
