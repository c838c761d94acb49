"""Events, experiences, base images and the capture → job → asset chain."""

from experiences.models.delivery import PortraitEmail
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
from experiences.models.photo import Asset, Capture, Job, JobQuerySet, WorkerHeartbeat
from experiences.models.resume import Company, CoverLetter
from experiences.models.sports import (
    CommentaryLine,
    Integration,
    LeaderboardReset,
    Replay,
    Shot,
    kmh,
    token_hash,
)
from experiences.models.tallies import Tally

__all__ = [
    "UNIFORM_RGB",
    "AgeBand",
    "Asset",
    "BaseImage",
    "BaseImageQuerySet",
    "Capture",
    "CommentaryLine",
    "Company",
    "CoverLetter",
    "Event",
    "Experience",
    "Gender",
    "Integration",
    "Job",
    "JobQuerySet",
    "LeaderboardReset",
    "Player",
    "PortraitEmail",
    "PublicLink",
    "Replay",
    "Shot",
    "Tally",
    "UniformColour",
    "WorkerHeartbeat",
    "kmh",
    "new_public_token",
    "token_hash",
]
