"""The OpenAPI schema: valid, complete, public; the interactive docs for staff only."""

import json

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from booth.errors import server_error
from tests import factories

pytestmark = pytest.mark.django_db

API_OPERATIONS = {
    ("/api/stations/{number}/captures/", "post"),
    ("/api/stations/{number}/companies/", "get"),
    ("/api/jobs/{id}/", "get"),
    ("/api/stations/{number}/session/", "post"),
    ("/api/shots/", "post"),
    ("/api/shots/{event_id}/clip", "post"),
}


@pytest.fixture
def schema(tmp_path) -> dict:
    """`manage.py spectacular --validate --fail-on-warn`: fails on any warning or on a
    schema that does not validate against the OpenAPI 3 specification."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(out))
    return yaml.safe_load(out.read_text())


def test_schema_validates_and_lists_every_api_operation(schema):
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert operations == API_OPERATIONS


def test_schema_names_how_each_operation_is_authenticated(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["integrationToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["integrationToken"]["description"],
    }
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert schemes["csrfToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": schemes["csrfToken"]["description"],
    }
    paths = schema["paths"]
    capture = paths["/api/stations/{number}/captures/"]["post"]
    assert capture["security"] == [{"cookieAuth": [], "csrfToken": []}]
    assert "multipart/form-data" in capture["requestBody"]["content"]
    for path in ("/api/shots/", "/api/shots/{event_id}/clip"):
        assert paths[path]["post"]["security"] == [{"integrationToken": []}]


def test_every_refusal_is_documented_with_the_error_body(schema):
    capture = schema["paths"]["/api/stations/{number}/captures/"]["post"]["responses"]
    assert set(capture) == {
        *("200", "201", "400", "403", "404", "409", "413", "415", "422", "429", "503")
    }
    clip = schema["paths"]["/api/shots/{event_id}/clip"]["post"]["responses"]
    assert {"200", "202", "401", "404", "413", "415", "429"} <= set(clip)
    error = capture["413"]["content"]["application/json"]["schema"]["$ref"]
    assert error == "#/components/schemas/Error"
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail"]


def test_schema_is_served_to_anyone(client):
    response = client.get("/api/schema/", headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Booth API"


def test_interactive_docs_are_for_staff_only(client):
    anonymous = client.get("/api/docs/")
    staff = Client()
    staff.force_login(
        get_user_model().objects.create_user("editor", password="x-pass-123", is_staff=True)
    )

    page = staff.get("/api/docs/")
    script = staff.get("/api/docs/?script=")

    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/admin/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html and "<script>" not in html  # the CSP allows neither
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


@pytest.mark.parametrize("path", ["/api/jobs/-1/", "/api/stations/one/captures/", "/api/nope"])
def test_an_unknown_api_url_answers_in_json(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "detail": "No such API URL: check the path against /api/schema/.",
    }


def test_an_unknown_page_is_still_an_html_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


@pytest.fixture
def sensor_token(booth) -> str:
    return factories.make_integration(booth.event)[1]


def test_json_nested_too_deeply_is_a_400_not_a_crash(client, sensor_token):
    response = client.post(
        "/api/shots/",
        "[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers={"Authorization": f"Bearer {sensor_token}"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "JSON parse error: the JSON is nested too deeply.",
    }


def test_requests_django_refuses_before_the_view_answer_in_json(
    client, sensor_token, device_client
):
    huge_json = client.post(
        "/api/shots/",
        '{"event_id": "' + "x" * 3_000_000 + '"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {sensor_token}"},
    )
    many_files = device_client.post(
        "/api/stations/1/captures/",
        {f"f{i}": SimpleUploadedFile(f"{i}.jpg", b"x") for i in range(150)},
    )
    many_fields = device_client.post(
        "/api/stations/1/captures/", {f"k{i}": "v" for i in range(1500)}
    )

    assert (huge_json.status_code, huge_json.json()["code"]) == (400, "too_large")
    assert "at most 2.6 MB besides files" in huge_json.json()["detail"]
    assert (many_files.status_code, many_files.json()["code"]) == (400, "too_many_files")
    assert (many_fields.status_code, many_fields.json()["code"]) == (400, "too_many_fields")


def test_a_server_error_under_api_is_json_and_says_what_to_do(rf):
    api = server_error(rf.get("/api/shots/"))
    page = server_error(rf.get("/tablet/"))

    assert api.status_code == 500
    assert json.loads(api.content)["code"] == "server_error"
    assert "Try again" in json.loads(api.content)["detail"]
    assert page.status_code == 500
    assert page.headers["Content-Type"].startswith("text/html")


def test_with_staff_2fa_the_docs_need_a_verified_session(settings):
    settings.BOOTH_STAFF_2FA = True
    staff = Client()
    staff.force_login(
        get_user_model().objects.create_user("editor", password="x-pass-123", is_staff=True)
    )

    response = staff.get("/api/docs/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")
