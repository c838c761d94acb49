"""/metrics for the operators' Prometheus: the figures a scraper reads, and nobody else
reads them (a bearer token or staff with the view display permission)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from displays.models import DisplayConnection
from experiences.models.photo import Job
from tests.factories import make_finished_job, make_job

pytestmark = pytest.mark.django_db


def samples(body: str) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def test_a_scraper_with_the_token_reads_jobs_queue_failures_sockets_and_displays(booth, settings):
    settings.BOOTH_METRICS_TOKEN = "scrape-me-0123456789"
    make_finished_job(booth.station, "Ada")
    make_job(booth.station, nickname="Waiting")
    failed = make_job(booth.station, nickname="Oops")
    Job.objects.filter(pk=failed.pk).update(
        state=Job.State.FAILED, error="The image service timed out.", finished=timezone.now()
    )
    DisplayConnection.objects.create(display=booth.station.display, channel_name="page-1")

    answer = Client(HTTP_AUTHORIZATION="Bearer scrape-me-0123456789").get("/metrics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    found = samples(answer.content.decode())
    assert found[("booth_jobs", (("state", "queued"),))] == 1
    assert found[("booth_jobs", (("state", "running"),))] == 0
    reason = (("reason", "The image service timed out."),)
    assert found[("booth_job_failures_last_hour", reason)] == 1
    assert found[("booth_websocket_connections", (("kind", "display"),))] == 1
    assert found[("booth_displays_online", ())] == 1
    assert found[("booth_displays", ())] == 2
    total = ("booth_job_stage_seconds", (("quantile", "0.5"), ("stage", "total")))
    assert found[total] > 0


def test_metrics_are_not_public(booth, settings):
    settings.BOOTH_METRICS_TOKEN = "scrape-me-0123456789"
    assert Client().get("/metrics").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get("/metrics").status_code == 401
    crew = Client()
    crew.force_login(get_user_model().objects.create_user("crew", is_staff=True))
    assert crew.get("/metrics").status_code == 403
    settings.BOOTH_METRICS_TOKEN = ""  # no token set: a bearer header opens nothing
    assert Client(HTTP_AUTHORIZATION="Bearer ").get("/metrics").status_code == 401
