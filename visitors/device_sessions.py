"""How long a tablet stays signed in: for the whole event, renewed while its page is open.

A tablet is signed in once by staff, before the doors open, and then runs unattended for
days. With Django's fixed session age it would be signed out at a moment nobody chose,
in front of a visitor, and only staff can sign it in again. So a station's device session
gets a long age of its own (BOOTH_STATION_SESSION_DAYS) that starts again each time the
tablet page loads or checks in; staff sessions keep Django's shorter, fixed age.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from displays.selectors import station_of


def station_session_seconds() -> int:
    return int(timedelta(days=settings.BOOTH_STATION_SESSION_DAYS).total_seconds())


def keep_signed_in(request: HttpRequest) -> datetime:
    """Renew a device session for BOOTH_STATION_SESSION_DAYS from now (the session row and
    the cookie's Max-Age both); returns when it will expire unless renewed again."""
    request.session.set_expiry(station_session_seconds())
    return request.session.get_expiry_date()


class StationLoginView(auth_views.LoginView):
    """Django's login page; a station's device account leaves it with the long session."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        if station_of(self.request.user) is not None:
            keep_signed_in(self.request)
        return response
