"""What every planner works from and through: the state of a cycle (:class:`CycleState`),
the entries a plan writes (:class:`PlannedEntry`), the two boxes as a plan moves them
(:class:`Boxes`, which refuses to take one below zero or a total above its ceiling), and
the rules every recording path shares (:func:`check_can_record`, :func:`member_of`)."""

from __future__ import annotations

__all__ = [
    "FIELD_OF_KIND",
    "Boxes",
    "CycleState",
    "PlannedEntry",
    "check_can_record",
    "member_of",
]

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple, TypedDict

from vsla.domain.entities import Cycle, Member
from vsla.domain.ledger import (
    LOAN_FUND_SIGN,
    SOCIAL_FUND_SIGN,
    Balances,
    EntryKind,
    EntryOrigin,
    balances_from_totals,
    cash_from_totals,
)
from vsla.domain.limits import MAX_TOTAL
from vsla.domain.loanstate import LoanState
from vsla.domain.money import format_money
from vsla.errors import (
    BoxWouldGoNegative,
    CycleClosed,
    DateOutsideCycle,
    InvalidInput,
    MemberNotActive,
    NotFound,
)


@dataclass(frozen=True, slots=True)
class CycleState:
    """What the planner needs to know about a cycle before a meeting."""

    group_label: str
    cycle: Cycle
    members: Mapping[int, Member]
    totals: Mapping[EntryKind, int]
    member_shares: Mapping[int, int]
    loans: Mapping[int, LoanState]
    last_meeting_on: dt.date | None
    last_minutes_on: dt.date | None = None  # the last date whose meeting was recorded whole
    used_refs: frozenset[str] = frozenset()  # every loan ref of the cycle, cancelled loans too
    group_code: str | None = None

    def member_number(self, member_id: int | None) -> int | None:
        """The member's number in the group (for an error's facts), or ``None``."""
        member = None if member_id is None else self.members.get(member_id)
        return None if member is None else member.number

    @property
    def balances(self) -> Balances:
        return balances_from_totals(
            self.totals,
            sum(self.member_shares.values()),
            self.cycle.constitution.share_value,
        )


class PlannedEntry(NamedTuple):
    """An entry to write. ``new_loan`` indexes :attr:`MeetingPlan.new_loans`; ``origin``
    is the rule that made it; ``reverses_id`` the entry a reversal undoes.

    A named tuple, not a frozen dataclass: as immutable, and a meeting plans one for every
    share, contribution and fine (a frozen dataclass of these eleven fields costs four
    times as much to make)."""

    kind: EntryKind
    amount: int
    member_id: int | None = None
    loan_id: int | None = None
    new_loan: int | None = None
    shares: int = 0
    memo: str = ""
    origin: EntryOrigin = EntryOrigin.MEETING
    reverses_id: int | None = None
    client_id: str | None = None  # a repayment's client id, on both of its entries
    effective_on: dt.date | None = None  # an opening position's loan move (see LedgerEntry)


_CONTRIBUTIONS = "social_fund_contributions"

FIELD_OF_KIND: Mapping[EntryKind, str] = {
    EntryKind.SOCIAL_CONTRIBUTION: _CONTRIBUTIONS,
    EntryKind.SHARE_PURCHASE: "share_purchases",
    EntryKind.FINE: "fines.amount",
    EntryKind.OTHER_INCOME: "other_income",
    EntryKind.INTEREST_PAYMENT: "repayments",
    EntryKind.PRINCIPAL_REPAYMENT: "repayments",
    EntryKind.SOCIAL_GRANT: "social_fund_grants",
    EntryKind.EXPENSE: "expenses",
    EntryKind.LOAN_DISBURSEMENT: "loans.principal",
}
"""The field of a :class:`MeetingInput` that writes entries of each kind (an error's
``field``)."""


class _Facts(TypedDict):
    group_code: str | None
    member_number: int | None
    loan_id: int | None
    entry_id: int | None
    field: str | None


