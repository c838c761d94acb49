"""The event report pages: a printable page with charts, and its CSV (operations/report.py)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from experiences.models.events import Event
from experiences.selectors import active_event
from kernel.admin_site import staff_required
from operations.report import event_report, report_csv


def _event(request: HttpRequest) -> Event:
    wanted = request.GET.get("event", "")
    event = Event.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else active_event()
    if event is None:
        raise Http404("No such event; pick one with ?event=<id> (the ids are in admin).")
    return event


@staff_required("experiences.view_event")
def report_page(request: HttpRequest) -> HttpResponse:
    """The figures a client expects after the event, with charts; prints as a PDF."""
    report = event_report(_event(request))
    # The SVG is built from numbers and escaped labels by operations.report.bar_chart.
    charts = {name: mark_safe(svg) for name, svg in report.charts.items()}  # noqa: S308
    return render(
        request,
        "booth/report.html",
        {"report": report, "charts": charts, "events": Event.objects.all()},
    )


@staff_required("experiences.view_event")
def report_download(request: HttpRequest) -> HttpResponse:
    report = event_report(_event(request))
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booth-report-{report.event.slug}.csv"'
    return response
