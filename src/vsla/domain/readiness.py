"""Linkage readiness: which groups are ready for formal finance, which members to refer
next, and how many more members each district must refer to reach its target
(docs/readiness.md).

Everything here is a pure function of plain facts (no database): the store gathers the facts
(:mod:`vsla.store.readiness`), the report (:mod:`vsla.reports.readiness`) hands them here.
Nothing is a black box: every criterion is a field of :class:`ReadinessCriteria` with a
documented default, and every result lists each criterion with its value, its threshold and
whether it passed (:class:`CriterionResult`).

```pycon
>>> members_to_refer(referred=2, members=20, target=Decimal("0.15"))  # 15 % of 20 = 3
1
>>> c = criterion("attendance_rate", ">=", Decimal("0.8"), numerator=17, denominator=20)
>>> c.value, c.passed
(Decimal('0.85'), True)

```
"""

from __future__ import annotations

__all__ = [
    "CriterionResult",
    "GroupHistory",
    "GroupReadiness",
    "LoanRecord",
    "MemberHistory",
    "MemberReadiness",
    "ReadinessCriteria",
    "criterion",
    "evaluate_group",
    "evaluate_member",
    "loan_record",
    "members_to_refer",
    "most_days_overdue",
]

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

from dateutil.relativedelta import relativedelta
from pydantic import Field, StrictBool, StrictInt, field_validator

from vsla.domain.arguments import checked_call
from vsla.domain.base import Record, no_float
from vsla.domain.ledger import EntryKind
from vsla.domain.loanbook import LoanPosition
from vsla.domain.loanstate import LoanState
from vsla.domain.money import ratio
from vsla.errors import InvalidInput

Count = Annotated[StrictInt, Field(ge=0)]
"""A whole number >= 0 (a bool or text is refused)."""

Comparison = Literal[">=", "<="]
"""How a criterion's value meets its threshold: at least (``>=``) or at most (``<=``)."""


class ReadinessCriteria(Record):
    """The thresholds of linkage readiness; every one a parameter with a documented default
    (docs/readiness.md says why each default was chosen).

    A group is *ready* when it meets every group criterion; a member not yet referred is
    *shortlisted* when they meet every member criterion. Rates are fractions (``0.80`` for
    80 %), given as :class:`~decimal.Decimal` or text, never as floats.
    """

    # groups
    min_cycles_completed: Count = 1
    """Cycles shared out on or before the date."""
    min_attendance_rate: Decimal = Field(Decimal("0.80"), ge=0, le=1)
    """Attendance over the running cycle's meetings (as the group indicators count it)."""
    max_par_30: Decimal = Field(Decimal("0.05"), ge=0, le=1)
    """Portfolio at risk over 30 days on the date."""
    max_write_off_ratio: Decimal = Field(Decimal("0.02"), ge=0, le=1)
    """Principal written off / principal disbursed, over every cycle of the group."""
    min_savings_growth: Decimal = Field(Decimal("0"), ge=-1)
    """Savings of the running cycle so far / savings of the previous cycle at the same
    point (days since its start), minus 1."""
    pass_growth_without_previous_cycle: StrictBool = True
    """The verdict on savings growth for a group with no previous cycle to compare with
    (its first cycle): it passes by default, and ``min_cycles_completed`` judges it."""
    min_officers: Count = 5
    """Officers of the running cycle still members on the date."""
    # members
    saving_window_meetings: StrictInt = Field(12, ge=1)
    """How many of the member's latest meetings the saving rate looks at."""
    min_meetings_held: Count = 4
    """Meetings held while a member, within the window: fewer say too little."""
    min_saving_rate: Decimal = Field(Decimal("0.75"), ge=0, le=1)
    """Meetings at which the member bought shares / meetings held while a member."""
    max_days_late: Count = 0
    """A loan overdue by more than this many days (at the close of any day) is late."""
    max_late_loans: Count = 0
    """Late or written-off loans allowed in the member's whole history with the group."""
    min_loans_repaid_on_time: Count = 0
    """Loans repaid in full and never late; 0 shortlists savers who never borrowed."""
    only_ready_groups: StrictBool = False
    """Shortlist only members of ready groups."""

    @field_validator(
        "min_attendance_rate",
        "max_par_30",
        "max_write_off_ratio",
        "min_savings_growth",
        "min_saving_rate",
        mode="before",
    )
    @classmethod
    def _refuse_float(cls, value: Any) -> Any:
        return no_float(value)


