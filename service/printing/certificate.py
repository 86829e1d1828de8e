"""A learner's certificate as PDF: what it states, its id and QR code, and its signed facts embedded.

The words are the certificate's own language (French or English), whoever prints it. The
signed document travels inside the PDF as ``certificate.json`` (an embedded file any PDF
reader lists), so ``suivi certificate verify`` can check it offline; the QR code leads to
the public verification page, which names no one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from domain.certificate import CertificateFacts, CertificateKind
from domain.digcomp import AREAS
from service.printing.pdf import HEADINGS, MUTED, Document
from service.printing.signing import ATTACHMENT_NAME, SignedCertificate
from service.words.translator import Translator

_QR_MM = 32


def certificate_pdf(signed: SignedCertificate, verification_address: str, revoked_on: date | None = None) -> bytes:
    facts = signed.document.facts
    t = Translator(str(facts.language))
    title = t(f"certificate.title.{facts.kind}")
    made = datetime.combine(facts.issued_on, time(12), tzinfo=UTC)
    pdf = Document(t, title, made_at=made)
    pdf.set_subject(title)
    pdf.set_keywords(str(signed.document.certificate_id))
    if revoked_on is not None:
        pdf.set_fill_color(180, 30, 30)
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 9, t("certificate.revoked_banner", day=t.date(revoked_on)), align="C", fill=True)
        pdf.ln(12)
    pdf.line_of(facts.centre, 12, bold=True, gap=0)
    pdf.line_of(t("certificate.programme"), 9, muted=True, gap=14)
    pdf.style(20, bold=True)
    pdf.multi_cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    _centred(pdf, t("certificate.attests", centre=facts.centre), 11)
    pdf.ln(3)
    _centred(pdf, f"{facts.given_name} {facts.family_name}", 18, bold=True)
    _centred(pdf, t("certificate.file_number", number=facts.file_number), 9, muted=True)
    pdf.ln(6)
    pdf.line_of(_course_sentence(t, facts), 11, gap=3)
    pdf.line_of(_attendance_sentence(t, facts), 11, gap=3)
    if facts.kind is CertificateKind.COMPLETION:
        _levels(pdf, t, facts)
    pdf.ln(4)
    pdf.line_of(t("certificate.issued_on", day=t.long_date(facts.issued_on)), 11, gap=4)
    pdf.signature_line(t("certificate.for_the_centre"), width=70)
    _verification(pdf, t, signed, verification_address)
    pdf.embed_file(
        bytes=signed.encoded(),
        basename=ATTACHMENT_NAME,
        desc=t("certificate.attachment"),
        mime_type="application/json",
        modification_date=made,
        creation_date=made,
    )
    return pdf.pdf_bytes()


def _centred(pdf: Document, text: str, size: float, *, bold: bool = False, muted: bool = False) -> None:
    pdf.style(size, bold=bold, muted=muted)
    pdf.multi_cell(0, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _course_sentence(t: Translator, facts: CertificateFacts) -> str:
    key = "certificate.completed_course" if facts.kind is CertificateKind.COMPLETION else "certificate.attended_course"
    return t(
        key,
        course=facts.course,
        site=facts.site,
        starts=t.long_date(facts.starts_on),
        ends=t.long_date(facts.ends_on),
    )


def _attendance_sentence(t: Translator, facts: CertificateFacts) -> str:
    return t(
        "certificate.hours",
        attended=t.count("hours", facts.hours_attended),
        planned=t.count("hours", facts.hours_planned),
        sessions=t("print.summary.of", part=facts.sessions_attended, whole=facts.sessions_planned),
    )


def _levels(pdf: Document, t: Translator, facts: CertificateFacts) -> None:
    pdf.ln(2)
    pdf.line_of(t("certificate.levels_title"), 11, bold=True, gap=2)
    pdf.style(10)
    with pdf.table(col_widths=(100, 40, 40), line_height=7, headings_style=HEADINGS) as grid:
        heading = grid.row()
        for text in (t("certificate.area"), t("certificate.at_start"), t("certificate.at_end")):
            heading.cell(text)
        for area in AREAS:
            start = None if facts.levels_at_start is None else facts.levels_at_start.of(area.code)
            end = None if facts.levels_at_end is None else facts.levels_at_end.of(area.code)
            row = grid.row()
            row.cell(t.area(area.code))
            row.cell(t.level(start) if start is not None else t("certificate.not_assessed"))
            row.cell(t.level(end) if end is not None else t("certificate.not_assessed"))
    pdf.ln(1)
    pdf.line_of(t("certificate.levels_method"), 8, muted=True)


def _verification(pdf: Document, t: Translator, signed: SignedCertificate, address: str) -> None:
    """The QR code at the foot of the page, and beside it the address, the id and the digest."""
    top = pdf.h - pdf.b_margin - _QR_MM - 2
    if pdf.get_y() > top:
        pdf.add_page()
    left = pdf.l_margin
    pdf.qr_code(address, left, top, _QR_MM)
    x = left + _QR_MM + 4
    width = pdf.w - pdf.r_margin - x
    pdf.set_xy(x, top + 3)
    pdf.style(9, bold=True)
    pdf.multi_cell(width, 4.5, t("certificate.verify_here"), new_x="LEFT", new_y="NEXT")
    pdf.style(8)
    pdf.multi_cell(width, 4, address, new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(width, 4, t("certificate.number", id=signed.document.certificate_id), new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(width, 4, t("certificate.digest", digest=signed.document.digest), new_x="LEFT", new_y="NEXT")
