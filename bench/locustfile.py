"""A booth's real traffic for Locust: tablets, walls, visitors' phones and staff.

    .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8000 \
        -u 26 -r 26 -t 2m --booth-level 1

(bench/load_test.py starts a server and runs this at 1×, 3× and 10×.) The mix, per
`--booth-level` L (1 = a booth's peak: every station captures every 30 s, 16 a minute):

- 8 **tablets** (`station1`…`station8`, logged in like the kiosk) each post a capture every
  30/L s and wait on their station's websocket for the job's outcome, as the tablet does;
- 8 **walls** hold `/ws/displays/N/` open; each new result they show is read the way a
  visitor's phone reads it: the QR code's picture (a display link) is fetched and decoded
  to the result link (walls hold no token);
- **phones** (8 × L users) each take the next result link, open the page, load the WebP
  its `<img>` picks and download the portrait, then come back once (a 304 revalidation);
- 1 **staff** member keeps the display status page open (reloaded every 10 s).

Besides Locust's per-request figures it reports two custom ones (request type "BOOTH"):
"capture → tablet outcome" and "capture → on the wall" (from the start of the upload).
Seed the server with `manage.py seed_demo --device-password bench-device-pass
--admin-password bench-admin-pass` (bench/load_test.py does).
"""

import itertools
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import gevent
from gevent.queue import Empty, Queue
from locust import HttpUser, User, between, constant, constant_pacing, events, task
from websocket import WebSocketTimeoutException, create_connection

sys.path.insert(0, str(Path(__file__).resolve().parent))

from photo import jpeg_bytes, tablet_frame
from qr_links import link_in_qr, token_of

STATIONS = 8
DEVICE_PASSWORD = "bench-device-pass"
ADMIN_PASSWORD = "bench-admin-pass"
CONSENT_VERSION = "1"
OUTCOME_TIMEOUT = 120

# Shared by the users of this one Locust process (gevent: no threads, no locks needed).
result_links: Queue = Queue()
posted_at: dict[str, float] = {}  # nickname → when its upload started
PHOTO = jpeg_bytes(tablet_frame(1280, 720))
_capture_numbers = itertools.count(1)
_station_numbers = itertools.count(0)
_wall_numbers = itertools.count(0)


@events.init_command_line_parser.add_listener
def _arguments(parser) -> None:
    parser.add_argument(
        "--booth-level",
        type=float,
        default=1.0,
        help="multiple of a booth's peak: 1 = each of 8 stations captures every 30 s",
    )


def level(environment) -> float:
    return max(0.01, float(environment.parsed_options.booth_level))


def fire(environment, name: str, started: float, exception: Exception | None = None) -> None:
    """A custom figure in Locust's table (request type BOOTH)."""
    environment.events.request.fire(
        request_type="BOOTH",
        name=name,
        response_time=(time.time() - started) * 1000,
        response_length=0,
        exception=exception,
        context={},
    )


def ws_url(host: str, path: str) -> str:
    parts = urlsplit(host)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{path}"


