"""What a display shows, and pushing changes to every open display and tablet page."""

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.templatetags.static import static
from django.urls import reverse

from displays import selectors
from displays.models import Display, Station
from experiences.models.events import Event
from experiences.models.photo import Asset, Job
from experiences.sports.feed import sports_experience
from kernel import display_links as media
from kernel.realtime import group_send, group_send_many

FALLBACK_DEFAULT_IMAGE = "displays/default.svg"


def default_image_url(display: Display) -> str:
    if display.default_image_file():
        return reverse("display-default-image", args=[display.number])
    return static(FALLBACK_DEFAULT_IMAGE)


def client_config() -> dict[str, int]:
    """Timings the display pages read from their data attributes (settings → page)."""
    return {
        "failures_before_default": settings.BOOTH_DISPLAY_FAILURES_BEFORE_DEFAULT,
        "offline_default_ms": round(settings.BOOTH_DISPLAY_OFFLINE_DEFAULT_SECONDS * 1000),
        "heartbeat_ms": round(settings.BOOTH_DISPLAY_HEARTBEAT_SECONDS * 1000),
        "attract_after_ms": round(settings.BOOTH_ATTRACT_AFTER_SECONDS * 1000),
        "attract_interval_ms": round(settings.BOOTH_ATTRACT_INTERVAL_SECONDS * 1000),
    }


def result_payload(asset: Asset, *, with_qr: bool = True) -> dict[str, Any]:
    """Everything a display or tablet needs to show one result, and nothing more.

    Display pages and their sockets are public, so this never holds the result's token
    (the visitor's key to open and delete it): pictures come through display-scoped signed
    links (kernel/display_links.py) and `id` is the row's number, which opens nothing. The QR
    code, the token as a picture, goes only with a display's current result
    (`with_qr=False` for the attract loop, which cycles through other visitors' results).
    """
    job = asset.job
    return {
        "id": asset.pk,
        "nickname": job.capture.player.nickname,
        "story": job.story,
        "story_language": job.story_language,
        "image": media.media_url(media.PORTRAIT, asset.pk),
        # WebP sized for the screen, by display links too: the page's img picks one by its
        # `sizes` (a wall tile is a fraction of the full JPEG's bytes).
        "image_srcset": ", ".join(
            f"{media.media_url(kind, asset.pk)} {width}w"
            for width, kind in media.PORTRAIT_WEBP.items()
        ),
        "qr": media.media_url(media.RESULT_QR, asset.pk) if with_qr else None,
        # The story read aloud, for walls with their sound on: a current result only (the
        # attract loop stays silent).
        "narration": (
            media.media_url(media.NARRATION, asset.pk)
            if with_qr and job.narration is not None
            else None
        ),
        "created": asset.created.isoformat(),
    }


