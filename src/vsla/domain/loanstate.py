"""A loan's history from its ledger entries, and how it reads on any date.

This is the one place that turns a loan's entries into its payment history: the store
(planning a meeting, a loan position, a statement), both report paths (PAR) and the tests
all build a :class:`LoanState` from :class:`LoanMove` sums and ask it for a date.

Reading a past date ``d`` counts what was *recorded* on or before ``d``, corrections
included only if recorded on or before ``d``. A correction takes effect on the date of the
entry it corrects: a repayment reversed later shows as paid on ``d``; from the reversal's
date on, the loan reads as if that payment had never been made (interest and arrears
counted from the obligation it had met). A loan whose disbursement was reversed is
*cancelled* from the reversal's date on, and reads normally before it.

```pycon
>>> import datetime as dt
>>> from decimal import Decimal
>>> from vsla.domain.loans import LoanTerms
>>> terms = LoanTerms(principal=100_000, interest_rate=Decimal("0.02"), term_months=1,
...                   disbursed_on=dt.date(2024, 1, 10))
>>> jan10, feb10, mar1 = dt.date(2024, 1, 10), dt.date(2024, 2, 10), dt.date(2024, 3, 1)
>>> loan = LoanState(id=1, member_id=7, terms=terms, purpose=LoanPurpose.OTHER, moves=(
...     LoanMove(jan10, jan10, EntryKind.LOAN_DISBURSEMENT, 100_000),
...     LoanMove(feb10, feb10, EntryKind.INTEREST_PAYMENT, 2_000),
...     LoanMove(feb10, feb10, EntryKind.PRINCIPAL_REPAYMENT, 100_000),
...     LoanMove(mar1, feb10, EntryKind.PRINCIPAL_REPAYMENT, -100_000),  # reversed on 1 March
... ))
>>> loan.position(dt.date(2024, 2, 20)).settled
True
>>> p = loan.position(mar1)
>>> p.principal_outstanding, p.days_overdue
(100000, 20)

```
"""

from __future__ import annotations

__all__ = ["LoanMove", "LoanPurpose", "LoanState", "loan_states", "moves_from_entries"]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from vsla.domain.ledger import EntryKind, LedgerEntry
from vsla.domain.loanbook import LoanBook, LoanDues, LoanPosition, dues_of, position_of
from vsla.domain.loans import LoanPayment, LoanTerms
from vsla.domain.money import format_money


class LoanPurpose(StrEnum):
    """What a loan is for (livelihood category)."""

    CROPS = "crops"
    LIVESTOCK = "livestock"
    TRADE = "trade"
    HANDICRAFT = "handicraft"
    EDUCATION = "education"
    HEALTH = "health"
    HOUSEHOLD = "household"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class LoanMove:
    """Σ amount of a loan's entries of one kind, recorded on ``recorded_on`` and counting
    from ``effective_on`` (the same date, except for a correction: the date of the entry it
    reverses). A reversing entry's amount is negative."""

    recorded_on: dt.date
    effective_on: dt.date
    kind: EntryKind
    amount: int


