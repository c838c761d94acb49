"""Security headers on every page and the production (HTTPS) settings, from the environment."""

import json
import secrets
import subprocess
import sys

import pytest
from django.test import Client

from tests import factories
from tests.experiences.photo.test_kit_colour_choice import device, uniform_booth
from tests.servers import ROOT, booth_env

pytestmark = pytest.mark.django_db


def production_env(tmp_path, **extra: str) -> dict[str, str]:
    """What a production deployment sets: no DEBUG, its own long key, its host, HTTPS, and
    a mail server (the demo's console "email" is flagged by check --deploy)."""
    return booth_env(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="booth.example.org",
        BOOTH_HTTPS="true",
        EMAIL_URL="smtp+tls://booth:mail-password@mail.example.org:587",
        **extra,
    )


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    done = run_manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_names_what_is_missing_without_https(tmp_path):
    """The same deployment over plain HTTP: check --deploy points at each HTTPS setting, so
    the clean result above is owed to BOOTH_HTTPS, not to a check that says nothing."""
    env = production_env(tmp_path)
    env["BOOTH_HTTPS"] = "false"

    done = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr + done.stdout


def test_check_deploy_refuses_the_public_demo_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]  # settings.py falls back to the embedded demo's key

    done = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert done.returncode != 0
    assert "booth.W001" in done.stderr + done.stdout
    assert "SECRET_KEY is Booth's public demo key" in done.stderr + done.stdout


def test_booth_https_turns_on_hsts_secure_cookies_and_the_redirect(tmp_path):
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER]))"
    )
    env = production_env(tmp_path, BOOTH_BEHIND_PROXY="true")

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    redirect, hsts, session_secure, csrf_secure, proxy = json.loads(done.stdout)
    assert redirect and session_secure and csrf_secure
    assert hsts >= 31_536_000
    assert proxy == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_behind_an_https_proxy_plain_http_is_redirected_and_https_gets_hsts(settings, booth):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()

    plain = client.get("/accounts/login/")
    proxied = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})

    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://testserver/accounts/login/"
    assert proxied.status_code == 200
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("page", ["/accounts/login/", "/tablet/", "/displays/1/", "/r/{token}/"])
def test_pages_send_a_strict_content_security_policy(booth, device_client, page):
    token = factories.make_finished_job(booth.station).portrait.token if "{token}" in page else ""

    response = device_client.get(page.format(token=token))

    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert set(csp["connect-src"]) == {"'self'", "ws:", "wss:"}
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {
        "strict-origin-when-cross-origin",
        "no-referrer",
    }


def test_rendered_pages_carry_no_inline_script_or_style(booth, device_client):
    """The CSP would block them: scripts are files, JSON data sits in type=application/json."""
    for page in ("/tablet/", "/displays/1/", "/displays/commentary/"):
        html = device_client.get(page).content.decode()
        assert " style=" not in html, page
        assert "<style" not in html, page
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, (page, opening)


def test_the_kit_colour_swatches_need_no_inline_style():
    """The uniform try-on tablet paints its 11 swatches from data attributes (tablet.js)."""
    booth = uniform_booth(visitors_choose=True, colour="navy")

    html = device(booth).get("/tablet/").content.decode()

    assert html.count("data-swatch=") == 11
    assert 'data-swatch="#14235a"' in html
    assert " style=" not in html


@pytest.mark.parametrize("endpoint", ["", "http://minio.internal:9000"], ids=["aws", "minio"])
def test_media_on_s3_is_allowed_by_the_csp_where_its_presigned_urls_point(tmp_path, endpoint):
    """Scaled mode redirects images and replays to presigned S3 URLs; the browser checks the
    redirect against img-src/media-src, so the bucket's origin must be in both."""
    script = (
        "import django, json; django.setup(); from urllib.parse import urlsplit; "
        "from django.conf import settings as s; "
        "from django.core.files.storage import default_storage as d; "
        "u = urlsplit(d.url('portraits/x.jpg')); "
        "print(json.dumps([f'{u.scheme}://{u.netloc}', s.SECURE_CSP['img-src'], "
        "s.SECURE_CSP['media-src']]))"
    )
    env = production_env(
        tmp_path,
        BOOTH_S3_BUCKET="booth-media",
        BOOTH_S3_REGION="eu-west-1",
        BOOTH_S3_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE="/dev/null",
    )

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    origin, img_src, media_src = json.loads(done.stdout.splitlines()[-1])
    assert origin.startswith(endpoint or "https://booth-media.s3")
    assert origin in img_src and origin in media_src
    assert "'self'" in img_src


def test_without_s3_the_csp_allows_no_other_origin(booth, device_client):
    csp = csp_directives(device_client.get("/tablet/"))

    assert csp["img-src"] == ["'self'", "blob:", "data:"]
    assert csp["media-src"] == ["'self'", "blob:"]
