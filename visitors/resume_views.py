"""The résumé experience's PDF behind a result link: the same token, rate limit and
erasure check as the portrait (visitors.views), made on request from the stored letter."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from experiences.models.resume import CoverLetter
from experiences.models.tallies import Tally
from experiences.resume.pdf import resume_pdf
from kernel.http import keep_private
from kernel.throttling import result_rate_limited
from visitors.views import _portrait_or_404, _tally, result_link


@result_rate_limited
@result_link
def result_resume_pdf(request: HttpRequest, token: str) -> HttpResponse:
    asset = _portrait_or_404(token)  # 410 once erased, 404 for no such result
    job = asset.job
    letter = CoverLetter.objects.filter(player_id=job.capture.player_id).first()
    if letter is None or not letter.is_written:
        raise Http404("This result has no cover letter.")
    with asset.file.open("rb") as handle:
        portrait = handle.read()
    _tally(job, Tally.Kind.RESUME_PDF)
    response = HttpResponse(resume_pdf(letter, portrait), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="booth-resume-{asset.created:%Y%m%d-%H%M}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return keep_private(response)
