"""Live commentary on shots: one small Protocol and one class per backend.

`BOOTH_COMMENTATOR` names the class: `experiences.sports.commentary.local.LocalCommentator`
(offline templates, the default) or `experiences.sports.commentary.bedrock.BedrockCommentator`
(a Claude model through Bedrock's Converse API, falling back to the local one).
"""

from dataclasses import dataclass
from typing import Protocol

from kernel.plugins import Backends

# Speed bands in km/h, fastest first: the words a commentator reaches for.
ROCKET_KMH = 100.0
FAST_KMH = 70.0
# A miss at this speed or more "nearly went in": the sensor reports no position, so the
# commentary calls a powerful miss a close one.
CLOSE_MISS_KMH = 80.0


@dataclass(frozen=True)
class ShotContext:
    """What a commentator knows about a shot, with Booth's own leaderboard figures."""

    player_id: int
    player_name: str
    speed_kmh: float
    distance_m: float
    goal: bool
    shots_done: int
    rank: int
    players: int
    first_shot: bool
    personal_best: bool
    new_leader: bool
    language: str = "ko"
    last_template_key: str = ""

    @property
    def band(self) -> str:
        if self.speed_kmh >= ROCKET_KMH:
            return "rocket"
        return "fast" if self.speed_kmh >= FAST_KMH else "steady"

    @property
    def close_miss(self) -> bool:
        return not self.goal and self.speed_kmh >= CLOSE_MISS_KMH

    def as_reference_event(self) -> dict:
        """The reference booth's event JSON, with Booth's ranking and speed in km/h."""
        return {
            "player_name": self.player_name,
            "shot_speed": self.speed_kmh,
            "shot_distance": self.distance_m,
            "shot_goal": self.goal,
            "leaderboard_ranking": self.rank,
            "shots_done": self.shots_done,
        }


@dataclass(frozen=True)
class Commentary:
    text: str
    backend: str
    template_key: str = ""


class Commentator(Protocol):
    name: str
    # Fast enough to write the line inside the shot's request (no task queue round trip).
    inline: bool

    def comment(self, shot: ShotContext) -> Commentary:
        """One sentence about the shot, in `shot.language`."""
        ...


COMMENTATORS = Backends(
    "BOOTH_COMMENTATOR",
    {
        "local": "experiences.sports.commentary.local.LocalCommentator",
        "bedrock": "experiences.sports.commentary.bedrock.BedrockCommentator",
    },
    moved={
        "experiences.commentary.local.LocalCommentator": "local",
        "experiences.commentary.bedrock.BedrockCommentator": "bedrock",
    },
)


def commentator() -> Commentator:
    return COMMENTATORS.get()