class Boxes:
    """Running cash of both boxes and the totals per entry kind while a plan is built;
    refuses to take a box below zero, or a total or a box above
    :data:`~vsla.domain.limits.MAX_TOTAL`. Every planner applies its entries here."""

    def __init__(self, state: CycleState, on: dt.date) -> None:
        self.state = state
        self.on = on
        self.loan_fund, self.social_fund = cash_from_totals(state.totals)
        self.totals = dict(state.totals)

    def apply(self, entry: PlannedEntry, who: str) -> None:
        """Move the entry's cash, refusing it if either box would go below zero, or if the
        cycle's total of its kind or either box would go above the ceiling of a total."""
        kind, amount = entry.kind, entry.amount
        loan_fund = self.loan_fund + LOAN_FUND_SIGN[kind] * amount
        social_fund = self.social_fund + SOCIAL_FUND_SIGN[kind] * amount
        total = self.totals.get(kind, 0) + amount
        if (
            loan_fund < 0
            or social_fund < 0
            or max(loan_fund, social_fund, total) > MAX_TOTAL  # the common case ends here
        ):
            self._refuse(entry, who, total)
        self.totals[kind] = total
        self.loan_fund = loan_fund
        self.social_fund = social_fund

    def add_sums(self, contributions: int, purchases: int) -> bool:
        """Apply a meeting's social fund contributions and share purchases as two sums (each
        ``0`` when there are none), if every box and total stays under the ceiling of a
        total; else change nothing and return ``False``. Both kinds only add to a box, so
        when the sums pass, each entry applied alone in any order would have passed."""
        contribution, purchase = EntryKind.SOCIAL_CONTRIBUTION, EntryKind.SHARE_PURCHASE
        totals = self.totals
        loan_fund = (
            self.loan_fund
            + LOAN_FUND_SIGN[contribution] * contributions
            + LOAN_FUND_SIGN[purchase] * purchases
        )
        social_fund = (
            self.social_fund
            + SOCIAL_FUND_SIGN[contribution] * contributions
            + SOCIAL_FUND_SIGN[purchase] * purchases
        )
        contributed = totals.get(contribution, 0) + contributions
        bought = totals.get(purchase, 0) + purchases
        if (
            contributions < 0
            or purchases < 0
            or loan_fund < 0
            or social_fund < 0
            or max(loan_fund, social_fund, contributed, bought) > MAX_TOTAL
        ):
            return False
        if contributions:
            totals[contribution] = contributed
        if purchases:
            totals[purchase] = bought
        self.loan_fund = loan_fund
        self.social_fund = social_fund
        return True

    def _refuse(self, entry: PlannedEntry, who: str, total: int) -> None:
        """Raise the error :meth:`apply` found, naming the entry, its box and the rule."""
        what = f"{self.state.group_label}, {self.on}: {entry.kind.value.replace('_', ' ')}"
        facts: _Facts = {
            "group_code": self.state.group_code,
            "member_number": self.state.member_number(entry.member_id),
            "loan_id": entry.loan_id,
            "entry_id": entry.reverses_id,
            "field": FIELD_OF_KIND.get(entry.kind),
        }
        for box, signs, cash in (
            ("loan fund", LOAN_FUND_SIGN, self.loan_fund),
            ("social fund", SOCIAL_FUND_SIGN, self.social_fund),
        ):
            after = cash + signs[entry.kind] * entry.amount
            if after < 0:
                raise BoxWouldGoNegative(
                    f"{what} of {format_money(entry.amount)}{who} would take the {box} below "
                    f"zero: it holds {format_money(cash)} (rule: a box never goes below zero)",
                    **facts,
                    rule="box_never_negative",
                )
            if after > MAX_TOTAL:
                raise InvalidInput(
                    f"{what} of {format_money(entry.amount)}{who} would bring the {box} to "
                    f"{format_money(after)}, above the ceiling of a total, "
                    f"{format_money(MAX_TOTAL)} (rule: vsla.MAX_TOTAL)",
                    **facts,
                    rule="max_total",
                )
        raise InvalidInput(
            f"{what} of {format_money(entry.amount)}{who} would bring the cycle's total of "
            f"{entry.kind.value.replace('_', ' ')} to {format_money(total)}, above the "
            f"ceiling of a total, {format_money(MAX_TOTAL)} (rule: vsla.MAX_TOTAL)",
            **facts,
            rule="max_total",
        )


def member_of(
    state: CycleState, member_id: int, on: dt.date, what: str, field: str | None = None
) -> Member:
    """The member named by ``member_id`` in ``what`` (the input ``field``), active on
    ``on``; else :class:`~vsla.errors.NotFound` or :class:`~vsla.errors.MemberNotActive`."""
    member = state.members.get(member_id)
    if member is None:
        raise NotFound(
            f"{state.group_label}, {on}: member #{member_id} named in {what} "
            "is not a member of this group",
            rule="member_of_group",
            group_code=state.group_code,
            field=field,
        )
    if not member.is_active(on):
        raise MemberNotActive(
            f"{state.group_label}, {on}: {member.label()} is not active on that date "
            f"(joined {member.joined_on}, left {member.left_on or '-'}); {what} refused "
            "(rule: only active members transact)",
            rule="member_active",
            group_code=state.group_code,
            member_number=member.number,
            field=field,
        )
    return member


def check_can_record(state: CycleState, on: dt.date, *, same_day_ok: bool = False) -> None:
    """The date rules shared by every recording path."""
    cycle = state.cycle
    if cycle.shared_out_on is not None:
        raise CycleClosed(
            f"{state.group_label}, cycle {cycle.number}: shared out on {cycle.shared_out_on}; "
            f"nothing can be recorded on {on} (rule: nothing after the share-out)",
            rule="nothing_after_share_out",
            group_code=state.group_code,
            field="date",
        )
    if not cycle.start_date <= on <= cycle.end_date:
        raise DateOutsideCycle(
            f"{state.group_label}, cycle {cycle.number}: {on} is outside the cycle "
            f"({cycle.start_date} to {cycle.end_date})",
            rule="date_in_cycle",
            group_code=state.group_code,
            field="date",
        )
    last = state.last_meeting_on
    if last is not None and on < last:
        raise DateOutsideCycle(
            f"{state.group_label}, cycle {cycle.number}: {on} comes before the meeting of "
            f"{last} (rule: meetings are recorded in date order; corrections are reversing "
            "entries)",
            rule="date_order",
            group_code=state.group_code,
            field="date",
        )
    if not same_day_ok and state.last_minutes_on == on:
        raise DateOutsideCycle(
            f"{state.group_label}, cycle {cycle.number}: the meeting of {on} is already "
            "recorded (rule: one meeting per date; corrections are reversing entries)",
            rule="one_meeting_per_date",
            group_code=state.group_code,
            field="date",
        )
