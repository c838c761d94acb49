"""Starting a visitor's letter: the choices they made on the tablet, checked and stored."""

from django.utils.translation import gettext as _

from experiences.models.events import Player
from experiences.models.resume import Company, CoverLetter
from experiences.resume.traits import TYPES


class ChoiceRejected(ValueError):
    """The tablet sent an MBTI type or company Booth cannot use; the message says what to do."""


def check_choice(mbti: str, company_id: int | None) -> tuple[str, Company]:
    """The type (or "") and the active company; ChoiceRejected otherwise."""
    mbti = (mbti or "").upper()
    if mbti and mbti not in TYPES:
        raise ChoiceRejected(_("Choose one of the 16 MBTI types, or skip the question."))
    company = Company.objects.filter(pk=company_id, is_active=True).first() if company_id else None
    if company is None:
        raise ChoiceRejected(_("Choose one of the three companies offered before the photo."))
    return mbti, company


def start_letter(player: Player, mbti: str, company: Company, language: str) -> CoverLetter:
    """The letter's row, written later by the job (experiences.resume.writing)."""
    return CoverLetter.objects.create(
        player=player,
        mbti=mbti,
        company=company,
        company_name=company.name,
        language=language if language in ("en", "ko") else "en",
    )
