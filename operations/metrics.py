"""A Prometheus endpoint for the operators' monitoring (`/metrics`).

Every figure is read from the database at scrape time (a custom collector, no counters
kept in memory), so it is the same whichever web process answers, and a restart loses
nothing. Not public: a scraper sends `Authorization: Bearer <BOOTH_METRICS_TOKEN>`, or a
staff member with the view display permission opens it in a browser.
"""

from __future__ import annotations

import hmac
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from displays import status
from displays.models import DisplayConnection
from experiences.models.photo import Job

REASON_LENGTH = 60  # failure messages are labels: cut short to keep their number small


class BoothCollector(Collector):
    def collect(self):
        now = timezone.now()
        hour_ago = now - timedelta(hours=1)
        recent = list(
            Job.objects.filter(created__gte=hour_ago).only(
                "state", "timings", "created", "started", "finished", "error"
            )
        )
        stages = GaugeMetricFamily(
            "booth_job_stage_seconds",
            "Seconds per pipeline stage over the jobs of the last hour (quantile 0.5, 0.95).",
            labels=["stage", "quantile"],
        )
        for stage, figures in status.stage_timings(recent).items():
            for quantile, key in (("0.5", "p50"), ("0.95", "p95")):
                if figures[key] is not None:
                    stages.add_metric([stage, quantile], figures[key])
        yield stages

        queue = GaugeMetricFamily("booth_jobs", "Jobs waiting or running now.", labels=["state"])
        for state in (Job.State.QUEUED, Job.State.RUNNING):
            queue.add_metric([state], Job.objects.filter(state=state).count())
        yield queue

        failures = GaugeMetricFamily(
            "booth_job_failures_last_hour",
            "Jobs failed in the last hour, by reason (the message, shortened).",
            labels=["reason"],
        )
        reasons = Counter(
            (job.error or "unknown")[:REASON_LENGTH]
            for job in recent
            if job.state == Job.State.FAILED
        )
        for reason, count in reasons.items():
            failures.add_metric([reason], count)
        yield failures

        cutoff = now - status.silent_after()
        sockets = GaugeMetricFamily(
            "booth_websocket_connections",
            "Open websocket connections heard from recently, by kind.",
            labels=["kind"],
        )
        sockets.add_metric(
            ["display"], DisplayConnection.objects.filter(last_seen__gte=cutoff).count()
        )
        yield sockets

        displays = status.display_statuses(now=now)
        online = GaugeMetricFamily("booth_displays_online", "Displays with a live page.")
        online.add_metric([], sum(not row["silent"] for row in displays))
        yield online
        total = GaugeMetricFamily("booth_displays", "Displays of the active event.")
        total.add_metric([], len(displays))
        yield total


def _allowed(request: HttpRequest) -> bool:
    token = settings.BOOTH_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("displays.view_display")


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        if request.user.is_authenticated and request.user.is_staff:
            return HttpResponse("Staff need the view display permission.", status=403)
        response = HttpResponse(
            "Send Authorization: Bearer <BOOTH_METRICS_TOKEN>, or log in as staff.", status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="booth-metrics"'
        return response
    registry = CollectorRegistry()
    registry.register(BoothCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
