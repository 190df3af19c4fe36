"""Registering one at a time and listing: ``vsla programme add``, ``vsla group add``,
``vsla cycle start`` and ``vsla members``.

``group add`` and ``cycle start`` go through the same checks as a groups or cycles file
(``vsla import groups|cycles``): a one-row sheet, every problem listed, nothing written
on any.
"""

from __future__ import annotations

__all__ = [
    "cycle_app",
    "group_app",
    "members",
    "print_row_errors",
    "programme_app",
    "register",
]

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vsla.cli.common import DEFAULT_DB, open_db, parse_day, stderr, stdout, vsla_errors
from vsla.cli.labels import Lang, label
from vsla.errors import ImportErrors
from vsla.io.language import column_header, row_message, summary_text
from vsla.io.templates import ImportKind
from vsla.words import word

DbOption = Annotated[
    str,
    typer.Option("--db", envvar="VSLA_DB", help="SQLite file or database URL.", show_default=True),
]
LangOption = Annotated[Lang, typer.Option("--lang", case_sensitive=False, help="Labels: vi or en.")]

programme_app = typer.Typer(help="Programmes: add one.", no_args_is_help=True)
group_app = typer.Typer(help="Groups: register one (a file of them: vsla import groups).")
cycle_app = typer.Typer(help="Cycles: start one (a file of them: vsla import cycles).")


def print_row_errors(exc: ImportErrors, lang: Lang) -> None:
    """Every row error of a refused import, in ``lang``, as one table on standard error."""
    table = Table(title=label("nothing_imported", lang, n=len(exc.errors)), title_justify="left")
    for key in ("source", "row", "column", "problem"):
        table.add_column(label(key, lang), justify="right" if key == "row" else "left")
    for e in exc.errors:
        table.add_row(
            escape(e.source),
            str(e.row),
            escape(column_header(e.column, lang) if e.column else ""),
            escape(row_message(e, lang)),
        )
    stderr().print(table)


def _records(kind: ImportKind, record: dict[str, str | None], db: str, lang: Lang) -> None:
    from vsla.io.importers.records import import_records

    values = {k: v for k, v in record.items() if v is not None}
    with vsla_errors(), open_db(db) as store:
        try:
            counts = import_records(store, kind, [values], "vsla")
        except ImportErrors as exc:
            print_row_errors(exc, lang)
            raise typer.Exit(1) from None
    line = summary_text(kind.value, 1, sum(counts.values()), counts, 0, lang)
    stdout().print(escape(f"{label('imported', lang)}: {line}"))


@programme_app.command("add")
def programme_add(
    name: Annotated[str, typer.Argument(help="The programme's name, e.g. 'Kon Tum VSLA'.")],
    db: DbOption = DEFAULT_DB,
    province: Annotated[str, typer.Option(help="Province.")] = "Kon Tum",
    start: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD", help="Period start.")] = None,
    end: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD", help="Period end.")] = None,
    create: Annotated[
        bool, typer.Option("--create", help="Create the database if it does not exist yet.")
    ] = False,
    lang: LangOption = Lang.VI,
) -> None:
    """Add a programme (refused when one of the same name exists)."""
    from vsla.cli.common import fail
    from vsla.domain.entities import NewProgramme
    from vsla.io.importers.sheet import fold

    first, last = parse_day(start), parse_day(end)
    with vsla_errors(), open_db(db, create=create) as store:
        name = unicodedata.normalize("NFC", name.strip())
        for p in store.programmes():
            if fold(p.name) == fold(name):
                fail(word("row.programme_exists", lang, name=p.name, programme_id=p.id))
        dates = {"period_start": first, "period_end": last}
        made = store.add_programme(
            NewProgramme(
                name=name,
                province=province,
                **{k: v for k, v in dates.items() if v is not None},
            )
        )
    stdout().print(escape(f"{label('programme_added', lang)}: {made.name} (#{made.id})"))


@group_app.command("add")
def group_add(
    code: Annotated[str, typer.Argument(help="The new group's code, e.g. KT-DG-001.")],
    name: Annotated[str, typer.Argument(help="The group's name.")],
    established: Annotated[
        str, typer.Option("--established", metavar="DD/MM/YYYY", help="Day it was established.")
    ],
    db: DbOption = DEFAULT_DB,
    district: Annotated[str | None, typer.Option(help="District.")] = None,
    commune: Annotated[str | None, typer.Option(help="Commune.")] = None,
    village: Annotated[str | None, typer.Option(help="Village.")] = None,
    province: Annotated[str | None, typer.Option(help="Province (default Kon Tum).")] = None,
    gal_pilot_since: Annotated[
        str | None, typer.Option(metavar="DD/MM/YYYY", help="GAL pilot since.")
    ] = None,
    programme: Annotated[
        str | None, typer.Option(help="Programme name or id (default: the only one).")
    ] = None,
    lang: LangOption = Lang.VI,
) -> None:
    """Register one group, checked as a row of a groups file."""
    record = {
        "group_code": code,
        "name": name,
        "established_on": established,
        "district": district,
        "commune": commune,
        "village": village,
        "province": province,
        "gal_pilot_since": gal_pilot_since,
        "programme": programme,
    }
    _records(ImportKind.GROUPS, record, db, lang)


