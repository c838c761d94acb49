"""Network set-up that just works: the QR code on a wall opens on a phone without the
operator setting PUBLIC_BASE_URL, and the operator is warned when it could not."""

import re

import pytest
from django.core.management import call_command

from kernel.network import lan_address, qr_base_warnings, reachable_base_url
from tests import servers
from tests.qrcodes import decode_qr
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD, _open_wall, _take_photo

ANY = "0.0.0.0"  # noqa: S104 - every interface, as an operator types it


def test_the_base_follows_the_port_and_a_wildcard_host_becomes_the_lan_address():
    assert reachable_base_url("127.0.0.1", 18080) == "http://127.0.0.1:18080"
    assert reachable_base_url("booth.lan", 443, "https") == "https://booth.lan"
    address = lan_address()
    wildcard = reachable_base_url(ANY, 18080)
    if address:
        assert wildcard == f"http://{address}:18080"
        assert not address.startswith("127.")
    else:  # a machine with no network at all
        assert wildcard == "http://localhost:18080"


def test_a_loopback_qr_base_is_warned_about_and_a_lan_one_is_not():
    [warning] = qr_base_warnings("http://localhost:8000", ANY, 8000)
    assert "phone" in warning and "PUBLIC_BASE_URL" in warning
    [warning] = qr_base_warnings("http://127.0.0.1:8000", "127.0.0.1", 8000)
    assert "--host 0.0.0.0" in warning
    assert qr_base_warnings("http://192.168.1.20:8000", ANY, 8000) == []


@pytest.mark.system
def test_serve_prints_its_qr_base_and_an_explicit_setting_wins(tmp_path):
    port = servers.free_port()
    env = servers.booth_env(tmp_path)
    env.pop("PUBLIC_BASE_URL", None)
    servers.manage(env, "migrate", "-v0")
    log = tmp_path / "serve.log"
    process = servers.start(env, log, "serve", "--host", ANY, "--port", str(port))
    try:
        servers.wait_for_port(port, process, log)
    finally:
        servers.stop(process)
    printed = log.read_text()
    address = lan_address()
    if address:
        assert f"QR codes and links point at http://{address}:{port}/" in printed
        assert "Warning" not in printed
    else:
        assert "Warning: QR codes point at http://localhost" in printed

    explicit = servers.booth_env(tmp_path, PUBLIC_BASE_URL="https://photos.example.org")
    process = servers.start(explicit, log, "serve", "--host", ANY, "--port", str(port))
    try:
        servers.wait_for_port(port, process, log)
    finally:
        servers.stop(process)
    assert "QR codes and links point at https://photos.example.org/" in log.read_text()


@pytest.mark.browser
@pytest.mark.system
def test_the_qr_code_on_the_wall_opens_the_result_on_the_port_the_server_runs_on(
    tmp_path,
    browser,
):
    demo = servers.ServedDemo(tmp_path, PASSWORD, ADMIN_PASSWORD, set_public_base_url=False)
    base = demo.start()
    try:
        wall = _open_wall(browser, base, 1)
        tablet = _take_photo(browser, base, "station1", "Quinn")
        tablet.click("[data-action=submit]")
        wall.wait_for_selector("#wall[data-view=result]", timeout=20000)
        wall.wait_for_function("document.getElementById('qr').naturalWidth > 100")
        url = decode_qr(wall.locator("#qr").screenshot())
        assert re.fullmatch(rf"http://127\.0\.0\.1:{demo.port}/r/[\w-]+/", url), url

        phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        phone.goto(url)
        assert phone.inner_text("h1") == "Quinn"
    finally:
        demo.stop()


def test_demo_prints_reachable_addresses(monkeypatch, capsys):
    """`demo` prints what a tablet types, not 0.0.0.0 (serve itself is not started here)."""
    monkeypatch.setattr("booth.management.commands.demo.call_command", lambda *args, **kwargs: None)
    call_command("demo", host=ANY, port=18080)
    out = capsys.readouterr().out
    assert "0.0.0.0" not in out  # noqa: S104
    assert f"{reachable_base_url(ANY, 18080)}/tablet/" in out
