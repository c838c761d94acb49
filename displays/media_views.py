"""The one route display pages load visitors' pictures and replays from (see
kernel/display_links.py)."""

from django.http import Http404, HttpRequest, HttpResponse

from displays.models import Display
from experiences.models.photo import Asset, Job
from experiences.models.sports import Replay
from experiences.photo.qr import qr_png
from experiences.photo.web_images import webp_bytes
from experiences.sports.feed import latest_replay
from kernel import display_links as media
from kernel.http import keep_private, ranged_file_response, stored_file_response

# Within the link's lifetime a wall may keep what it decoded; a cached copy outliving an
# erasure stays on that one wall's disk cache, as the picture stayed on its screen.
DISPLAY_MEDIA_MAX_AGE = 600

NOT_SHOWN = "This picture is not on any display (any more)."


def display_media(request: HttpRequest, signed: str) -> HttpResponse:
    ref = media.resolve(signed)
    if ref is None:
        raise Http404("This display link is unknown or has expired: reload the display page.")
    if ref.kind == media.PORTRAIT:
        return stored_file_response(_visible_portrait(ref.pk).file, max_age=DISPLAY_MEDIA_MAX_AGE)
    for width, kind in media.PORTRAIT_WEBP.items():
        if ref.kind == kind:
            webp = webp_bytes(_visible_portrait(ref.pk).file, width)
            response = keep_private(HttpResponse(webp, content_type="image/webp"))
            response["Cache-Control"] = f"private, max-age={DISPLAY_MEDIA_MAX_AGE}"
            return response
    if ref.kind == media.RESULT_QR:
        return _result_qr(ref.pk)
    if ref.kind == media.NARRATION:
        return _narration(request, ref.pk)
    replay = Replay.objects.select_related("player").filter(pk=ref.pk).first()
    if replay is None or not replay.ready or not replay.slow_motion.name:
        raise Http404(NOT_SHOWN)
    if ref.kind == media.REPLAY_VIDEO:
        return ranged_file_response(
            request, replay.slow_motion, content_type="video/mp4", max_age=DISPLAY_MEDIA_MAX_AGE
        )
    return _replay_qr(replay)


def _visible_portrait(pk: int) -> Asset:
    asset = (
        Asset.objects.filter(pk=pk, kind=Asset.Kind.PORTRAIT, job__in=Job.objects.visible())
        .select_related("job")
        .first()
    )
    if asset is None:
        raise Http404(NOT_SHOWN)
    return asset


def _narration(request: HttpRequest, portrait_pk: int) -> HttpResponse:
    """A shown result's narrated story (the link names the portrait: one key per result)."""
    narration = _visible_portrait(portrait_pk).job.narration
    if narration is None or not narration.file.name:
        raise Http404("This result has no narration.")
    content_type = "audio/wav" if narration.file.name.endswith(".wav") else "audio/mpeg"
    return ranged_file_response(
        request, narration.file, content_type=content_type, max_age=DISPLAY_MEDIA_MAX_AGE
    )


def _result_qr(portrait_pk: int) -> HttpResponse:
    """A result's QR code, only while the result is a display's current one."""
    portrait = _visible_portrait(portrait_pk)
    if not Display.objects.filter(current_asset=portrait).exists():
        raise Http404(NOT_SHOWN)
    qr = portrait.job.assets.filter(kind=Asset.Kind.QR).first()
    if qr is None:
        raise Http404("No QR code for this result.")
    # no-cache: the wall revalidates, so a QR leaves the network once its result leaves
    # the display.
    return stored_file_response(qr.file)


def _replay_qr(replay: Replay) -> HttpResponse:
    """A replay's QR code, only while it is the newest replay of its experience."""
    if latest_replay(replay.player.experience) != replay:
        raise Http404(NOT_SHOWN)
    png = qr_png(replay.public_url)
    response = keep_private(HttpResponse(png, content_type="image/png"))
    response["Cache-Control"] = "private, no-cache"
    return response
