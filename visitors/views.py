"""Pages: the start page, the tablet, and the public result page behind a QR code."""

import mimetypes
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from displays.models import MAX_DISPLAYS
from displays.selectors import station_of
from experiences import selectors
from experiences.models import tallies
from experiences.models.events import AgeBand, Experience, Gender, UniformColour
from experiences.models.photo import Asset
from experiences.models.tallies import Tally
from experiences.photo.web_images import WEBP_WIDTHS, webp_bytes
from experiences.resume.traits import MBTI_CODES
from kernel.http import keep_private, stored_file_response
from kernel.link_cache import Entry, entry_response, personal
from kernel.storage import serves_presigned_urls
from kernel.throttling import result_rate_limited
from moderation import selectors as moderation_selectors
from moderation.models import ConsentText, ErasureLog
from moderation.result_cache import RESULT_LINKS
from moderation.services import erase_player
from visitors.device_sessions import keep_signed_in


def home(request: HttpRequest) -> HttpResponse:
    event = selectors.active_event()
    return render(
        request,
        "home.html",
        {"event": event, "display_numbers": range(1, MAX_DISPLAYS + 1)},
    )


@login_required
def tablet(request: HttpRequest) -> HttpResponse:
    station = station_of(request.user)
    if station is None:
        return render(request, "experiences/not_a_device.html", status=403)
    keep_signed_in(request)  # also gives a session from before the long age its length
    experience = station.experience
    consent = ConsentText.objects.current_for(experience, get_language() or "en")
    return render(
        request,
        "experiences/tablet.html",
        {
            "station": station,
            "experience": experience,
            "consent": consent,
            "ask_gender": "gender" in experience.profile_fields,
            "ask_age_band": "age_band" in experience.profile_fields,
            "resume": experience.pipeline == Experience.Pipeline.RESUME,
            "mbti_codes": MBTI_CODES,
            "ask_uniform_colour": experience.pipeline == Experience.Pipeline.UNIFORM
            and "uniform_colour" in experience.profile_fields,
            "uniform_colours": [
                (colour, "#{:02x}{:02x}{:02x}".format(*colour.rgb)) for colour in UniformColour
            ],
            "genders": [c for c in Gender.choices if c[0]],
            "age_bands": [c for c in AgeBand.choices if c[0]],
            "tablet_config": {
                "station": station.number,
                "display": station.display.number,
                "consentVersion": consent.version if consent else "",
                "language": get_language() or "en",
                "resetSeconds": settings.BOOTH_TABLET_RESET_SECONDS,
                "idleSeconds": settings.BOOTH_TABLET_IDLE_SECONDS,
                "stillThereSeconds": settings.BOOTH_TABLET_STILL_THERE_SECONDS,
                "sessionCheckSeconds": settings.BOOTH_TABLET_SESSION_CHECK_SECONDS,
                "loginUrl": reverse("login"),
                "resume": experience.pipeline == Experience.Pipeline.RESUME,
            },
        },
    )


class ResultGone(Exception):
    """The result behind a link was erased or taken down: the link answers 410 Gone."""


def _portrait_or_404(token: str) -> Asset:
    asset = selectors.published_portrait(token)
    if asset is None:
        if moderation_selectors.result_gone(token):
            raise ResultGone
        raise Http404("No result with this link.")
    return asset


