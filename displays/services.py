"""What a display shows, and pushing changes to every open display and tablet page."""

from typing import Any

from django.db import transaction
from django.templatetags.static import static
from django.urls import reverse

from booth.realtime import group_send
from displays.models import Display, Station
from experiences.models import Asset, Job

FALLBACK_DEFAULT_IMAGE = "displays/default.svg"


def default_image_url(display: Display) -> str:
    if display.default_image_file():
        return reverse("display-default-image", args=[display.number])
    return static(FALLBACK_DEFAULT_IMAGE)


def result_payload(asset: Asset) -> dict[str, Any]:
    """Everything a display or tablet needs to show one result."""
    job = asset.job
    return {
        "token": asset.token,
        "nickname": job.capture.player.nickname,
        "story": job.story,
        "image": reverse("result-image", args=[asset.token]),
        "qr": reverse("result-qr", args=[asset.token]),
        "url": asset.public_url,
        "created": asset.created.isoformat(),
    }


def display_state(display: Display) -> dict[str, Any]:
    """The full state a display page renders; sent on connect and after every change."""
    asset = display.current_asset
    showable = asset is not None and asset.job.visible
    return {
        "type": "state",
        "display": display.number,
        "mode": display.mode,
        "default_image": default_image_url(display),
        "result": result_payload(asset) if showable else None,
        "commentary": commentary_overlay_of(display),
    }


def commentary_overlay_of(display: Display) -> int | None:
    """The sports experience whose commentary this display shows over its content, if any:
    its station's experience if that is a sports one, else the event's first."""
    if not display.commentary_overlay:
        return None
    from displays.commentary import sports_experience

    station = getattr(display, "station", None)
    if station is not None and station.experience.is_sports:
        return station.experience_id
    experience = sports_experience()
    return experience.pk if experience else None


def push_state(display: Display) -> bool:
    """Send the display's current stored state to all its open pages."""
    display = Display.objects.select_related("current_asset__job__capture__player").get(
        pk=display.pk
    )
    return _send_to_display(display, display_state(display))


def _send_to_display(display: Display, payload: dict[str, Any]) -> bool:
    """Hand `payload` to every open page of the display (DisplayConsumer.display_message)."""
    return group_send(display.group_name, {"type": "display.message", "payload": payload})


def announce_processing(job: Job) -> None:
    """Tell the station's display that a portrait is being made for this visitor."""
    station = job.capture.station
    if station is None or station.display.mode != Display.Mode.LIVE:
        return
    if job.review == Job.Review.PENDING:
        return  # pre-moderation: the display hears of it only once staff approve it
    _send_to_display(
        station.display, {"type": "processing", "nickname": job.capture.player.nickname}
    )


def publish_result(job: Job, portrait: Asset) -> None:
    """Make the portrait the display's current result (in live mode) and push it.

    A result awaiting review (pre-moderation) is not published; approving it publishes it.
    """
    station = job.capture.station
    if station is None:
        return
    with transaction.atomic():
        display = Display.objects.select_for_update().get(pk=station.display_id)
        if not Job.objects.visible().filter(pk=job.pk).exists():
            return  # awaiting review, or taken down while it was being made
        if display.mode == Display.Mode.LIVE:
            display.current_asset = portrait
            display.save(update_fields=["current_asset", "updated"])
    push_state(display)


def withdraw_results(jobs: list[Job]) -> None:
    """Take these jobs' portraits off every display showing one, and push the fallback."""
    displays = list(Display.objects.filter(current_asset__job__in=[job.pk for job in jobs]))
    Display.objects.filter(pk__in=[d.pk for d in displays]).update(current_asset=None)
    for display in displays:
        push_state(display)


def notify_station(station: Station | None, payload: dict[str, Any]) -> None:
    """Tell the station's tablet how its visitor's job ended."""
    if station is not None:
        group_send(station.group_name, {"type": "station.message", "payload": payload})


def job_outcome(job: Job) -> dict[str, Any]:
    station = job.capture.station
    payload: dict[str, Any] = {
        "type": "job",
        "job": job.pk,
        "state": job.state,
        "display": station.display.number if station else None,
    }
    if job.visible and (portrait := job.portrait):
        payload["result"] = result_payload(portrait)
    elif job.awaiting_review:
        payload["awaiting_review"] = True  # the tablet says staff review it first
    if job.state == Job.State.FAILED:
        payload["error"] = job.error
    return payload
