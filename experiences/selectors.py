"""Read-only queries the pipeline and pages share."""

from django.conf import settings
from django.db.models import QuerySet

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


def choose_base_image(
    experience: Experience, player: Player, avoid_recent: int
) -> BaseImage | None:
    """A matching approved base image, avoiding those the last few jobs used.

    Among the candidates the least recently used wins, so a busy booth cycles through
    the whole library instead of repeating a favourite.
    """
    candidates = list(matching_base_images(experience, player).order_by("pk"))
    if not candidates:
        return None
    recent = list(
        Job.objects.filter(capture__player__experience=experience, base_image__isnull=False)
        .order_by("-created")
        .values_list("base_image_id", flat=True)[: max(avoid_recent, len(candidates) - 1)]
    )
    last_used = {image_id: position for position, image_id in reversed(list(enumerate(recent)))}
    never_used = [c for c in candidates if c.pk not in last_used]
    if never_used:
        return never_used[0]
    return max(candidates, key=lambda c: last_used[c.pk])


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