@dataclass(frozen=True, slots=True)
class LoanState:
    """A loan as its entries tell it: terms plus the moves recorded so far."""

    id: int
    member_id: int
    terms: LoanTerms
    purpose: LoanPurpose
    ref: str | None = None
    moves: tuple[LoanMove, ...] = ()

    @property
    def label(self) -> str:
        """The loan as a person knows it, by its date and principal, never its database
        id: ``the loan of 2024-02-05 (100.000 ₫)``, with its ref when it has one."""
        ref = f", ref {self.ref!r}" if self.ref else ""
        return f"the loan of {self.terms.disbursed_on} ({format_money(self.terms.principal)}{ref})"

    def as_of(self, on: dt.date) -> LoanState:
        """The loan as it read at the close of ``on``: only moves recorded by then."""
        moves = tuple(m for m in self.moves if m.recorded_on <= on)
        return self if len(moves) == len(self.moves) else self._with(moves)

    def _with(self, moves: tuple[LoanMove, ...]) -> LoanState:
        # the loan with other moves (not dataclasses.replace: planning a meeting makes
        # thousands of these, and replace looks the fields up each time)
        return LoanState(self.id, self.member_id, self.terms, self.purpose, self.ref, moves)

    def _sum(self, kind: EntryKind) -> int:
        return sum(m.amount for m in self.moves if m.kind is kind)

    @property
    def cancelled(self) -> bool:
        """Its disbursement was reversed (with every move it had): the loan never happened."""
        return self._sum(EntryKind.LOAN_DISBURSEMENT) == 0

    @property
    def cancelled_on(self) -> dt.date | None:
        """The date its disbursement was reversed, or ``None``."""
        if not self.cancelled:
            return None
        return max(
            (m.recorded_on for m in self.moves if m.kind is EntryKind.LOAN_DISBURSEMENT),
            default=None,
        )

    @property
    def principal_outstanding(self) -> int:
        """Principal disbursed, less repaid and written off, over every move held: a sum,
        so the planner need not work out the loan's whole position to check a loan limit."""
        owed = 0
        for m in self.moves:
            kind = m.kind
            if kind is EntryKind.LOAN_DISBURSEMENT:
                owed += m.amount
            elif kind is EntryKind.PRINCIPAL_REPAYMENT or kind is EntryKind.WRITE_OFF:
                owed -= m.amount
        return owed

    def _by_day(self, *kinds: EntryKind) -> dict[dt.date, dict[EntryKind, int]]:
        days: dict[dt.date, dict[EntryKind, int]] = defaultdict(lambda: dict.fromkeys(kinds, 0))
        for m in self.moves:
            if m.kind in kinds:
                days[m.effective_on][m.kind] += m.amount
        return {day: sums for day, sums in sorted(days.items()) if any(sums.values())}

    @property
    def payments(self) -> tuple[LoanPayment, ...]:
        """The repayments that stand (a reversed one is gone), by the date they were made."""
        interest, principal = EntryKind.INTEREST_PAYMENT, EntryKind.PRINCIPAL_REPAYMENT
        return tuple(
            LoanPayment(on=day, principal=sums[principal], interest=sums[interest])
            for day, sums in self._by_day(interest, principal).items()
        )

    @property
    def write_offs(self) -> tuple[tuple[dt.date, int, int], ...]:
        """The write-offs that stand: (date, principal, interest)."""
        principal, interest = EntryKind.WRITE_OFF, EntryKind.INTEREST_WRITE_OFF
        return tuple(
            (day, sums[principal], sums[interest])
            for day, sums in self._by_day(principal, interest).items()
        )

    def _book(self, on: dt.date) -> LoanBook:
        """The loan's book at the close of ``on`` (see :meth:`_read`)."""
        return LoanBook.of_history(*self._read(on)[2])

    def _read(self, on: dt.date) -> tuple[int, int, _Book]:
        """In one pass over the moves recorded by the close of ``on``: the principal
        disbursed (0 for a cancelled loan), what reduced it (repaid, written off), and the
        arguments of its book: the sums per day of what was repaid and written off (what
        :attr:`payments` and :attr:`write_offs` give, read as of ``on``), without a typed
        value per payment."""
        paid: dict[dt.date, list[int]] = {}
        written: dict[dt.date, list[int]] = {}
        disbursed = reduced = 0
        for m in self.moves:
            if m.recorded_on > on:
                continue
            kind = m.kind
            if kind in _PAID:
                into = paid
            elif kind in _WRITTEN:
                into = written
            else:
                if kind is EntryKind.LOAN_DISBURSEMENT:
                    disbursed += m.amount
                continue
            interest = kind is EntryKind.INTEREST_PAYMENT or kind is EntryKind.INTEREST_WRITE_OFF
            if not interest:
                reduced += m.amount
            sums = into.get(m.effective_on)
            if sums is None:
                sums = into[m.effective_on] = [0, 0]
            sums[interest] += m.amount
        history = [(day, p, i) for day, (p, i) in sorted(paid.items()) if (p or i) and day <= on]
        written_off = interest_written_off = 0
        last: dt.date | None = None
        for day, (p, i) in written.items():
            if p or i:
                written_off += p
                interest_written_off += i
                last = day if last is None or day > last else last
        return (
            disbursed,
            reduced,
            (self.terms, history, on, written_off, last, interest_written_off),
        )

    def arrears_on(self, on: dt.date) -> tuple[int, dt.date] | None:
        """``(principal outstanding, unpaid since)`` at the close of ``on``: what the loan's
        arrears mark (:func:`~vsla.domain.loanmarks.loan_marks`) holds for the day, from
        one pass over its moves; ``None`` when it owes no principal then (cancelled,
        repaid or written off)."""
        disbursed, reduced, book = self._read(on)
        outstanding = disbursed - reduced
        if disbursed == 0 or outstanding <= 0:
            return None
        return outstanding, LoanBook.of_history(*book).earliest_unpaid()

    def position(self, on: dt.date) -> LoanPosition:
        """The loan at the close of ``on``, from the moves recorded on or before it."""
        return position_of(self._book(on))

    def dues(self, on: dt.date) -> LoanDues:
        """What the loan owes at the close of ``on`` (the figures of :meth:`position` that
        split a repayment, without working out its arrears)."""
        return dues_of(self._book(on))

    def risk(self, on: dt.date) -> tuple[int, int] | None:
        """``(days_overdue, principal_outstanding)`` at the close of ``on`` for the
        portfolio at risk, or ``None`` when the loan has no principal outstanding then
        (repaid, written off, or cancelled)."""
        state = self.as_of(on)
        outstanding = state.principal_outstanding
        if state.cancelled or outstanding <= 0:
            return None
        return state.position(on).days_overdue, outstanding

    def with_moves(self, moves: Iterable[LoanMove]) -> LoanState:
        """The loan with more moves (a meeting planned in memory)."""
        return self._with((*self.moves, *moves))

    def with_id(self, loan_id: int) -> LoanState:
        """The same loan under the id the database gave it (a loan planned in memory under
        a stand-in id, once written)."""
        if loan_id == self.id:
            return self
        return LoanState(loan_id, self.member_id, self.terms, self.purpose, self.ref, self.moves)


