"""The ``vsla`` command: a demo programme, reports, import, export and templates.

Every command takes ``--db`` (a SQLite file, or a database URL; default ``vsla-demo.db``,
or ``$VSLA_DB``) and ``--lang vi|en``. A library error prints one clear line on standard
error and exits with code 1; a bad option exits with code 2.
"""

from __future__ import annotations

__all__ = ["app"]

import datetime as dt
import time
import unicodedata
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from vsla.cli.common import (
    DEFAULT_DB,
    fail,
    is_url,
    known_district,
    latest_meeting,
    open_db,
    parse_day,
    pick_programme,
    stderr,
    stdout,
    vsla_errors,
)
from vsla.cli.labels import Lang, count, label, money
from vsla.cli.printing import print_app
from vsla.cli.readiness import report_readiness
from vsla.cli.registry import print_row_errors
from vsla.cli.registry import register as register_registry
from vsla.domain.entities import Cycle, Group
from vsla.domain.limits import PLAUSIBLE_AMOUNT
from vsla.errors import ImportErrors, NotFound, VslaError
from vsla.io import ImportKind, RowWarning
from vsla.io.importers.slips import MIN_AMOUNT, SLIP_RATIO
from vsla.io.language import column_header, say
from vsla.store.opening import display_url, scrub
from vsla.store.store import Store

app = typer.Typer(
    name="vsla",
    help="Village Savings and Loan Associations: demo, reports, import and export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
report_app = typer.Typer(
    help="Print a report: programme dashboard, group, share-out, member statement.",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")
app.add_typer(print_app, name="print")
report_app.command("readiness")(report_readiness)  # its own module: vsla.cli.readiness

DbOption = Annotated[
    str,
    typer.Option("--db", envvar="VSLA_DB", help="SQLite file or database URL.", show_default=True),
]
LangOption = Annotated[Lang, typer.Option("--lang", case_sensitive=False, help="Labels: vi or en.")]
OnOption = Annotated[
    str | None,
    typer.Option(
        "--on",
        metavar="YYYY-MM-DD",
        help="Report date (default: the date of the latest meeting recorded).",
    ),
]
CycleOption = Annotated[
    int | None,
    typer.Option("--cycle", min=1, help="Cycle number (default: the group's latest cycle)."),
]
ProgrammeOption = Annotated[
    int | None,
    typer.Option("--programme", min=1, help="Programme id (default: the first programme)."),
]


class ExportWhat(StrEnum):
    """What ``vsla export`` writes."""

    LEDGER = "ledger"  # every ledger entry (CSV, XLSX or JSON)
    PROGRAMME = "programme"  # everything, to rebuild every figure (JSON or XLSX)
    DASHBOARD = "dashboard"  # the programme report's rows
    GROUPS = "groups"  # every group's indicators, one row per group and breakdown


# ------------------------------------------------------------------------------ helpers


def _report_day(store: Store, value: str | None, **scope: int) -> dt.date:
    day = parse_day(value)
    if day is not None:
        return day
    latest = latest_meeting(store, **scope)
    return latest if latest is not None else dt.date.today()


def _group(store: Store, code: str) -> Group:
    return store.group(unicodedata.normalize("NFC", code.strip()))


def _cycle(store: Store, group: Group, number: int | None) -> Cycle:
    cycles = store.cycles(group.id)
    if not cycles:
        raise NotFound(f"group {group.code} has no cycle yet")
    if number is None:
        return cycles[-1]
    for cycle in cycles:
        if cycle.number == number:
            return cycle
    raise NotFound(f"group {group.code} has no cycle {number} (it has {len(cycles)})")


def _print_dashboard(
    store: Store, programme_id: int, on: dt.date, district: str | None, lang: Lang
) -> None:
    from vsla.cli.dashboard import programme_dashboard
    from vsla.reports import programme_indicators

    report = programme_indicators(store, programme_id, on, district=district)
    console = stdout()
    for part in programme_dashboard(report, lang):
        console.print(part)


# ------------------------------------------------------------------------------ demo


@app.command()
def demo(
    db_name: Annotated[
        str, typer.Option("--db", help="SQLite file to (re)create.", show_default=True)
    ] = DEFAULT_DB,
    groups: Annotated[int, typer.Option("--groups", min=1, help="Number of groups.")] = 91,
    seed: Annotated[int, typer.Option("--seed", help="Seed: same seed, same data.")] = 2021,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace the file even if it is not a vsla demo database."),
    ] = False,
    lang: LangOption = Lang.VI,
) -> None:
    """(Re)create a SQLite file with a synthetic Kon Tum programme, then print its dashboard.

    An existing file is replaced only if it is a demo database (or empty), or with --force.
    """
    from vsla.demo import generate, is_demo_database

    if is_url(db_name):  # the option is text: a Path would make "://" into ":/"
        fail(f"vsla demo writes a SQLite file; {display_url(db_name)} looks like a database URL")
    db = Path(db_name)
    if db.is_dir():
        fail(f"{db} is a folder: name the SQLite file to write, e.g. --db {db / DEFAULT_DB}")
    if db.exists() and db.stat().st_size > 0 and not force and not is_demo_database(db):
        fail(
            f"{db} exists and is not a vsla demo database: vsla demo replaces the file it "
            "writes, so it leaves this one alone. Name another file with --db, or add --force "
            "to replace it."
        )
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with vsla_errors(), open_db(str(db), create=True) as store:
        started = time.perf_counter_ns()
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=stderr(), transient=True) as bar:
            task = bar.add_task(label("generating", lang), total=groups)
            summary = generate(
                store,
                groups=groups,
                seed=seed,
                progress=lambda done, _total: bar.update(task, completed=done),
            )
        tenths = (time.perf_counter_ns() - started) // 100_000_000
        seconds = f"{tenths // 10}.{tenths % 10}"
        stderr().print(
            escape(
                label(
                    "demo_done",
                    lang,
                    groups=count(summary.groups, lang),
                    members=count(summary.members, lang),
                    meetings=count(summary.meetings, lang),
                    loans=count(summary.loans, lang),
                    entries=count(summary.entries, lang),
                    db=db,
                    seconds=seconds.replace(".", ",") if lang is Lang.VI else seconds,
                )
            )
        )
        _print_dashboard(store, summary.programme_id, summary.as_of, None, lang)


