"""Staff commands to the LED walls: set mode, push a result, force refresh, reload.

Used by the Display admin actions and the staff control page alike. Each command changes
the stored state first (so a page opened later shows the same), then pushes it to every
open page over the channel layer, and leaves one ControlAction row (who, what, when).
"""

from collections.abc import Iterable

from django.db import transaction

from displays import selectors, services
from displays.models import ControlAction, Display
from experiences.models.photo import Asset, Job


class ControlError(ValueError):
    """A command that cannot be carried out, with a message staff can act on."""


def _record(kind: str, displays: list[Display], by, via: str, **detail) -> ControlAction:
    username = by.get_username() if by is not None and by.is_authenticated else ""
    return ControlAction.objects.create(
        kind=kind,
        displays=[display.number for display in displays],
        detail=detail,
        user=by if username else None,
        username=username,
        via=via,
    )


def _listed(displays: Iterable[Display]) -> list[Display]:
    displays = sorted(displays, key=lambda display: display.number)
    if not displays:
        raise ControlError("Choose at least one display.")
    return displays


def set_mode(displays: Iterable[Display], mode: str, *, by, via: str) -> ControlAction:
    """Switch displays to live, default or paused, and push the result at once.

    Live shows the station's newest approved result (also one made while the display
    was on its default image); paused keeps what the screen shows, so a display paused
    while on its default image stays on it.
    """
    if mode not in Display.Mode.values:
        raise ControlError(f"Unknown mode {mode!r}: choose one of {', '.join(Display.Mode)}.")
    displays = _listed(displays)
    with transaction.atomic():
        for display in Display.objects.select_for_update().filter(pk__in=[d.pk for d in displays]):
            if mode == Display.Mode.LIVE:
                display.current_asset = selectors.newest_result(display)
            elif mode == Display.Mode.PAUSED and display.mode == Display.Mode.DEFAULT:
                display.current_asset = None
            display.mode = mode
            display.save(update_fields=["mode", "current_asset", "updated"])
        action = _record(ControlAction.Kind.SET_MODE, displays, by, via, mode=mode)
    services.push_states(displays)
    return action


def push_asset(displays: Iterable[Display], asset: Asset, *, by, via: str) -> ControlAction:
    """Show a chosen result on these displays now.

    A display on its default image is switched to live so the result shows; in live mode
    the next new result replaces it, in paused mode it stays.
    """
    displays = _listed(displays)
    if (
        asset.kind != Asset.Kind.PORTRAIT
        or not Job.objects.visible().filter(pk=asset.job_id).exists()
    ):
        raise ControlError("That result is not approved for the displays (or was taken down).")
    event_id = Asset.objects.filter(pk=asset.pk).values_list(
        "job__capture__player__experience__event_id", flat=True
    )[0]
    if any(display.event_id != event_id for display in displays):
        raise ControlError("That result belongs to another event than these displays.")
    with transaction.atomic():
        for display in Display.objects.select_for_update().filter(pk__in=[d.pk for d in displays]):
            display.current_asset = asset
            if display.mode == Display.Mode.DEFAULT:
                display.mode = Display.Mode.LIVE
            display.save(update_fields=["mode", "current_asset", "updated"])
        action = _record(ControlAction.Kind.PUSH_ASSET, displays, by, via, asset=asset.pk)
    services.push_states(displays)
    return action


def force_refresh(displays: Iterable[Display], *, by, via: str) -> ControlAction:
    """Send every open page its full stored state again."""
    displays = _listed(displays)
    action = _record(ControlAction.Kind.REFRESH, displays, by, via)
    services.push_states(displays)
    return action


def reload_pages(displays: Iterable[Display], *, by, via: str) -> ControlAction:
    """Make every open page reload itself (e.g. after a deployment of new page code)."""
    displays = _listed(displays)
    action = _record(ControlAction.Kind.RELOAD, displays, by, via)
    for display in displays:
        services.send_to_display(display, {"type": "reload"})
    return action
