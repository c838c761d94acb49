"""Static files in embedded mode: gzipped for browsers that take it, and cached an hour."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return response.getvalue()


def test_css_is_gzipped_and_cached_for_an_hour(client):
    plain = client.get("/static/booth/booth.css")
    packed = client.get("/static/booth/booth.css", HTTP_ACCEPT_ENCODING="gzip, br")
    plain_bytes, packed_bytes = body(plain), body(packed)  # streams: read once

    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed_bytes) == plain_bytes
    assert len(packed_bytes) < len(plain_bytes) / 2
    assert "max-age=3600" in packed["Cache-Control"]
    assert "Content-Encoding" not in plain  # a browser that takes no gzip gets it plain


def test_pages_are_not_compressed(client):
    """A page carries a CSRF token: compressing it would open it to BREACH."""
    response = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
