"""The live commentary pages: what they show, and pushing changes to every open one.

Each sports experience has one channel-layer group; the commentary page and any display
with the commentary overlay listen on it. Messages: `state` (everything, on connect and
after a reset or erasure), `shot` (a new shot with the leaderboard), `line` (a new or
edited commentary line) and `line_removed` (a hidden or deleted line).
"""

from typing import Any

from booth.realtime import group_send
from experiences import leaderboard
from experiences.models import CommentaryLine, Experience, Shot
from experiences.selectors import active_event

FEED_LINES = 30


def group_name(experience_id: int) -> str:
    return f"commentary.{experience_id}"


def sports_experience(experience_id: int | None = None) -> Experience | None:
    """A sports experience of the active event: the one asked for, else the first."""
    event = active_event()
    if event is None:
        return None
    experiences = Experience.objects.filter(event=event, pipeline=Experience.Pipeline.SPORTS)
    if experience_id is not None:
        experiences = experiences.filter(pk=experience_id)
    return experiences.order_by("pk").first()


def shot_payload(shot: Shot) -> dict[str, Any]:
    return {
        "id": shot.pk,
        "player": shot.player_id,
        "nickname": shot.player.nickname,
        "speed_kmh": shot.speed_kmh,
        "distance_m": shot.distance_m,
        "goal": shot.goal,
        "shots_done": shot.shots_done,
        "received_at": shot.received_at.isoformat(),
    }


def line_payload(line: CommentaryLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "shot": line.shot_id,
        "text": line.text,
        "language": line.language,
        "created": line.created.isoformat(),
    }


def board(experience: Experience) -> list[dict[str, Any]]:
    return [standing.as_json() for standing in leaderboard.top(experience)]


def commentary_state(experience: Experience) -> dict[str, Any]:
    """Everything a commentary page shows; sent on connect and after resets and erasures."""
    shots = Shot.objects.filter(player__experience=experience).select_related("player")
    lines = (
        CommentaryLine.objects.filter(shot__player__experience=experience, hidden=False)
        .select_related("shot")
        .order_by("-created", "-pk")[:FEED_LINES]
    )
    latest = shots.order_by("-received_at", "-pk").first()
    return {
        "type": "state",
        "experience": experience.pk,
        "name": experience.name,
        "language": experience.commentary_language,
        "shot": shot_payload(latest) if latest else None,
        "lines": [line_payload(line) for line in reversed(lines)],
        "leaderboard": board(experience),
    }


def _send(experience_id: int, payload: dict[str, Any]) -> bool:
    return group_send(group_name(experience_id), {"type": "commentary.message", "payload": payload})


def push_state(experience: Experience) -> bool:
    return _send(experience.pk, commentary_state(experience))


def push_shot(shot_id: int) -> bool:
    shot = Shot.objects.select_related("player__experience").filter(pk=shot_id).first()
    if shot is None:
        return False
    experience = shot.player.experience
    return _send(
        experience.pk,
        {"type": "shot", "shot": shot_payload(shot), "leaderboard": board(experience)},
    )


def push_line(line: CommentaryLine) -> bool:
    """A new or edited line appears (or changes in place); a hidden one leaves the pages."""
    experience_id = line.shot.player.experience_id
    if line.hidden:
        return _send(experience_id, {"type": "line_removed", "id": line.pk})
    return _send(experience_id, {"type": "line", "line": line_payload(line)})
