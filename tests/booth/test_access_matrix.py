"""Every URL and websocket route, requested as every role, answers as booth/access_matrix.py
says; a route without a row fails, so no new page or socket slips through unreviewed."""

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from channels.testing import WebsocketCommunicator
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from booth import access_matrix
from booth.access_matrix import (
    ADMIN_MODEL_EXCEPTIONS,
    ADMIN_MODEL_REDIRECT,
    ADMIN_MODEL_VIEW,
    HTTP_ROUTES,
    OTHER_STATION,
    ROLES,
    WEBSOCKET_ROUTES,
    Route,
)
from booth.asgi import application
from displays.models import ControlAction
from displays.routing import websocket_urlpatterns
from experiences.models.events import new_public_token
from experiences.models.photo import Asset
from experiences.models.resume import Company
from experiences.models.sports import CommentaryLine, LeaderboardReset, Replay
from experiences.photo.storage import save_asset
from experiences.sports.shots import ShotReport, record_shot
from kernel import display_links as media
from moderation.models import ErasureLog
from moderation.services import erase_player
from moderation.tasks import purge_expired_visitors
from tests import factories, photos

ADMIN_MODEL_VIEW_NAME = re.compile(r"^admin:\w+_(changelist|add|change|delete|history)$")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class ResolvedRoute:
    pattern: str
    name: str


def url_routes() -> list[ResolvedRoute]:
    """Every URL pattern Django resolves, with its full pattern and namespaced name."""
    found = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), inner)
            else:
                assert isinstance(entry, URLPattern)
                name = f"{namespace}{entry.name}" if entry.name else ""
                found.append(ResolvedRoute(prefix + str(entry.pattern), name))

    walk(get_resolver(), "", "")
    return found


def websocket_routes() -> list[str]:
    return [str(entry.pattern) for entry in websocket_urlpatterns]


def test_every_url_has_a_row_in_the_matrix():
    rows = {route.pattern for route in HTTP_ROUTES}
    missing = [
        route.pattern
        for route in url_routes()
        if route.pattern not in rows
        and not is_admin_model_view(route)
        and not is_admin_object_redirect(route)
    ]
    assert not missing, f"routes with no row in booth/access_matrix.py: {missing}"
    stale = rows - {route.pattern for route in url_routes()}
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_every_websocket_route_has_a_row_in_the_matrix():
    rows = {route.pattern for route in WEBSOCKET_ROUTES}
    assert set(websocket_routes()) == rows


def test_the_docs_table_is_rendered_from_the_matrix():
    docs = Path(__file__).resolve().parents[2] / "docs" / "authorisation.md"
    assert docs.read_text() == access_matrix.render_markdown(), (
        "run `python -m booth.access_matrix > docs/authorisation.md`"
    )


def is_admin_model_view(route: ResolvedRoute) -> bool:
    """A ModelAdmin's own page: admin/<app>/<model>/…, named <app>_<model>_<view>."""
    parts = route.pattern.split("/")
    return (
        bool(ADMIN_MODEL_VIEW_NAME.match(route.name))
        and len(parts) > 3
        and parts[1] in apps.app_configs
        and route.name.startswith(f"admin:{parts[1]}_{parts[2]}_")
    )


def is_admin_object_redirect(route: ResolvedRoute) -> bool:
    """ModelAdmin's unnamed `<object_id>/` address, kept for old links to change pages."""
    return (
        not route.name
        and route.pattern.startswith("admin/")
        and route.pattern.endswith("/<path:object_id>/")
        and route.pattern.count("/") == 4
    )


# --- The world every role is tried in ---------------------------------------------------


@dataclass
class World:
    tokens: dict[str, str]
    station_numbers: tuple[int, int]
    jobs: tuple[int, int]
    capture: int
    event_id: str
    sports_experience: int
    integration_token: str
    users: dict[str, object]