def result_link(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view behind a result link: a gone result gets the friendly 410 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
        try:
            return view(request, token, **kwargs)
        except ResultGone:
            return keep_private(render(request, "experiences/result_gone.html", status=410))

    return wrapper


def _counted_as(job) -> dict[str, int]:
    """What the event report counts an open or a download under: event and station, with
    nothing that identifies the visitor or the result (kept with the cached response)."""
    station = job.capture.station
    if station is None:
        return {}
    return {"event": station.event_id, "station": station.number}


def _tally(counted_as: dict, kind: str) -> None:
    if counted_as.get("event") is not None:
        tallies.count_soon(counted_as["event"], kind, counted_as["station"])


# Portraits and QR codes never change under their token: browsers may keep them an hour.
RESULT_FILE_MAX_AGE = 3600
# Files larger than this are streamed from storage on every request instead of cached.
CACHED_FILE_MAX_BYTES = 4 * 1024 * 1024


@result_rate_limited
@result_link
def result(request: HttpRequest, token: str) -> HttpResponse:
    """The result page, rendered once per result and language and then served from the
    cache (moderation/result_cache.py drops it when the result is pulled or erased).

    `Cache-Control: private, no-cache` with an ETag: the link is a secret, so no shared
    cache (proxy, CDN) may keep the page, and the browser asks again on every visit, so a
    pulled or erased result is gone at once (410/404) instead of living on in a phone's
    cache for a max-age; while it is unchanged the answer is a bodiless 304.
    """
    language = get_language() or settings.LANGUAGE_CODE

    def build() -> Entry:
        asset = _portrait_or_404(token)
        job = asset.job
        html = render_to_string(
            "experiences/result.html",
            {"asset": asset, "job": job, "player": job.capture.player},
            request=request,
        )
        return Entry(
            html.encode(),
            "text/html; charset=utf-8",
            last_modified=asset.created,
            meta=_counted_as(job),
            store=not personal(request),
        )

    entry = RESULT_LINKS.get_or_build(token, f"page-{language}", build)
    _tally(entry.meta, Tally.Kind.RESULT_OPEN)
    return keep_private(entry_response(request, entry, private=True, no_cache=True))


def _file_entry(stored, *, content_type: str | None = None, **fields) -> Entry:
    if stored.size > CACHED_FILE_MAX_BYTES:
        return Entry(b"", "", store=False, meta={"stream": True, **fields.pop("meta", {})})
    with stored.open("rb") as handle:
        content = handle.read()
    content_type = content_type or mimetypes.guess_type(stored.name)[0]
    return Entry(content, content_type or "application/octet-stream", **fields)


def _portrait_entry(token: str) -> Entry:
    def build() -> Entry:
        asset = _portrait_or_404(token)
        return _file_entry(
            asset.file,
            last_modified=asset.created,
            meta={
                **_counted_as(asset.job),
                "download_name": f"booth-portrait-{asset.created:%Y%m%d-%H%M}.jpg",
            },
        )

    return RESULT_LINKS.get_or_build(token, "image", build)


def _files_cached() -> bool:
    """Files in S3 are a redirect to a presigned URL, which expires: never cached."""
    return not serves_presigned_urls(Asset.file.field.storage)


@result_rate_limited
@result_link
def result_image(request: HttpRequest, token: str) -> HttpResponse:
    entry = _portrait_entry(token) if _files_cached() else None
    if entry is None or entry.meta.get("stream"):
        return stored_file_response(_portrait_or_404(token).file, max_age=RESULT_FILE_MAX_AGE)
    return keep_private(entry_response(request, entry, private=True, max_age=RESULT_FILE_MAX_AGE))


@result_rate_limited
@result_link
def result_image_webp(request: HttpRequest, token: str, width: int) -> HttpResponse:
    """The portrait in WebP at one of WEBP_WIDTHS (srcset on the result page and walls),
    encoded once per result and size and then served from the cache."""
    if width not in WEBP_WIDTHS:
        raise Http404(f"Portraits come {' or '.join(map(str, WEBP_WIDTHS))} px wide.")

    def build() -> Entry:
        asset = _portrait_or_404(token)
        return Entry(webp_bytes(asset.file, width), "image/webp", last_modified=asset.created)

    entry = RESULT_LINKS.get_or_build(token, f"webp-{width}", build)
    return keep_private(entry_response(request, entry, private=True, max_age=RESULT_FILE_MAX_AGE))


def _qr_file(token: str):
    qr = _portrait_or_404(token).job.assets.filter(kind=Asset.Kind.QR).first()
    if qr is None:
        raise Http404("No QR code for this result.")
    return qr


@result_rate_limited
@result_link
def result_qr(request: HttpRequest, token: str) -> HttpResponse:
    if not _files_cached():
        return stored_file_response(_qr_file(token).file, max_age=RESULT_FILE_MAX_AGE)

    def build() -> Entry:
        qr = _qr_file(token)
        return _file_entry(qr.file, last_modified=qr.created)

    entry = RESULT_LINKS.get_or_build(token, "qr", build)
    if entry.meta.get("stream"):
        return stored_file_response(_qr_file(token).file, max_age=RESULT_FILE_MAX_AGE)
    return keep_private(entry_response(request, entry, private=True, max_age=RESULT_FILE_MAX_AGE))


@result_rate_limited
@result_link
def result_download(request: HttpRequest, token: str) -> HttpResponse:
    """The portrait as an attachment: the same cached bytes as the image, counted."""
    entry = _portrait_entry(token) if _files_cached() else None
    if entry is None or entry.meta.get("stream"):
        asset = _portrait_or_404(token)
        _tally(_counted_as(asset.job), Tally.Kind.DOWNLOAD)
        return stored_file_response(
            asset.file, download_name=f"booth-portrait-{asset.created:%Y%m%d-%H%M}.jpg"
        )
    _tally(entry.meta, Tally.Kind.DOWNLOAD)
    response = entry_response(request, entry, private=True, no_cache=True)
    response["Content-Disposition"] = f'attachment; filename="{entry.meta["download_name"]}"'
    return keep_private(response)


# The confirmation page's referrer policy. Not "no-referrer" like the other result pages:
# under it browsers (Chromium, Safari) send `Origin: null` with the page's own form post,
# per the Fetch standard, and Django's CSRF check refuses a null Origin ("Origin checking
# failed - null does not match any trusted origins"), so nobody could delete their photo.
# "same-origin" keeps the token private all the same: no Referer at all goes to another
# site (and the page links to none), while our own form post carries the real Origin
# that Django's check compares with the host. Exempting the view from CSRF and binding a
# form token to the result instead would mean a second, home-made CSRF scheme; Django's
# standard check is kept.
DELETE_PAGE_REFERRER_POLICY = "same-origin"


@result_rate_limited
@result_link
@require_http_methods(["GET", "POST"])
def result_delete(request: HttpRequest, token: str) -> HttpResponse:
    """The visitor withdraws: after confirming, their photo and results are erased.

    The link is the whole key, on purpose: visitors have no account, and anything else we
    could ask (their nickname, a code) is shown on the wall or would lock out the visitor
    who lost it. What guards deletion is the token's secrecy (192 random bits that reach
    only the visitor's phone: displays get none, logs mask them), a confirmation page (a
    GET, e.g. a link preview or prefetch, never deletes) and CSRF protection of the POST.
    No separate limit per token: an erasure happens once (the link then answers 410), and
    guessing tokens is already limited per address by `result_rate_limited`.
    """
    asset = selectors.erasable_portrait(token)
    if request.method == "POST":
        if asset is not None:
            erase_player(asset.job.capture.player, reason=ErasureLog.Reason.VISITOR)
        return keep_private(render(request, "experiences/result_deleted.html"))
    if asset is None:
        _portrait_or_404(token)  # 410 for an erased link, else 404
    response = keep_private(
        render(
            request,
            "experiences/result_delete.html",
            {"asset": asset, "job": asset.job, "referrer_policy": DELETE_PAGE_REFERRER_POLICY},
        )
    )
    response["Referrer-Policy"] = DELETE_PAGE_REFERRER_POLICY
    return response
