"""The pages every printed PDF shares: A4, the embedded DejaVu fonts, the page number in the footer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

import segno
from fpdf import FPDF
from fpdf.fonts import FontFace

from service.words.translator import Translator

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
INK = (33, 37, 41)
MUTED = (90, 96, 104)
RULE = (150, 155, 160)
HEADINGS = FontFace(family=FAMILY, emphasis="BOLD", fill_color=(232, 236, 239))
"""The head row of every table."""


class Document(FPDF):
    """An A4 document in the reader's language, with Unicode text (accents, Arabic names in Latin script...)."""

    def __init__(self, t: Translator, title: str, *, landscape: bool = False, made_at: datetime | None = None) -> None:
        orientation: Literal["portrait", "landscape"] = "landscape" if landscape else "portrait"
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.t = t
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_author("Suivi")
        self.set_creator("Suivi")
        self.set_lang(t.language)
        if made_at is not None:
            self.set_creation_date(made_at)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()
        self.add_page()
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)

    def footer(self) -> None:
        self.set_y(-13)
        self.style(8, muted=True)
        self.cell(0, 5, self.t("print.page", page=self.page_no(), pages="{nb}"), align="C")

    def style(self, size: float, *, bold: bool = False, muted: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(*(MUTED if muted else INK))

    def line_of(self, text: str, size: float = 10, *, bold: bool = False, muted: bool = False, gap: float = 1) -> None:
        """A paragraph across the page."""
        self.style(size, bold=bold, muted=muted)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)

    def signature_line(self, label: str, width: float = 90) -> None:
        """A label, then a line to sign on."""
        self.style(10)
        self.cell(0, 6, label, new_x="LMARGIN", new_y="NEXT")
        self.ln(12)
        y = self.get_y()
        self.line(self.l_margin, y, self.l_margin + width, y)
        self.ln(3)

    def qr_code(self, address: str, x: float, y: float, size: float) -> None:
        """A QR code of ``address``, drawn as filled squares (runs of dark modules), with its quiet zone."""
        qr = segno.make(address, error="m")
        rows = [list(row) for row in qr.matrix]
        border = 2
        module = size / (len(rows) + 2 * border)
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(rows):
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                left, top = x + (start + border) * module, y + (r + border) * module
                self.rect(left, top, (c - start) * module, module, style="F")

    def pdf_bytes(self) -> bytes:
        return bytes(self.output())
