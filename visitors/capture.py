"""A visitor's capture with their consent: where the photo pipeline meets moderation."""

from experiences.models.photo import Job
from experiences.photo.intake import VisitorProfile, accept_capture
from moderation.consent import current_consent, record_consent


def take_capture(
    station, photo: bytes, profile: VisitorProfile, consent_version: str, idempotency_key: str = ""
) -> Job:
    """Check the consent text the visitor read is current, then store the capture, its
    job and the consent record together (see experiences.photo.intake.accept_capture)."""
    consent = current_consent(station.experience, profile.language, consent_version)
    return accept_capture(
        station,
        photo,
        profile,
        record_consent=lambda player: record_consent(consent, player, station),
        idempotency_key=idempotency_key,
    )
