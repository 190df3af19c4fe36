"""The ledger: entry kinds, the two boxes, and balances derived from entries.

Every transaction is an entry of one :class:`EntryKind` at one meeting. An entry's amount is
a whole number of minor units, positive when recorded and negated by its reversing entry;
which box it moves, and in which direction, is a property of its kind alone
(:data:`LOAN_FUND_SIGN`, :data:`SOCIAL_FUND_SIGN`). Balances are sums over entries, never
stored: :func:`balances_from_totals` is the one formula, used both on entries held in
memory and on sums computed by SQL.
"""

from __future__ import annotations

__all__ = [
    "LOAN_FUND_SIGN",
    "SOCIAL_FUND_SIGN",
    "Balances",
    "EntryKind",
    "EntryOrigin",
    "LedgerEntry",
    "balances_from_entries",
    "balances_from_totals",
    "cash_from_totals",
    "totals_by_kind",
]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from vsla.domain.arguments import checked_call


class EntryKind(StrEnum):
    """What an entry records (docs/meetings.md)."""

    OPENING_LOAN_FUND = "opening_loan_fund"  # cash carried from the previous cycle
    OPENING_SOCIAL_FUND = "opening_social_fund"  # social fund carried from the previous cycle
    SHARE_PURCHASE = "share_purchase"
    SOCIAL_CONTRIBUTION = "social_contribution"
    SOCIAL_GRANT = "social_grant"
    FINE = "fine"
    OTHER_INCOME = "other_income"
    EXPENSE = "expense"
    LOAN_DISBURSEMENT = "loan_disbursement"
    PRINCIPAL_REPAYMENT = "principal_repayment"
    INTEREST_PAYMENT = "interest_payment"  # includes interest paid upfront at disbursement
    WRITE_OFF = "write_off"  # principal written off: no cash moves
    INTEREST_WRITE_OFF = "interest_write_off"  # interest due written off: no cash moves
    SHARE_OUT_PAYOUT = "share_out_payout"
    EXIT_PAYOUT = "exit_payout"  # a member who leaves mid-cycle is settled
    TRANSFER_TO_SOCIAL_FUND = "transfer_to_social_fund"  # share-out remainder policy


class EntryOrigin(StrEnum):
    """Which rule made an entry: its meaning, kept apart from the free-text ``memo``.

    Code decides on the origin (what a reversal undoes, what a share-out nets, what an
    export replays), never on the memo, which holds only words a person wrote or reads.
    """

    MEETING = "meeting"  # recorded at a meeting (shares, fines, repayments, loans, ...)
    UPFRONT_INTEREST = "upfront_interest"  # interest paid with an upfront-method loan
    NETTED_AT_EXIT = "netted_at_exit"  # a leaving member's loan settled from their savings
    EXIT_PAYOUT = "exit_payout"  # what a leaving member is paid
    NETTED_AT_SHARE_OUT = "netted_at_share_out"  # a loan settled from the borrower's payout
    SHARE_OUT_PAYOUT = "share_out_payout"  # a member's payout at the share-out
    REMAINDER_TRANSFER = "remainder_transfer"  # the share-out remainder moved to the social fund
    OPENING_CARRY = "opening_carry"  # cash and social fund carried from the previous cycle
    OPENING_POSITION = "opening_position"  # a paper group's figures when it joins mid-cycle
    WRITE_OFF = "write_off"  # what a borrower still owed, written off as a loss
    REVERSAL = "reversal"  # a correction: undoes the entry named by ``reverses_id``


LOAN_FUND_SIGN: Mapping[EntryKind, int] = {
    EntryKind.OPENING_LOAN_FUND: 1,
    EntryKind.OPENING_SOCIAL_FUND: 0,
    EntryKind.SHARE_PURCHASE: 1,
    EntryKind.SOCIAL_CONTRIBUTION: 0,
    EntryKind.SOCIAL_GRANT: 0,
    EntryKind.FINE: 1,
    EntryKind.OTHER_INCOME: 1,
    EntryKind.EXPENSE: -1,
    EntryKind.LOAN_DISBURSEMENT: -1,
    EntryKind.PRINCIPAL_REPAYMENT: 1,
    EntryKind.INTEREST_PAYMENT: 1,
    EntryKind.WRITE_OFF: 0,
    EntryKind.INTEREST_WRITE_OFF: 0,
    EntryKind.SHARE_OUT_PAYOUT: -1,
    EntryKind.EXIT_PAYOUT: -1,
    EntryKind.TRANSFER_TO_SOCIAL_FUND: -1,
}
"""How each kind moves the loan fund's cash: +1 in, -1 out, 0 not at all."""

