"""Staff and tablet logins: wrong passwords lock out one username on one address for a
while (django-axes), and with BOOTH_STAFF_2FA admin also asks for an authenticator code."""

import base64
import hashlib
import hmac
import io
import re
import struct
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
HOME = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


@pytest.fixture(autouse=True)
def login_throttling(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("mina", password=PASSWORD, is_staff=True)


def admin_login(username: str, password: str, address: str = HOME, **extra):
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password, **extra}
    )
    return client, response


def logged_into_admin(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_three_wrong_passwords_lock_that_username_on_that_address(staff):
    for _ in range(2):
        _, response = admin_login("mina", "wrong")
        assert response.status_code == 200  # the form again, with its error

    _, third = admin_login("mina", "wrong")
    client, right = admin_login("mina", PASSWORD)

    assert third.status_code == 429
    assert right.status_code == 429
    assert "Too many failed logins" in right.content.decode()
    assert "Wait 15 minutes" in right.content.decode()
    assert not logged_into_admin(client)


def test_the_lockout_spares_other_addresses_and_other_usernames(staff):
    get_user_model().objects.create_user("joon", password=PASSWORD, is_staff=True)
    for _ in range(3):
        admin_login("mina", "wrong", HOME)

    elsewhere, from_elsewhere = admin_login("mina", PASSWORD, ELSEWHERE)
    colleague, other_user = admin_login("joon", PASSWORD, HOME)

    assert from_elsewhere.status_code == 302 and logged_into_admin(elsewhere)
    assert other_user.status_code == 302 and logged_into_admin(colleague)


def test_the_lockout_ends_after_the_cool_off(settings, staff):
    settings.AXES_COOLOFF_TIME = lambda request: __import__("datetime").timedelta(seconds=1)
    for _ in range(3):
        admin_login("mina", "wrong")
    assert admin_login("mina", PASSWORD)[1].status_code == 429

    time.sleep(1.5)
    client, response = admin_login("mina", PASSWORD)

    assert response.status_code == 302
    assert logged_into_admin(client)


def test_a_good_login_clears_the_failures(staff):
    for _ in range(2):
        admin_login("mina", "wrong")
    assert admin_login("mina", PASSWORD)[1].status_code == 302

    for _ in range(2):
        admin_login("mina", "wrong")
    assert admin_login("mina", PASSWORD)[1].status_code == 302


def test_tablet_logins_are_locked_out_too(booth):
    username = booth.user.username
    login = "/accounts/login/"
    for _ in range(3):
        Client(REMOTE_ADDR=HOME).post(login, {"username": username, "password": "wrong"})

    locked = Client(REMOTE_ADDR=HOME).post(
        login, {"username": username, "password": factories.DEVICE_PASSWORD}
    )
    other_tablet = Client(REMOTE_ADDR=ELSEWHERE)
    fine = other_tablet.post(login, {"username": username, "password": factories.DEVICE_PASSWORD})

    assert locked.status_code == 429
    assert fine.status_code == 302
    assert other_tablet.get("/tablet/").status_code == 200


# --- Two-factor authentication for staff -----------------------------------------------


def totp(secret_base32: str, at: float | None = None) -> str:
    """RFC 6238 code (SHA-1, 30 s, 6 digits), computed here, not by django-otp."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def register_authenticator(username: str) -> str:
    """`manage.py add_totp_device`, as staff run it; the secret from the printed link."""
    out = io.StringIO()
    call_command("add_totp_device", username, "--no-qr", stdout=out)
    link = re.search(r"otpauth://\S+", out.getvalue()).group(0)
    assert link.startswith("otpauth://totp/Booth")
    return parse_qs(urlsplit(link).query)["secret"][0]


def login_with_code(code: str):
    """The admin's two steps: password first; the page then offers the staff member's
    authenticators (a select) beside the code field; pick the one offered, type the code."""
    client, first = admin_login("mina", PASSWORD)
    offered = re.findall(r'<option value="(otp_totp[^"]+)"', first.content.decode())
    assert len(offered) == 1, "the page offers the registered authenticator"
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "mina", "password": PASSWORD, "otp_device": offered[0], "otp_token": code},
    )
    return client, response


def test_without_2fa_a_password_is_enough(settings, staff):
    settings.BOOTH_STAFF_2FA = False

    client, response = admin_login("mina", PASSWORD)

    assert response.status_code == 302
    assert logged_into_admin(client)
    assert "otp_token" not in Client().get("/admin/login/").content.decode()


def test_with_2fa_admin_asks_for_the_authenticator_code(settings, staff):
    settings.BOOTH_STAFF_2FA = True
    secret = register_authenticator("mina")

    page = Client().get("/admin/login/").content.decode()
    _, no_code = admin_login("mina", PASSWORD)
    client, right = login_with_code(totp(secret))

    assert 'name="otp_token"' in page
    assert no_code.status_code == 200 and "Please enter your OTP token" in no_code.content.decode()
    assert right.status_code == 302
    assert logged_into_admin(client)


def test_with_2fa_a_wrong_code_is_refused_and_slows_the_next_try(settings, staff):
    settings.BOOTH_STAFF_2FA = True
    # django-otp waits OTP_TOTP_THROTTLE_FACTOR seconds after a failure, doubling; the
    # default 1 s can pass during the next login's password hashing on a busy machine.
    settings.OTP_TOTP_THROTTLE_FACTOR = 30
    secret = register_authenticator("mina")

    _, wrong = login_with_code(totp(secret, time.time() - 3600))
    client, at_once = login_with_code(totp(secret))

    assert wrong.status_code == 200
    assert "Invalid token" in wrong.content.decode()
    assert at_once.status_code == 200
    assert "Verification temporarily disabled" in at_once.content.decode()
    assert not logged_into_admin(client)


def test_with_2fa_a_password_only_session_is_not_staff(settings, staff, booth):
    """A staff member logging in through the tablets' page (password only) gets neither
    admin, nor staff files, nor other stations' jobs."""
    settings.BOOTH_STAFF_2FA = True
    register_authenticator("mina")
    job = factories.make_job(booth.station)
    client = Client(REMOTE_ADDR=HOME)
    assert (
        client.post("/accounts/login/", {"username": "mina", "password": PASSWORD}).status_code
        == 302
    )

    assert client.get("/admin/").status_code == 302
    assert client.get(f"/admin/files/capture-original/{job.capture.pk}").status_code == 302
    assert client.get(f"/api/jobs/{job.pk}/").status_code == 403

    settings.BOOTH_STAFF_2FA = False
    assert client.get(f"/api/jobs/{job.pk}/").status_code == 200


def test_with_2fa_staff_without_an_authenticator_cannot_log_in(settings, staff):
    settings.BOOTH_STAFF_2FA = True

    client, response = admin_login("mina", PASSWORD)

    assert response.status_code == 200
    assert not logged_into_admin(client)


def test_an_authenticator_is_only_for_staff(db, booth):
    with pytest.raises(CommandError, match="not staff"):
        call_command("add_totp_device", booth.user.username, "--no-qr")


@pytest.mark.django_db(transaction=True)
async def test_with_2fa_the_staff_pages_and_socket_want_a_verified_session(settings):
    """The walls' control panel, status page and live status socket count staff as admin
    does: a superuser's password-only session is refused, a TOTP-verified one let in."""
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from booth.asgi import application

    settings.BOOTH_STAFF_2FA = True
    await sync_to_async(get_user_model().objects.create_superuser)("mina", "", PASSWORD)
    secret = await sync_to_async(register_authenticator)("mina")

    async def socket_opens(client: Client) -> bool:
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        headers = [(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)]
        socket = WebsocketCommunicator(application, "/ws/staff/status/", headers=headers)
        connected, _ = await socket.connect(timeout=10)
        if connected:
            await socket.disconnect()
        return connected

    password_only = Client(REMOTE_ADDR=HOME)
    await sync_to_async(password_only.post)(
        "/accounts/login/", {"username": "mina", "password": PASSWORD}
    )
    verified, response = await sync_to_async(login_with_code)(totp(secret))
    assert response.status_code == 302

    for path in ("/displays/control/", "/displays/status/"):
        assert (await sync_to_async(password_only.get)(path)).status_code == 302
        assert (await sync_to_async(verified.get)(path)).status_code == 200
    assert not await socket_opens(password_only)
    assert await socket_opens(verified)
