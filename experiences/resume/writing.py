"""The job's letter stage: write the visitor's cover letter, push it as it grows, store it.

Pushes are coalesced (at most one per BOOTH_LETTER_PUSH_SECONDS) and carry each changed
section's whole text so far, not a delta: a page that missed a push, or joined late, is
right again at the next one, and the last push carries the whole letter.
"""

import time

from django.conf import settings
from django.utils import timezone

from experiences.models import tallies
from experiences.models.photo import Job
from experiences.models.resume import CoverLetter
from experiences.models.tallies import Tally
from experiences.resume.letters import LetterRequest
from experiences.resume.matching import found_words
from experiences.resume.sections import Section
from experiences.resume.signals import letter_progress
from experiences.resume.streaming import WrittenLetter, write_letter
from experiences.resume.traits import trait_words
from kernel.stages import PipelineError


class Pusher:
    """Sends letter_progress for `job`, at most every `interval` seconds until the end."""

    def __init__(self, job: Job, interval: float) -> None:
        self.job, self.interval = job, interval
        self.pending: set[int] = set()
        self.last = 0.0
        self.sent = 0

    def changed(self, sections: list[Section], indexes: set[int]) -> None:
        self.pending |= indexes
        if time.monotonic() - self.last >= self.interval:
            self._send(sections, self.pending, done=False)

    def finish(self, sections: list[dict[str, str]]) -> None:
        whole = [Section(s["title"], s["text"]) for s in sections]
        self._send(whole, set(range(len(whole))), done=True)

    def _send(self, sections: list[Section], indexes: set[int], *, done: bool) -> None:
        payload = [
            {"index": i, **sections[i].as_dict()} for i in sorted(indexes) if i < len(sections)
        ]
        self.pending = set()
        self.last = time.monotonic()
        self.sent += 1
        letter_progress.send(sender=CoverLetter, job=self.job, sections=payload, done=done)


def request_for(letter: CoverLetter) -> LetterRequest:
    company = letter.company
    profile = company.profile if company is not None else ""
    words = trait_words(letter.mbti, letter.language)
    matched = found_words(company, words) if company is not None else []
    return LetterRequest(
        nickname=letter.player.nickname,
        mbti=letter.mbti,
        company=letter.company_name,
        company_profile=profile,
        language=letter.language,
        matched_words=matched,
    )


def write_for_job(job: Job) -> WrittenLetter:
    """Write, push and store the letter of the job's visitor."""
    letter = (
        CoverLetter.objects.select_related("company", "player")
        .filter(player=job.capture.player)
        .first()
    )
    if letter is None:
        raise PipelineError(
            "This résumé visitor chose no company, so no letter can be written. Ask them to "
            "take the photo again and pick a company."
        )
    pusher = Pusher(job, settings.BOOTH_LETTER_PUSH_SECONDS)
    written = write_letter(request_for(letter), pusher.changed)
    letter.sections = written.sections
    letter.writer = written.writer
    letter.written = timezone.now()
    letter.save(update_fields=["sections", "writer", "written"])
    pusher.finish(written.sections)
    station = job.capture.station
    if station is not None:
        kind = Tally.Kind.LETTER_FALLBACK if written.fallback_from else Tally.Kind.LETTER
        tallies.count(station.event_id, kind, station.number)
    return written
