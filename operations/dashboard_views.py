"""The admin index's event dashboard, live: its figures as an HTML fragment to poll."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from kernel.admin_site import staff_required
from operations.dashboard import dashboard


@never_cache
@staff_required("displays.view_display")
def dashboard_fragment(request: HttpRequest) -> HttpResponse:
    """The same part of the page the admin index renders (one template for both), so the
    page's script swaps it in every few seconds without a reload and without a second
    rendering of the figures in JavaScript. Staff as admin decides, like the index."""
    return render(request, "admin/event_dashboard_live.html", {"dash": dashboard()})
