"""The certificate of completion as a PDF (fpdf2), in the language of whoever downloads it.

Japanese names and the Japanese text need a Japanese TrueType font
(settings.CERTIFICATE_FONT, from the Debian package fonts-ipafont-gothic). A
certificate whose text is all Latin-1 needs none; any other, when the font is
missing or unreadable, answers None and the view shows the printable page.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF

from core.formats import format_date

from .selectors import CourseProgress

logger = logging.getLogger(__name__)

FONT_FAMILY = "CertificateFont"


@dataclass(frozen=True)
class CertificateText:
    site: str
    title: str
    certifies: str
    name: str
    completed_course: str
    course: str
    tasks: str
    completed_on: str
    number: str

    def lines(self) -> list[str]:
        return list(vars(self).values())


def certificate_text(*, progress: CourseProgress, name: str) -> CertificateText:
    """The certificate's words in the active language (the same as the printable page's)."""
    completed = format_date(progress.completed_on)
    return CertificateText(
        site=settings.SITE_NAME,
        title=_("Certificate of completion"),
        certifies=_("This certifies that"),
        name=name,
        completed_course=_("has completed the pre-departure course"),
        course=progress.course.title,
        tasks=_("All %(total)s tasks, including the quizzes.") % {"total": progress.total},
        completed_on=f"{_('Completed on')} {completed}",
        number=f"{_('Certificate number')}: {progress.certificate_number}",
    )


def _latin1(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _japanese_font(pdf: FPDF) -> str | None:
    """The Japanese font's family name once added to `pdf`, or None when it is missing or unreadable."""
    path = Path(settings.CERTIFICATE_FONT)
    if not path.is_file():
        logger.warning("certificate font %s is missing (Debian package fonts-ipafont-gothic)", path)
        return None
    try:
        pdf.add_font(FONT_FAMILY, fname=str(path))
    except Exception:  # a broken or unreadable file: as if it were missing
        logger.exception("certificate font %s could not be loaded", path)
        return None
    return FONT_FAMILY


def certificate_pdf(*, progress: CourseProgress, name: str) -> bytes | None:
    """An A4 landscape certificate for the ALT `name`; None when no font at hand can write its text.

    Lines in Latin-1 are set in Helvetica (the Japanese font's Latin letters are
    monospaced), the others in the Japanese font.
    """
    text = certificate_text(progress=progress, name=name)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(text.title)
    pdf.set_author(text.site)
    pdf.set_auto_page_break(False)
    japanese = None if all(_latin1(value) for value in text.lines()) else _japanese_font(pdf)
    if japanese is None and not all(_latin1(value) for value in text.lines()):
        return None
    pdf.add_page()
    pdf.set_draw_color(13, 110, 253)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)
    width = pdf.w - 40

    def line(value: str, size: int, *, gap: float = 4, color=(33, 37, 41), bold=False):
        if _latin1(value):
            pdf.set_font("helvetica", style="B" if bold else "", size=size)
        else:
            pdf.set_font(japanese, size=size)
        pdf.set_text_color(*color)
        pdf.set_x(20)
        pdf.multi_cell(width, size * 0.5, value, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(30)
    line(text.site.upper(), 11, gap=6, color=(108, 117, 125))
    line(text.title, 30, gap=12, bold=True)
    line(text.certifies, 14)
    line(text.name, 26, gap=8, bold=True)
    line(text.completed_course, 14)
    # The core fonts have no curly quotes.
    line(f'"{text.course}"' if _latin1(text.course) else f"“{text.course}”", 18, gap=8)
    line(text.tasks, 12, gap=2)
    line(text.completed_on, 12, gap=14)
    line(text.number, 9, color=(108, 117, 125))
    return bytes(pdf.output())
