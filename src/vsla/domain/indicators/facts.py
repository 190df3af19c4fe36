"""The facts the indicator reports are computed from, and the helpers both paths share.

A fact is a sum or a count: :class:`GroupFacts` (with its :class:`CellFacts` per (sex,
ethnicity) and its :class:`CycleFacts`), :class:`PopulationFacts` and
:class:`ProgrammeFacts`, :class:`SessionFacts` and :class:`GalFacts`, and
:class:`DistrictFacts`. Two paths produce them: SQL aggregate queries over the whole
programme (:mod:`vsla.reports.indicators`) and plain Python over records held in memory
(:mod:`vsla.reports.reference`); tests check that both give equal facts. The helpers here
(:func:`in_population`, :func:`period_ends`, :func:`loan_risk`, :func:`make_group_facts`)
are the rules both paths apply the same way.
"""

from __future__ import annotations

__all__ = [
    "CELL_KIND_FIELDS",
    "COUNT_FIELDS",
    "CellFacts",
    "CellKey",
    "CycleFacts",
    "DistrictFacts",
    "GalFacts",
    "GroupFacts",
    "MembersPolicy",
    "PopulationFacts",
    "ProgrammeFacts",
    "SessionFacts",
    "in_population",
    "loan_risk",
    "make_group_facts",
    "period_ends",
]

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal  # noqa: F401  (the name loan_risk's doctest uses)
from enum import StrEnum
from typing import Literal

from dateutil.relativedelta import relativedelta

from vsla.domain.entities import Group, Member
from vsla.domain.indicators.money import MoneyFacts
from vsla.domain.ledger import EntryKind
from vsla.domain.loans import LoanTerms
from vsla.domain.loanstate import LoanMove, LoanPurpose, LoanState
from vsla.errors import InvalidInput


class MembersPolicy(StrEnum):
    """Who counts as a member in a programme figure (docs/indicators.md, a **policy**).

    ``active_on_date`` (default): members active on the date (joined on or before it, not
    yet left). ``ever_in_period``: everyone who was a member at some time in the programme
    period up to the date (joined on or before min(date, period end), and not left on or
    before the period start).
    """

    ACTIVE_ON_DATE = "active_on_date"
    EVER_IN_PERIOD = "ever_in_period"


def in_population(
    member: Member,
    on: dt.date,
    policy: MembersPolicy,
    period_start: dt.date,
    period_end: dt.date,
) -> bool:
    """Whether ``member`` counts in a programme figure on ``on`` under ``policy``."""
    if policy is MembersPolicy.ACTIVE_ON_DATE:
        return member.is_active(on)
    return member.joined_on <= min(on, period_end) and (
        member.left_on is None or member.left_on > period_start
    )


