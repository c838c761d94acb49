"""Booth's admin site: Django's, plus optional two-factor authentication for staff.

With BOOTH_STAFF_2FA on, the admin login also asks for a TOTP code (django-otp), and a
session that was not verified by a registered authenticator counts as not staff. Off by
default, so the demo stays one command. Decided at each request, not at import, so the
setting can be flipped without touching the URLconf.
"""

from functools import wraps

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.models import Device


class BoothAdminSite(AdminSite):
    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.BOOTH_STAFF_2FA else AdminAuthenticationForm

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.BOOTH_STAFF_2FA else None

    def has_permission(self, request) -> bool:
        if not super().has_permission(request):
            return False
        return not settings.BOOTH_STAFF_2FA or request.user.is_verified()


def is_verified_staff(user, session, permission: str) -> bool:
    """Staff as admin counts them, for code outside admin's request cycle (websockets,
    where no OTPMiddleware runs): active staff holding `permission`, and with
    BOOTH_STAFF_2FA a session that an authenticator of theirs verified."""
    if user is None or not user.is_active or not user.is_staff or not user.has_perm(permission):
        return False
    if not settings.BOOTH_STAFF_2FA:
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.user_id == user.pk and device.confirmed


def staff_required(permission: str):
    """Like Django's staff_member_required, but staff as admin decides (2FA included;
    others are sent to the admin login), and only with `permission`, as admin's own pages
    ask for a model permission (403 without it)."""
    from django.contrib import admin

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return admin.site.admin_view(checked)

    return decorate
