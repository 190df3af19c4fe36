"""Printable HTML: one self-contained file (no link, no script, no image), one page per
document, with a print stylesheet (A4, landscape for wide tables, a page break between
documents, table headers repeated on every printed page).

Every text is escaped. Open the file in a browser and print it, or keep it as it is.
"""

from __future__ import annotations

__all__ = ["render_html"]

import html
from collections.abc import Sequence

from vsla.reports.printing.document import Document, Section
from vsla.words import Lang

_STYLE = """
@page { size: A4 landscape; margin: 12mm; }
@page portrait { size: A4 portrait; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", "Segoe UI", Arial, sans-serif;
       font-size: 10pt; color: #000; margin: 0; }
.doc { page-break-after: always; break-after: page; padding: 4mm 0; }
.doc:last-child { page-break-after: auto; break-after: auto; }
.doc.portrait { page: portrait; }
h1 { font-size: 15pt; margin: 0 0 2mm 0; }
h2 { font-size: 11pt; margin: 4mm 0 1.5mm 0; }
.heading p { margin: 0.5mm 0; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0; }
th, td { border: 0.3mm solid #444; padding: 1mm 1.2mm; vertical-align: top; }
th { background: #eee; font-size: 8.5pt; text-align: center; }
td.n { text-align: right; white-space: nowrap; }
table.tall td { height: 9mm; }
tr.total td { font-weight: bold; border-top: 0.6mm solid #000; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
.sign { display: flex; gap: 6mm; margin-top: 8mm; page-break-inside: avoid; }
.sign div { flex: 1; text-align: center; }
.sign .space { height: 18mm; border-bottom: 0.3mm solid #000; margin-bottom: 1mm; }
.sign .role { font-weight: bold; }
@media screen { body { max-width: 290mm; margin: 8mm auto; }
                .doc { border-bottom: 1px dashed #999; margin-bottom: 8mm; } }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _section(section: Section) -> str:
    out: list[str] = []
    if section.title:
        out.append(f"<h2>{_e(section.title)}</h2>")
    if section.columns:
        head = "".join(f"<th>{_e(c.header)}</th>" for c in section.columns)
        body: list[str] = []
        for i, row in enumerate(section.rows):
            total = section.total and i == len(section.rows) - 1
            cells = "".join(
                f'<td class="n">{_e(cell)}</td>' if col.number else f"<td>{_e(cell)}</td>"
                for col, cell in zip(section.columns, row, strict=True)
            )
            body.append(f'<tr class="total">{cells}</tr>' if total else f"<tr>{cells}</tr>")
        tall = ' class="tall"' if section.tall else ""
        out.append(
            f"<table{tall}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
    out += [f"<p>{_e(p)}</p>" for p in section.paragraphs]
    return "".join(out)


def _document(doc: Document) -> str:
    parts = [
        f'<section class="doc{"" if doc.landscape else " portrait"}">',
        f"<h1>{_e(doc.title)}</h1>",
        '<div class="heading">' + "".join(f"<p>{_e(h)}</p>" for h in doc.heading) + "</div>",
        *(_section(s) for s in doc.sections),
    ]
    if doc.signatures:
        parts.append(
            '<div class="sign">'
            + "".join(
                f'<div><div class="role">{_e(s.role)}</div><div class="space"></div>'
                f"<div>{_e(s.name) or '&nbsp;'}</div></div>"
                for s in doc.signatures
            )
            + "</div>"
        )
    if doc.footer:
        parts.append(f"<p>{_e(doc.footer)}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(documents: Sequence[Document], title: str = "") -> str:
    """The documents as one HTML page, each starting on a new printed page."""
    lang = documents[0].lang if documents else Lang.VI
    name = title or (documents[0].title if documents else "vsla")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang.value}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(name)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(_document(d) for d in documents)
        + "\n</body>\n</html>\n"
    )
