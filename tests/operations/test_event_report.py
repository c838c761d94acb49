"""The event report's figures against an event with known counts: visitors per hour and
station, outcomes, QR opens and downloads, deletions, pulls, time to the wall; the CSV
says the same; the counts survive a visitor's erasure and store nothing personal."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from experiences.models.photo import Job
from experiences.models.tallies import Tally
from experiences.photo.imaging import ImageRejected
from experiences.photo.jobs import fail_job
from experiences.photo.narration import narrate
from moderation import review
from moderation.models import ErasureLog
from moderation.services import erase_player
from tests import photos
from tests.factories import make_finished_job, make_job

pytestmark = pytest.mark.django_db


def figure(page: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', page).group(1)


def test_the_report_counts_a_seeded_event(booth, settings):
    settings.BOOTH_NARRATOR = "espeak"
    one, two = booth.station, booth.event.stations.get(number=2)
    jobs = [make_finished_job(one, name) for name in ("Ada", "Grace", "Linus")]
    jobs.append(make_finished_job(two, "Mina"))
    for _ in range(2):
        with pytest.raises(ImageRejected):
            make_job(two, photo=photos.no_face_jpeg())
    failed = make_job(two, nickname="Oops")
    Job.objects.filter(pk=failed.pk).update(state=Job.State.RUNNING, attempts=1)
    fail_job(Job.objects.get(pk=failed.pk), "The image service timed out.", 1)
    # Known times to the wall: 2, 4, 6 and 20 seconds.
    for job, seconds in zip(jobs, (2, 4, 6, 20), strict=True):
        Job.objects.filter(pk=job.pk).update(published=job.created + timedelta(seconds=seconds))

    assert narrate(jobs[0].pk) == "narrated"  # espeak-ng: the story read aloud once
    visitor = Client()
    for _ in range(3):
        assert visitor.get(f"/r/{jobs[0].portrait.token}/").status_code == 200
    assert visitor.get(f"/r/{jobs[1].portrait.token}/").status_code == 200
    assert visitor.get(f"/r/{jobs[0].portrait.token}/download").status_code == 200
    review.reject_results([Job.objects.get(pk=jobs[2].pk)], by=None, reason="Not suitable")
    erase_player(jobs[1].capture.player, reason=ErasureLog.Reason.VISITOR)  # withdrew

    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("boss", password="boss-pass-1"))
    page = staff.get("/staff/report/").content.decode()
    assert figure(page, "visitors") == "5"  # 4 made + 1 failed; the erased one still counts
    assert figure(page, "portraits") == "4"
    assert figure(page, "no_face") == "2"
    assert figure(page, "failed") == "1"
    assert figure(page, "opens") == "4"
    assert figure(page, "downloads") == "1"
    assert figure(page, "narrations") == "1"
    assert figure(page, "emails") == "0"
    assert figure(page, "deletions") == "1"
    assert figure(page, "pulls") == "1"
    # Grace (4 s) was erased with her job: 2, 6, 20 s remain -> p50 6 s, p95 20 s.
    assert figure(page, "wall_p50") == "6.0 s"
    assert figure(page, "wall_p95") == "20.0 s"
    hour = f"{timezone.localtime():%H}h"
    assert f'data-label="{hour}" data-value="5"' in page
    assert 'data-label="#1" data-value="3"' in page and 'data-label="#2" data-value="2"' in page
    assert "<script" not in page.split("<main")[1]  # charts are drawn on the server

    rows = list(csv.reader(io.StringIO(staff.get("/staff/report.csv").content.decode())))
    header, total = rows[0], next(row for row in rows if row and row[0] == "total")
    totals = dict(zip(header[2:], total[2:], strict=True))
    assert totals == {
        "capture": "5",
        "no_face": "2",
        "succeeded": "4",
        "failed": "1",
        "result_open": "4",
        "download": "1",
        "narration": "1",
        "email_sent": "0",
        "letter": "0",
        "letter_fallback": "0",
        "resume_pdf": "0",
    }
    assert ["visitor deletions", "1"] in rows and ["moderation pulls", "1"] in rows

    # Nothing personal in the counters: numbers per event, station, kind and hour only.
    assert {f.name for f in Tally._meta.get_fields()} == {
        "id",
        "event",
        "station_number",
        "kind",
        "hour",
        "count",
    }


def test_staff_without_the_event_permission_get_no_report(booth):
    staff = Client()
    staff.force_login(get_user_model().objects.create_user("crew", is_staff=True))
    assert staff.get("/staff/report/").status_code == 403
    assert Client().get("/staff/report.csv").status_code == 302
