"""Small, plain factories: real rows, real image files under the test's MEDIA_ROOT."""

import functools
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from booth.demo import save_base_image
from displays.models import Display, Station
from experiences.library import demo_art
from experiences.models.events import Event, Experience, Player
from experiences.models.library import BaseImage
from experiences.models.photo import Job
from experiences.models.sports import Integration, Shot
from experiences.photo.imaging import encode_jpeg
from experiences.photo.intake import VisitorProfile
from experiences.photo.jobs import run_job
from moderation.models import ConsentText
from tests import photos
from visitors.capture import take_capture

CONSENT_VERSION = "2"
DEVICE_PASSWORD = "tablet-pass-1234"
# Demo portraits in which Haar finds no face of its own: a face found in a composite made
# from one of them is the visitor's.
PERSONAS = {persona.key: persona for persona in demo_art.PERSONAS}
DEFAULT_PERSONAS = ("joseon-scholar", "joseon-painter", "roman-senator")


@functools.cache
def portrait_jpeg(persona_key: str) -> bytes:
    """A painted demo portrait (painting takes ~0.2 s, so each is painted once a session)."""
    return encode_jpeg(demo_art.paint_portrait(PERSONAS[persona_key]), 90)


@functools.cache
def default_card_jpeg() -> bytes:
    return encode_jpeg(demo_art.paint_default_card("Booth", "Step up to a tablet"), 85)


def make_event(*, slug: str = "expo", name: str = "Expo 2025", active: bool = True) -> Event:
    return Event.objects.create(slug=slug, name=name, is_active=active)


def make_experience(
    event: Event,
    *,
    name: str = "Past life",
    profile_fields: tuple[str, ...] = ("gender",),
    consent_version: str = CONSENT_VERSION,
    languages: tuple[str, ...] = ("en", "ko"),
    default_image: bool = False,
    pipeline: str = Experience.Pipeline.PORTRAIT,
    uniform_colour: str = "blue",
) -> Experience:
    experience = Experience.objects.create(
        event=event,
        name=name,
        profile_fields=list(profile_fields),
        pipeline=pipeline,
        uniform_colour=uniform_colour,
    )
    for language in languages:
        ConsentText.objects.create(
            experience=experience,
            version=consent_version,
            language=language,
            body=f"[{language}] Your photo is kept for {{retention_hours}} hours.",
        )
    if default_image:
        experience.default_image.save("default.jpg", ContentFile(default_card_jpeg()))
    return experience


def make_base_image(
    experience: Experience,
    persona_key: str = "joseon-scholar",
    *,
    approved: bool = True,
    gender: str | None = None,
    age_band: str = "",
    story: str | None = None,
) -> BaseImage:
    persona = PERSONAS[persona_key]
    overrides = {"approved": approved, "age_band": age_band}
    if gender is not None:
        overrides["gender"] = gender
    if story is not None:
        overrides["story"] = story
    return save_base_image(experience, persona, portrait_jpeg(persona_key), **overrides)


def make_station(
    event: Event, experience: Experience, number: int = 1, *, password: str = DEVICE_PASSWORD
) -> Station:
    """A station with its display (same number) and its tablet's device account."""
    display = Display.objects.create(event=event, number=number, name=f"LED wall {number}")
    user = get_user_model().objects.create_user(f"{event.slug}-tablet{number}", password=password)
    return Station.objects.create(
        event=event,
        experience=experience,
        number=number,
        name=f"Tablet {number}",
        user=user,
        display=display,
    )


@dataclass
class Booth:
    event: Event
    experience: Experience
    station: Station
    base_images: list[BaseImage] = field(default_factory=list)

    @property
    def display(self) -> Display:
        return self.station.display

    @property
    def user(self):
        return self.station.user