class CriterionResult(Record):
    """One criterion as it was judged: its value (``numerator / denominator`` for a rate,
    ``None`` when the rate is undefined), the threshold, the comparison and the verdict.

    An undefined rate passes an *at most* criterion (no loans, nothing at risk) and fails an
    *at least* one (nothing recorded, nothing shown), unless the criterion says otherwise
    (savings growth without a previous cycle:
    :attr:`ReadinessCriteria.pass_growth_without_previous_cycle`).
    """

    name: str
    value: StrictInt | Decimal | StrictBool | None
    numerator: StrictInt | None = None
    denominator: StrictInt | None = None
    comparison: Comparison
    threshold: StrictInt | Decimal | StrictBool
    passed: StrictBool

    @field_validator("value", "threshold", mode="before")
    @classmethod
    def _refuse_float(cls, value: Any) -> Any:
        return no_float(value)


def criterion(
    name: str,
    comparison: Comparison,
    threshold: int | Decimal,
    *,
    value: int | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
    when_undefined: bool | None = None,
) -> CriterionResult:
    """Judge one criterion: a count (``value``) or a rate (``numerator / denominator``, by
    :func:`vsla.domain.money.ratio`, as every indicator). An undefined value passes an *at
    most* criterion and fails an *at least* one, unless ``when_undefined`` says otherwise.

    ```pycon
    >>> criterion("par_30", "<=", Decimal("0.05"), numerator=0, denominator=0).passed
    True
    >>> criterion("min_officers", ">=", 5, value=3).passed
    False

    ```
    """
    shown: int | Decimal | None
    if numerator is not None and denominator is not None:
        shown = ratio(numerator, denominator)
    else:
        shown = value
    if shown is None:
        passed = comparison == "<=" if when_undefined is None else when_undefined
    elif comparison == ">=":
        passed = shown >= threshold
    else:
        passed = shown <= threshold
    return CriterionResult(
        name=name,
        value=shown,
        numerator=numerator,
        denominator=denominator,
        comparison=comparison,
        threshold=threshold,
        passed=passed,
    )


# ------------------------------------------------------------------------------ groups


@dataclass(frozen=True, slots=True)
class GroupHistory:
    """What a group's readiness is judged from, on a date.

    From the group indicators (running cycle): ``attended`` / ``expected`` (attendance as
    the indicators count it), ``at_risk_30`` / ``loans_outstanding`` (PAR30) and
    ``officers``. From the group's whole history: ``cycles_completed`` (shared out on or
    before the date), ``principal_disbursed`` and ``principal_written_off`` over every
    cycle, ``savings_now`` (the running cycle's savings so far) and ``savings_before``
    (the previous cycle's savings at the same number of days since its start; ``None``
    without a previous cycle).
    """

    group_id: int
    group_code: str
    group_name: str
    district: str
    cycles_completed: int
    attended: int
    expected: int
    at_risk_30: int
    loans_outstanding: int
    principal_disbursed: int
    principal_written_off: int
    savings_now: int
    savings_before: int | None
    officers: int


