"""PDF: the documents laid out with ``fpdf2`` (the optional ``vsla[print]`` extra), with
the DejaVu Sans font embedded so every Vietnamese letter prints (``Đinh Thị Lành``,
``₫``).

The font is found at run time: the ``font`` argument, else ``$VSLA_FONT``, else DejaVu
Sans where Linux distributions, macOS and Windows install it. Without it,
:class:`~vsla.errors.FontNotFound` names the font, the places looked in and how to
install it. The bold face (``DejaVuSans-Bold.ttf``) is taken from the same folder when it
is there; otherwise bold text prints in the regular face.
"""

from __future__ import annotations

__all__ = ["FONT_ENV", "find_font", "render_pdf"]

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vsla.errors import FontNotFound
from vsla.reports.printing.document import Document, Section
from vsla.words import word

FONT_ENV = "VSLA_FONT"
"""The environment variable naming a TrueType font file to print with."""

_FONT_FILE = "DejaVuSans.ttf"
_PLACES = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu (fonts-dejavu-core)
    "/usr/share/fonts/dejavu",  # Fedora, Arch
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",  # macOS
    "~/Library/Fonts",
    "C:/Windows/Fonts",
)


def find_font(font: str | Path | None = None) -> Path:
    """The TrueType font to print with: ``font``, else ``$VSLA_FONT``, else DejaVu Sans in
    the usual places. :class:`~vsla.errors.FontNotFound` when there is none."""
    chosen = font if font is not None else os.environ.get(FONT_ENV)
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise FontNotFound(
                f"the font file {path} does not exist: name a TrueType font with every "
                f"Vietnamese letter (such as {_FONT_FILE}) with --font or ${FONT_ENV}",
                rule="font",
            )
        return path
    for place in _PLACES:
        path = Path(place).expanduser() / _FONT_FILE
        if path.is_file():
            return path
    raise FontNotFound(
        f"printing a PDF needs the font DejaVu Sans ({_FONT_FILE}) for the Vietnamese "
        f"letters, and it is in none of {', '.join(_PLACES)}. Install it (Debian, Ubuntu: "
        "apt-get install fonts-dejavu-core; Fedora: dnf install dejavu-sans-fonts; or "
        "download it from dejavu-fonts.github.io), or name a font file with --font or "
        f"${FONT_ENV}; or print to .html instead",
        rule="font",
    )


def _fpdf() -> Any:
    try:
        import fpdf
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'printing a PDF needs fpdf2: pip install "vsla[print]" (or print to .html)'
        ) from exc
    return fpdf


_FAMILY = "vsla"
_MARGIN = 10.0


def _new_pdf(font: Path) -> Any:
    fpdf = _fpdf()

    class _Paper(fpdf.FPDF):  # type: ignore[misc, name-defined]
        page_word = "{page}"

        def footer(self) -> None:
            self.set_y(-8)
            self.set_font(_FAMILY, "", 7.5)
            self.cell(0, 4, self.page_word.format(page=self.page_no()), align="C")

    pdf = _Paper(unit="mm", format="A4")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=11)
    pdf.add_font(_FAMILY, "", str(font))
    bold = font.with_name(font.stem + "-Bold" + font.suffix)
    pdf.add_font(_FAMILY, "B", str(bold if bold.is_file() else font))
    pdf.set_title("vsla")
    pdf.set_creator("vsla")
    return pdf


_PAD = 0.8  # mm of padding each side of a cell's text
_TABLE_PT = 7.8