def period_ends(
    start: dt.date, end: dt.date, frequency: Literal["monthly", "quarterly", "yearly"]
) -> list[dt.date]:
    """The month, quarter or year ends within ``[start, end]``, plus ``end`` itself.

    ```pycon
    >>> [d.isoformat() for d in period_ends(dt.date(2021, 1, 1), dt.date(2021, 12, 31),
    ...                                      "quarterly")]
    ['2021-03-31', '2021-06-30', '2021-09-30', '2021-12-31']
    >>> [d.isoformat() for d in period_ends(dt.date(2021, 2, 15), dt.date(2021, 8, 15),
    ...                                      "quarterly")]
    ['2021-03-31', '2021-06-30', '2021-08-15']

    ```
    """
    step = {"monthly": 1, "quarterly": 3, "yearly": 12}.get(frequency)
    if step is None:
        raise InvalidInput(
            f"frequency must be 'monthly', 'quarterly' or 'yearly', got {frequency!r}"
        )
    if end < start:
        return []
    out: list[dt.date] = []
    # the first period whose end is on or after start: months counted from January
    month = ((start.month - 1) // step + 1) * step  # last month of start's period
    first = dt.date(start.year, 1, 1) + relativedelta(months=month) - dt.timedelta(days=1)
    k = 0
    while True:
        day = first + relativedelta(months=k * step, day=31)
        if day > end:
            break
        out.append(day)
        k += 1
    if not out or out[-1] != end:
        out.append(end)
    return out


def loan_risk(
    terms: LoanTerms, moves: Mapping[tuple[dt.date, EntryKind], int], on: dt.date
) -> tuple[int, int] | None:
    """``(days_overdue, principal_outstanding)`` of one loan at the close of ``on``, or
    ``None`` when it has nothing outstanding (or its disbursement was reversed).

    ``moves`` is Σ amount per (effective date, kind) of the loan's entries recorded on or
    before ``on``; a reversing entry takes the date of the entry it reverses. This is
    :meth:`vsla.domain.loanstate.LoanState.risk`, the one rule both report paths use, for
    moves already cut at ``on``.

    ```pycon
    >>> t = LoanTerms(principal=100_000, interest_rate=Decimal("0.02"), term_months=1,
    ...               disbursed_on=dt.date(2024, 4, 10))
    >>> moves = {(dt.date(2024, 4, 10), EntryKind.LOAN_DISBURSEMENT): 100_000}
    >>> loan_risk(t, moves, dt.date(2024, 6, 9)), loan_risk(t, moves, dt.date(2024, 6, 10))
    ((30, 100000), (31, 100000))

    ```
    """
    loan = LoanState(
        id=0,
        member_id=0,
        terms=terms,
        purpose=LoanPurpose.OTHER,
        moves=tuple(LoanMove(day, day, kind, amount) for (day, kind), amount in moves.items()),
    )
    return loan.risk(on)


CellKey = tuple[str, str]
"""A (sex, ethnicity) pair: ``("F", "Xơ Đăng")``. Ethnicity ``""`` when not recorded."""


@dataclass(frozen=True, slots=True)
class CellFacts:
    """Additive facts about the members of one (sex, ethnicity) cell of one group on a date.

    People: ``members`` (active on the date), ``members_at_cycle_start``,
    ``joined_during_cycle`` (joined in (cycle start, date]), ``left_during_cycle`` (left in
    (cycle start, date]), ``champions`` (active GAL
    champions), ``officers`` (active officers of the running cycle), ``members_with_loans``
    (active, with principal outstanding). Money, over the running cycle's entries dated on
    or before the date: ``shares``, ``principal_disbursed``, ``principal_repaid``,
    ``principal_written_off``, ``share_out_payouts``; ``loans`` counts the loans disbursed.
    Attendance over the meetings counted: ``expected``, ``present``, ``represented``, and
    the same over the last four (``*_last_4``). ``risks`` holds
    ``(days_overdue, principal_outstanding)`` of each loan with principal outstanding,
    sorted.
    """

    members: int = 0
    members_at_cycle_start: int = 0
    joined_during_cycle: int = 0
    left_during_cycle: int = 0
    champions: int = 0
    officers: int = 0
    shares: int = 0
    principal_disbursed: int = 0
    principal_repaid: int = 0
    principal_written_off: int = 0
    share_out_payouts: int = 0
    loans: int = 0
    members_with_loans: int = 0
    expected: int = 0
    present: int = 0
    represented: int = 0
    expected_last_4: int = 0
    present_last_4: int = 0
    represented_last_4: int = 0
    risks: tuple[tuple[int, int], ...] = ()

    def __add__(self, other: CellFacts) -> CellFacts:
        counts = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "risks"
        }
        return CellFacts(**counts, risks=tuple(sorted(self.risks + other.risks)))

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def loans_outstanding(self) -> int:
        return self.principal_disbursed - self.principal_repaid - self.principal_written_off


COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CellFacts) if f.name != "risks")
"""The integer fields of :class:`CellFacts`, in order."""

CELL_KIND_FIELDS: Mapping[EntryKind, str] = {
    EntryKind.LOAN_DISBURSEMENT: "principal_disbursed",
    EntryKind.PRINCIPAL_REPAYMENT: "principal_repaid",
    EntryKind.WRITE_OFF: "principal_written_off",
    EntryKind.SHARE_OUT_PAYOUT: "share_out_payouts",
}
"""The field of :class:`CellFacts` that sums a member's entries of each of these kinds."""


