"""``vsla report readiness``: which groups are ready for formal finance, whom to refer next,
and how many members each district must still refer to reach its target
(docs/readiness.md).

Three tables: the members to refer per district (the total first), each group with every
criterion (the threshold in the column's header, the value and ✓/✗ in the cell), and the
shortlist of members not yet referred with the criteria they meet.
"""

from __future__ import annotations

__all__ = ["readiness_tables", "report_readiness"]

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from vsla.cli.common import (
    DEFAULT_DB,
    known_district,
    latest_meeting,
    open_db,
    parse_day,
    pick_programme,
    stdout,
    vsla_errors,
)
from vsla.cli.labels import Lang, count, label, percent, tick
from vsla.domain.readiness import CriterionResult

if TYPE_CHECKING:
    from vsla.reports.readiness import ReadinessReport

_RATES = frozenset(
    {"attendance_rate", "par_30", "write_off_ratio", "savings_growth", "saving_rate"}
)


def _value(name: str, value: int | Decimal | bool | None, lang: Lang) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return tick(value)
    if name in _RATES:
        return percent(Decimal(value), lang)
    return count(int(value), lang)


def _header(c: CriterionResult, lang: Lang) -> str:
    return f"{label(f'crit_{c.name}', lang)} {c.comparison} {_value(c.name, c.threshold, lang)}"


def _cell(c: CriterionResult, lang: Lang) -> Text:
    text = f"{_value(c.name, c.value, lang)} {tick(c.passed)}"
    return Text(text, style="green" if c.passed else "red")


def readiness_tables(report: ReadinessReport, lang: Lang) -> list[RenderableType]:
    """The report as rich renderables: a title, then needs, groups and shortlist."""
    scope = f" — {label('district', lang)} {report.district}" if report.district else ""
    title = Text.assemble(
        (f"{label('readiness_title', lang)}: {report.programme_name}", "bold"),
        f"{scope} — {label('on', lang)} {report.on.isoformat()}",
    )
    target = report.needs[0].referral_rate.target
    needs = Table(
        title=label(
            "readiness_needs",
            lang,
            target=percent(target if isinstance(target, Decimal) else None, lang),
        ),
        title_justify="left",
    )
    needs.add_column(label("district", lang))
    for key in ("members", "referral", "readiness_rate"):
        needs.add_column(label(key, lang), justify="right")
    for key in ("readiness_to_refer", "readiness_shortlisted", "readiness_groups_ready"):
        needs.add_column(label(key, lang), justify="right")
    for n in report.needs:
        needs.add_row(
            label("total", lang) if n.dimension == "total" else n.district,
            count(n.members, lang),
            count(n.referred, lang),
            Text(
                percent(n.referral_rate.value, lang),
                style=""
                if n.referral_rate.met is None
                else "green"
                if n.referral_rate.met
                else "red",
            ),
            count(n.members_to_refer, lang),
            count(n.shortlisted, lang),
            f"{count(n.groups_ready, lang)}/{count(n.groups, lang)}",
        )
    out: list[RenderableType] = [title, needs]
    if report.groups:
        groups = Table(title=label("readiness_groups", lang), title_justify="left")
        groups.add_column(label("group", lang))
        groups.add_column(label("district", lang))
        for c in report.groups[0].criteria:
            groups.add_column(_header(c, lang), justify="right")
        groups.add_column(label("readiness_ready", lang), justify="center")
        for g in report.groups:
            groups.add_row(
                g.group_code,
                g.district,
                *(_cell(c, lang) for c in g.criteria),
                Text(tick(g.ready), style="green" if g.ready else "red"),
            )
        out.append(groups)
    shortlist = Table(
        title=label("readiness_shortlist", lang, n=count(len(report.shortlist), lang)),
        title_justify="left",
    )
    for key in ("district", "group"):
        shortlist.add_column(label(key, lang))
    shortlist.add_column("#", justify="right")
    shortlist.add_column(label("member", lang))
    if report.shortlist:
        for c in report.shortlist[0].criteria:
            shortlist.add_column(_header(c, lang), justify="right")
    for m in report.shortlist:
        shortlist.add_row(
            m.district,
            m.group_code,
            str(m.member_number),
            m.full_name,
            *(_cell(c, lang) for c in m.criteria),
        )
    out.append(shortlist)
    return out


def report_readiness(
    db: Annotated[
        str,
        typer.Option(
            "--db", envvar="VSLA_DB", help="SQLite file or database URL.", show_default=True
        ),
    ] = DEFAULT_DB,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="YYYY-MM-DD",
            help="Report date (default: the date of the latest meeting recorded).",
        ),
    ] = None,
    district: Annotated[
        str | None, typer.Option("--district", help="Only this district's groups.")
    ] = None,
    programme: Annotated[
        int | None,
        typer.Option("--programme", min=1, help="Programme id (default: the first programme)."),
    ] = None,
    lang: Annotated[
        Lang, typer.Option("--lang", case_sensitive=False, help="Labels: vi or en.")
    ] = Lang.VI,
) -> None:
    """Readiness for formal finance: members to refer per district to reach the target,
    each group's criteria, and the shortlist of members to refer next."""
    from vsla.reports.readiness import linkage_readiness

    day = parse_day(on)
    with vsla_errors(), open_db(db) as store:
        pid = pick_programme(store, programme)
        if district is not None:
            district = known_district(store, pid, district)
        if day is None:
            day = latest_meeting(store, programme_id=pid) or dt.date.today()
        report = linkage_readiness(store, pid, day, district=district)
        console = stdout()
        for part in readiness_tables(report, lang):
            console.print(part)
