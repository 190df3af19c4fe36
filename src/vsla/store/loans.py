"""Loans: listing them, and a loan's position and statement on any date."""

from __future__ import annotations

__all__ = ["Loan", "LoanStatement", "LoanStore"]

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select

from vsla.domain.entities import Member
from vsla.domain.ledger import EntryKind
from vsla.domain.loanbook import LoanPosition
from vsla.domain.loans import Instalment, LoanPayment, LoanTerms, schedule
from vsla.domain.loanstate import LoanPurpose, LoanState
from vsla.domain.tabular import Tabular
from vsla.errors import NotFound
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.loanmarks import MarkDifference, loan_marks_differences, rebuild_loan_marks
from vsla.store.rows import member_from_row, terms_from_row
from vsla.store.transactions import one_snapshot, retry_conflicts


@dataclass(frozen=True, slots=True)
class Loan:
    """A stored loan: its cycle, borrower, the meeting that made it, its terms, purpose and
    the client id it was made with (docs/sync.md). Its position on a date comes from
    :meth:`vsla.Store.loan_position`."""

    id: int
    cycle_id: int
    member_id: int
    meeting_id: int
    terms: LoanTerms
    purpose: LoanPurpose
    client_id: str | None = None

    @property
    def ref(self) -> str | None:
        """Another name for :attr:`client_id` (the name of the first releases)."""
        return self.client_id


@dataclass(frozen=True)
class LoanStatement(Tabular):
    """A borrower's statement: the loan, its schedule, its payments and its position."""

    loan: Loan
    member: Member
    schedule: tuple[Instalment, ...]
    payments: tuple[LoanPayment, ...]
    position: LoanPosition

    def rows(self) -> list[dict[str, Any]]:
        """The schedule, one row per month: due date, principal and interest payable."""
        return [
            {
                "month": i.number,
                "due_on": i.due_on,
                "principal": i.principal,
                "interest": i.interest,
            }
            for i in self.schedule
        ]

    def to_text(self, lang: str = "en") -> str:
        """The loan, its schedule, its payments and its position as text, in ``lang``
        (``"vi"`` or ``"en"``): see :func:`vsla.reports.statement_text.loan_statement_text`.
        The loan is named by its borrower and its date, never by a database id."""
        from vsla.reports.statement_text import loan_statement_text
        from vsla.words import Lang

        return loan_statement_text(self, Lang(lang))


class LoanStore(StoreBase):
    """Loans: mixed into :class:`~vsla.store.store.Store`."""

    @one_snapshot
    def loans(
        self, cycle_id: int, *, member_id: int | None = None, include_cancelled: bool = True
    ) -> list[Loan]:
        """The cycle's loans (of one member), in the order made. A cancelled loan is one
        whose disbursement was reversed; ``include_cancelled=False`` leaves them out."""
        query = select(t.loans).where(t.loans.c.cycle_id == cycle_id).order_by(t.loans.c.id)
        if member_id is not None:
            query = query.where(t.loans.c.member_id == member_id)
        if not include_cancelled:
            live = (
                select(t.entries.c.loan_id)
                .where(t.entries.c.kind == EntryKind.LOAN_DISBURSEMENT.value)
                .group_by(t.entries.c.loan_id)
                .having(func.sum(t.entries.c.amount) != 0)
            )
            query = query.where(t.loans.c.id.in_(live))
        with self._connect() as conn:
            return [self._loan(r) for r in conn.execute(query)]

    @one_snapshot
    def loan(self, loan_id: int) -> Loan:
        """The loan with this id (:class:`NotFound` if there is none)."""
        with self._connect() as conn:
            return self._loan(self._require(conn, t.loans, loan_id, "loan"))

    def _loan(self, r: Row[Any]) -> Loan:
        return Loan(
            id=r.id,
            cycle_id=r.cycle_id,
            member_id=r.member_id,
            meeting_id=r.meeting_id,
            terms=terms_from_row(r),
            purpose=LoanPurpose(r.purpose),
            client_id=r.client_id,
        )

    def _loan_as_of(self, loan_id: int, on: dt.date) -> tuple[Row[Any], LoanState, Member]:
        """The loan's row, its state as recorded on ``on`` and its borrower; a loan cancelled
        by then is :class:`~vsla.errors.NotFound` (before its cancellation it reads as it
        did then)."""
        with self._connect() as conn:
            row = self._require(conn, t.loans, loan_id, "loan")
            state = self._loan_states(conn, row.cycle_id, loan_id)[loan_id].as_of(on)
            member = member_from_row(self._require(conn, t.members, row.member_id, "member"))
        if state.cancelled and on >= state.terms.disbursed_on:
            raise NotFound(
                f"{state.label} to {member.label()} was cancelled on {state.cancelled_on} "
                "(its disbursement was reversed)",
                member_number=member.number,
                loan_id=loan_id,
            )
        return row, state, member

    @one_snapshot
    def loan_position(self, loan_id: int, on: dt.date) -> LoanPosition:
        """Principal outstanding, interest charged and due, overdue days, on a date, from
        what was recorded on or before it (see :mod:`vsla.domain.loanstate`)."""
        return self._loan_as_of(loan_id, on)[1].position(on)

    @one_snapshot
    def loan_statement(self, loan_id: int, on: dt.date) -> LoanStatement:
        """A member's loan statement: disbursed, schedule, payments, interest and balance,
        as recorded on ``on``."""
        row, state, member = self._loan_as_of(loan_id, on)
        return LoanStatement(
            loan=self._loan(row),
            member=member,
            schedule=schedule(state.terms),
            payments=state.payments,
            position=state.position(on),
        )

    @one_snapshot
    def verify_loan_marks(self) -> list[MarkDifference]:
        """Every loan whose stored arrears marks (the ``loan_marks`` table the reports read
        the portfolio at risk from) differ from what its entries give, recomputed from the
        whole ledger: an empty list when all agree. ``vsla db verify`` prints them."""
        with self._connect() as conn:
            return loan_marks_differences(conn)

    @retry_conflicts
    def rebuild_loan_marks(self) -> int:
        """Rewrite every loan's arrears marks from the ledger, in one transaction; the
        number of marks written. Needed only after rows were written around the library
        (``vsla db verify --repair``)."""
        with self._begin() as conn:
            return rebuild_loan_marks(conn)
