"""``vsla print``: passbooks, meeting minutes and share-out sheets to print, as HTML or PDF.

```
vsla print passbook KT-DG-001 --out so-thanh-vien.pdf          # every member, a page each
vsla print passbook KT-DG-001 3 --out y-huong.html --lang vi   # member number 3 only
vsla print minutes KT-DG-001 --on 2024-02-05 --out bien-ban.pdf
vsla print share-out KT-DG-001 --out chia-quy.pdf
```

The file's suffix chooses the format: ``.html`` (open it in a browser and print) or
``.pdf`` (needs ``pip install "vsla[print]"`` and the DejaVu Sans font; ``--font`` or
``$VSLA_FONT`` names another font file). See docs/printing.md.
"""

from __future__ import annotations

__all__ = ["print_app"]

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from vsla.cli.common import DEFAULT_DB, fail, open_db, parse_day, stdout, vsla_errors
from vsla.cli.labels import Lang
from vsla.domain.entities import Cycle, Group
from vsla.errors import NotFound
from vsla.store.store import Store
from vsla.words import word

print_app = typer.Typer(
    help="Print a passbook, a meeting's minutes or a share-out sheet (HTML or PDF).",
    no_args_is_help=True,
)

DbOption = Annotated[
    str,
    typer.Option("--db", envvar="VSLA_DB", help="SQLite file or database URL.", show_default=True),
]
LangOption = Annotated[Lang, typer.Option("--lang", case_sensitive=False, help="Words: vi or en.")]
OutOption = Annotated[
    Path,
    typer.Option("--out", "-o", dir_okay=False, help="The file to write: .html or .pdf."),
]
CodeArgument = Annotated[str, typer.Argument(help="Group code, e.g. KT-DG-001.")]
CycleOption = Annotated[
    int | None,
    typer.Option("--cycle", min=1, help="Cycle number (default: the group's latest cycle)."),
]
FontOption = Annotated[
    Path | None,
    typer.Option(
        "--font",
        envvar="VSLA_FONT",
        dir_okay=False,
        help="PDF: a TrueType font file with Vietnamese letters (default: DejaVu Sans).",
    ),
]


def _group_cycle(store: Store, code: str, number: int | None) -> tuple[Group, Cycle]:
    group = store.group(unicodedata.normalize("NFC", code.strip()))
    cycles = store.cycles(group.id)
    if not cycles:
        raise NotFound(f"group {group.code} has no cycle yet")
    if number is None:
        return group, cycles[-1]
    for cycle in cycles:
        if cycle.number == number:
            return group, cycle
    raise NotFound(f"group {group.code} has no cycle {number} (it has {len(cycles)})")


def _check_out(out: Path) -> None:
    if out.suffix.lower() not in (".html", ".htm", ".pdf"):
        fail(f"{out.name}: --out names a .html or a .pdf file")


def _written(out: Path, pages: int, lang: Lang) -> None:
    stdout().print(escape(word("printed", lang, documents=pages, file=out)))


@print_app.command("passbook")
def print_passbook(
    code: CodeArgument,
    numbers: Annotated[
        list[int] | None,
        typer.Argument(help="Member numbers (default: every member of the group)."),
    ] = None,
    out: OutOption = Path("passbooks.pdf"),
    db: DbOption = DEFAULT_DB,
    cycle: CycleOption = None,
    font: FontOption = None,
    lang: LangOption = Lang.VI,
) -> None:
    """Members' passbooks (sổ thành viên): one page per member, the group in one file."""
    from vsla.reports.printing import passbook_documents, write_documents

    _check_out(out)
    with vsla_errors(), open_db(db) as store:
        group, chosen = _group_cycle(store, code, cycle)
        ids = None
        if numbers:
            ids = [store.member_by_number(group.id, n).id for n in numbers]
        docs = passbook_documents(store, chosen.id, member_ids=ids, lang=lang)
        write_documents(docs, out, font=font)
    _written(out, len(docs), lang)


@print_app.command("minutes")
def print_minutes(
    code: CodeArgument,
    on: Annotated[
        str | None,
        typer.Option(
            "--on", metavar="YYYY-MM-DD", help="The meeting's date (default: the latest)."
        ),
    ] = None,
    out: OutOption = Path("minutes.pdf"),
    db: DbOption = DEFAULT_DB,
    cycle: CycleOption = None,
    font: FontOption = None,
    lang: LangOption = Lang.VI,
) -> None:
    """A meeting's minutes (biên bản họp): attendance, transactions, boxes, loans, signatures."""
    from vsla.reports.printing import minutes_documents, write_documents

    _check_out(out)
    day = parse_day(on)
    with vsla_errors(), open_db(db) as store:
        group, chosen = _group_cycle(store, code, cycle)
        if day is None:
            meetings = store.meetings(chosen.id)
            if not meetings:
                raise NotFound(f"group {group.code} has no meeting in cycle {chosen.number}")
            day = meetings[-1].date
        docs = minutes_documents(store, chosen.id, day, lang=lang)
        write_documents(docs, out, font=font)
    _written(out, len(docs), lang)


@print_app.command("share-out")
def print_share_out(
    code: CodeArgument,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="YYYY-MM-DD",
            help="Date of a preview (default: the cycle's end date).",
        ),
    ] = None,
    out: OutOption = Path("share-out.pdf"),
    db: DbOption = DEFAULT_DB,
    cycle: CycleOption = None,
    font: FontOption = None,
    lang: LangOption = Lang.VI,
) -> None:
    """The share-out sheet: the recorded one, or a preview, with a space for each member to
    sign for the cash."""
    from vsla.reports.printing import share_out_documents, write_documents

    _check_out(out)
    day: dt.date | None = parse_day(on)
    with vsla_errors(), open_db(db) as store:
        _, chosen = _group_cycle(store, code, cycle)
        docs = share_out_documents(store, chosen.id, day, lang=lang)
        write_documents(docs, out, font=font)
    _written(out, len(docs), lang)
