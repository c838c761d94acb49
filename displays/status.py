"""The truth about every screen and the booth: open pages, heartbeats, jobs, queue.

Presence is one database row per open display page (displays.models.DisplayConnection),
written by whichever web process holds the socket. So the status is right with several
web processes, and a page whose process died stops counting once its heartbeat is older
than BOOTH_DISPLAY_SILENT_SECONDS (its row is pruned later).
"""

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from displays import selectors
from displays.models import Display, DisplayConnection
from experiences.models.events import Event
from experiences.models.photo import Job
from experiences.photo.worker_health import worker_health, workers_summary

# Rows of pages unheard of for this many silent periods are deleted (their process died).
PRUNE_AFTER_SILENT_PERIODS = 20
SHOWING_CHOICES = {"default", "result", "attract", "offline"}


def silent_after() -> timedelta:
    return timedelta(seconds=settings.BOOTH_DISPLAY_SILENT_SECONDS)


# --- presence (called by displays.consumers.DisplayConsumer) ---------------------------


def page_connected(display: Display, channel_name: str, user_agent: str = "") -> None:
    """Record a newly opened page of `display`."""
    now = timezone.now()
    DisplayConnection.objects.update_or_create(
        channel_name=channel_name,
        defaults={
            "display": display,
            "connected_at": now,
            "last_seen": now,
            "user_agent": user_agent[:300],
        },
    )


def page_seen(channel_name: str, report: dict[str, Any]) -> None:
    """A heartbeat (or hello) from a page: note the time and what it says it shows.

    `report` is what the browser sent; anything malformed is ignored, not trusted.
    """
    fields: dict[str, Any] = {"last_seen": timezone.now()}
    version = report.get("version")
    if isinstance(version, str):
        fields["client_version"] = version[:40]
    showing = report.get("showing")
    if isinstance(showing, str) and showing in SHOWING_CHOICES:
        fields["showing"] = showing
        # The result's display id (services.result_payload), never a token: pages have none.
        shown = report.get("result")
        fields["showing_token"] = str(shown)[:64] if isinstance(shown, (int, str)) else ""
    width, height = report.get("width"), report.get("height")
    if all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 20000 for v in (width, height)
    ):
        fields["screen_size"] = f"{width}×{height}"
    DisplayConnection.objects.filter(channel_name=channel_name).update(**fields)


def page_disconnected(channel_name: str) -> None:
    DisplayConnection.objects.filter(channel_name=channel_name).delete()


def prune_stale_connections(now: datetime | None = None) -> int:
    """Delete rows of pages long unheard of (a web process that died left them)."""
    cutoff = (now or timezone.now()) - silent_after() * PRUNE_AFTER_SILENT_PERIODS
    deleted, _ = DisplayConnection.objects.filter(last_seen__lt=cutoff).delete()
    return deleted


# --- per-display status ------------------------------------------------------------------


@dataclass
class DisplayStatus:
    number: int
    name: str
    mode: str
    pages: int  # pages heard from within the silent period
    silent: bool  # no page heard from within the silent period: flagged to staff
    last_heartbeat: str | None  # ISO time of the newest heartbeat of any page
    showing: str  # what the most recently heard page says it shows
    showing_token: str
    result: str  # the stored current result's nickname, "" if none
    client_versions: list[str] = field(default_factory=list)
    size: str = ""  # width×height in CSS pixels, as the most recently heard page says


def display_statuses(event: Event | None = None, now: datetime | None = None) -> list[dict]:
    """One status per display of the (active) event, in number order."""
    now = now or timezone.now()
    cutoff = now - silent_after()
    displays = selectors.event_displays(event).select_related("current_asset__job__capture__player")
    pages_by_display: dict[int, list[DisplayConnection]] = {}
    for page in DisplayConnection.objects.filter(display__in=displays).order_by("-last_seen"):
        pages_by_display.setdefault(page.display_id, []).append(page)
    statuses = []
    for display in displays:
        pages = pages_by_display.get(display.pk, [])
        live = [page for page in pages if page.last_seen >= cutoff]
        newest = pages[0] if pages else None
        asset = display.current_asset
        statuses.append(
            DisplayStatus(
                number=display.number,
                name=str(display),
                mode=display.mode,
                pages=len(live),
                silent=not live,
                last_heartbeat=newest.last_seen.isoformat() if newest else None,
                showing=newest.showing if newest else "",
                showing_token=newest.showing_token[:8] if newest else "",
                result=asset.job.capture.player.nickname
                if asset is not None and asset.job.visible
                else "",
                client_versions=sorted({p.client_version for p in live if p.client_version}),
                size=newest.screen_size if newest else "",
            )
        )
    return [asdict(status) for status in statuses]


# --- booth status ---------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def stage_timings(jobs: list[Job]) -> dict[str, dict[str, float | None]]:
    """p50/p95 seconds per pipeline stage (Job.timings), plus queue wait and total."""
    samples: dict[str, list[float]] = {}
    for job in jobs:
        for stage, seconds in (job.timings or {}).items():
            if isinstance(seconds, int | float):
                samples.setdefault(stage, []).append(float(seconds))
        if job.started and job.finished and job.state == Job.State.SUCCEEDED:
            samples.setdefault("queue", []).append((job.started - job.created).total_seconds())
            samples.setdefault("total", []).append((job.finished - job.created).total_seconds())
    return {
        stage: {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95), "n": len(values)}
        for stage, values in samples.items()
    }


def booth_status(
    event: Event | None = None, now: datetime | None = None, displays: list[dict] | None = None
) -> dict[str, Any]:
    """Jobs of the last hour by state, stage timings, queue depth, displays online."""
    now = now or timezone.now()
    hour_ago = now - timedelta(hours=1)
    recent = list(
        Job.objects.filter(created__gte=hour_ago).only(
            "state", "timings", "created", "started", "finished"
        )
    )
    by_state = Counter(job.state for job in recent)
    queue = Job.objects.aggregate(
        queued=Count("pk", filter=Q(state=Job.State.QUEUED)),
        running=Count("pk", filter=Q(state=Job.State.RUNNING)),
    )
    if displays is None:
        displays = display_statuses(event, now)
    workers = "embedded"
    if settings.BOOTH_EXPECT_WORKERS:
        workers = workers_summary(worker_health())
    return {
        "jobs_last_hour": {state: by_state.get(state, 0) for state in Job.State.values},
        "awaiting_review": Job.objects.awaiting_review().count(),
        "stages": stage_timings(recent),
        "queue": queue,
        "displays_online": sum(not d["silent"] for d in displays),
        "displays_total": len(displays),
        "workers": workers,
    }


def snapshot(now: datetime | None = None) -> dict[str, Any]:
    """Everything the staff pages show, as pushed over their socket."""
    now = now or timezone.now()
    prune_stale_connections(now)
    displays = display_statuses(now=now)
    return {
        "type": "status",
        "at": now.isoformat(),
        "displays": displays,
        "booth": booth_status(now=now, displays=displays),
    }
