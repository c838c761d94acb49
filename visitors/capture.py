"""A visitor's capture with their consent: where the photo pipeline meets moderation."""

from experiences.models.photo import Job
from experiences.models.resume import Company
from experiences.photo.intake import VisitorProfile, accept_capture
from experiences.resume.services import start_letter
from moderation.consent import current_consent, record_consent


def take_capture(
    station,
    photo: bytes,
    profile: VisitorProfile,
    consent_version: str,
    idempotency_key: str = "",
    letter: tuple[str, Company] | None = None,
) -> Job:
    """Check the consent text the visitor read is current, then store the capture, its
    job and the consent record together (see experiences.photo.intake.accept_capture).
    A résumé visitor's `letter` choice (MBTI type, company) is stored with them, so the job
    finds it."""
    consent = current_consent(station.experience, profile.language, consent_version)

    def with_consent(player) -> None:
        record_consent(consent, player, station)
        if letter is not None:
            start_letter(player, letter[0], letter[1], profile.language)

    return accept_capture(
        station, photo, profile, record_consent=with_consent, idempotency_key=idempotency_key
    )
