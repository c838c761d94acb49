"""Production static files under daphne: hashed names, compressed, cached for good."""

import re

import httpx
import pytest

from tests import servers

pytestmark = pytest.mark.system

# WhiteNoise's max-age for files whose name carries a hash of their content (10 years).
FOREVER = 315360000


def test_hashed_static_files_are_served_compressed_with_long_cache_headers(tmp_path):
    port = servers.free_port()
    env = servers.booth_env(
        tmp_path,
        DEBUG="false",
        BOOTH_STATIC_MANIFEST="true",
        STATIC_ROOT=str(tmp_path / "static"),
        BOOTH_EMBEDDED_WORKER="false",
    )
    servers.manage(env, "collectstatic", "--no-input", "-v0")
    servers.manage(env, "migrate", "-v0")
    servers.manage(env, "seed_demo", "--device-password", "station-pass-123")
    web = servers.start(env, tmp_path / "web.log", "serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        servers.wait_for_port(port, web, tmp_path / "web.log")
        page = httpx.get(f"{base}/displays/1/")
        script_url = re.search(r'src="(/static/displays/display\.[0-9a-f]{12}\.js)"', page.text)
        css_url = re.search(r'href="(/static/booth/booth\.[0-9a-f]{12}\.css)"', page.text)
        assert script_url and css_url, page.text[:2000]
        script = httpx.get(base + script_url[1], headers={"Accept-Encoding": "gzip"})
        css = httpx.get(base + css_url[1], headers={"Accept-Encoding": "gzip"})
        unknown = httpx.get(f"{base}/static/booth/booth.0123456789ab.css")
    finally:
        servers.stop(web)

    for response in (script, css):
        assert response.status_code == 200
        cache = response.headers["cache-control"]
        assert f"max-age={FOREVER}" in cache, cache
        assert "immutable" in cache
        assert response.headers["content-encoding"] == "gzip"
    # The display script's module import points at the hashed screen module too.
    assert re.search(r'from "\./screen\.[0-9a-f]{12}\.js"', script.text), script.text[:500]
    assert unknown.status_code == 404