_Book = tuple[LoanTerms, list[tuple[dt.date, int, int]], dt.date, int, dt.date | None, int]
"""The arguments of :meth:`LoanBook.of_history`."""


_PAID = frozenset({EntryKind.PRINCIPAL_REPAYMENT, EntryKind.INTEREST_PAYMENT})
_WRITTEN = frozenset({EntryKind.WRITE_OFF, EntryKind.INTEREST_WRITE_OFF})


def loan_states(
    loans: Iterable[LoanState], moves: Mapping[int, Iterable[LoanMove]]
) -> dict[int, LoanState]:
    """Each loan with its moves (``moves`` by loan id), keyed by id."""
    return {loan.id: replace(loan, moves=tuple(moves.get(loan.id, ()))) for loan in loans}


def moves_from_entries(entries: Iterable[LedgerEntry]) -> dict[int, list[LoanMove]]:
    """The loan moves of a cycle's entries held in memory, by loan id: each entry is a move
    recorded on its date and effective on its own date (an opening position's entry: on its
    ``effective_on``), or, for a reversal, on the date of the entry it reverses (which must
    be among ``entries``). The store's SQL builds the same moves with one ``GROUP BY``."""
    entries = list(entries)
    dates = {e.id: e.effective_on or e.date for e in entries}
    out: dict[int, list[LoanMove]] = defaultdict(list)
    for e in entries:
        if e.loan_id is None:
            continue
        effective = dates[e.reverses_id] if e.reverses_id is not None else dates[e.id]
        out[e.loan_id].append(LoanMove(e.date, effective, e.kind, e.amount))
    return dict(out)