def display_state(display: Display, attract: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The state a display page renders; sent on connect and after every change.

    `attract` (the event's attract list) goes with it when given: on connect and when
    the list lost a result. A new result leaves it out, to keep the push small (pages
    fetch a fresh list each attract round anyway) and a page keeps the list it has.
    """
    asset = display.current_asset
    showable = asset is not None and asset.job.visible
    state = {
        "type": "state",
        "display": display.number,
        "mode": display.mode,
        "sound": display.sound,
        "default_image": default_image_url(display),
        "result": result_payload(asset) if showable else None,
        "commentary": commentary_overlay_of(display),
    }
    if attract is not None:
        state["attract"] = attract
    return state


def commentary_overlay_of(display: Display) -> int | None:
    """The sports experience whose commentary this display shows over its content, if any:
    its station's experience if that is a sports one, else the event's first."""
    if not display.commentary_overlay:
        return None

    station = getattr(display, "station", None)
    if station is not None and station.experience.is_sports:
        return station.experience_id
    experience = sports_experience()
    return experience.pk if experience else None


def full_state(display: Display) -> dict[str, Any]:
    """The state with the attract list: what a page gets when it (re)connects or loads."""
    return display_state(display, attract_payload(display.event_id))


def attract_payload(event_id: int) -> list[dict[str, Any]]:
    """The results an idle display cycles through (see selectors.attract_portraits)."""
    event = Event(pk=event_id)
    return [result_payload(asset, with_qr=False) for asset in selectors.attract_portraits(event)]


# What a display's state reads, fetched with the display in one query: its result and
# whose it is, and its station's experience (for the default image).
STATE_RELATED = ("current_asset__job__capture__player", "station__experience")


def push_state(display: Display, attract: list[dict[str, Any]] | None = None) -> bool:
    """Send the display's current stored state to all its open pages."""
    display = Display.objects.select_related(*STATE_RELATED).get(pk=display.pk)
    return send_to_display(display, display_state(display, attract))


def send_to_display(display: Display, payload: dict[str, Any]) -> bool:
    """Hand `payload` to every open page of the display (DisplayConsumer.display_message).

    It is serialised here, once: the in-memory layer deep-copies a message for every
    member of the group and each consumer would encode it again, which with hundreds of
    open pages costs more than the push itself (see bench/fanout.py).
    """
    return group_send(*_display_message(display, payload))


def _display_message(display: Display, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return display.group_name, {"type": "display.message", "text": text}


def announce_processing(job: Job) -> None:
    """Tell the station's display that a portrait is being made for this visitor."""
    station = job.capture.station
    if station is None or station.display.mode != Display.Mode.LIVE:
        return
    if job.review == Job.Review.PENDING:
        return  # pre-moderation: the display hears of it only once staff approve it
    send_to_display(
        station.display, {"type": "processing", "nickname": job.capture.player.nickname}
    )


def push_letter(job: Job, sections: list[dict[str, Any]], done: bool) -> None:
    """A résumé's cover letter as it is written: to the station's tablet, and to its
    display like "processing" (live mode, not awaiting review).

    The wall is public: it gets the nickname and the letter's text, nothing else. The
    tablet gets the job's number too, to tell its visitor's letter from a late one.
    """
    station = job.capture.station
    if station is None:
        return
    letter = {"type": "letter", "sections": sections, "done": done}
    notify_station(station, {**letter, "job": job.pk})
    if station.display.mode == Display.Mode.LIVE and job.review != Job.Review.PENDING:
        send_to_display(station.display, {**letter, "nickname": job.capture.player.nickname})


def publish_result(job: Job, portrait: Asset, *, newest_wins: bool = True) -> None:
    """Make the portrait the display's current result (in live mode) and push it.

    A result awaiting review (pre-moderation) is not published; approving it publishes it.
    Newest wins: a result whose photo was taken before the one on the wall (a job rescued
    after its worker died, or held up by an outage) does not push the newer one off; it
    still reaches its visitor's tablet, QR page and the attract loop. Staff approving a
    held result (`newest_wins=False`) chose to show it now.
    """
    station = job.capture.station
    if station is None:
        return
    with transaction.atomic():
        display = Display.objects.select_for_update().get(pk=station.display_id)
        if not Job.objects.visible().filter(pk=job.pk).exists():
            return  # awaiting review, or taken down while it was being made
        if display.mode != Display.Mode.LIVE:
            pass
        elif newest_wins and _newer_on_wall(display, job):
            return  # the wall keeps its newer result: nothing changed there
        else:
            display.current_asset = portrait
            display.save(update_fields=["current_asset", "updated"])
    push_state(display)


def _newer_on_wall(display: Display, job: Job) -> bool:
    """Whether the display shows a result whose photo was taken after `job`'s."""
    if display.current_asset_id is None:
        return False
    return Job.objects.filter(
        assets__pk=display.current_asset_id,
        capture__created__gt=job.capture.created,
    ).exists()


def narration_ready(job: Job) -> None:
    """A result's narration is ready: the displays showing it get its link (and play it if
    their sound is on)."""
    portrait = job.portrait
    if portrait is None:
        return
    for display in Display.objects.filter(current_asset=portrait):
        push_state(display)


def withdraw_results(jobs: list[Job]) -> None:
    """Take these jobs' portraits off every display showing one, and push the fallback.

    If one of them was shown (approved), every display of its event gets its state again,
    not only those showing it: their attract loops may hold it too. `jobs` are the rows
    as they were before the withdrawal.
    """
    job_ids = [job.pk for job in jobs]
    showing = list(Display.objects.filter(current_asset__job__in=job_ids))
    Display.objects.filter(pk__in=[d.pk for d in showing]).update(current_asset=None)
    were_shown = [job.pk for job in jobs if job.review == Job.Review.APPROVED]
    events = Event.objects.filter(experiences__players__captures__job__in=were_shown)
    others = Display.objects.filter(event__in=events).exclude(pk__in=[d.pk for d in showing])
    push_states([*showing, *others])


def push_states(displays) -> int:
    """Push each display's full state (attract list included) to its open pages; return
    how many were sent.

    One query for the displays, the attract list once per event, and every message handed
    to the channel layer in one go: a staff "refresh all" used to cost a query, a page of
    signed links and a wait for the server's event loop per display (bench/fanout.py).
    """
    pks = [display.pk for display in displays]
    attract_by_event: dict[int, list[dict[str, Any]]] = {}
    messages = []
    displays_now = (
        Display.objects.select_related(*STATE_RELATED)
        .prefetch_related("current_asset__job__assets")  # each result's narration, at once
        .filter(pk__in=pks)
    )
    for display in displays_now:
        if display.event_id not in attract_by_event:
            attract_by_event[display.event_id] = attract_payload(display.event_id)
        state = display_state(display, attract_by_event[display.event_id])
        messages.append(_display_message(display, state))
    return group_send_many(messages)


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