@dataclass(frozen=True, slots=True)
class CycleFacts:
    """The cycle a group runs on the report date (latest cycle started on or before it)."""

    id: int
    number: int
    start_date: dt.date
    end_date: dt.date
    share_value: int
    shared_out_on: dt.date | None


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """Everything a group's indicators are computed from, as of ``on``.

    ``totals`` is Σ amount per entry kind over the running cycle's entries dated on or before
    ``on`` (zero sums left out), ``shares`` the net shares of those entries, ``meetings`` the
    number of meetings counted for attendance, ``cells`` the per-(sex, ethnicity) facts
    (empty cells left out).
    """

    group: Group
    on: dt.date
    cycle: CycleFacts | None
    totals: Mapping[EntryKind, int]
    shares: int
    meetings: int
    cells: Mapping[CellKey, CellFacts]


def make_group_facts(
    group: Group,
    on: dt.date,
    cycle: CycleFacts | None,
    totals: Mapping[EntryKind, int],
    shares: int,
    meetings: int,
    counts: Mapping[CellKey, Mapping[str, int]],
    risks: Mapping[CellKey, Iterable[tuple[int, int]]],
) -> GroupFacts:
    """Build :class:`GroupFacts` from accumulated counts, the one normal form both paths
    share: zero totals and empty cells are dropped, risks are sorted."""
    cells: dict[CellKey, CellFacts] = {}
    for key in sorted(set(counts) | set(risks)):
        given = counts.get(key, {})
        unknown = set(given) - set(COUNT_FIELDS)
        if unknown:
            raise ValueError(f"unknown cell facts: {sorted(unknown)}")
        cell = CellFacts(
            **{name: int(given.get(name, 0)) for name in COUNT_FIELDS},
            risks=tuple(sorted(risks.get(key, ()))),
        )
        if cell:
            cells[key] = cell
    return GroupFacts(
        group=group,
        on=on,
        cycle=cycle,
        totals={k: int(v) for k, v in sorted(totals.items()) if v},
        shares=int(shares),
        meetings=int(meetings),
        cells=cells,
    )


@dataclass(frozen=True, slots=True)
class PopulationFacts:
    """Members of one (group, sex, ethnicity) counted in a programme figure, and how many of
    them were referred, linked (accessed) and supported on or before the date."""

    members: int = 0
    referred: int = 0
    linked: int = 0
    supported: int = 0

    def __add__(self, other: PopulationFacts) -> PopulationFacts:
        return PopulationFacts(
            self.members + other.members,
            self.referred + other.referred,
            self.linked + other.linked,
            self.supported + other.supported,
        )


@dataclass(frozen=True, slots=True)
class ProgrammeFacts:
    """The groups of a scope and the population facts per (group id, sex, ethnicity)."""

    groups: tuple[Group, ...]
    cells: Mapping[tuple[int, str, str], PopulationFacts]
    money: MoneyFacts = field(default_factory=MoneyFacts)
    """Money per (group id, sex, ethnicity) and cash per group id."""


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """GAL sessions of one group with one tool held on or before the date."""

    sessions: int = 0
    women: int = 0
    men: int = 0
    reached_by_peer_sharing: int = 0

    def __add__(self, other: SessionFacts) -> SessionFacts:
        return SessionFacts(
            self.sessions + other.sessions,
            self.women + other.women,
            self.men + other.men,
            self.reached_by_peer_sharing + other.reached_by_peer_sharing,
        )


@dataclass(frozen=True, slots=True)
class GalFacts:
    """GAL session facts per (group id, tool value)."""

    sessions: Mapping[tuple[int, str], SessionFacts] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DistrictFacts:
    """A programme's facts already summed per district by the database (the dashboard's
    fast path): (groups active, GAL pilot groups) per district, and the population facts
    per (district, sex)."""

    groups: Mapping[str, tuple[int, int]]
    cells: Mapping[tuple[str, str], PopulationFacts]
    money: MoneyFacts = field(default_factory=MoneyFacts)
    """Money per ``(district,)`` and cash per district."""