# ------------------------------------------------------------------------------ reports


@report_app.command("programme")
def report_programme(
    db: DbOption = DEFAULT_DB,
    on: OnOption = None,
    district: Annotated[
        str | None, typer.Option("--district", help="Only this district's groups.")
    ] = None,
    programme: ProgrammeOption = None,
    lang: LangOption = Lang.VI,
) -> None:
    """The programme dashboard: each target with actual, target and met, then by district."""
    day = parse_day(on)
    with vsla_errors(), open_db(db) as store:
        pid = pick_programme(store, programme)
        if district is not None:
            district = known_district(store, pid, district)
        if day is None:
            day = _report_day(store, None, programme_id=pid)
        _print_dashboard(store, pid, day, district, lang)


@report_app.command("group")
def report_group(
    code: Annotated[str, typer.Argument(help="Group code, e.g. KT-DG-001.")],
    db: DbOption = DEFAULT_DB,
    on: OnOption = None,
    lang: LangOption = Lang.VI,
) -> None:
    """A group's SAVIX-style figures on a date, with their breakdown by sex."""
    from vsla.cli.dashboard import group_report
    from vsla.reports import group_indicators

    day = parse_day(on)
    with vsla_errors(), open_db(db) as store:
        group = _group(store, code)
        report = group_indicators(
            store, group.id, day or _report_day(store, None, group_id=group.id)
        )
        console = stdout()
        for part in group_report(report, lang):
            console.print(part)


@report_app.command("share-out")
def report_share_out(
    code: Annotated[str, typer.Argument(help="Group code, e.g. KT-DG-001.")],
    db: DbOption = DEFAULT_DB,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="YYYY-MM-DD",
            help="Date of a preview (default: the cycle's end date).",
        ),
    ] = None,
    cycle: CycleOption = None,
    lang: LangOption = Lang.VI,
) -> None:
    """The share-out sheet of a cycle: the recorded one, or a preview if not shared out."""
    day = parse_day(on)
    with vsla_errors(), open_db(db) as store:
        group = _group(store, code)
        chosen = _cycle(store, group, cycle)
        result = store.share_out_result(chosen.id, day)
        if chosen.shared_out_on is not None:
            when = f"{label('shared_out_on', lang)} {chosen.shared_out_on.isoformat()}"
        else:
            preview = "xem trước" if lang is Lang.VI else "preview"
            when = f"{preview}, {label('on', lang)} {(day or chosen.end_date).isoformat()}"
        console = stdout()
        console.print(
            Text.assemble(
                (f"{label('group', lang)} {group.code}: {group.name}", "bold"),
                f" — {label('cycle', lang)} {chosen.number} ({when})",
            )
        )
        names = {
            m.id: label("doc_member_label", lang, name=m.full_name, number=m.number)
            for m in store.members(group.id)
        }
        console.print(Text(result.to_text(names, vietnamese=lang is Lang.VI)))


