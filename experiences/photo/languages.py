"""Which language a visitor's texts are written in.

The visitor chooses a language on the tablet and reads the consent text in it; that
choice is kept with their consent record (ConsentRecord.language), so the story on the
wall and on their phone can follow it without storing anything more about them.
"""

from django.conf import settings

STORY_LANGUAGES = ("en", "ko")


def story_language(player) -> str:
    """BOOTH_STORY_LANGUAGE when an event forces one, else the language the visitor read
    the consent text in (the site's default language if they have no consent record)."""
    if settings.BOOTH_STORY_LANGUAGE:
        return settings.BOOTH_STORY_LANGUAGE
    language = player.consents.order_by("-accepted_at").values_list("language", flat=True).first()
    language = language or settings.LANGUAGE_CODE
    return language if language in STORY_LANGUAGES else "en"