SOCIAL_FUND_SIGN: Mapping[EntryKind, int] = {
    kind: (
        1
        if kind
        in (
            EntryKind.OPENING_SOCIAL_FUND,
            EntryKind.SOCIAL_CONTRIBUTION,
            EntryKind.TRANSFER_TO_SOCIAL_FUND,
        )
        else -1
        if kind is EntryKind.SOCIAL_GRANT
        else 0
    )
    for kind in EntryKind
}
"""How each kind moves the social fund's cash."""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One recorded entry. ``amount`` and ``shares`` are negated by a reversing entry.

    ``shares`` is non-zero only on share purchases (shares bought) and on exit payouts
    (the leaving member's shares, negative: they no longer take part in the share-out).
    ``effective_on`` is set only on the loan entries of an opening position
    (:mod:`vsla.domain.opening`): recorded on the opening date, they count for the loan from
    the day the disbursement or payment happened on paper.
    """

    id: int
    cycle_id: int
    meeting_id: int
    date: dt.date
    kind: EntryKind
    amount: int
    member_id: int | None = None
    loan_id: int | None = None
    shares: int = 0
    memo: str = ""
    reverses_id: int | None = None
    origin: EntryOrigin = EntryOrigin.MEETING
    client_id: str | None = None  # the app's id of the repayment it is part of
    effective_on: dt.date | None = None  # an opening position's loan move: when it happened

    @property
    def loan_fund_delta(self) -> int:
        return LOAN_FUND_SIGN[self.kind] * self.amount

    @property
    def social_fund_delta(self) -> int:
        return SOCIAL_FUND_SIGN[self.kind] * self.amount


@dataclass(frozen=True, slots=True)
class Balances:
    """The state of a cycle's boxes (docs/meetings.md), all in minor units."""

    loan_fund_cash: int
    social_fund_cash: int
    loans_outstanding: int
    total_assets: int
    shares: int
    savings: int
    principal_disbursed: int
    principal_repaid: int
    principal_written_off: int
    interest_paid: int
    fines: int
    other_income: int
    expenses: int
    payouts: int
    interest_written_off: int = 0  # interest owed and written off: forgone income, no cash

    def __str__(self) -> str:
        from vsla.domain.money import format_money

        rows = [
            ("loan fund cash", self.loan_fund_cash),
            ("social fund cash", self.social_fund_cash),
            ("loans outstanding", self.loans_outstanding),
            ("total assets", self.total_assets),
            ("savings", self.savings),
        ]
        lines = [f"{label:<18} {format_money(v):>16}" for label, v in rows]
        lines.append(f"{'shares':<18} {self.shares:>16,}".replace(",", "."))
        return "\n".join(lines)


def totals_by_kind(entries: Iterable[LedgerEntry]) -> dict[EntryKind, int]:
    """Σ amount per kind: the same sums the store computes with ``GROUP BY kind``."""
    totals: dict[EntryKind, int] = defaultdict(int)
    for entry in entries:
        totals[entry.kind] += entry.amount
    return dict(totals)


def balances_from_totals(
    totals: Mapping[EntryKind, int], shares: int, share_value: int
) -> Balances:
    """The balances of docs/meetings.md from Σ amount per kind.

    ``loan_fund_cash`` = Σ shares + Σ fines + Σ interest paid + Σ principal repaid
    + Σ other income + opening cash − Σ principal disbursed − Σ expenses − Σ payouts
    − transfers to the social fund; ``social_fund_cash`` = opening + Σ contributions
    + transfers − Σ grants; ``loans_outstanding`` = disbursed − repaid − written off.
    """

    def t(kind: EntryKind) -> int:
        return totals.get(kind, 0)

    loan_fund_cash, social_fund_cash = cash_from_totals(totals)
    disbursed = t(EntryKind.LOAN_DISBURSEMENT)
    repaid = t(EntryKind.PRINCIPAL_REPAYMENT)
    written_off = t(EntryKind.WRITE_OFF)
    outstanding = disbursed - repaid - written_off
    return Balances(
        loan_fund_cash=loan_fund_cash,
        social_fund_cash=social_fund_cash,
        loans_outstanding=outstanding,
        total_assets=loan_fund_cash + outstanding + social_fund_cash,
        shares=shares,
        savings=shares * share_value,
        principal_disbursed=disbursed,
        principal_repaid=repaid,
        principal_written_off=written_off,
        interest_paid=t(EntryKind.INTEREST_PAYMENT),
        fines=t(EntryKind.FINE),
        other_income=t(EntryKind.OTHER_INCOME),
        expenses=t(EntryKind.EXPENSE),
        payouts=t(EntryKind.SHARE_OUT_PAYOUT) + t(EntryKind.EXIT_PAYOUT),
        interest_written_off=t(EntryKind.INTEREST_WRITE_OFF),
    )


def cash_from_totals(totals: Mapping[EntryKind, int]) -> tuple[int, int]:
    """``(loan_fund_cash, social_fund_cash)`` from Σ amount per kind: the two boxes of
    :func:`balances_from_totals`, alone (what a planner checks before every meeting)."""
    loan_fund = social_fund = 0
    for kind, amount in totals.items():
        loan_fund += LOAN_FUND_SIGN[kind] * amount
        social_fund += SOCIAL_FUND_SIGN[kind] * amount
    return loan_fund, social_fund


@checked_call
def balances_from_entries(entries: Iterable[LedgerEntry], share_value: int) -> Balances:
    """Balances from entries held in memory (the reference path)."""
    entries = list(entries)
    shares = sum(e.shares for e in entries)
    return balances_from_totals(totals_by_kind(entries), shares, share_value)
