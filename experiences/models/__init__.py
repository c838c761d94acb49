"""Events, experiences, base images and the capture → job → asset chain."""

from experiences.models.events import (
    UNIFORM_RGB,
    AgeBand,
    Event,
    Experience,
    Gender,
    Player,
    PublicLink,
    UniformColour,
    new_public_token,
)
from experiences.models.library import BaseImage, BaseImageQuerySet
from experiences.models.photo import Asset, Capture, Job, JobQuerySet
from experiences.models.sports import (
    CommentaryLine,
    Integration,
    LeaderboardReset,
    Replay,
    Shot,
    WorkerHeartbeat,
    kmh,
    token_hash,
)

__all__ = [
    "new_public_token",
    "PublicLink",
    "Event",
    "UniformColour",
    "UNIFORM_RGB",
    "Experience",
    "Gender",
    "AgeBand",
    "Player",
    "BaseImageQuerySet",
    "BaseImage",
    "Capture",
    "JobQuerySet",
    "Job",
    "Asset",
    "token_hash",
    "Integration",
    "Shot",
    "kmh",
    "CommentaryLine",
    "LeaderboardReset",
    "Replay",
    "WorkerHeartbeat",
]
