"""The résumé experience's PDF behind a result link: the same token, rate limit and
erasure check as the portrait (visitors.views); the job made and stored it."""

from django.http import Http404, HttpRequest, HttpResponse

from experiences.models.photo import Asset
from experiences.models.tallies import Tally
from kernel.http import stored_file_response
from kernel.throttling import result_rate_limited
from visitors.views import RESULT_FILE_MAX_AGE, _counted_as, _portrait_or_404, _tally, result_link


@result_rate_limited
@result_link
def result_resume_pdf(request: HttpRequest, token: str) -> HttpResponse:
    asset = _portrait_or_404(token)  # 410 once erased, 404 for no such result
    pdf = asset.job.assets.filter(kind=Asset.Kind.RESUME_PDF).first()
    if pdf is None:
        raise Http404("This result has no résumé.")
    _tally(_counted_as(asset.job), Tally.Kind.RESUME_PDF)
    return stored_file_response(
        pdf.file,
        download_name=f"booth-resume-{asset.created:%Y%m%d-%H%M}.pdf",
        max_age=RESULT_FILE_MAX_AGE,
    )
