"""Looking up displays and stations of the active event."""

from displays.models import Display, Station
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
