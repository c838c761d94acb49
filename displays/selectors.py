"""Looking up displays and stations of the active event."""

from django.conf import settings
from django.db.models import QuerySet

from displays.models import Display, Station
from experiences.models.events import Event
from experiences.models.photo import Asset, Job
from experiences.selectors import active_event


def active_display(number: int) -> Display | None:
    event = active_event()
    if event is None:
        return None
    return (
        Display.objects.select_related("current_asset__job__capture__player")
        .filter(event=event, number=number)
        .first()
    )


def station_of(user) -> Station | None:
    """The station whose device account `user` is, if any."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Station.objects.select_related("display", "experience", "event").filter(user=user).first()
    )


def event_displays(event: Event | None = None) -> QuerySet[Display]:
    """Every display of `event` (the active one by default), in number order."""
    event = event or active_event()
    return Display.objects.filter(event=event).order_by("number")


def attract_portraits(event: Event, limit: int | None = None) -> list[Asset]:
    """The event's most recent results a display may show, newest first.

    Only visible jobs (succeeded and approved): a rejected or pulled result is excluded
    by its review state, an erased one no longer exists.
    """
    limit = settings.BOOTH_ATTRACT_RESULTS if limit is None else limit
    return list(
        Asset.objects.select_related("job__capture__player")
        .filter(
            kind=Asset.Kind.PORTRAIT,
            job__in=Job.objects.visible(),
            job__capture__player__experience__event=event,
        )
        .order_by("-created", "-pk")[:limit]
    )


def newest_result(display: Display) -> Asset | None:
    """The newest result of the display's station that a display may show."""
    return (
        Asset.objects.filter(
            kind=Asset.Kind.PORTRAIT,
            job__in=Job.objects.visible(),
            job__capture__station__display=display,
        )
        .order_by("-created", "-pk")
        .first()
    )


def pushable_results(event: Event | None = None, limit: int = 50) -> list[Asset]:
    """Results staff may push onto a display: the event's recent visible portraits."""
    event = event or active_event()
    if event is None:
        return []
    return attract_portraits(event, limit)