@report_app.command("statement")
def report_statement(
    code: Annotated[str, typer.Argument(help="Group code, e.g. KT-DG-001.")],
    member_number: Annotated[int, typer.Argument(help="Member number within the group.")],
    db: DbOption = DEFAULT_DB,
    on: OnOption = None,
    cycle: CycleOption = None,
    lang: LangOption = Lang.VI,
) -> None:
    """A member's statement: savings, shares, social fund, fines and every loan."""
    day = parse_day(on)
    with vsla_errors(), open_db(db) as store:
        group = _group(store, code)
        member = store.member_by_number(group.id, member_number)
        chosen = _cycle(store, group, cycle)
        when = day or _report_day(store, None, group_id=group.id)
        balance = next(
            b for b in store.member_balances(chosen.id, when) if b.member_id == member.id
        )
        console = stdout()
        left = f", {label('left_on', lang)} {member.left_on}" if member.left_on else ""
        console.print(
            Text.assemble(
                (
                    f"{label('statement', lang)}: "
                    + label("doc_member_label", lang, name=member.full_name, number=member.number),
                    "bold",
                ),
                f"{left} — {label('group', lang)} {group.code}: {group.name} — "
                f"{label('cycle', lang)} {chosen.number} ({chosen.start_date.isoformat()} → "
                f"{chosen.end_date.isoformat()}) — {label('on', lang)} {when.isoformat()}",
            )
        )
        table = Table(show_header=False)
        table.add_column()
        table.add_column(justify="right")
        table.add_row(label("shares", lang), count(balance.shares, lang))
        table.add_row(label("savings", lang), money(balance.savings, lang))
        table.add_row(
            label("social_fund_contributions", lang),
            money(balance.social_fund_contributions, lang),
        )
        table.add_row(label("fines", lang), money(balance.fines, lang))
        table.add_row(
            label("principal_outstanding", lang), money(balance.principal_outstanding, lang)
        )
        console.print(table)
        loans = [
            loan
            for loan in store.loans(chosen.id, member_id=member.id)
            if loan.terms.disbursed_on <= when
        ]
        if not loans:
            console.print(label("no_loans", lang))
        for loan in loans:
            console.print(Text(store.loan_statement(loan.id, when).to_text(lang.value)))
        referrals = sorted(
            (r for r in store.referrals(member_id=member.id) if r.referred_on <= when),
            key=lambda r: (r.referred_on, r.id),
        )
        supports = sorted(
            (s for s in store.livelihood_supports(member_id=member.id) if s.received_on <= when),
            key=lambda s: (s.received_on, s.id),
        )
        for r in referrals:
            outcome = r.outcome.value + (f" {r.outcome_on}" if r.outcome_on else "")
            console.print(
                Text(
                    f"{label('referrals', lang)}: {r.referred_on} {r.institution.value} "
                    f"({r.service}): {outcome}"
                )
            )
        for s in supports:
            console.print(
                Text(
                    f"{label('supports', lang)}: {s.received_on} {s.kind.value}"
                    f"{' (' + s.provider + ')' if s.provider else ''}"
                    f"{', ' + money(s.value, lang) if s.value else ''}"
                )
            )


# ------------------------------------------------------------------------------ io


