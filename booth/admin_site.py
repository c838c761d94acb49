"""Booth's admin site: Django's, plus optional two-factor authentication for staff.

With BOOTH_STAFF_2FA on, the admin login also asks for a TOTP code (django-otp), and a
session that was not verified by a registered authenticator counts as not staff. Off by
default, so the demo stays one command. Decided at each request, not at import, so the
setting can be flipped without touching the URLconf.
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


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