class GroupReadiness(Record):
    """A group's linkage readiness: every criterion with its value, threshold and verdict;
    ``ready`` when all pass."""

    group_id: int
    group_code: str
    group_name: str
    district: str
    criteria: tuple[CriterionResult, ...]
    ready: bool

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the criteria not met."""
        return tuple(c.name for c in self.criteria if not c.passed)

    def result(self, name: str) -> CriterionResult:
        """The criterion called ``name`` (``"par_30"``, ...)."""
        for c in self.criteria:
            if c.name == name:
                return c
        raise KeyError(f"group {self.group_code} has no criterion {name!r}")


def evaluate_group(history: GroupHistory, criteria: ReadinessCriteria) -> GroupReadiness:
    """Judge a group against ``criteria``: six criteria, in the order of docs/readiness.md.

    Savings growth is ``(savings_now − savings_before) / savings_before``.
    """
    h, c = history, criteria
    growth_base = h.savings_before
    results = (
        criterion("cycles_completed", ">=", c.min_cycles_completed, value=h.cycles_completed),
        criterion(
            "attendance_rate",
            ">=",
            c.min_attendance_rate,
            numerator=h.attended,
            denominator=h.expected,
        ),
        criterion(
            "par_30", "<=", c.max_par_30, numerator=h.at_risk_30, denominator=h.loans_outstanding
        ),
        criterion(
            "write_off_ratio",
            "<=",
            c.max_write_off_ratio,
            numerator=h.principal_written_off,
            denominator=h.principal_disbursed,
        ),
        criterion(
            "savings_growth",
            ">=",
            c.min_savings_growth,
            numerator=h.savings_now - (growth_base or 0),
            denominator=growth_base or 0,
            when_undefined=(c.pass_growth_without_previous_cycle if growth_base is None else False),
        ),
        criterion("officers", ">=", c.min_officers, value=h.officers),
    )
    return GroupReadiness(
        group_id=h.group_id,
        group_code=h.group_code,
        group_name=h.group_name,
        district=h.district,
        criteria=results,
        ready=all(r.passed for r in results),
    )


# ------------------------------------------------------------------------------ members


_LOWERS_ARREARS = frozenset(
    {
        EntryKind.INTEREST_PAYMENT,
        EntryKind.PRINCIPAL_REPAYMENT,
        EntryKind.WRITE_OFF,
        EntryKind.INTEREST_WRITE_OFF,
    }
)


def most_days_overdue(loan: LoanState, on: dt.date) -> int:
    """The most days the loan was overdue at the close of any day from its disbursement to
    ``on``, as recorded on each of those days (:meth:`LoanState.position`, the rule PAR
    uses).

    Days overdue grow by one a day until a payment or a write-off lowers them (a reversal
    only raises them), so the most is reached on the day before a payment or a write-off
    was recorded, or on ``on``: only those days are read, and only those after the end of
    the loan's first month, when the first amount falls due.

    ```pycon
    >>> from vsla.domain.loans import LoanTerms
    >>> from vsla.domain.loanstate import LoanMove, LoanPurpose
    >>> t = LoanTerms(principal=100_000, interest_rate=Decimal("0.02"), term_months=1,
    ...               disbursed_on=dt.date(2024, 4, 10))
    >>> paid = dt.date(2024, 5, 20)  # due 2024-05-10: paid 10 days late
    >>> loan = LoanState(id=1, member_id=1, terms=t, purpose=LoanPurpose.OTHER, moves=(
    ...     LoanMove(t.disbursed_on, t.disbursed_on, EntryKind.LOAN_DISBURSEMENT, 100_000),
    ...     LoanMove(paid, paid, EntryKind.INTEREST_PAYMENT, 4_000),
    ...     LoanMove(paid, paid, EntryKind.PRINCIPAL_REPAYMENT, 100_000)))
    >>> most_days_overdue(loan, dt.date(2024, 6, 30))
    9

    ```
    """
    if on < loan.terms.disbursed_on:
        return 0  # not yet lent
    return _arrears(loan, on)[0]


def _arrears(loan: LoanState, on: dt.date) -> tuple[int, LoanPosition]:
    """:func:`most_days_overdue`, and the loan's position on ``on`` (read once for both)."""
    # nothing is payable before the end of the loan's first month: no day up to it can be
    # overdue, and those days need not be read
    first_payable = loan.terms.disbursed_on + relativedelta(months=1)
    days = set()
    for move in loan.as_of(on).moves:
        if move.kind in _LOWERS_ARREARS and move.amount > 0:
            days.add(move.recorded_on - dt.timedelta(days=1))
    at_end = loan.position(on)
    worst = max(
        (loan.position(day).days_overdue for day in days if first_payable < day < on),
        default=0,
    )
    return max(worst, at_end.days_overdue), at_end


@dataclass(frozen=True, slots=True)
class LoanRecord:
    """A member's loans on a date: how many (not cancelled), how many repaid in full and
    never late, how many late (overdue by more than the allowed days at some close of day,
    or written off), and the most days any was overdue."""

    loans: int
    repaid_on_time: int
    late: int
    most_days_overdue: int


def loan_record(loans: Iterable[LoanState], on: dt.date, max_days_late: int) -> LoanRecord:
    """Count a member's loans disbursed on or before ``on`` (cancelled ones left out)."""
    n = on_time = late = worst = 0
    for loan in loans:
        state = loan.as_of(on)
        if loan.terms.disbursed_on > on or state.cancelled:
            continue
        n += 1
        overdue, at_end = _arrears(state, on)
        worst = max(worst, overdue)
        if overdue > max_days_late or state.write_offs:
            late += 1
        elif at_end.settled:
            on_time += 1
    return LoanRecord(loans=n, repaid_on_time=on_time, late=late, most_days_overdue=worst)


