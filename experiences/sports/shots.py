"""Recording a shot the sensor reports: idempotent per client event id, then commentary.

The sensor may retry a POST whose answer it never saw. The shot's `event_id` is unique
per integration, so a retry finds the stored shot instead of counting it twice; the same
id with different values is a client bug and is refused rather than guessed at.

Players: a shot names either `player_id` (a Booth player of the experience) or
`player_name`. A name is matched to the experience's player of that nickname who
already shot on the current leaderboard (since its last reset); otherwise a new player
is created, kept for the experience's retention period like every visitor.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from experiences.models.events import Experience, Player
from experiences.models.sports import Integration, Shot
from experiences.sports.commentary.service import after_shot
from experiences.sports.leaderboard import counting_since
from kernel.errors import Rejected

logger = logging.getLogger(__name__)


class ShotRejected(Rejected):
    """A shot Booth will not store; `message` tells the sensor's developers what to fix."""


@dataclass(frozen=True)
class ShotReport:
    """A validated shot as the sensor sent it (speed in m/s, distance in m)."""

    event_id: str
    speed_mps: float
    distance_m: float
    goal: bool
    shots_done: int
    player_id: int | None = None
    player_name: str = ""
    sensor_ranking: int | None = None
    experience_id: int | None = None


def sports_experience(integration: Integration, experience_id: int | None) -> Experience:
    """The sports experience of the integration's event the shot is for."""
    experiences = Experience.objects.filter(
        event=integration.event, pipeline=Experience.Pipeline.SPORTS
    )
    if experience_id is not None:
        experience = experiences.filter(pk=experience_id).first()
        if experience is None:
            raise ShotRejected(
                "unknown_experience",
                f"Experience {experience_id} is not a sports experience of the event "
                f"{integration.event}.",
            )
        return experience
    found = list(experiences[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ShotRejected(
            "no_sports_experience",
            f"The event {integration.event} has no sports experience; staff set one "
            "experience's pipeline to 'sports' in admin.",
            status=409,
        )
    choices = ", ".join(f"{e.pk} ({e.name})" for e in experiences)
    raise ShotRejected(
        "experience_required",
        f"The event has several sports experiences; send 'experience' with one of: {choices}.",
    )


def same_shot(shot: Shot, report: ShotReport, experience: Experience) -> bool:
    """Whether a retried report carries exactly the stored shot's values."""
    if report.player_id is not None:
        same_player = shot.player_id == report.player_id
    else:
        same_player = shot.player.nickname == report.player_name
    return (
        same_player
        and shot.player.experience_id == experience.pk
        and shot.speed_mps == report.speed_mps
        and shot.distance_m == report.distance_m
        and shot.goal == report.goal
        and shot.shots_done == report.shots_done
        and shot.sensor_ranking == report.sensor_ranking
    )


def _stored(integration: Integration, report: ShotReport, experience: Experience) -> Shot | None:
    shot = (
        Shot.objects.select_related("player")
        .filter(integration=integration, client_event_id=report.event_id)
        .first()
    )
    if shot is not None and not same_shot(shot, report, experience):
        raise ShotRejected(
            "event_id_reused",
            f"Event id {report.event_id!r} was already used for a different shot "
            f"(received {shot.received_at:%Y-%m-%d %H:%M:%S} UTC). Send a new event id for "
            "a new shot; a retry must repeat the same values.",
            status=409,
        )
    return shot


def player_for(experience: Experience, report: ShotReport, now) -> Player:
    if report.player_id is not None:
        player = Player.objects.filter(pk=report.player_id, experience=experience).first()
        if player is None:
            raise ShotRejected(
                "unknown_player",
                f"Player {report.player_id} is not a player of {experience.name}; send "
                "'player_name' to add a new player.",
            )
        return player
    since = counting_since(experience)
    players = Player.objects.filter(experience=experience, nickname=report.player_name)
    current = (
        players.filter(shots__received_at__gte=since)
        if since
        else players.filter(shots__isnull=False)
    )
    return current.order_by("-created").first() or Player.objects.create(
        experience=experience,
        nickname=report.player_name,
        created=now,
        delete_after=now + experience.retention,
    )


def record_shot(integration: Integration, report: ShotReport) -> tuple[Shot, bool]:
    """Store the shot once; `(shot, False)` for a retry of one already stored.

    After a new shot commits, its commentary is written and pushed (see
    experiences.sports.commentary.service).
    """
    experience = sports_experience(integration, report.experience_id)
    if (shot := _stored(integration, report, experience)) is not None:
        return shot, False
    now = timezone.now()
    try:
        with transaction.atomic():
            shot = Shot.objects.create(
                player=player_for(experience, report, now),
                integration=integration,
                client_event_id=report.event_id,
                speed_mps=report.speed_mps,
                distance_m=report.distance_m,
                goal=report.goal,
                shots_done=report.shots_done,
                sensor_ranking=report.sensor_ranking,
                received_at=now,
            )
    except IntegrityError:
        # The same event id arrived twice at once: the other request stored it first.
        if (shot := _stored(integration, report, experience)) is not None:
            return shot, False
        raise

    transaction.on_commit(lambda: after_shot(shot.pk))
    return shot, True


def shot_of_event(integration: Integration, event_id: str) -> Shot | None:
    """The shot a sensor posted under `event_id` in the integration's event: the camera may
    be a separate integration from the sensor, so any integration of the event counts."""
    return (
        Shot.objects.filter(client_event_id=event_id, integration__event=integration.event_id)
        .select_related("player")
        .order_by("-received_at", "-pk")
        .first()
    )
