"""The staff page showing the last `manage.py aws_preflight` run (read-only: the checks
themselves put and delete objects, so they run from the command, not from a page)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kernel.admin_site import staff_required
from operations import preflight


@staff_required("operations.view_preflightrun")
def aws_preflight_page(request: HttpRequest) -> HttpResponse:
    run = preflight.last_run()
    return render(request, "booth/aws_preflight.html", {"run": run})
