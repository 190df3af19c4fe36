"""Rich tables for the programme dashboard and the group report.

The figures come from :mod:`vsla.reports` (``programme_indicators``, ``group_indicators``);
this module only lays them out: each target with its actual value and whether it is met,
then the figures per district, GAL pilots against the other groups, and a group's SAVIX
figures with their breakdown by sex.
"""

from __future__ import annotations

__all__ = ["group_report", "programme_dashboard"]

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from vsla.cli.labels import Lang, count, label, money, percent, tick
from vsla.domain.indicators import (
    GroupBreakdown,
    GroupIndicators,
    Indicator,
    ProgrammeLine,
    ProgrammeReport,
)
from vsla.domain.money import ratio, to_unit


def _rate(ind: Indicator, lang: Lang, *, fraction: bool = False) -> Text:
    """A rate, green when its target is met, red when it is not."""
    text = percent(ind.value, lang)
    if fraction and ind.value is not None:
        text += f" ({count(ind.numerator, lang)}/{count(ind.denominator, lang)})"
    style = "" if ind.met is None else ("green" if ind.met else "red")
    return Text(text, style=style)


def _target(ind: Indicator, lang: Lang) -> str:
    if ind.target is None:
        return "—"
    if isinstance(ind.target, int):
        return count(ind.target, lang)
    return percent(ind.target, lang)


def _met(ind: Indicator) -> Text:
    return Text(tick(ind.met), style="" if ind.met is None else ("green" if ind.met else "red"))


def programme_dashboard(report: ProgrammeReport, lang: Lang) -> list[RenderableType]:
    """The programme's targets with actual, target and met (✓/✗), then per district and
    GAL pilots vs the other groups, then the money of the groups per district."""
    scope = f" — {label('district', lang)} {report.district}" if report.district else ""
    title = Text.assemble(
        (f"{label('dashboard', lang)}: {report.programme_name}", "bold"),
        f"{scope} — {label('on', lang)} {report.on.isoformat()}",
    )
    targets = Table(title=label("targets", lang), title_justify="left")
    targets.add_column(label("figure", lang))
    targets.add_column(label("actual", lang), justify="right")
    targets.add_column(label("target", lang), justify="right")
    targets.add_column(label("met", lang), justify="center")
    for ind in (report.groups_active, report.gal_pilot_groups):
        targets.add_row(
            label(ind.name, lang), count(ind.numerator, lang), _target(ind, lang), _met(ind)
        )
    for ind in (report.referral_rate, report.linked_rate, report.livelihood_support_rate):
        targets.add_row(
            label(ind.name, lang), _rate(ind, lang, fraction=True), _target(ind, lang), _met(ind)
        )
    targets.add_row(label("members", lang), count(report.members, lang), "", "")
    targets.add_row(label("pct_women", lang), percent(report.pct_women.value, lang), "", "")

    districts = _lines_table(label("by_district", lang), label("district", lang), lang)
    for line in report.by_district:
        _add_line(districts, line.label, line, lang)
    gal = _lines_table(label("by_gal_status", lang), "", lang)
    for line in report.by_gal_status:
        _add_line(gal, label(line.key, lang), line, lang)
    return [title, targets, districts, gal, *_money_tables(report, lang)]


_MONEY_TABLES = (
    ("money_savings", ("members_saving", "savings", "savings_per_member")),
    ("money_funds", ("social_fund_cash", "loan_fund_utilization", "return_on_savings")),
    ("money_loans", ("loans_active", "loans_outstanding", "par_1", "par_30")),
)
_AMOUNTS = frozenset({"savings", "savings_per_member", "loans_outstanding", "social_fund_cash"})


def _money_tables(report: ProgrammeReport, lang: Lang) -> list[RenderableType]:
    """The money of the running cycles per district, GAL pilots and others, and in all: the
    savings, the funds, the loans (three tables that fit 80 columns). Amounts in whole đồng,
    the unit in the column's name; numbers are never wrapped or cut."""
    tables: list[RenderableType] = []
    groups = [(label(line.key, lang), line) for line in report.by_gal_status]
    for title, columns in _MONEY_TABLES:
        sections = [
            [(line.label, _money_cells(line, columns, lang)) for line in report.by_district],
            [(name, _money_cells(line, columns, lang)) for name, line in groups],
            [(label("total", lang), _money_cells(report, columns, lang))],
        ]
        rows = [row for section in sections for row in section]
        table = Table(title=label(title, lang), title_justify="left")
        # every figure's column as wide as its widest cell: a figure is never cut or wrapped
        table.add_column(label("district", lang))
        for i, key in enumerate(columns):
            par = key.startswith("par_")
            name = label("par", lang, days=key[4:]) if par else label(key, lang)
            widest = max(len(cells[i]) for _, cells in rows)
            shown = f"{name} (₫)" if key in _AMOUNTS else name
            table.add_column(shown, justify="right", min_width=widest)
        for number, section in enumerate(s for s in sections if s):
            if number:
                table.add_section()
            for name, cells in section:
                table.add_row(name, *cells)
        tables.append(table)
    return tables


