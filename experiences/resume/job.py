"""The résumé experience type in the photo job: the letter (streamed, first, so the
visitor reads the first words at once), then the business portrait, then the one-page PDF
of both, stored as the result's third file (so a download costs no CPU, and erasure and a
retried job remove it like the portrait).

Registered into experiences.photo.experience_types.MAKERS by the app's ready() (the photo
pipeline sits below this package and cannot import it).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from experiences.models.events import Experience
from experiences.models.photo import Asset, Job
from experiences.models.resume import CoverLetter
from experiences.photo import experience_types
from experiences.photo.experience_types import Picture, business_portrait
from experiences.photo.imaging import encode_jpeg
from experiences.resume.pdf import resume_pdf
from experiences.resume.writing import write_for_job
from experiences.selectors import visitor_language
from kernel.stages import stage


def resume_picture(job: Job, timings: dict[str, float]) -> Picture:
    player = job.capture.player
    with stage(timings, "letter"):
        written = write_for_job(job)
    picture = business_portrait(job, timings)
    with stage(timings, "pdf"):  # made once here; the link serves the stored file
        portrait = encode_jpeg(picture.image, settings.BOOTH_RESULT_JPEG_QUALITY)
        letter = CoverLetter.objects.select_related("player").get(player=player)
        picture.extra_assets[Asset.Kind.RESUME_PDF] = (resume_pdf(letter, portrait), "pdf")
    language = visitor_language(player)
    with translation.override(language):
        picture.story = _("%(nickname)s's cover letter to %(company)s") % {
            "nickname": player.nickname,
            "company": player.cover_letter.company_name,
        }
    picture.story_language = language
    picture.backends["letter"] = written.writer
    if written.fallback_from:
        picture.backends["letter_fallback_from"] = written.fallback_from
        picture.backends["letter_error"] = written.error[:300]
    if written.first_words_seconds is not None:
        timings["letter_first_words"] = round(written.first_words_seconds, 4)
    return picture


def register() -> None:
    experience_types.MAKERS[Experience.Pipeline.RESUME] = resume_picture
