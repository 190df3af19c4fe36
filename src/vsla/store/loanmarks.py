"""The ``loan_marks`` table: each loan's arrears as stretches of days
(:mod:`vsla.domain.loanmarks`), kept in the transaction of every loan move.

The marks are derived data, like an index: the entries stay the record, and a loan's marks
are rewritten whole whenever an entry naming the loan is written (a meeting, a late meeting,
a reversal, a write-off, an exit, an opening position). :func:`loan_marks_differences`
recomputes them from the ledger and lists every difference (``vsla db verify``);
:func:`rebuild_loan_marks` rewrites them all (``vsla db verify --repair``, and the
revision that created the table).
"""

from __future__ import annotations

__all__ = [
    "MarkDifference",
    "loan_marks_differences",
    "rebuild_loan_marks",
    "recomputed_marks",
    "refresh_loan_marks",
    "stored_marks",
]

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select

from vsla.domain.loanmarks import LoanMark, loan_marks
from vsla.domain.loanstate import LoanState
from vsla.store import tables as t
from vsla.store.rows import bulk_insert, chunks, read_loan_states

_l = t.loans.c
_k = t.loan_marks.c


def _loan_states(conn: Connection, ids: Sequence[int]) -> list[LoanState]:
    rows = list(conn.execute(select(t.loans).where(_l.id.in_(ids)).order_by(_l.id)))
    return list(read_loan_states(conn, rows).values())


def recomputed_marks(conn: Connection, ids: Sequence[int]) -> list[LoanMark]:
    """The marks of the loans ``ids`` as the ledger gives them now."""
    return [mark for loan in _loan_states(conn, ids) for mark in loan_marks(loan)]


def _row(mark: LoanMark) -> dict[str, Any]:
    return {
        "loan_id": mark.loan_id,
        "since": mark.since,
        "until": mark.until,
        "outstanding": mark.outstanding,
        "unpaid_since": mark.unpaid_since,
    }


def refresh_loan_marks(
    conn: Connection,
    written: Iterable[tuple[int | None, dt.date]],
    known: Mapping[int, LoanState] | None = None,
    new: Collection[int] = (),
) -> None:
    """Bring the marks of the loans named by just-written entries up to date, in the caller's
    transaction: ``written`` holds each entry's (loan id or ``None``, date recorded). Called
    by every write of entries. Only the days from each loan's earliest such date on are
    worked out again (:func:`~vsla.domain.loanmarks.loan_marks` with ``since``).

    ``known`` holds loans (by id) whose every move the caller has in memory, the written ones
    included (a meeting's planner has them): they are not read back from the ledger. ``new``
    names loans created in this transaction: they have no marks stored yet."""
    since: dict[int, dt.date] = {}
    for loan_id, day in written:
        if loan_id is not None and loan_id > 0:
            since[loan_id] = min(day, since.get(loan_id, day))
    known = known or {}
    for chunk in chunks(sorted(since)):
        held: dict[int, list[LoanMark]] = defaultdict(list)
        old = [i for i in chunk if i not in new]
        if old:
            for mark in stored_marks(conn, old):
                held[mark.loan_id].append(mark)
        loans = [known[i] for i in chunk if i in known]
        unknown = [i for i in chunk if i not in known]
        if unknown:
            loans += _loan_states(conn, unknown)
        rows = [
            _row(mark) for loan in loans for mark in loan_marks(loan, since[loan.id], held[loan.id])
        ]
        if old:
            conn.execute(delete(t.loan_marks).where(_k.loan_id.in_(old)))
        if rows:
            bulk_insert(conn, t.loan_marks, rows)


def stored_marks(conn: Connection, ids: Sequence[int]) -> list[LoanMark]:
    """The marks stored for the loans ``ids``, by loan and date."""
    return [
        LoanMark(r.loan_id, r.since, r.until, int(r.outstanding), r.unpaid_since)
        for r in conn.execute(
            select(t.loan_marks).where(_k.loan_id.in_(ids)).order_by(_k.loan_id, _k.since)
        )
    ]


@dataclass(frozen=True, slots=True)
class MarkDifference:
    """A loan whose stored marks differ from those its entries give."""

    loan_id: int
    stored: tuple[LoanMark, ...]
    expected: tuple[LoanMark, ...]

    def __str__(self) -> str:
        def show(marks: tuple[LoanMark, ...]) -> str:
            return (
                "; ".join(
                    f"{m.since}..{m.until or 'now'} owes {m.outstanding}, unpaid since "
                    f"{m.unpaid_since}"
                    for m in marks
                )
                or "none"
            )

        stored, expected = show(self.stored), show(self.expected)
        return f"loan #{self.loan_id}: stored {stored}; the ledger gives {expected}"


def _all_loan_ids(conn: Connection) -> list[int]:
    return [int(i) for i in conn.execute(select(_l.id).order_by(_l.id)).scalars()]


def loan_marks_differences(conn: Connection) -> list[MarkDifference]:
    """Every loan whose stored marks are not what its entries give (reads the whole ledger,
    a chunk of loans at a time). Marks naming a loan that does not exist are listed too."""
    out: list[MarkDifference] = []
    for chunk in chunks(_all_loan_ids(conn)):
        stored: dict[int, list[LoanMark]] = defaultdict(list)
        for mark in stored_marks(conn, chunk):
            stored[mark.loan_id].append(mark)
        expected: dict[int, list[LoanMark]] = defaultdict(list)
        for mark in recomputed_marks(conn, chunk):
            expected[mark.loan_id].append(mark)
        for loan_id in chunk:
            if stored[loan_id] != expected[loan_id]:
                out.append(
                    MarkDifference(loan_id, tuple(stored[loan_id]), tuple(expected[loan_id]))
                )
    orphans = conn.execute(
        select(_k.loan_id).where(_k.loan_id.not_in(select(_l.id))).distinct()
    ).scalars()
    for loan_id in orphans:
        out.append(MarkDifference(int(loan_id), tuple(stored_marks(conn, [loan_id])), ()))
    return sorted(out, key=lambda d: d.loan_id)


def rebuild_loan_marks(conn: Connection) -> int:
    """Rewrite every loan's marks from the ledger; the number of marks written."""
    conn.execute(delete(t.loan_marks))
    written = 0
    for chunk in chunks(_all_loan_ids(conn)):
        rows = [_row(mark) for mark in recomputed_marks(conn, chunk)]
        if rows:
            bulk_insert(conn, t.loan_marks, rows)
            written += len(rows)
    return written