class Tablet(HttpUser):
    """A station's tablet: captures at the booth's pace, hears each job's outcome."""

    fixed_count = STATIONS
    weight = 0

    def wait_time(self) -> float:
        return constant_pacing(30 / level(self.environment))(self)

    def on_start(self) -> None:
        self.number = next(_station_numbers) % STATIONS + 1
        self.client.get("/accounts/login/", name="/accounts/login/")
        response = self.client.post(
            "/accounts/login/",
            data={
                "username": f"station{self.number}",
                "password": DEVICE_PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"],
            },
            allow_redirects=False,
            name="/accounts/login/",
        )
        if response.status_code != 302:
            raise RuntimeError(f"station{self.number} could not log in ({response.status_code})")
        cookies = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
        self.ws = create_connection(
            ws_url(self.host, f"/ws/stations/{self.number}/"),
            header=[f"Cookie: {cookies}"],
            origin=self.host,
            timeout=OUTCOME_TIMEOUT,
        )
        # Start at a random point of the 30/L s cycle, as visitors do, not all at once.
        gevent.sleep(30 / level(self.environment) * (self.number - 1) / STATIONS)

    def on_stop(self) -> None:
        self.ws.close()

    @task
    def capture(self) -> None:
        nickname = f"load-{self.number}-{next(_capture_numbers)}"
        started = time.time()
        posted_at[nickname] = started
        with self.client.post(
            f"/api/stations/{self.number}/captures/",
            files={"image": ("capture.jpg", PHOTO, "image/jpeg")},
            data={"nickname": nickname, "consent_version": CONSENT_VERSION, "language": "en"},
            headers={"X-CSRFToken": self.client.cookies["csrftoken"]},
            name="/api/stations/[n]/captures/",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            job = response.json()["job"]
        try:
            while True:
                message = json.loads(self.ws.recv())
                if message.get("type") == "job" and message.get("job") == job:
                    break
            failed = message.get("state") != "succeeded"
            error = RuntimeError(f"job {message.get('state')}") if failed else None
            fire(self.environment, "capture → tablet outcome", started, error)
        except WebSocketTimeoutException as exc:
            fire(self.environment, "capture → tablet outcome", started, exc)


class Wall(User):
    """An LED wall's page: shows each new result; a phone scans its QR code."""

    fixed_count = STATIONS
    weight = 0
    wait_time = constant(0)

    def on_start(self) -> None:
        self.number = next(_wall_numbers) % STATIONS + 1
        self.ws = create_connection(
            ws_url(self.host, f"/ws/displays/{self.number}/"), origin=self.host, timeout=5
        )
        self.seen: set[int] = set()
        first = json.loads(self.ws.recv())
        if first.get("result"):
            self.seen.add(first["result"]["id"])

    def on_stop(self) -> None:
        self.ws.close()

    @task
    def watch(self) -> None:
        try:
            message = json.loads(self.ws.recv())
        except WebSocketTimeoutException:
            return  # nothing new within 5 s: keep watching
        result = message.get("result") if message.get("type") == "state" else None
        if not result or result["id"] in self.seen or not result.get("qr"):
            return
        self.seen.add(result["id"])
        if (started := posted_at.pop(result["nickname"], None)) is not None:
            fire(self.environment, "capture → on the wall", started)
        gevent.spawn(self.scan, result["qr"])

    def scan(self, qr_path: str) -> None:
        """The phone's camera: the QR code's picture, decoded to the result link."""
        started = time.time()
        try:
            picture = _http_get(self.host, qr_path)
            result_links.put(token_of(link_in_qr(picture)))
            fire(self.environment, "wall QR → result link", started)
        except Exception as exc:  # reported as a failure in the table, not a crash
            fire(self.environment, "wall QR → result link", started, exc)


def _http_get(host: str, path: str) -> bytes:
    """A display-link picture, outside Locust's per-request figures (it is the wall's
    load, timed as "wall QR → result link")."""
    with urlopen(host + path, timeout=30) as response:  # noqa: S310 - our own server
        return response.read()


class Phone(HttpUser):
    """A visitor's phone: opens a result link from a wall's QR code, its picture, the
    download, and comes back to the page once."""

    weight = 1
    wait_time = between(0, 0.5)

    @task
    def open_a_result(self) -> None:
        try:
            token = result_links.get(timeout=5)
        except Empty:
            return
        page = self.client.get(f"/r/{token}/", name="/r/[token]/")
        self.client.get(f"/r/{token}/image-640.webp", name="/r/[token]/image-640.webp")
        self.client.get(f"/r/{token}/download", name="/r/[token]/download")
        if etag := page.headers.get("ETag"):
            with self.client.get(
                f"/r/{token}/",
                headers={"If-None-Match": etag},
                name="/r/[token]/ again (304)",
                catch_response=True,
            ) as again:
                if again.status_code == 304:
                    again.success()


class Staff(HttpUser):
    """Staff with the display status page open."""

    fixed_count = 1
    weight = 0
    wait_time = constant(10)

    def on_start(self) -> None:
        self.client.get("/admin/login/", name="/admin/login/")
        response = self.client.post(
            "/admin/login/?next=/displays/status/",
            data={
                "username": "admin",
                "password": ADMIN_PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"],
                "next": "/displays/status/",
            },
            allow_redirects=False,
            name="/admin/login/",
        )
        if response.status_code != 302:
            raise RuntimeError(f"staff login failed ({response.status_code})")

    @task
    def status_page(self) -> None:
        self.client.get("/displays/status/", name="/displays/status/")