def _widths(pdf: Any, section: Section) -> tuple[float, ...]:
    """Column widths (mm) so that no figure wraps: a number column gets its widest cell,
    a text column at least its longest word; the room left goes to the text columns by
    weight. When even that does not fit, the columns share the width by weight."""
    total = pdf.epw
    need: list[float] = []
    for i, column in enumerate(section.columns):
        cells = [row[i] for row in section.rows]
        pieces = cells if column.number else [w for cell in cells for w in cell.split()]
        pdf.set_font(_FAMILY, "B", _TABLE_PT)  # bold, as the header and the total row print
        widest = max((pdf.get_string_width(p) for p in pieces), default=0.0)
        header = max((pdf.get_string_width(w) for w in column.header.split()), default=0.0)
        need.append(max(widest, header) + 2 * _PAD + 0.6)
    spare = total - sum(need)
    weights = [c.weight for c in section.columns]
    if spare < 0:
        return tuple(total * w / sum(weights) for w in weights)
    takers = [i for i, c in enumerate(section.columns) if not c.number] or list(
        range(len(section.columns))
    )
    share = sum(weights[i] for i in takers)
    return tuple(
        need[i] + (spare * weights[i] / share if i in takers else 0.0) for i in range(len(need))
    )


def _section(pdf: Any, section: Section) -> None:
    from fpdf.fonts import FontFace

    if section.title:
        pdf.ln(2)
        pdf.set_font(_FAMILY, "B", 10.5)
        pdf.multi_cell(0, 6, section.title, new_x="LMARGIN", new_y="NEXT")
    if section.columns:
        widths = _widths(pdf, section)
        pdf.set_font(_FAMILY, "", _TABLE_PT)
        bold = FontFace(emphasis="BOLD")
        align = tuple("RIGHT" if c.number else "LEFT" for c in section.columns)
        with pdf.table(
            col_widths=widths,  # relative: they add up to the page's width
            text_align=align,
            line_height=3.6,
            padding=(0.4, _PAD),
            headings_style=FontFace(emphasis="BOLD", fill_color=(232, 232, 232)),
            repeat_headings=1,
            min_row_height=9 if section.tall else None,
        ) as table:
            head = table.row()
            for c in section.columns:
                head.cell(c.header, align="CENTER")
            for i, cells in enumerate(section.rows):
                total = section.total and i == len(section.rows) - 1
                row = table.row()
                for cell in cells:
                    row.cell(cell, style=bold if total else None)
    if section.paragraphs:
        pdf.ln(1.5)
        pdf.set_font(_FAMILY, "", 9)
        for text in section.paragraphs:
            pdf.multi_cell(0, 4.8, text, new_x="LMARGIN", new_y="NEXT")


def _signatures(pdf: Any, doc: Document) -> None:
    n = len(doc.signatures)
    if not n:
        return
    height = 24.0
    if pdf.get_y() + height > pdf.h - 11:
        pdf.add_page(orientation="L" if doc.landscape else "P")
    pdf.ln(3)
    width = (pdf.w - 2 * _MARGIN) / n
    gap = 5.0
    top = pdf.get_y()
    for i, s in enumerate(doc.signatures):
        x = _MARGIN + i * width
        pdf.set_xy(x, top)
        pdf.set_font(_FAMILY, "B", 9)
        pdf.cell(width - gap, 5, s.role, align="C")
        line_y = top + 15
        pdf.line(x + 2, line_y, x + width - gap - 2, line_y)
        pdf.set_xy(x, line_y + 1)
        pdf.set_font(_FAMILY, "", 8.5)
        pdf.cell(width - gap, 4.5, s.name, align="C")
    pdf.set_xy(_MARGIN, top + height)


def _document(pdf: Any, doc: Document) -> None:
    pdf.page_word = word("doc_page", doc.lang, page="{page}")
    pdf.add_page(orientation="L" if doc.landscape else "P")
    pdf.set_font(_FAMILY, "B", 14)
    pdf.multi_cell(0, 7, doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, "", 9.5)
    for line in doc.heading:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    for section in doc.sections:
        _section(pdf, section)
    _signatures(pdf, doc)
    if doc.footer:
        pdf.set_font(_FAMILY, "", 8)
        pdf.multi_cell(0, 4, doc.footer, new_x="LMARGIN", new_y="NEXT")


def render_pdf(documents: Sequence[Document], font: str | Path | None = None) -> bytes:
    """The documents as one PDF (each starting on a new page), the font embedded."""
    pdf = _new_pdf(find_font(font))
    for doc in documents:
        _document(pdf, doc)
    return bytes(pdf.output())
