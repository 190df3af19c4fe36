"""Rows and domain values: each conversion written once, and the bulk insert.

One home each for: a ledger row to a :class:`~vsla.domain.ledger.LedgerEntry` and a planned
entry to a row, loan terms to a row and back, and programme, group and member rows.
"""

from __future__ import annotations

__all__ = [
    "entries_from_rows",
    "entry_from_row",
    "entry_row",
    "group_from_row",
    "insert_many",
    "loan_moves_query",
    "loan_row",
    "member_from_row",
    "programme_from_row",
    "terms_from_row",
]

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Date, Row, Select, Table, func, select

from vsla.domain.entities import Group, Member, Programme, Targets
from vsla.domain.ledger import EntryKind, EntryOrigin, LedgerEntry
from vsla.domain.loans import LoanTerms
from vsla.domain.loanstate import LoanPurpose
from vsla.domain.meeting import PlannedEntry
from vsla.domain.money import Rounding
from vsla.store import tables as t


def entry_row(
    cycle_id: int, meeting_id: int, on: dt.date, planned: PlannedEntry, loan_id: int | None
) -> dict[str, Any]:
    """The ``entries`` row of a planned entry (its loan id already resolved)."""
    return {
        "cycle_id": cycle_id,
        "meeting_id": meeting_id,
        "date": on,
        "kind": planned.kind.value,
        "amount": planned.amount,
        "shares": planned.shares,
        "member_id": planned.member_id,
        "loan_id": loan_id,
        "memo": planned.memo,
        "reverses_id": planned.reverses_id,
        "origin": planned.origin.value,
        "client_id": planned.client_id,
        "effective_on": planned.effective_on,
    }


def entry_from_row(row: Mapping[Any, Any], entry_id: int | None = None) -> LedgerEntry:
    """A ledger entry from an ``entries`` row (a mapping; ``entry_id`` when the row has no
    id yet because it was just inserted)."""
    return LedgerEntry(
        id=row["id"] if entry_id is None else entry_id,
        cycle_id=row["cycle_id"],
        meeting_id=row["meeting_id"],
        date=row["date"],
        kind=EntryKind(row["kind"]),
        amount=row["amount"],
        member_id=row["member_id"],
        loan_id=row["loan_id"],
        shares=row["shares"],
        memo=row["memo"],
        reverses_id=row["reverses_id"],
        origin=EntryOrigin(row["origin"]),
        client_id=row["client_id"],
        effective_on=row["effective_on"],
    )


def entries_from_rows(ids: Sequence[int], rows: Sequence[dict[str, Any]]) -> list[LedgerEntry]:
    """The entries just written: their rows with the ids the database gave them."""
    return [entry_from_row(row, entry_id) for entry_id, row in zip(ids, rows, strict=True)]


def terms_from_row(r: Any) -> LoanTerms:
    """The terms of a ``loans`` row (any row with the loan columns as attributes)."""
    return LoanTerms(
        principal=int(r.principal),
        interest_rate=Decimal(r.interest_rate),
        term_months=r.term_months,
        disbursed_on=r.disbursed_on,
        method=r.method,
        principal_schedule=r.principal_schedule,
        rounding=Rounding(r.rounding),
    )


def loan_row(
    cycle_id: int,
    member_id: int,
    meeting_id: int,
    terms: LoanTerms,
    purpose: LoanPurpose,
    client_id: str | None,
) -> dict[str, Any]:
    """The ``loans`` row of a new loan."""
    return {
        "cycle_id": cycle_id,
        "member_id": member_id,
        "meeting_id": meeting_id,
        "disbursed_on": terms.disbursed_on,
        "principal": terms.principal,
        "interest_rate": str(terms.interest_rate),
        "term_months": terms.term_months,
        "method": terms.method.value,
        "principal_schedule": terms.principal_schedule.value,
        "rounding": terms.rounding.value,
        "purpose": purpose.value,
        "client_id": client_id,
    }


def loan_moves_query() -> Select[Any]:
    """Loan moves (loan id, date recorded, date effective, kind, Σ amount) of the ledger:
    a reversing entry is effective on the date of the entry it reverses, an opening
    position's entry on its ``effective_on``. Add the ``WHERE``
    (a cycle, a date, some loans); rows become :class:`~vsla.domain.loanstate.LoanMove`.
    The one SQL of a loan's history, for the store and the reports alike."""
    e = t.entries.c
    original = t.entries.alias("original")
    effective = func.coalesce(original.c.effective_on, original.c.date, e.effective_on, e.date)
    return (
        select(e.loan_id, e.date, effective, e.kind, func.sum(e.amount))
        .select_from(t.entries.outerjoin(original, e.reverses_id == original.c.id))
        .where(e.loan_id.is_not(None))
        .group_by(e.loan_id, e.date, effective, e.kind)
    )


def programme_from_row(row: Row[Any]) -> Programme:
    """A ``programmes`` row as a :class:`Programme` (targets are stored as JSON)."""
    data = row._asdict()
    data["targets"] = Targets.model_validate(data["targets"])
    return Programme.model_validate(data)


def member_from_row(row: Row[Any]) -> Member:
    return Member.model_validate(row._asdict())


def group_from_row(row: Row[Any]) -> Group:
    return Group.model_validate(row._asdict())


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one executemany and return their ids, in the order of ``rows``.

    PostgreSQL returns them with ``INSERT … RETURNING`` (SQLAlchemy keeps the order). On
    SQLite, ``RETURNING`` in that order costs one statement per row, so the rows go in with
    one ``executemany`` and their ids are read back: SQLite gives each new row the largest
    rowid plus one, and the transaction holds the write lock, so the ids of this insert are
    exactly those above the largest id before it, ascending in insertion order.
    """
    if not rows:
        return []
    id_column = table.c.id
    if conn.dialect.name != "sqlite":
        return list(
            conn.execute(
                table.insert().returning(id_column, sort_by_parameter_order=True), rows
            ).scalars()
        )
    top = conn.execute(select(func.max(id_column))).scalar_one_or_none() or 0
    # the driver's own executemany: SQLAlchemy's per-row parameter processing costs more
    # than the insert itself. Dates go in as SQLAlchemy's SQLite DATE stores them (ISO).
    names = [c.name for c in table.c if c.name in rows[0]]
    values = list(map(itemgetter(*names), rows))
    for i, name in enumerate(names):
        if isinstance(table.c[name].type, Date):
            iso = {day: day.isoformat() for day in {v[i] for v in values if v[i] is not None}}
            if iso:  # a column of dates left empty (entries.effective_on, mostly) stays None
                values = [(*v[:i], iso.get(v[i]), *v[i + 1 :]) for v in values]
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        values,
    )
    ids = list(conn.execute(select(id_column).where(id_column > top).order_by(id_column)).scalars())
    if len(ids) != len(rows):  # pragma: no cover - would mean another writer interleaved
        raise RuntimeError(f"{table.name}: inserted {len(rows)} rows but found {len(ids)} ids")
    return ids
