"""A tablet stays signed in for the event: its device session gets a long age of its own,
renewed whenever the tablet page loads or checks in; a session that ended anyway answers
`not_authenticated`, which the tablet shows as "signed out" (tests/test_kiosk_browser.py)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

CHECK_IN = "/api/stations/{}/session/"
DAY = timedelta(days=1)


def log_in(username: str, password: str) -> Client:
    """Through the login page, as staff sign a tablet in."""
    client = Client()
    response = client.post(
        reverse("login") + "?next=/tablet/", {"username": username, "password": password}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def cookie_max_age(response) -> int:
    return int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"])


def test_a_station_login_lasts_the_event_and_a_staff_login_does_not(booth, settings):
    settings.BOOTH_STATION_SESSION_DAYS = 30
    get_user_model().objects.create_user("staff-member", password="staff-pass-1", is_staff=True)

    tablet = log_in(booth.user.username, factories.DEVICE_PASSWORD)
    staff = log_in("staff-member", "staff-pass-1")

    tablet_left = session_row(tablet).expire_date - timezone.now()
    staff_left = session_row(staff).expire_date - timezone.now()
    assert 30 * DAY - timedelta(minutes=1) < tablet_left <= 30 * DAY
    assert int(tablet.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 30 * 86400
    assert staff_left <= timedelta(seconds=settings.SESSION_COOKIE_AGE)  # Django's two weeks


def test_checking_in_renews_a_session_near_its_end(booth, settings):
    settings.BOOTH_STATION_SESSION_DAYS = 3
    tablet = log_in(booth.user.username, factories.DEVICE_PASSWORD)
    # Days into the event: an hour of the session left.
    Session.objects.filter(pk=session_row(tablet).pk).update(
        expire_date=timezone.now() + timedelta(hours=1)
    )

    response = tablet.post(CHECK_IN.format(1))

    assert response.status_code == 200
    assert response.json()["signed_in"] is True
    left = session_row(tablet).expire_date - timezone.now()
    assert 3 * DAY - timedelta(minutes=1) < left <= 3 * DAY
    assert cookie_max_age(response) == 3 * 86400  # the browser keeps its cookie as long


def test_loading_the_tablet_page_gives_an_older_session_the_long_age(booth, device_client):
    """A tablet signed in before this change (or by client.login) gets it on its next load."""
    Session.objects.update(expire_date=timezone.now() + timedelta(hours=1))

    response = device_client.get(reverse("tablet"))

    assert response.status_code == 200
    left = session_row(device_client).expire_date - timezone.now()
    assert left > timedelta(days=settings.BOOTH_STATION_SESSION_DAYS) - timedelta(minutes=1)
    assert b'"sessionCheckSeconds": ' in response.content


def test_a_session_that_ended_answers_not_authenticated(booth, device_client):
    Session.objects.all().delete()  # expired, cleared, or signed out elsewhere

    check_in = device_client.post(CHECK_IN.format(1))
    capture = device_client.post("/api/stations/1/captures/", {"nickname": "Mina"})

    for response in (check_in, capture):
        assert response.status_code == 403
        assert response.json()["code"] == "not_authenticated"


def test_a_tablet_cannot_check_in_for_another_station(booth, device_client):
    response = device_client.post(CHECK_IN.format(2))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "station 1" in response.json()["detail"]
