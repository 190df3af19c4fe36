"""Linkage readiness of a programme's groups, the referral shortlist and the members each
district must still refer to reach its target (docs/readiness.md).

:func:`linkage_readiness` reads, in one snapshot, the group indicators
(:func:`~vsla.reports.indicators.group_indicators_all`: attendance, PAR30, officers, savings),
the history facts of :meth:`~vsla.store.readiness.ReadinessStore.readiness_facts` and the
programme figures by district (:func:`~vsla.reports.indicators.programme_indicators`: the
referral rate and its target), and judges them with the pure rules of
:mod:`vsla.domain.readiness`.
"""

from __future__ import annotations

__all__ = ["ReadinessReport", "ReferralNeed", "linkage_readiness"]

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from vsla.domain.arguments import checked_call
from vsla.domain.base import Record
from vsla.domain.indicators import Indicator
from vsla.domain.readiness import (
    CriterionResult,
    GroupHistory,
    GroupReadiness,
    MemberReadiness,
    ReadinessCriteria,
    evaluate_group,
    evaluate_member,
    members_to_refer,
)
from vsla.domain.tabular import ReportRow, Tabular
from vsla.errors import InvalidInput
from vsla.reports.indicators import group_indicators_all, programme_indicators
from vsla.store.store import Store
from vsla.store.transactions import one_snapshot

if TYPE_CHECKING:
    import pandas as pd

Table = Literal["groups", "shortlist", "districts"]
"""The three tables of a :class:`ReadinessReport`."""


class ReferralNeed(Record):
    """How far a district (or the whole scope, ``dimension="total"``) is from its referral
    target: ``members_to_refer`` is the fewest more members to refer so that the referral
    rate reaches the target (:func:`~vsla.domain.readiness.members_to_refer`);
    ``shortlisted`` says how many candidates the shortlist holds there."""

    dimension: Literal["total", "district"]
    district: str
    groups: int
    groups_ready: int
    members: int
    referred: int
    referral_rate: Indicator
    members_to_refer: int
    shortlisted: int


@dataclass(frozen=True)
class _Rows(Tabular):
    data: list[ReportRow]

    def rows(self) -> list[ReportRow]:
        return self.data


def _criterion_cells(results: tuple[CriterionResult, ...]) -> ReportRow:
    row: ReportRow = {}
    for c in results:
        row[c.name] = c.value
        row[f"{c.name}_threshold"] = c.threshold
        row[f"{c.name}_passed"] = c.passed
    return row


def reasons_text(results: tuple[CriterionResult, ...]) -> str:
    """The criteria as one line: ``saving_rate 0.9167 >= 0.75 ✓; late_loans 0 <= 0 ✓``."""

    def shown(value: int | Decimal | bool | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, Decimal):
            return f"{value.quantize(Decimal('0.0001')).normalize():f}"
        return str(value)

    return "; ".join(
        f"{c.name} {shown(c.value)} {c.comparison} {shown(c.threshold)} {'✓' if c.passed else '✗'}"
        for c in results
    )


class ReadinessReport(Record, Tabular):
    """Linkage readiness on a date: each group with every criterion judged (``groups``),
    the members not yet referred who meet every member criterion (``shortlist``, each with
    the criteria as reasons), and per district the members still to refer to reach the
    referral target (``needs``: the scope's total first).

    ``rows()`` and ``to_dataframe()`` give one of three tables: ``"groups"`` (default),
    ``"shortlist"`` or ``"districts"``.
    """

    programme_id: int
    programme_name: str
    on: dt.date
    district: str | None
    criteria: ReadinessCriteria
    groups: tuple[GroupReadiness, ...]
    shortlist: tuple[MemberReadiness, ...]
    needs: tuple[ReferralNeed, ...]

    def group(self, code: str) -> GroupReadiness:
        """The readiness of the group with this code."""
        for g in self.groups:
            if g.group_code == code:
                return g
        raise KeyError(f"no group {code!r} in this report")

    def need(self, district: str | None = None) -> ReferralNeed:
        """The need of ``district``, or the scope's total when ``None``."""
        for n in self.needs:
            if (n.dimension == "total") if district is None else (n.district == district):
                return n
        raise KeyError(f"no district {district!r} in this report")

    def rows(self, table: Table = "groups") -> list[ReportRow]:
        """The rows of one table: ``"groups"`` (a column per criterion: value, threshold,
        passed), ``"shortlist"`` (one row per member, with the reasons as text too) or
        ``"districts"`` (the total, then each district)."""
        if table == "groups":
            return [
                {
                    "on": self.on,
                    "group_id": g.group_id,
                    "group_code": g.group_code,
                    "group_name": g.group_name,
                    "district": g.district,
                    "ready": g.ready,
                    "failed": ", ".join(g.failed),
                    **_criterion_cells(g.criteria),
                }
                for g in self.groups
            ]
        if table == "shortlist":
            return [
                {
                    "on": self.on,
                    "district": m.district,
                    "group_code": m.group_code,
                    "member_number": m.member_number,
                    "full_name": m.full_name,
                    "sex": m.sex,
                    "group_ready": m.group_ready,
                    "loans": m.loans,
                    "most_days_overdue": m.most_days_overdue,
                    **_criterion_cells(m.criteria),
                    "reasons": reasons_text(m.criteria),
                }
                for m in self.shortlist
            ]
        if table == "districts":
            return [
                {
                    "on": self.on,
                    "dimension": n.dimension,
                    "district": n.district,
                    "groups": n.groups,
                    "groups_ready": n.groups_ready,
                    "members": n.members,
                    "referred": n.referred,
                    "referral_rate": n.referral_rate.value,
                    "target": n.referral_rate.target,
                    "met": n.referral_rate.met,
                    "members_to_refer": n.members_to_refer,
                    "shortlisted": n.shortlisted,
                }
                for n in self.needs
            ]
        raise InvalidInput(f"table must be 'groups', 'shortlist' or 'districts', got {table!r}")

    def to_dataframe(self, table: Table = "groups") -> pd.DataFrame:
        """One table as a pandas DataFrame (needs ``pip install "vsla[pandas]"``)."""
        return _Rows(self.rows(table)).to_dataframe()