@app.command("import")
def import_(
    kind: Annotated[ImportKind, typer.Argument(case_sensitive=False, help="What the file holds.")],
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV, XLSX or JSON."),
    ],
    db: DbOption = DEFAULT_DB,
    group: Annotated[
        str | None,
        typer.Option("--group", help="The group every row is for (no group_code column)."),
    ] = None,
    create: Annotated[
        bool,
        typer.Option("--create", help="Create the database if it does not exist yet."),
    ] = False,
    warn_above: Annotated[
        int | None,
        typer.Option(
            "--warn-above",
            min=0,
            metavar="AMOUNT",
            help="Warn of amounts above this many đồng (default 100.000.000).",
        ),
    ] = None,
    min_amount: Annotated[
        int,
        typer.Option(
            "--min-amount",
            min=0,
            metavar="AMOUNT",
            help="Refuse amounts below this many đồng (default 100; 0: none).",
        ),
    ] = MIN_AMOUNT,
    slip_ratio: Annotated[
        int,
        typer.Option(
            "--slip-ratio",
            min=0,
            help="Warn of amounts this many times below the group's usual (default 100; 0: never).",
        ),
    ] = SLIP_RATIO,
    lang: LangOption = Lang.VI,
) -> None:
    """Import a file filled in from a template; every row error is listed, nothing written.

    The database must exist (a mistyped --db is an error), unless --create is given.
    """
    from vsla.io import import_file

    with vsla_errors(), open_db(db, create=create) as store:
        try:
            with stderr().status(f"{label('imported', lang)}: {file.name} …"):
                summary = import_file(
                    store,
                    kind,
                    file,
                    group_code=group,
                    warn_above=PLAUSIBLE_AMOUNT if warn_above is None else warn_above,
                    min_amount=min_amount or None,
                    slip_ratio=slip_ratio or None,
                )
        except ImportErrors as exc:
            print_row_errors(exc, lang)
            raise typer.Exit(1) from None
        stdout().print(escape(f"{label('imported', lang)}: {summary.text(lang)}"))
        if summary.warnings:
            _print_warnings(summary.warnings, lang)


def _print_warnings(warnings: Sequence[RowWarning], lang: Lang) -> None:
    table = Table(title=label("warnings", lang, n=len(warnings)), title_justify="left")
    for key in ("source", "row", "column", "problem"):
        table.add_column(label(key, lang), justify="right" if key == "row" else "left")
    for w in warnings:
        table.add_row(
            escape(w.source),
            str(w.row),
            escape(column_header(w.column, lang)),
            escape(say(w.message, w.rule, w.facts, lang)),
        )
    stderr().print(table)


@app.command("export")
def export(
    what: Annotated[ExportWhat, typer.Argument(case_sensitive=False, help="What to write.")],
    file: Annotated[Path, typer.Argument(dir_okay=False, help="CSV, XLSX or JSON (by suffix).")],
    db: DbOption = DEFAULT_DB,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise", help="Pseudonyms for members; no names, phones or free text."
        ),
    ] = False,
    salt: Annotated[
        str | None,
        typer.Option(
            "--salt",
            help="Secret for the pseudonyms (default: $VSLA_PSEUDONYM_SALT); "
            "the same salt gives the same pseudonyms in every export.",
        ),
    ] = None,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="CSV for programs: text exactly as stored, commas, decimal points; without "
            "it, CSV for people in --lang's conventions (vi: ';' and decimal commas) and text "
            "that begins like a spreadsheet formula (= + - @) gets a ' in front.",
        ),
    ] = False,
    on: OnOption = None,
    programme: ProgrammeOption = None,
    lang: LangOption = Lang.VI,
) -> None:
    """Export the ledger, the whole programme, the dashboard rows or every group's figures."""
    from vsla.io import export_ledger, export_programme, export_rows

    day = parse_day(on)
    csv_lang = None if raw else lang.value  # CSV for people follows their language
    with vsla_errors(), open_db(db) as store:
        with stderr().status(f"{label('exported', lang)}: {file.name} …"):
            if what is ExportWhat.LEDGER:
                n = export_ledger(
                    store,
                    file,
                    programme_id=programme,
                    pseudonymise=pseudonymise,
                    salt=salt,
                    raw=raw,
                    csv_lang=csv_lang,
                )
                done = f"{count(n, lang)} entries"
            elif what is ExportWhat.PROGRAMME:
                export_programme(store, file, pseudonymise=pseudonymise, salt=salt)
                done = "programme"
            else:
                from vsla.reports import group_indicators_all, programme_indicators

                pid = pick_programme(store, programme)
                when = day or _report_day(store, None, programme_id=pid)
                if what is ExportWhat.DASHBOARD:
                    rows = programme_indicators(store, pid, when).rows()
                else:
                    rows = [
                        row
                        for report in group_indicators_all(store, when, programme_id=pid)
                        for row in report.rows()
                    ]
                n = export_rows(rows, file, raw=raw, csv_lang=csv_lang)
                done = f"{count(n, lang)} rows"
        stdout().print(escape(f"{label('exported', lang)}: {file} ({done})"))


