"""The live commentary pages: what they show, and pushing changes to every open one.

Each sports experience has one channel-layer group; the commentary page and any display
with the commentary overlay listen on it. Messages: `state` (everything, on connect and
after a reset or erasure), `shot` (a new shot with the leaderboard), `line` (a new or
edited commentary line), `line_removed` (a hidden or deleted line) and `replay` (a
finished slow-motion replay of a shot).
"""

import json
from typing import Any

from experiences.models.events import Experience
from experiences.models.sports import CommentaryLine, Replay, Shot
from experiences.selectors import active_event
from experiences.sports import leaderboard
from kernel import display_links as media
from kernel.realtime import group_send

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


def replay_payload(replay: Replay) -> dict[str, Any]:
    """What the commentary wall and the displays need to play a replay and show its QR.

    Display-scoped links only (kernel/display_links.py): the replay's token, the visitor's key
    to their replay page, never goes over these public sockets."""
    return {
        "id": replay.pk,
        "shot": replay.shot_id,
        "nickname": replay.player.nickname,
        "video": media.media_url(media.REPLAY_VIDEO, replay.pk),
        "qr": media.media_url(media.REPLAY_QR, replay.pk),
        "seconds": round(replay.clip_seconds * replay.factor, 2),
    }


def latest_replay(experience: Experience) -> Replay | None:
    """The newest finished replay of the experience's newest shot (what a page that just
    connected should still be showing)."""
    shot = Shot.objects.filter(player__experience=experience).order_by("-received_at", "-pk")
    return (
        Replay.objects.filter(shot__in=shot[:1], state=Replay.State.SUCCEEDED)
        .select_related("player")
        .first()
    )


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
        "replay": replay_payload(replay) if (replay := latest_replay(experience)) else None,
    }


def _send(experience_id: int, payload: dict[str, Any]) -> bool:
    """Serialised once here, not once per open commentary page (see CommentaryConsumer)."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return group_send(group_name(experience_id), {"type": "commentary.message", "text": text})


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


def push_replay(replay_id: int) -> bool:
    """A finished replay plays on the commentary wall and on displays with the overlay."""
    replay = Replay.objects.select_related("player").filter(pk=replay_id).first()
    if replay is None or not replay.ready:
        return False
    return _send(replay.player.experience_id, {"type": "replay", "replay": replay_payload(replay)})


def push_line(line: CommentaryLine) -> bool:
    """A new or edited line appears (or changes in place); a hidden one leaves the pages."""
    experience_id = line.shot.player.experience_id
    if line.hidden:
        return _send(experience_id, {"type": "line_removed", "id": line.pk})
    return _send(experience_id, {"type": "line", "line": line_payload(line)})