@dataclass(frozen=True, slots=True)
class MemberHistory:
    """What a member's place on the shortlist is judged from, on a date: the meetings held
    while they were a member (the latest ``saving_window_meetings`` of them, every cycle)
    and at how many of those they bought shares, and their loans with the group (every
    cycle)."""

    member_id: int
    member_number: int
    full_name: str
    sex: str
    group_id: int
    group_code: str
    district: str
    meetings_held: int
    meetings_saved: int
    loans: tuple[LoanState, ...]


class MemberReadiness(Record):
    """A member judged for the referral shortlist: every criterion with its value,
    threshold and verdict (the reasons), ``shortlisted`` when all pass."""

    member_id: int
    member_number: int
    full_name: str
    sex: str
    group_id: int
    group_code: str
    district: str
    group_ready: bool
    loans: int
    most_days_overdue: int
    criteria: tuple[CriterionResult, ...]
    shortlisted: bool

    def result(self, name: str) -> CriterionResult:
        """The criterion called ``name`` (``"saving_rate"``, ...)."""
        for c in self.criteria:
            if c.name == name:
                return c
        raise KeyError(f"member {self.full_name} has no criterion {name!r}")


def evaluate_member(
    history: MemberHistory, criteria: ReadinessCriteria, on: dt.date, *, group_ready: bool
) -> MemberReadiness:
    """Judge a member not yet referred against ``criteria``: meetings held, saving rate,
    late loans, loans repaid on time and, when ``only_ready_groups``, the group's
    readiness."""
    h, c = history, criteria
    record = loan_record(h.loans, on, c.max_days_late)
    results = [
        criterion("meetings_held", ">=", c.min_meetings_held, value=h.meetings_held),
        criterion(
            "saving_rate",
            ">=",
            c.min_saving_rate,
            numerator=h.meetings_saved,
            denominator=h.meetings_held,
        ),
        criterion("late_loans", "<=", c.max_late_loans, value=record.late),
        criterion(
            "loans_repaid_on_time", ">=", c.min_loans_repaid_on_time, value=record.repaid_on_time
        ),
    ]
    if c.only_ready_groups:
        results.append(
            CriterionResult(
                name="group_ready",
                value=group_ready,
                comparison=">=",
                threshold=True,
                passed=group_ready,
            )
        )
    return MemberReadiness(
        member_id=h.member_id,
        member_number=h.member_number,
        full_name=h.full_name,
        sex=h.sex,
        group_id=h.group_id,
        group_code=h.group_code,
        district=h.district,
        group_ready=group_ready,
        loans=record.loans,
        most_days_overdue=record.most_days_overdue,
        criteria=tuple(results),
        shortlisted=all(r.passed for r in results),
    )


# ------------------------------------------------------------------------------ districts


@checked_call  # counts from data: InvalidInput for a bool, a text or a number too large
def members_to_refer(referred: int, members: int, target: Decimal) -> int:
    """The fewest more members to refer so that ``(referred + n) / members >= target``, the
    rule of :func:`vsla.domain.indicators.referral_rate` (0 when it is met already, or
    when there are no members).

    With the target as an exact fraction ``p / q`` (0.15 = 3 / 20), the least count that
    reaches it is ``ceil(p × members / q)``, computed in integers as
    ``-(-p × members // q)``; ``n`` is that count less the members already referred.

    ```pycon
    >>> members_to_refer(0, 41, Decimal("0.15"))   # 0.15 × 41 = 6.15: 7 members
    7
    >>> members_to_refer(9, 41, Decimal("0.15"))
    0

    ```
    """
    if referred < 0 or members < 0:
        raise InvalidInput(
            f"members_to_refer: referred ({referred}) and members ({members}) must be >= 0"
        )
    if not isinstance(target, Decimal) or not target.is_finite() or not 0 <= target <= 1:
        raise InvalidInput(f"members_to_refer: the target must be a rate from 0 to 1, got {target}")
    exact = Fraction(target)
    needed = -(-exact.numerator * members // exact.denominator)
    return max(0, needed - referred)