def make_booth(
    *,
    personas: tuple[str, ...] = DEFAULT_PERSONAS,
    stations: int = 1,
    default_image: bool = False,
) -> Booth:
    """An active event with one experience, approved base images and `stations` stations.

    The returned Booth is about station 1; the others are reachable through the event.
    """
    event = make_event()
    experience = make_experience(event, default_image=default_image)
    bases = [make_base_image(experience, key) for key in personas]
    first = make_station(event, experience, 1)
    for number in range(2, stations + 1):
        make_station(event, experience, number)
    return Booth(event=event, experience=experience, station=first, base_images=bases)


def make_photo_booth(pipeline: str, *, uniform_colour: str = "blue") -> Booth:
    """An active event whose one experience edits the visitor's own photo (uniform try-on
    or business portrait): no base images at all, one station."""
    event = make_event()
    names = {"uniform": "Uniform try-on", "business": "Business portrait"}
    experience = make_experience(
        event, name=names.get(pipeline, pipeline), pipeline=pipeline, uniform_colour=uniform_colour
    )
    return Booth(event=event, experience=experience, station=make_station(event, experience, 1))


def make_job(
    station: Station,
    *,
    nickname: str = "Mina",
    photo: bytes | None = None,
    gender: str = "",
    age_band: str = "",
    language: str = "en",
) -> Job:
    """A visitor's accepted capture and its job, through the real service.

    The task is enqueued when the surrounding transaction commits, so only in
    transactional tests; the others call experiences.photo.jobs.run_job themselves.
    """
    consent = ConsentText.objects.current_for(station.experience, language)
    return take_capture(
        station,
        photo if photo is not None else photos.face_jpeg(),
        VisitorProfile(nickname=nickname, gender=gender, age_band=age_band, language=language),
        consent.version,
    )


def make_finished_job(station: Station, nickname: str = "Mina") -> Job:
    """A visitor's job run through the whole pipeline, as a worker would run it."""
    job = make_job(station, nickname=nickname)
    run_job(job.pk)
    job.refresh_from_db()
    return job


def files_of(job: Job) -> set[str]:
    """The stored files of one visitor's job: original, face crop, portrait and QR code."""
    capture = job.capture
    names = {capture.original.name, capture.face_crop.name}
    return names | {asset.file.name for asset in job.assets.all()}


def media_files(root: Path) -> set[str]:
    """Every file under `root`, as paths relative to it."""
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def make_sports_experience(
    event: Event, *, name: str = "Free-kick challenge", language: str = "ko"
) -> Experience:
    return Experience.objects.create(
        event=event,
        name=name,
        pipeline=Experience.Pipeline.SPORTS,
        commentary_language=language,
        profile_fields=[],
    )


def make_integration(
    event: Event, *, scopes: tuple[str, ...] = ("shots",), active: bool = True
) -> tuple[Integration, str]:
    """An integration and its bearer token (the only time the token is seen)."""
    integration = Integration(name="Free-kick sensor", event=event, scopes=list(scopes))
    token = integration.issue_token()
    integration.is_active = active
    integration.save()
    return integration, token


def shot_json(event_id: str = "shot-1", **overrides) -> dict:
    """The reference sensor's event JSON, speed in m/s, with a client event id."""
    return {
        "event_id": event_id,
        "player_name": "Sarah",
        "shot_speed": 30.5,
        "shot_distance": 20,
        "shot_goal": False,
        "leaderboard_ranking": 2,
        "shots_done": 18,
        **overrides,
    }


def make_player(experience: Experience, nickname: str = "Sarah") -> Player:
    now = timezone.now()
    return Player.objects.create(
        experience=experience,
        nickname=nickname,
        created=now,
        delete_after=now + experience.retention,
    )


def make_shot(
    player: Player,
    speed_mps: float,
    *,
    at=None,
    goal: bool = True,
    distance_m: float = 20,
    shots_done: int = 1,
) -> Shot:
    """A stored shot as the sensor would have reported it (no commentary)."""
    return Shot.objects.create(
        player=player,
        client_event_id=uuid.uuid4().hex,
        speed_mps=speed_mps,
        distance_m=distance_m,
        goal=goal,
        shots_done=shots_done,
        received_at=at or timezone.now(),
    )
