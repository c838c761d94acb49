"""The event report: the figures a client puts in a slide, from counters that store
nothing personal (experiences.models.tallies) plus the jobs and logs still stored.

Charts are drawn here as SVG (the CSP forbids a charting library from a CDN, and a
server-side drawing prints the same as it shows).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Sum
from django.utils import timezone
from django.utils.html import escape

from displays.status import percentile
from experiences.models import tallies as counters
from experiences.models.events import Event
from experiences.models.photo import Job
from experiences.models.tallies import Tally
from moderation.models import ErasureLog


@dataclass
class Report:
    event: Event
    totals: dict[str, int]
    by_hour: dict[datetime, dict[str, int]]
    by_station: dict[int, dict[str, int]]
    wall_seconds: dict[str, float | None]
    pulls: int
    visitor_deletions: int
    charts: dict[str, str] = field(default_factory=dict)


def event_report(event: Event) -> Report:
    counters.flush()  # this process's waiting opens and downloads
    tallies = Tally.objects.filter(event=event)
    totals = {kind: 0 for kind in Tally.Kind.values}
    for row in tallies.values("kind").annotate(total=Sum("count")):
        totals[row["kind"]] = row["total"]
    by_hour: dict[datetime, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(Tally.Kind.values, 0)
    )
    by_station: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Tally.Kind.values, 0))
    for tally in tallies:
        by_hour[tally.hour][tally.kind] += tally.count
        if tally.station_number:
            by_station[tally.station_number][tally.kind] += tally.count
    jobs = Job.objects.filter(capture__station__event=event)
    shown = jobs.filter(state=Job.State.SUCCEEDED, published__isnull=False).values_list(
        "created", "published"
    )
    to_wall = [(published - created).total_seconds() for created, published in shown]
    first = min(by_hour) if by_hour else None
    deletions = ErasureLog.objects.filter(reason=ErasureLog.Reason.VISITOR)
    if first is not None:  # erasure logs name no event: count those during its hours
        deletions = deletions.filter(created__gte=first)
    report = Report(
        event=event,
        totals=totals,
        by_hour=dict(sorted(by_hour.items())),
        by_station=dict(sorted(by_station.items())),
        wall_seconds={"p50": percentile(to_wall, 0.5), "p95": percentile(to_wall, 0.95)},
        pulls=jobs.filter(review=Job.Review.REJECTED).count(),
        visitor_deletions=sum(deletions.values_list("players", flat=True)),
    )
    report.charts = {
        "captures_per_hour": bar_chart(
            [
                (f"{timezone.localtime(hour):%H}h", row["capture"])
                for hour, row in report.by_hour.items()
            ],
            "Visitors per hour",
        ),
        "captures_per_station": bar_chart(
            [(f"#{number}", row["capture"]) for number, row in report.by_station.items()],
            "Visitors per station",
        ),
        "outcomes": bar_chart(
            [
                ("portraits", totals["succeeded"]),
                ("no face", totals["no_face"]),
                ("failed", totals["failed"]),
            ],
            "Outcomes",
        ),
    }
    return report


def bar_chart(bars: list[tuple[str, int]], title: str, width: int = 560, height: int = 240) -> str:
    """A titled vertical bar chart as inline SVG, with each value written on its bar."""
    top, bottom, left = 28, 26, 8
    plot_height = height - top - bottom
    biggest = max((value for _, value in bars), default=0) or 1
    slot = (width - 2 * left) / max(1, len(bars))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="{left}" y="18" class="chart-title">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - left}" '
        f'y2="{top + plot_height}" class="chart-axis"/>',
    ]
    for index, (label, value) in enumerate(bars):
        bar_height = plot_height * value / biggest
        x = left + index * slot + slot * 0.15
        y = top + plot_height - bar_height
        middle = x + slot * 0.35
        parts += [
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar_height:.1f}" '
            f'class="chart-bar" data-label="{escape(label)}" data-value="{value}"/>',
            f'<text x="{middle:.1f}" y="{max(top + 10, y - 4):.1f}" text-anchor="middle" '
            f'class="chart-value">{value}</text>',
            f'<text x="{middle:.1f}" y="{height - 8}" text-anchor="middle" '
            f'class="chart-label">{escape(label)}</text>',
        ]
    if not bars:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">no data</text>')
    parts.append("</svg>")
    return "".join(parts)


def report_csv(report: Report) -> str:
    """One row per hour and station with every counter, then the event's totals."""
    out = io.StringIO()
    writer = csv.writer(out)
    kinds = list(Tally.Kind.values)
    writer.writerow(["hour", "station", *kinds])
    rows = (
        Tally.objects.filter(event=report.event)
        .values("hour", "station_number", "kind")
        .annotate(total=Sum("count"))
        .order_by("hour", "station_number")
    )
    grouped: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(kinds, 0))
    for row in rows:
        grouped[(row["hour"], row["station_number"])][row["kind"]] = row["total"]
    for (hour, station), counts in grouped.items():
        local = timezone.localtime(hour)
        writer.writerow([f"{local:%Y-%m-%d %H:00}", station or "", *(counts[k] for k in kinds)])
    writer.writerow(["total", "", *(report.totals[k] for k in kinds)])
    writer.writerow([])
    writer.writerow(["visitor deletions", report.visitor_deletions])
    writer.writerow(["moderation pulls", report.pulls])
    for name, seconds in report.wall_seconds.items():
        writer.writerow([f"time to wall {name} (s)", "" if seconds is None else f"{seconds:.2f}"])
    return out.getvalue()
