"""Register an authenticator app for a staff member (two-factor admin, BOOTH_STAFF_2FA)."""

import io

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Create a TOTP device for a staff member and print the otpauth:// link (and a QR code) "
        "to scan with an authenticator app. Needed before BOOTH_STAFF_2FA=true lets them in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Authenticator app")
        parser.add_argument("--no-qr", action="store_true", help="print the link only")

    def handle(self, *args, username: str, name: str, no_qr: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username!r} is not staff: admin two-factor is for staff.")
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        self.stdout.write(f"TOTP device {device.pk} for {username}. Scan or type this link:")
        self.stdout.write(device.config_url)
        if not no_qr:
            out = io.StringIO()
            segno.make(device.config_url).terminal(out=out, compact=True, border=1)
            self.stdout.write(out.getvalue())
