"""The one-page résumé PDF: the business portrait and the cover letter (fpdf2).

fpdf2 is pure Python and well kept, and embeds a TrueType/OpenType font as a subset, so a
Korean letter's PDF carries only the glyphs it uses. The font is Noto Sans CJK (Debian's
fonts-noto-cjk; .ci/run installs it), a TrueType collection: fpdf2 reads one face of it,
the Korean one (index 1 of NotoSansCJK-Regular.ttc), set by BOOTH_PDF_FONT and
BOOTH_PDF_FONT_INDEX. The job makes the PDF once (about half a second of CPU, most of it
fontTools reading and subsetting the font) and stores it as one of the result's files
(Asset kind "resume_pdf"): a download then costs no CPU, and erasure deletes it with the
portrait. It carries no metadata (no producer, no dates, no title naming the visitor).
"""

import io
import logging
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from fpdf import FPDF

from experiences.models.resume import CoverLetter

logger = logging.getLogger(__name__)
# fontTools logs every glyph it keeps at INFO (pages of it per PDF): warnings only.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# fpdf2 always writes a creation date: the epoch, so the file says nothing of when.
NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)
PAGE_MARGIN_MM = 14
PHOTO_WIDTH_MM = 36
# Font sizes tried, largest first, until the letter fits on one page.
TEXT_SIZES = (9.5, 9, 8.5, 8, 7.5, 7, 6.5, 6)

HEADINGS = {
    "en": {"letter": "Cover letter to {company}", "type": "MBTI: {mbti}"},
    "ko": {"letter": "{company} 지원 자기소개서", "type": "MBTI: {mbti}"},
}


class FontMissing(RuntimeError):
    """The configured font file is not installed; the message says which package has it."""


def _font_path() -> Path:
    path = Path(settings.BOOTH_PDF_FONT)
    if not path.is_file():
        raise FontMissing(
            f"The résumé PDF font {path} is missing. Install Debian's fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk) or set BOOTH_PDF_FONT to a TrueType font "
            "with Korean glyphs."
        )
    return path


class _ResumePDF(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM)
        self.set_auto_page_break(True, margin=PAGE_MARGIN_MM)
        self.add_font(
            "resume", fname=str(_font_path()), collection_font_number=settings.BOOTH_PDF_FONT_INDEX
        )
        # No metadata: nothing names the visitor, the software or the time.
        self.set_creation_date(NO_DATE)
        self.set_producer("")
        self.set_creator("")


def _section_height(pdf: _ResumePDF, section: dict[str, str], size: float) -> float:
    """The height a section takes at `size` points (fpdf2's dry run: nothing is drawn)."""
    pdf.set_font("resume", size=size + 2)
    height = pdf.multi_cell(
        0, (size + 2) * 0.5, section.get("title", ""), dry_run=True, output="HEIGHT"
    )
    pdf.set_font("resume", size=size)
    height += pdf.multi_cell(0, size * 0.45, section.get("text", ""), dry_run=True, output="HEIGHT")
    return height + size * 0.25


def _text_size(pdf: _ResumePDF, sections: list[dict[str, str]]) -> float:
    """The largest of TEXT_SIZES at which the sections fit below the header on this page."""
    room = pdf.h - PAGE_MARGIN_MM - pdf.get_y()
    for size in TEXT_SIZES:
        if sum(_section_height(pdf, section, size) for section in sections) <= room:
            return size
    logger.warning("A cover letter did not fit one page even at %s pt", TEXT_SIZES[-1])
    return TEXT_SIZES[-1]


def resume_pdf(letter: CoverLetter, portrait_jpeg: bytes | None) -> bytes:
    """One A4 page: the portrait and the header, then the letter at the largest text size
    that fits (measured first, so the font is loaded and the page laid out once)."""
    pdf = _ResumePDF()
    pdf.add_page()
    headings = HEADINGS.get(letter.language, HEADINGS["en"])
    top = pdf.get_y()
    text_left = PAGE_MARGIN_MM
    if portrait_jpeg:
        pdf.image(io.BytesIO(portrait_jpeg), x=PAGE_MARGIN_MM, y=top, w=PHOTO_WIDTH_MM)
        text_left = PAGE_MARGIN_MM + PHOTO_WIDTH_MM + 6
    pdf.set_xy(text_left, top + 4)
    pdf.set_font("resume", size=22)
    pdf.cell(0, 10, letter.player.nickname, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(text_left)
    pdf.set_font("resume", size=12)
    company_line = headings["letter"].format(company=letter.company_name)
    pdf.cell(0, 7, company_line, new_x="LMARGIN", new_y="NEXT")
    if letter.mbti:
        pdf.set_x(text_left)
        pdf.set_font("resume", size=10)
        pdf.cell(0, 6, headings["type"].format(mbti=letter.mbti), new_x="LMARGIN", new_y="NEXT")
    photo_bottom = top + PHOTO_WIDTH_MM * 4 / 3 if portrait_jpeg else pdf.get_y()
    pdf.set_y(max(pdf.get_y(), photo_bottom) + 4)
    size = _text_size(pdf, letter.sections)
    for section in letter.sections:
        pdf.set_font("resume", size=size + 2)
        pdf.set_text_color(40, 60, 120)
        pdf.multi_cell(0, (size + 2) * 0.5, section.get("title", ""), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("resume", size=size)
        pdf.multi_cell(0, size * 0.45, section.get("text", ""), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(size * 0.25)
    return bytes(pdf.output())