def _need(
    dimension: Literal["total", "district"],
    key: str,
    rate: Indicator,
    groups: list[GroupReadiness],
    shortlist: list[MemberReadiness],
) -> ReferralNeed:
    """One line of needs: the referral rate is the programme report's (referred / members,
    with the programme's target)."""
    members, referred, target = rate.denominator, rate.numerator, rate.target
    assert target is None or isinstance(target, Decimal)
    return ReferralNeed(
        dimension=dimension,
        district=key,
        groups=len(groups),
        groups_ready=sum(1 for g in groups if g.ready),
        members=members,
        referred=referred,
        referral_rate=rate,
        members_to_refer=0 if target is None else members_to_refer(referred, members, target),
        shortlisted=len(shortlist),
    )


@checked_call  # ids, dates, texts and the criteria from data: InvalidInput, before any SQL
def linkage_readiness(
    store: Store,
    programme_id: int,
    on: dt.date,
    *,
    district: str | None = None,
    criteria: ReadinessCriteria | None = None,
) -> ReadinessReport:
    """Linkage readiness of a programme's groups (of one district) on ``on``, the referral
    shortlist and the members each district must still refer (docs/readiness.md).

    ``criteria`` (default :class:`~vsla.domain.readiness.ReadinessCriteria` ``()``) holds
    every threshold. Members count as the programme figures count them (active on ``on``),
    and the referral rate and its target are the programme report's own. Every figure is
    read in one snapshot of the database.
    """
    rules = ReadinessCriteria() if criteria is None else criteria
    return _readiness(store, programme_id, on, district, rules)


@one_snapshot  # the store positional: one_snapshot takes it so
def _readiness(
    store: Store,
    programme_id: int,
    on: dt.date,
    district: str | None,
    rules: ReadinessCriteria,
) -> ReadinessReport:
    programme = store.programme(programme_id)
    indicators = group_indicators_all(
        store, on, programme_id=programme_id, district=district, par_days=(30,)
    )
    facts = store.readiness_facts(
        programme_id, on, district=district, saving_window_meetings=rules.saving_window_meetings
    )
    groups: list[GroupReadiness] = []
    for gi in indicators:
        past = facts.groups[gi.group_id]
        groups.append(
            evaluate_group(
                GroupHistory(
                    group_id=gi.group_id,
                    group_code=gi.group_code,
                    group_name=gi.group_name,
                    district=gi.district,
                    cycles_completed=past.cycles_completed,
                    attended=gi.attendance_rate.numerator,
                    expected=gi.attendance_rate.denominator,
                    at_risk_30=gi.par[30].numerator,
                    loans_outstanding=gi.par[30].denominator,
                    principal_disbursed=past.principal_disbursed,
                    principal_written_off=past.principal_written_off,
                    savings_now=gi.savings,
                    savings_before=past.savings_before,
                    officers=gi.officers,
                ),
                rules,
            )
        )
    ready = {g.group_id: g.ready for g in groups}
    shortlist = [
        judged
        for member in facts.members
        if (
            judged := evaluate_member(
                member, rules, on, group_ready=ready.get(member.group_id, False)
            )
        ).shortlisted
    ]
    figures = programme_indicators(
        store, programme_id, on, district=district, breakdowns=["district"]
    )
    needs = [_need("total", figures.district or "", figures.referral_rate, groups, shortlist)]
    for line in figures.by_district:
        needs.append(
            _need(
                "district",
                line.key,
                line.referral_rate,
                [g for g in groups if g.district == line.key],
                [m for m in shortlist if m.district == line.key],
            )
        )
    return ReadinessReport(
        programme_id=programme.id,
        programme_name=programme.name,
        on=on,
        district=figures.district,
        criteria=rules,
        groups=tuple(groups),
        shortlist=tuple(shortlist),
        needs=tuple(needs),
    )
