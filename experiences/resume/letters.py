"""Cover-letter writers: a small Protocol and one class per backend, chosen by
BOOTH_LETTER_WRITER ("offline", the default, or "bedrock").

A writer yields the letter's raw text as it is written, in chunks of any size, with a
section marker line (experiences/resume/sections.py) before each of the four sections; it
raises LetterUnavailable when it cannot go on. experiences/resume/streaming.py reads it with
a timeout and falls back to the offline writer.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from kernel.plugins import BackendFailed, Backends

SECTION_COUNT = 4


class LetterUnavailable(BackendFailed):
    """The letter service failed or was too slow; the offline writer takes over."""


@dataclass(frozen=True)
class LetterRequest:
    """What a letter is written from: nothing more of the visitor than this."""

    nickname: str
    mbti: str  # "" when the visitor skipped the question
    company: str
    company_profile: str
    language: str  # "en" or "ko"
    matched_words: list[str] = field(default_factory=list)  # traits the company looks for


class LetterWriter(Protocol):
    name: str
    label: str

    def stream(self, request: LetterRequest) -> Iterator[str]:
        """The raw letter, chunk by chunk, section markers included."""
        ...


LETTER_WRITERS = Backends(
    "BOOTH_LETTER_WRITER",
    {
        "offline": "experiences.resume.offline.OfflineLetterWriter",
        "bedrock": "experiences.resume.bedrock.BedrockLetterWriter",
    },
)


def letter_writer() -> LetterWriter:
    return LETTER_WRITERS.get()