@cycle_app.command("start")
def cycle_start(
    group: Annotated[str, typer.Argument(help="Group code.")],
    start: Annotated[str, typer.Option("--start", metavar="DD/MM/YYYY", help="First day.")],
    end: Annotated[str, typer.Option("--end", metavar="DD/MM/YYYY", help="Last day.")],
    share_value: Annotated[str, typer.Option("--share-value", help="Money per share.")],
    interest_rate: Annotated[str, typer.Option("--interest-rate", help="Per month: 2% or 0.02.")],
    db: DbOption = DEFAULT_DB,
    rule: Annotated[
        list[str] | None,
        typer.Option(
            "--rule",
            metavar="NAME=VALUE",
            help="Any other rule of the constitution, as in the cycles template "
            "(social_fund_contribution=2000, fines='absence: 5000', ...); repeatable.",
        ),
    ] = None,
    officers: Annotated[
        str | None, typer.Option(help="Officers by member number: '1: chair; 2: box_keeper'.")
    ] = None,
    lang: LangOption = Lang.VI,
) -> None:
    """Start a group's cycle, checked as a row of a cycles file."""
    record: dict[str, str | None] = {
        "group_code": group,
        "start_date": start,
        "end_date": end,
        "share_value": share_value,
        "interest_rate": interest_rate,
        "officers": officers,
    }
    for item in rule or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: write a rule as NAME=VALUE", param_hint="--rule")
        record[key.strip()] = value.strip()
    from vsla.io.templates import COLUMNS

    known = {c.name for c in COLUMNS[ImportKind.CYCLES]}
    unknown = sorted(set(record) - known)
    if unknown:
        raise typer.BadParameter(
            f"unknown rule {', '.join(unknown)}: the rules are those of the cycles template",
            param_hint="--rule",
        )
    _records(ImportKind.CYCLES, record, db, lang)


def members(
    group: Annotated[str, typer.Argument(help="Group code, e.g. KT-DG-001.")],
    db: DbOption = DEFAULT_DB,
    active_on: Annotated[
        str | None,
        typer.Option("--active-on", metavar="YYYY-MM-DD", help="Only members active that day."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Also write the list: CSV, XLSX or JSON."),
    ] = None,
    lang: LangOption = Lang.VI,
) -> None:
    """A group's members: number, name, sex, ethnicity, joined, left, officer role."""
    day = parse_day(active_on)
    with vsla_errors(), open_db(db) as store:
        found = store.group(unicodedata.normalize("NFC", group.strip()))
        lines = store.member_list(found.id, active_on=day)
        if out is not None:
            from vsla.io import export_rows

            export_rows([line.row() for line in lines], out, sheet="members")
    title = f"{label('group', lang)} {found.code}: {found.name}"
    if day is not None:
        title += f" — {label('active_on', lang)} {_show(day)}"
    table = Table(title=escape(title), title_justify="left")
    keys = ("number", "full_name", "sex", "ethnicity", "joined_on", "left_on", "officer_role")
    for key in keys:
        table.add_column(label(f"list_{key}", lang), justify="right" if key == "number" else "left")
    for line in lines:
        table.add_row(
            str(line.number),
            escape(line.full_name),
            label(f"sex_{line.sex.value}_one", lang),
            escape(line.ethnicity),
            _show(line.joined_on),
            _show(line.left_on) if line.left_on else "",
            ", ".join(label(f"role_{r.value}", lang) for r in line.roles),
        )
    stdout().print(table)
    stdout().print(escape(label("members_count", lang, n=len(lines))))
    if out is not None:
        stdout().print(escape(f"{label('exported', lang)}: {out}"))


def _show(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def register(app: typer.Typer) -> None:
    """Add these commands to the ``vsla`` command."""
    app.add_typer(programme_app, name="programme")
    app.add_typer(group_app, name="group")
    app.add_typer(cycle_app, name="cycle")
    app.command("members")(members)