@pytest.fixture
def world(db, settings) -> World:
    settings.BOOTH_RATE_LIMITS = {}  # hundreds of requests from one address: no limits here
    booth = factories.make_booth(stations=2, default_image=True)
    second = booth.event.stations.get(number=2)
    job = factories.make_finished_job(booth.station)
    save_asset(job, Asset.Kind.NARRATION, b"ID3 audio", "mp3")  # a narrated result
    other_job = factories.make_job(second, nickname="Joon")
    gone = factories.make_job(booth.station, nickname="Gone")
    erase_player(gone.capture.player, reason=ErasureLog.Reason.STAFF)

    sports = factories.make_sports_experience(booth.event)
    integration, token = factories.make_integration(booth.event, scopes=("shots", "clips"))
    shot, _ = record_shot(
        integration, ShotReport(**shot_report_fields("kick-1", experience_id=sports.pk))
    )
    LeaderboardReset.objects.create(experience=sports)
    replay = Replay.objects.create(player=shot.player, shot=shot, state=Replay.State.SUCCEEDED)
    replay.clip.save("clip.mp4", ContentFile(b"\0" * 64), save=False)
    replay.slow_motion.save("slow.mp4", ContentFile(b"\0" * 64), save=False)
    replay.side_by_side.save("side.mp4", ContentFile(b"\0" * 64))

    user_model = get_user_model()
    staff = user_model.objects.create_user("staff-member", password="x", is_staff=True)
    superuser = user_model.objects.create_superuser("root", password="x")
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    admin_rows(shot)
    portrait = job.assets.get(kind=Asset.Kind.PORTRAIT)
    return World(
        tokens={"result": portrait.token, "replay": replay.token},
        station_numbers=(booth.station.number, second.number),
        jobs=(job.pk, other_job.pk),
        capture=job.capture.pk,
        event_id=shot.client_event_id,
        sports_experience=sports.pk,
        integration_token=token,
        users={"device": booth.user, "staff": staff, "superuser": superuser},
    )


def admin_rows(shot) -> None:
    """A row of each model only admin creates (or that appear after a commit), so each
    admin change page is tried on a real object."""
    Group.objects.create(name="Moderators")
    ControlAction.objects.create(kind=ControlAction.Kind.REFRESH, displays=[1], username="root")
    CommentaryLine.objects.create(shot=shot, text="Goal!", language="en", backend="test")
    purge_expired_visitors.enqueue()
    seen = {"user_agent": "test", "ip_address": "10.0.0.9", "username": "root"}
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    Company.objects.create(name="Acme", profile="We hire curiosity.", keywords="curiosity")


def shot_report_fields(event_id: str, **overrides) -> dict:
    return {
        "event_id": event_id,
        "speed_mps": 25.0,
        "distance_m": 20.0,
        "goal": True,
        "shots_done": 1,
        "player_name": "Sarah",
        **overrides,
    }


def client_for(role: str, world: World) -> Client:
    """A fresh browser (or sensor) per request: a logout in one cannot affect the next."""
    if role == "integration":
        return Client(HTTP_AUTHORIZATION=f"Bearer {world.integration_token}")
    client = Client()
    if role in world.users:
        client.force_login(world.users[role])
    return client


def sample(name: str, route: Route, role: str, world: World, *, other: bool) -> str:
    """The value a path parameter gets for this role: its own or another station's, a
    real link for the visitor and a random one for everybody else."""
    kind = route.samples.get(name, name)
    if kind == "number":
        return str(world.station_numbers[1 if other else 0])
    if kind == "totp":
        return str(TOTPDevice.objects.get().pk)
    if kind == "pk" and route.pattern.startswith("admin/files/"):
        return str(world.capture)
    if kind == "pk":
        return str(world.jobs[1 if other else 0])
    if kind == "kind":
        return "capture-original"
    if kind in ("token", "replay"):
        link = "replay" if kind == "replay" else "result"
        return world.tokens[link] if role == "visitor" else new_public_token()
    if kind == "display_media":
        if role != "display":  # a forged link: signed with another key
            return signing.TimestampSigner(key="x" * 50, salt=media.SALT).sign_object(["qr", 1])
        portrait = Asset.objects.get(token=world.tokens["result"])
        return media.media_url(media.PORTRAIT, portrait.pk).rsplit("/", 1)[1]
    if kind == "event_id":
        return world.event_id
    if kind == "version":
        return "slow"
    if kind == "width":
        return "480"
    if kind == "content_type_id":
        return str(ContentType.objects.get_by_natural_key("experiences", "job").pk)
    if kind == "job":
        return str(world.jobs[0])
    if kind == "experience":
        return str(world.sports_experience)
    raise AssertionError(f"no sample value for <{name}> in {route.pattern}: add one here")


def path_of(route: Route, role: str, world: World, *, other: bool = False) -> str:
    if route.path:
        return "/" + route.path
    return "/" + CONVERTER.sub(
        lambda match: sample(match.group(1), route, role, world, other=other), route.pattern
    )


def request(route: Route, role: str, world: World, *, other: bool = False):
    client = client_for(role, world)
    path = path_of(route, role, world, other=other)
    if route.method == "GET":
        return path, client.get(path)
    if route.pattern.startswith("api/stations/"):
        upload = ContentFile(photos.face_jpeg(), name="me.jpg")
        data = {"image": upload, "nickname": "Mina", "consent_version": "2"}
        return path, client.post(path, data)
    if route.pattern == "api/shots/":
        body = factories.shot_json(f"shot-{uuid.uuid4().hex[:12]}")
        return path, client.post(path, body, content_type="application/json")
    return path, client.post(path, {})