@app.command("template")
def template(
    kind: Annotated[ImportKind, typer.Argument(case_sensitive=False, help="What it is for.")],
    file: Annotated[
        Path, typer.Argument(dir_okay=False, help="CSV or XLSX (JSON for a programme).")
    ],
    lang: LangOption = Lang.VI,
) -> None:
    """Write an empty template to fill in and import."""
    from vsla.io import write_template

    with vsla_errors():
        write_template(kind, file, lang)
    stdout().print(escape(f"{label('template_written', lang)}: {file}"))


# ------------------------------------------------------------------------------ db

db_app = typer.Typer(
    help="The database: its schema version (show it, upgrade it), and a check of the loans'"
    " arrears marks against the ledger.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


def _existing(db: str, lang: Lang) -> None:
    if not is_url(db) and not Path(db).is_file():
        fail(label("db_none", lang).format(db=db))


def _schema_version(db: str, lang: Lang) -> str | None:
    from vsla.store.schema import schema_version

    try:
        return schema_version(db)
    except VslaError:
        raise
    except Exception as exc:  # anything schema_version did not foresee
        fail(label("db_cannot_open", lang).format(db=display_url(db), error=scrub(str(exc), db)))


@db_app.command("version")
def db_version(db: DbOption = DEFAULT_DB, lang: LangOption = Lang.VI) -> None:
    """Print the database's schema version and the one this vsla needs."""
    from vsla.store.schema import SCHEMA_HEAD, known_revisions

    _existing(db, lang)
    with vsla_errors():
        found = _schema_version(db, lang)
    if found is None:
        note = label("db_no_tables", lang)
    elif found == SCHEMA_HEAD:
        note = label("db_current", lang)
    elif found in known_revisions():
        note = label("db_older", lang).format(head=SCHEMA_HEAD)
    else:
        note = label("db_unknown", lang).format(head=SCHEMA_HEAD)
    stdout().print(escape(label("db_version", lang).format(version=found or "-", note=note)))


@db_app.command("upgrade")
def db_upgrade(db: DbOption = DEFAULT_DB, lang: LangOption = Lang.VI) -> None:
    """Upgrade the database to this vsla's schema, keeping every row (one transaction)."""
    from vsla.store.schema import upgrade_database

    _existing(db, lang)
    with vsla_errors():
        before = _schema_version(db, lang)
        after = upgrade_database(db)
    if before == after:
        stdout().print(escape(label("db_already_current", lang).format(version=after)))
    else:
        done = label("db_upgraded", lang).format(before=before or "-", after=after)
        stdout().print(escape(done))


@db_app.command("verify")
def db_verify(
    db: DbOption = DEFAULT_DB,
    repair: Annotated[
        bool, typer.Option("--repair", help="rewrite every loan's marks from the ledger")
    ] = False,
    lang: LangOption = Lang.VI,
) -> None:
    """Check the loans' arrears marks (what the portfolio at risk is read from) against the
    ledger; exit 1 listing each loan that differs. --repair rewrites them all."""
    _existing(db, lang)
    with vsla_errors(), open_db(db) as store:
        differences = store.verify_loan_marks()
        loans = len(differences)
        if not differences:
            stdout().print(escape(label("db_marks_agree", lang)))
            return
        for difference in differences[:20]:
            stderr().print(escape(str(difference)))
        if len(differences) > 20:
            stderr().print(escape(label("db_marks_more", lang).format(n=len(differences) - 20)))
        if repair:
            written = store.rebuild_loan_marks()
            repaired = label("db_marks_repaired", lang).format(loans=loans, written=written)
            stdout().print(escape(repaired))
            return
    fail(label("db_marks_differ", lang).format(loans=loans))


register_registry(app)  # programme add, group add, cycle start, members (cli/registry.py)
