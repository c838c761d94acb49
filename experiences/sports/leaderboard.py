"""The leaderboard Booth keeps itself: each player's best speed since the last reset.

Every shot counts, goal or not (it is a speed challenge). Ties go to whoever reached the
speed first. A reset starts a new leaderboard without deleting any shot: only shots
received after the experience's latest `LeaderboardReset` count.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from experiences.models.events import Experience, Player
from experiences.models.sports import LeaderboardReset, Shot, kmh

TOP = 10


@dataclass(frozen=True)
class Standing:
    rank: int
    player_id: int
    nickname: str
    best_mps: float
    reached_at: datetime
    shots: int

    @property
    def best_kmh(self) -> float:
        return kmh(self.best_mps)

    def as_json(self) -> dict:
        return {
            "rank": self.rank,
            "player": self.player_id,
            "nickname": self.nickname,
            "best_kmh": self.best_kmh,
            "shots": self.shots,
        }


def counting_since(experience: Experience) -> datetime | None:
    """When the current leaderboard began (the latest reset), or None: every shot counts."""
    return (
        LeaderboardReset.objects.filter(experience=experience)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


STANDING_COLUMNS = ("player_id", "player__nickname", "speed_mps", "received_at", "pk", "shot_count")


def standings(experience: Experience) -> list[Standing]:
    """Every player with a counting shot, best first; equal speeds by who reached it first.

    One query: each player's shots numbered fastest first (earliest first among equal
    speeds) with a window function, keeping number 1, the shot that set their best.
    """
    shots = Shot.objects.filter(player__experience=experience)
    if (since := counting_since(experience)) is not None:
        shots = shots.filter(received_at__gte=since)
    per_player = {"partition_by": F("player_id")}
    best_shots = (
        shots.annotate(
            place=Window(
                RowNumber(),
                order_by=[F("speed_mps").desc(), F("received_at").asc(), F("pk").asc()],
                **per_player,
            ),
            shot_count=Window(Count("pk"), **per_player),
        )
        .filter(place=1)
        .values_list(
            "player_id", "player__nickname", "speed_mps", "received_at", "pk", "shot_count"
        )
    )
    ordered = sorted(best_shots, key=lambda row: (-row[2], row[3], row[4]))
    return [
        Standing(rank, player_id, nickname, best, reached, count)
        for rank, (player_id, nickname, best, reached, _pk, count) in enumerate(ordered, start=1)
    ]


def top(experience: Experience, limit: int = TOP) -> list[Standing]:
    return standings(experience)[:limit]


def standing_of(player: Player) -> Standing | None:
    """The player's place on the current leaderboard (None before their first shot)."""
    return next((s for s in standings(player.experience) if s.player_id == player.pk), None)


def reset(experience: Experience, *, by=None, note: str = "") -> LeaderboardReset:
    """Start a new leaderboard now; earlier shots stay stored but stop counting."""
    with transaction.atomic():
        return LeaderboardReset.objects.create(
            experience=experience, at=timezone.now(), by=by, note=note
        )


def as_csv(experience: Experience) -> str:
    """The current leaderboard as CSV (rank, nickname, best km/h and m/s, when, shots)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["rank", "nickname", "best_kmh", "best_mps", "reached_at", "shots"])
    for s in standings(experience):
        name = spreadsheet_safe(s.nickname)
        writer.writerow([s.rank, name, s.best_kmh, s.best_mps, s.reached_at.isoformat(), s.shots])
    return out.getvalue()


def spreadsheet_safe(text: str) -> str:
    """A nickname such as "=HYPERLINK(…)" must stay text when staff open the CSV in Excel."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
