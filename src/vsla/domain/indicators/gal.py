"""GAL pilot groups vs the other groups of a programme on a date: :class:`GalComparison`,
built by :func:`gal_comparison_from_facts`."""

from __future__ import annotations

__all__ = ["GalComparison", "GalSide", "gal_comparison_from_facts"]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from vsla.domain.activity import GalTool
from vsla.domain.base import Record
from vsla.domain.entities import Programme, Sex
from vsla.domain.indicators.facts import (
    CellFacts,
    GalFacts,
    GroupFacts,
    PopulationFacts,
    ProgrammeFacts,
    SessionFacts,
)
from vsla.domain.indicators.formulas import (
    Indicator,
    attendance_rate,
    indicator,
    linked_rate,
    livelihood_support_rate,
    referral_rate,
    savings_per_member,
)
from vsla.domain.tabular import ReportRow, Tabular


class GalSide(Record):
    """One side of the GAL comparison: the pilot groups, or the other groups."""

    pilot: bool
    groups: int
    members: int
    women: int
    women_share_of_members: Indicator
    women_share_of_officers: Indicator
    women_share_of_loans: Indicator
    women_share_of_loan_value: Indicator
    savings_per_woman: Indicator
    women_attendance_rate: Indicator
    referral_rate: Indicator
    linked_rate: Indicator
    livelihood_support_rate: Indicator
    champions: int
    gal_sessions: int
    sessions_by_tool: dict[GalTool, int]
    session_women: int
    session_men: int
    reached_by_peer_sharing: int


_SIDE_FIGURES = tuple(name for name in GalSide.model_fields if name != "pilot")


class GalComparison(Record, Tabular):
    """GAL pilot groups vs the other groups of a programme, side by side, on a date."""

    amount_columns: ClassVar[frozenset[str]] = frozenset({"savings_per_woman"})

    programme_id: int
    programme_name: str
    on: dt.date
    represented_counts_as_present: bool
    pilot: GalSide
    other: GalSide

    def rows(self) -> list[ReportRow]:
        """One row per figure: ``{"figure", "pilot", "other"}`` (sessions by tool as
        ``sessions_<tool>``)."""
        out: list[ReportRow] = []
        for name in _SIDE_FIGURES:
            if name == "sessions_by_tool":
                for tool in GalTool:
                    out.append(
                        {
                            "figure": f"sessions_{tool.value}",
                            "pilot": self.pilot.sessions_by_tool[tool],
                            "other": self.other.sessions_by_tool[tool],
                        }
                    )
                continue
            a, b = getattr(self.pilot, name), getattr(self.other, name)
            if isinstance(a, Indicator) and isinstance(b, Indicator):
                out.append({"figure": name, "pilot": a.value, "other": b.value})
            else:
                out.append({"figure": name, "pilot": a, "other": b})
        return out


def _gal_side(
    pilot: bool,
    groups: Sequence[GroupFacts],
    population: Iterable[PopulationFacts],
    sessions: Mapping[str, SessionFacts],
    represented_counts_as_present: bool,
    programme: Programme,
) -> GalSide:
    female = Sex.FEMALE.value
    everyone = CellFacts()
    women = CellFacts()
    women_savings = 0
    for facts in groups:
        share_value = facts.cycle.share_value if facts.cycle is not None else 0
        for (sex, _), cell in facts.cells.items():
            everyone = everyone + cell
            if sex == female:
                women = women + cell
                women_savings += cell.shares * share_value
    people = PopulationFacts()
    for item in population:
        people = people + item
    activity = SessionFacts()
    for session in sessions.values():
        activity = activity + session
    targets = programme.targets
    return GalSide(
        pilot=pilot,
        groups=len(groups),
        members=everyone.members,
        women=women.members,
        women_share_of_members=indicator("women_share_of_members", women.members, everyone.members),
        women_share_of_officers=indicator(
            "women_share_of_officers", women.officers, everyone.officers
        ),
        women_share_of_loans=indicator("women_share_of_loans", women.loans, everyone.loans),
        women_share_of_loan_value=indicator(
            "women_share_of_loan_value", women.principal_disbursed, everyone.principal_disbursed
        ),
        savings_per_woman=savings_per_member(
            women_savings, women.members, name="savings_per_woman"
        ),
        women_attendance_rate=attendance_rate(
            women.present,
            women.represented,
            women.expected,
            represented_counts_as_present=represented_counts_as_present,
            name="women_attendance_rate",
        ),
        referral_rate=referral_rate(people.referred, people.members, targets.referral_rate),
        linked_rate=linked_rate(people.linked, people.members),
        livelihood_support_rate=livelihood_support_rate(
            people.supported, people.members, targets.livelihood_support_rate
        ),
        champions=everyone.champions,
        gal_sessions=activity.sessions,
        sessions_by_tool={
            tool: sessions.get(tool.value, SessionFacts()).sessions for tool in GalTool
        },
        session_women=activity.women,
        session_men=activity.men,
        reached_by_peer_sharing=activity.reached_by_peer_sharing,
    )


def gal_comparison_from_facts(
    programme: Programme,
    on: dt.date,
    groups: Sequence[GroupFacts],
    population: ProgrammeFacts,
    activity: GalFacts,
    *,
    represented_counts_as_present: bool = True,
) -> GalComparison:
    """GAL pilots (groups with ``gal_pilot_since <= on``) vs the other groups."""
    sides = {}
    for pilot in (True, False):
        mine = [f for f in groups if f.group.is_gal_pilot(on) is pilot]
        ids = {f.group.id for f in mine}
        tools: dict[str, SessionFacts] = defaultdict(SessionFacts)
        for (gid, tool), item in activity.sessions.items():
            if gid in ids:
                tools[tool] = tools[tool] + item
        sides[pilot] = _gal_side(
            pilot,
            mine,
            [c for (gid, _, _), c in population.cells.items() if gid in ids],
            tools,
            represented_counts_as_present,
            programme,
        )
    return GalComparison(
        programme_id=programme.id,
        programme_name=programme.name,
        on=on,
        represented_counts_as_present=represented_counts_as_present,
        pilot=sides[True],
        other=sides[False],
    )
