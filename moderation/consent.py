"""Consent at the tablet: the text a visitor agreed to must be the current one, and the
agreement is recorded with the capture it allows (in the same transaction)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from experiences.models.events import Experience, Player
from kernel.errors import Rejected
from moderation.models import ConsentRecord, ConsentText


class ConsentMismatch(Rejected):
    """The tablet showed a consent text that is no longer current."""

    code = "consent_changed"
    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


def current_consent(experience: Experience, language: str, version: str) -> ConsentText:
    """The consent text the visitor read, if it is still the current one; else refuse."""
    consent = ConsentText.objects.current_for(experience, language)
    if consent is None or consent.version != version:
        raise ConsentMismatch(
            _(
                "The consent text has changed since this screen was opened. "
                "Please reload the tablet page and read the new text."
            )
        )
    return consent


def record_consent(consent: ConsentText, player: Player, station) -> ConsentRecord:
    """The visitor's agreement to `consent`, kept as long as the visitor's data is."""
    return ConsentRecord.objects.create(
        player=player,
        consent_text=consent,
        version=consent.version,
        language=consent.language,
        accepted_at=player.created or timezone.now(),
        station=station,
    )
