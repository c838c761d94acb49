"""The event at a glance, for the admin index: what staff check first on the day.

Reads only (a selector over displays.status and the jobs), so the admin index stays a
thin template over it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from displays import status
from displays.models import Station
from experiences.models.photo import Job
from experiences.selectors import active_event


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "2 min ago", "3 h ago": how long ago, as staff read it at a glance."""
    if moment is None:
        return "never"
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    if seconds < 10:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def dashboard(now: datetime | None = None) -> dict[str, Any]:
    """Stations and their displays, jobs of the last hour, queue, failures."""
    now = now or timezone.now()
    event = active_event()
    displays = {row["number"]: row for row in status.display_statuses(event, now)}
    booth = status.booth_status(event, now, list(displays.values()))
    stations = []
    for station in (
        Station.objects.filter(event=event)
        .select_related("display", "experience")
        .order_by("number")
    ):
        row = displays.get(station.display.number, {})
        heartbeat = parse_datetime(row["last_heartbeat"]) if row.get("last_heartbeat") else None
        stations.append(
            {
                "station": station,
                "display": station.display,
                "online": not row.get("silent", True),
                "mode": station.display.get_mode_display(),
                "showing": row.get("showing", ""),
                "heartbeat": heartbeat,
                "heartbeat_ago": ago(heartbeat, now),
                "size": row.get("size", ""),
            }
        )
    hour_ago = now - timedelta(hours=1)
    failures = list(
        Job.objects.filter(state=Job.State.FAILED, finished__gte=hour_ago)
        .values("error")
        .annotate(count=Count("pk"))
        .order_by("-count")[:5]
    )
    return {
        "event": event,
        "stations": stations,
        "booth": booth,
        "jobs_last_hour": sum(booth["jobs_last_hour"].values()),
        "failures": failures,
        "at": now,
    }
