"""The visitor's replay page: the slow motion, the side-by-side version, downloads, and a
progress bar while the replay is being made."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from experiences.models.sports import Replay
from experiences.photo.qr import qr_png
from kernel.http import keep_private, ranged_file_response
from kernel.throttling import result_rate_limited
from moderation.models import ErasedToken
from visitors.views import RESULT_FILE_MAX_AGE, ResultGone, result_link

VERSIONS = {"slow": "slow_motion", "side-by-side": "side_by_side"}


def _replay_or_404(token: str) -> Replay:
    replay = Replay.objects.select_related("player").filter(token=token).first()
    if replay is None:
        if ErasedToken.objects.contains(token):
            raise ResultGone
        raise Http404("No replay with this link.")
    return replay


@result_rate_limited
@result_link
def replay_page(request: HttpRequest, token: str) -> HttpResponse:
    replay = _replay_or_404(token)
    return keep_private(render(request, "experiences/replay.html", {"replay": replay}))


@result_rate_limited
@result_link
def replay_status(request: HttpRequest, token: str) -> JsonResponse:
    """Polled by the page while the replay is made (a few seconds at most)."""
    replay = _replay_or_404(token)
    response = JsonResponse(
        {"state": replay.state, "progress": replay.progress, "error": bool(replay.error)}
    )
    response["Cache-Control"] = "no-store"
    return keep_private(response)


@result_rate_limited
@result_link
@cache_control(private=True, max_age=3600)
def replay_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The QR code the commentary wall shows beside the replay: it opens the replay page."""
    replay = _replay_or_404(token)
    return keep_private(HttpResponse(qr_png(replay.public_url), content_type="image/png"))


@result_rate_limited
@result_link
def replay_video(request: HttpRequest, token: str, version: str) -> HttpResponse:
    replay = _replay_or_404(token)
    stored = getattr(replay, VERSIONS.get(version, ""), None)
    if not replay.ready or stored is None or not stored.name:
        raise Http404("This replay is not ready yet.")
    download = None
    if request.GET.get("download"):
        download = f"booth-replay-{version}-{replay.created:%Y%m%d-%H%M}.mp4"
    return ranged_file_response(
        request,
        stored,
        content_type="video/mp4",
        download_name=download,
        max_age=RESULT_FILE_MAX_AGE,
    )