def _money_cells(
    line: ProgrammeLine | ProgrammeReport, columns: Sequence[str], lang: Lang
) -> tuple[str, ...]:
    def shown(key: str) -> str:
        value = getattr(line, key)
        if value is None:
            return "—"
        if isinstance(value, Indicator):
            if key in _AMOUNTS:
                return "—" if value.value is None else count(to_unit(value.value), lang)
            return percent(value.value, lang)
        return count(value, lang)

    return tuple(shown(key) for key in columns)


def _lines_table(title: str, first: str, lang: Lang) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    for key in ("groups", "gal_pilots", "members", "pct_women", "referral", "linked"):
        table.add_column(label(key, lang), justify="right")
    table.add_column(label("livelihood", lang), justify="right")
    return table


def _add_line(table: Table, name: str, line: ProgrammeLine, lang: Lang) -> None:
    table.add_row(
        name,
        "" if line.groups_active is None else count(line.groups_active, lang),
        "" if line.gal_pilot_groups is None else count(line.gal_pilot_groups, lang),
        count(line.members, lang),
        percent(ratio(line.women, line.members), lang),
        _rate(line.referral_rate, lang),
        _rate(line.linked_rate, lang),
        _rate(line.livelihood_support_rate, lang),
    )


def group_report(gi: GroupIndicators, lang: Lang) -> list[RenderableType]:
    """A group's figures on a date (docs/indicators.md) and their breakdown by sex."""
    if gi.cycle_number is None:
        status = "—"
    elif gi.shared_out_on is not None:
        status = f"{label('shared_out_on', lang)} {gi.shared_out_on.isoformat()}"
    else:
        status = label("running", lang)
    title = Text.assemble(
        (f"{label('group', lang)} {gi.group_code}: {gi.group_name}", "bold"),
        f" ({gi.district}) — {label('on', lang)} {gi.on.isoformat()} — "
        f"{label('cycle', lang)} {gi.cycle_number or '—'}"
        f"{' ' + gi.cycle_start.isoformat() if gi.cycle_start else ''}, {status}",
    )
    figures = Table(show_header=False)
    figures.add_column(label("figure", lang))
    figures.add_column(justify="right")
    rows: Sequence[tuple[str, str | Text]] = (
        (label("members", lang), count(gi.members, lang)),
        (label("pct_women", lang), percent(gi.pct_women.value, lang)),
        (label("dropout_rate", lang), percent(gi.dropout_rate.value, lang)),
        (label("meetings", lang), count(gi.meetings, lang)),
        (label("attendance_rate", lang), percent(gi.attendance_rate.value, lang)),
        (label("savings", lang), money(gi.savings, lang)),
        (label("savings_per_member", lang), _money_of(gi.savings_per_member, lang)),
        (label("loan_fund_cash", lang), money(gi.loan_fund_cash, lang)),
        (label("social_fund_cash", lang), money(gi.social_fund_cash, lang)),
        (label("loans_outstanding", lang), money(gi.loans_outstanding, lang)),
        (label("total_assets", lang), money(gi.total_assets, lang)),
        (label("loans", lang), count(gi.loans, lang)),
        (label("average_loan_size", lang), _money_of(gi.average_loan_size, lang)),
        (label("pct_members_with_loans", lang), percent(gi.pct_members_with_loans.value, lang)),
        (label("loan_fund_utilization", lang), percent(gi.loan_fund_utilization.value, lang)),
        *(
            (label("par", lang, days=days), percent(ind.value, lang))
            for days, ind in sorted(gi.par.items())
        ),
        (label("write_off_ratio", lang), percent(gi.write_off_ratio.value, lang)),
        (label("net_income", lang), money(gi.net_income, lang)),
        (
            label("annualized_return_on_savings", lang),
            percent(gi.annualized_return_on_savings.value, lang),
        ),
        (
            label("projected_value_per_share", lang),
            _money_of(gi.projected_value_per_share, lang),
        ),
    )
    for name, value in rows:
        figures.add_row(name, value)

    by_sex = Table(title=label("by_sex", lang), title_justify="left")
    by_sex.add_column("")
    for key in ("members", "savings", "loans", "average_loan_size", "attendance_rate"):
        by_sex.add_column(label(key, lang), justify="right")
    for line in gi.by_sex:
        by_sex.add_row(*_sex_row(line, lang))
    return [title, figures, by_sex]


def _sex_row(line: GroupBreakdown, lang: Lang) -> tuple[str, ...]:
    return (
        label(f"sex_{line.key}", lang),
        count(line.members, lang),
        money(line.savings, lang),
        count(line.loans, lang),
        _money_of(line.average_loan_size, lang),
        percent(line.attendance_rate.value, lang),
    )


def _money_of(ind: Indicator, lang: Lang) -> str:
    """A per-person or per-loan amount, rounded half up to the whole đồng for display."""
    if ind.value is None:
        return "—"
    return money(to_unit(ind.value), lang)
