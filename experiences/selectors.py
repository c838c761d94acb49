"""Read-only queries the pipeline and pages share."""

from django.conf import settings
from django.db.models import F, QuerySet

from experiences.models.events import Event, Experience, Player
from experiences.models.library import BaseImage
from experiences.models.photo import Asset, Job


def active_event() -> Event | None:
    return Event.objects.filter(is_active=True).order_by("-created").first()


def matching_base_images(experience: Experience, player: Player) -> QuerySet[BaseImage]:
    """Approved base images fitting the player's attributes; blank attributes match all."""
    images = BaseImage.objects.approved().filter(experience=experience)
    for field in ("gender", "age_band"):
        value = getattr(player, field)
        if value:
            narrowed = images.filter(**{f"{field}__in": [value, ""]})
            if narrowed.exists():
                images = narrowed
    return images


def least_recently_used_base_images(experience: Experience, player: Player) -> QuerySet[BaseImage]:
    """Matching approved base images, the one unused longest (or never used) first.

    `BaseImage.last_used` is stamped when a job chooses an image (experiences.photo.rotation), so
    the order holds across the whole event: visitors erased since, jobs still running and
    jobs that failed all count as uses.
    """
    return matching_base_images(experience, player).order_by(
        F("last_used").asc(nulls_first=True), "pk"
    )


def choose_base_image(experience: Experience, player: Player) -> BaseImage | None:
    """The matching approved base image used least recently: a busy booth cycles through
    the whole library before any portrait comes back."""
    return least_recently_used_base_images(experience, player).first()


def erasable_portrait(token: str) -> Asset | None:
    """The portrait behind a token whatever its review state: a visitor who kept the link
    of a result staff took down can still erase their data with it."""
    return _portraits(token).first()


def published_portrait(token: str) -> Asset | None:
    """The portrait behind a public token, if its job succeeded and it may be shown."""
    return _portraits(token).filter(job__in=Job.objects.visible()).first()


def _portraits(token: str) -> QuerySet[Asset]:
    return Asset.objects.select_related("job__capture__player").filter(
        token=token, kind=Asset.Kind.PORTRAIT
    )


def visitor_language(player: Player) -> str:
    """The language the visitor read the consent text in: what Booth writes to them in
    (their caption and story), else the site's default."""
    language = player.consents.order_by("-accepted_at").values_list("language", flat=True).first()
    return language or settings.LANGUAGE_CODE


# The languages stories are written in (base images carry a story per language).
STORY_LANGUAGES = ("en", "ko")


def story_language(player: Player) -> str:
    """BOOTH_STORY_LANGUAGE when an operator forces one, else the visitor's language, if
    stories are written in it (English otherwise)."""
    language = settings.BOOTH_STORY_LANGUAGE or visitor_language(player)
    return language if language in STORY_LANGUAGES else "en"
