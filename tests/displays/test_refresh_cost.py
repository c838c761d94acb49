"""A staff "refresh all displays" costs the same few queries for one display or eight."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from displays import control
from displays.models import Display
from experiences.models.photo import Job
from experiences.photo.jobs import run_job
from tests import factories


@pytest.mark.django_db
def test_refreshing_every_display_reads_the_displays_in_one_query(demo, django_user_model):
    staff = django_user_model.objects.create_superuser("boss", "", "boss-pass-1234")
    for station in demo.event.stations.all():
        assert run_job(factories.make_job(station).pk) == Job.State.SUCCEEDED
    walls = list(Display.objects.filter(event=demo.event))
    assert len(walls) == 8

    with CaptureQueriesContext(connection) as queries:
        control.force_refresh(walls, by=staff, via="test")

    display_reads = [q for q in queries if 'FROM "displays_display"' in q["sql"]]
    assert len(display_reads) == 1, [q["sql"] for q in display_reads]
    assert len(queries) <= 6, [q["sql"] for q in queries]