def matches(expected: str, response) -> bool:
    status = response.status_code
    location = response.headers.get("Location", "")
    if expected == "302 login":
        return status == 302 and location.startswith("/accounts/login/")
    if expected == "302 admin login":
        return status == 302 and location.startswith("/admin/login/")
    return str(status) == expected


def check(route: Route, expect: dict[str, str], world: World) -> list[str]:
    wrong = []
    for role in ROLES:
        expected, _, other_expected = expect[role].partition(OTHER_STATION)
        tries = [(expected, False)] + ([(other_expected, True)] if other_expected else [])
        for outcome, other in tries:
            path, response = request(route, role, world, other=other)
            if not matches(outcome, response):
                got = f"{response.status_code} {response.headers.get('Location', '')}".strip()
                wrong.append(f"{route.method} {path} as {role}: expected {outcome}, got {got}")
    return wrong


def test_every_url_answers_each_role_as_the_matrix_says(world):
    wrong = []
    for route in HTTP_ROUTES:
        wrong += check(route, route.expect, world)
    assert not wrong, "\n".join(wrong)


def test_every_admin_model_page_answers_each_role_as_the_matrix_says(world):
    """Each registered model's list, add, change, delete and history pages, with a real row."""
    missing, wrong, checked = set(), [], 0
    for resolved in url_routes():
        model_view = is_admin_model_view(resolved)
        if not model_view and not is_admin_object_redirect(resolved):
            continue
        _, app_label, model_name, *_ = resolved.pattern.split("/")
        model = apps.get_model(app_label, model_name)
        instance = model._default_manager.order_by("pk").first()
        if instance is None:
            missing.add(model._meta.label)
            continue
        route = Route(
            resolved.pattern,
            "GET",
            {},
            "",
            path=CONVERTER.sub(str(instance.pk), resolved.pattern),
        )
        expect = dict(ADMIN_MODEL_VIEW if model_view else ADMIN_MODEL_REDIRECT)
        if resolved.name in ADMIN_MODEL_EXCEPTIONS:
            expect["superuser"] = ADMIN_MODEL_EXCEPTIONS[resolved.name][0]
        wrong += check(route, expect, world)
        checked += 1
    assert not missing, f"give the world fixture a row of: {sorted(missing)}"
    assert not wrong, "\n".join(wrong)
    assert checked > 50  # the walk found the admin


# --- Websockets ------------------------------------------------------------------------


def cookie_of(role: str, world: World) -> bytes | None:
    if role not in world.users:
        return None
    client = Client()
    client.force_login(world.users[role])
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def socket_outcome(path: str, cookie: bytes | None) -> str:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await socket.connect(timeout=10)
    if connected:
        await socket.disconnect()
        return "accept"
    return f"close {code}"


@pytest.mark.django_db(transaction=True)
async def test_every_websocket_answers_each_role_as_the_matrix_says(settings):
    from asgiref.sync import sync_to_async

    world = await sync_to_async(world_for_sockets)()
    wrong = []
    for route in WEBSOCKET_ROUTES:
        for role in ROLES:
            cookie = await sync_to_async(cookie_of)(role, world)
            expected, _, other_expected = route.expect[role].partition(OTHER_STATION)
            tries = [(expected, False)] + ([(other_expected, True)] if other_expected else [])
            for outcome, other in tries:
                path = await sync_to_async(path_of)(route, role, world, other=other)
                got = await socket_outcome(path, cookie)
                if got != outcome:
                    wrong.append(f"{path} as {role}: expected {outcome}, got {got}")
    assert not wrong, "\n".join(wrong)


def world_for_sockets() -> World:
    """What the sockets need: two stations, a sports experience, the logins."""
    booth = factories.make_booth(stations=2)
    sports = factories.make_sports_experience(booth.event)
    user_model = get_user_model()
    return World(
        tokens={},
        station_numbers=(1, 2),
        jobs=(0, 0),
        capture=0,
        event_id="",
        sports_experience=sports.pk,
        integration_token="",
        users={
            "device": booth.user,
            "staff": user_model.objects.create_user("staff-member", is_staff=True),
            "superuser": user_model.objects.create_superuser("root", password="x"),
        },
    )


def test_the_matrix_names_only_known_roles_and_outcomes():
    known = re.compile(r"^(\d{3}( (admin )?login)?|accept|close \d{4})$")
    for route in HTTP_ROUTES + WEBSOCKET_ROUTES:
        assert set(route.expect) == set(ROLES), route.pattern
        for cell in route.expect.values():
            for outcome in cell.split(OTHER_STATION):
                assert known.match(outcome), f"{route.pattern}: {outcome!r}"
