"""Rows and domain values: each conversion written once, and the bulk insert.

One home each for: a ledger row to a :class:`~vsla.domain.ledger.LedgerEntry` and a planned
entry to a row, loan terms to a row and back, and programme, group and member rows.
"""

from __future__ import annotations

__all__ = [
    "CHUNK",
    "ENTRY_COLUMNS",
    "bulk_insert",
    "chunks",
    "entry_from_row",
    "entry_values",
    "forget_rows",
    "group_from_row",
    "insert_many",
    "insert_many_values",
    "insert_values",
    "loan_days",
    "loan_moves_query",
    "loan_row",
    "loan_state_from_row",
    "member_from_row",
    "plain",
    "programme_from_row",
    "read_loan_states",
    "terms_from_row",
    "written_entry",
]

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Date, Row, Select, Table, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from vsla.domain.base import Record
from vsla.domain.entities import Group, Member, Programme, Targets
from vsla.domain.ledger import EntryKind, EntryOrigin, LedgerEntry
from vsla.domain.loans import LoanTerms
from vsla.domain.loanstate import LoanMove, LoanPurpose, LoanState
from vsla.domain.meeting import PlannedEntry
from vsla.domain.money import Rounding
from vsla.store import prepared
from vsla.store import tables as t

_KINDS = {kind.value: kind for kind in EntryKind}
_ORIGINS = {origin.value: origin for origin in EntryOrigin}
# an enum's ``.value`` is a descriptor call: a dict lookup costs a fraction of it per row
_KIND_TEXT = {kind: kind.value for kind in EntryKind}
_ORIGIN_TEXT = {origin: origin.value for origin in EntryOrigin}

ENTRY_COLUMNS = (
    "cycle_id",
    "meeting_id",
    "date",
    "kind",
    "amount",
    "shares",
    "member_id",
    "loan_id",
    "memo",
    "reverses_id",
    "origin",
    "client_id",
    "effective_on",
)
"""The ``entries`` columns :func:`entry_values` fills, in its order."""
_CYCLE, _MEETING, _DATE, _LOAN = (
    ENTRY_COLUMNS.index(name) for name in ("cycle_id", "meeting_id", "date", "loan_id")
)


def entry_values(
    cycle_id: int, meeting_id: int, on: dt.date, planned: PlannedEntry, loan_id: int | None
) -> tuple[Any, ...]:
    """The ``entries`` row of a planned entry (its loan id already resolved), as values in
    the order of :data:`ENTRY_COLUMNS` (the bulk path: no mapping per row)."""
    return (
        cycle_id,
        meeting_id,
        on,
        _KIND_TEXT[planned.kind],
        planned.amount,
        planned.shares,
        planned.member_id,
        loan_id,
        planned.memo,
        planned.reverses_id,
        _ORIGIN_TEXT[planned.origin],
        planned.client_id,
        planned.effective_on,
    )


def written_entry(entry_id: int, values: tuple[Any, ...], planned: PlannedEntry) -> LedgerEntry:
    """The ledger entry just written from ``planned`` as ``values`` (:func:`entry_values`)
    with the id the database gave it."""
    return LedgerEntry(
        id=entry_id,
        cycle_id=values[_CYCLE],
        meeting_id=values[_MEETING],
        date=values[_DATE],
        kind=planned.kind,
        amount=planned.amount,
        member_id=planned.member_id,
        loan_id=values[_LOAN],
        shares=planned.shares,
        memo=planned.memo,
        reverses_id=planned.reverses_id,
        origin=planned.origin,
        client_id=planned.client_id,
        effective_on=planned.effective_on,
    )


def loan_days(values: Sequence[tuple[Any, ...]]) -> Iterator[tuple[int | None, dt.date]]:
    """Each row's (loan id or ``None``, date) of entries as :func:`entry_values` gives them:
    what :func:`~vsla.store.loanmarks.refresh_loan_marks` takes."""
    return ((v[_LOAN], v[_DATE]) for v in values)


def entry_from_row(row: Mapping[Any, Any], entry_id: int | None = None) -> LedgerEntry:
    """A ledger entry from an ``entries`` row (a mapping; ``entry_id`` when the row has no
    id yet because it was just inserted)."""
    return LedgerEntry(
        id=row["id"] if entry_id is None else entry_id,
        cycle_id=row["cycle_id"],
        meeting_id=row["meeting_id"],
        date=row["date"],
        kind=_KINDS[row["kind"]],
        amount=row["amount"],
        member_id=row["member_id"],
        loan_id=row["loan_id"],
        shares=row["shares"],
        memo=row["memo"],
        reverses_id=row["reverses_id"],
        origin=_ORIGINS[row["origin"]],
        client_id=row["client_id"],
        effective_on=row["effective_on"],
    )


def terms_from_row(r: Any) -> LoanTerms:
    """The terms of a ``loans`` row (any row with the loan columns as attributes)."""
    return _terms(
        int(r.principal),
        r.interest_rate,
        r.term_months,
        r.disbursed_on,
        r.method,
        r.principal_schedule,
        r.rounding,
    )


@lru_cache(maxsize=1 << 14)
def _terms(
    principal: int,
    rate: str,
    term_months: int,
    disbursed_on: dt.date,
    method: str,
    schedule: str,
    rounding: str,
) -> LoanTerms:
    # validated once per distinct set of terms: LoanTerms is frozen, so one value may be
    # shared (a cycle's state is read again at every store call)
    return LoanTerms(
        principal=principal,
        interest_rate=Decimal(rate),
        term_months=term_months,
        disbursed_on=disbursed_on,
        method=method,
        principal_schedule=schedule,
        rounding=Rounding(rounding),
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


CHUNK = 500
"""Ids per ``IN (…)`` list: well under every driver's limit on bound parameters."""


def chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    """``ids`` in lists of at most :data:`CHUNK`, for ``IN (…)`` queries."""
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


@lru_cache(maxsize=1)
def loan_moves_query() -> Select[Any]:
    """Loan moves (loan id, date recorded, date effective, kind, Σ amount) of the ledger:
    a reversing entry is effective on the date of the entry it reverses, an opening
    position's entry on its ``effective_on``. Add the ``WHERE``
    (a cycle, a date, some loans); rows become :class:`~vsla.domain.loanstate.LoanMove`.
    The one SQL of a loan's history, for the store and the reports alike. Built once: a
    statement is immutable (``where`` returns a new one), and building it costs more than
    running it on a cycle's entries."""
    e = t.entries.c
    original = t.entries.alias("original")
    effective = func.coalesce(original.c.effective_on, original.c.date, e.effective_on, e.date)
    return (
        select(e.loan_id, e.date, effective, e.kind, func.sum(e.amount))
        .select_from(t.entries.outerjoin(original, e.reverses_id == original.c.id))
        .where(e.loan_id.is_not(None))
        .group_by(e.loan_id, e.date, effective, e.kind)
    )


def read_loan_states(conn: Connection, loan_rows: Sequence[Row[Any]]) -> dict[int, LoanState]:
    """The loans of ``loan_rows`` (rows of ``loans``, in their order) with every move
    recorded, in the order recorded. The moves are read by the loans' ids (the loan index),
    a chunk at a time: never as "a cycle's entries that name a loan", which PostgreSQL, once
    it has statistics, may read as every loan entry of the database filtered by cycle."""
    moves: dict[int, list[LoanMove]] = defaultdict(list)
    for chunk in chunks([r.id for r in loan_rows]):
        query = loan_moves_query().where(t.entries.c.loan_id.in_(chunk))
        for loan_id, recorded, effective, kind, amount in conn.execute(query):
            moves[loan_id].append(LoanMove(recorded, effective, EntryKind(kind), int(amount)))
    return {r.id: loan_state_from_row(r, moves.get(r.id, ())) for r in loan_rows}


def loan_state_from_row(row: Row[Any], moves: Iterable[LoanMove]) -> LoanState:
    """A ``loans`` row with its moves (rows of :func:`loan_moves_query`) as a
    :class:`~vsla.domain.loanstate.LoanState`, the moves in the order recorded."""
    return LoanState(
        id=row.id,
        member_id=row.member_id,
        terms=terms_from_row(row),
        purpose=LoanPurpose(row.purpose),
        ref=row.client_id,
        moves=tuple(sorted(moves, key=lambda m: m.recorded_on)),
    )


def programme_from_row(row: Row[Any]) -> Programme:
    """A ``programmes`` row as a :class:`Programme` (targets are stored as JSON)."""
    data = row._asdict()
    data["targets"] = Targets.model_validate(data["targets"])
    return Programme.model_validate(data)


def member_from_row(row: Row[Any]) -> Member:
    """A ``members`` row as a :class:`Member`, validated once per distinct row (a member is
    frozen, so equal rows may share one value: a group's members are read at every call)."""
    return cast(Member, _validated(Member, tuple(row._fields), tuple(row)))


def group_from_row(row: Row[Any]) -> Group:
    """A ``groups`` row as a :class:`Group`, validated once per distinct row (as members)."""
    return cast(Group, _validated(Group, tuple(row._fields), tuple(row)))


@lru_cache(maxsize=1 << 14)
def _validated(kind: type[Record], fields: tuple[str, ...], values: tuple[Any, ...]) -> Record:
    # keyed by the whole row: a changed row is a new key, never a stale value
    return kind.model_validate(dict(zip(fields, values, strict=True)))


def forget_rows() -> None:
    """Drop the validated rows held for :func:`member_from_row` and :func:`group_from_row`
    (names and phone numbers): :meth:`vsla.Store.close` calls it, so they do not outlive
    the store that read them."""
    _validated.cache_clear()


def _values(table: Table, rows: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[Any]]:
    """The columns ``rows`` fill (a Python-side scalar default filling a column they leave
    out, as SQLAlchemy would) and each row's values in that order."""
    given = rows[0]
    names = [c.name for c in table.c if c.name in given]
    defaults = {
        c.name: c.default.arg
        for c in table.c
        if c.name not in given and isinstance(c.default, ScalarElementColumnDefault)
    }
    values: list[Any] = (
        list(map(itemgetter(*names), rows))
        if len(names) > 1
        else [(row[names[0]],) for row in rows]
    )
    if defaults:
        names += list(defaults)
        values = [(*v, *defaults.values()) for v in values]
    return names, values


def plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """A model's dump as column values for :func:`bulk_insert`: enum members as their
    values (the fast paths hand values to the driver as they are)."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (mappings with the same keys, plain values: ints, text, dates, ``None``)
    with :func:`insert_values`, in the caller's transaction."""
    if rows:
        insert_values(conn, table, *_values(table, rows))


def insert_values(
    conn: Connection, table: Table, names: Sequence[str], values: Sequence[Sequence[Any]]
) -> None:
    """Insert ``values`` (one sequence a row, in the order of the columns ``names``, plain
    values: ints, text, dates, ``None``) the fastest way the database driver has, in the
    caller's transaction.

    SQLite: multi-row ``INSERT … VALUES (…), (…), …`` statements through the driver, as many
    rows a statement as SQLite's limit on parameters allows (SQLAlchemy's per-row parameter
    processing costs more than the insert itself, and one statement of many rows costs about
    0.6 of the driver's ``executemany`` of the same rows: SQLite steps once a statement, not
    once a row), dates as SQLAlchemy's SQLite ``DATE`` stores them (ISO).
    PostgreSQL through psycopg 3: ``COPY … FROM STDIN``, one stream for all the rows. Any
    other driver: SQLAlchemy's ``executemany``.
    """
    if not values:
        return
    # the columns as the table's metadata names them (an unknown name is a KeyError here):
    # the statement is built from these, never from the caller's strings
    columns = [table.c[name] for name in names]
    names = [column.name for column in columns]
    if conn.dialect.name == "sqlite":
        dates = [i for i, column in enumerate(columns) if isinstance(column.type, Date)]
        _insert_sqlite(conn, table.name, names, values, dates)
        return
    if conn.dialect.driver == "psycopg":
        driver = conn.connection.driver_connection
        assert driver is not None
        dbapi = conn.dialect.loaded_dbapi
        try:
            with (
                driver.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy,
            ):
                for v in values:
                    copy.write_row(v)
        except dbapi.Error as exc:
            # what SQLAlchemy does with a failure of its own statements: the driver's error
            # wrapped (IntegrityError, OperationalError, ...), the connection dropped from the
            # pool when the server is gone, so the store's callers see one kind of error
            lost = conn.dialect.is_disconnect(exc, driver, None)
            if lost:
                conn.invalidate(exc)
            raise DBAPIError.instance(
                f"COPY {table.name}", None, exc, dbapi.Error, connection_invalidated=lost
            ) from exc
        return
    conn.execute(table.insert(), [dict(zip(names, v, strict=True)) for v in values])


def _insert_sqlite(
    conn: Connection,
    table: str,
    names: Sequence[str],
    values: Sequence[Sequence[Any]],
    dates: Sequence[int] = (),
) -> None:
    """``values`` into ``table`` on SQLite, in order, in multi-row statements of a power of
    two rows each (as many as the limit on parameters allows, then halving for the rest).
    So a table has a dozen distinct statements at most, each prepared once and kept by the
    driver's statement cache. A statement of every batch's own length would be prepared
    anew for each batch: with a few thousand parameters that costs more than it saves, and
    it pushes the store's other statements out of the cache.

    The columns at the positions ``dates`` hold dates, written as SQLAlchemy's SQLite
    ``DATE`` stores them (ISO text): each statement's parameters are one flat list, so a
    date column is every ``width``-th of them, converted in one slice (each distinct day
    formatted once)."""
    width = len(names)
    driver = conn.connection.driver_connection
    limit = _SQLITE_DEFAULT_VARIABLES
    if isinstance(driver, sqlite3.Connection):
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    most = max(1, min(limit, _SQLITE_MAX_VARIABLES) // width)
    row = f"({', '.join('?' * width)})"
    head = f"INSERT INTO {table} ({', '.join(names)}) VALUES "
    start, total = 0, len(values)
    size = 1 << (most.bit_length() - 1)  # chunks of powers of two: few distinct statements
    while start < total:
        while size > total - start:
            size >>= 1
        chunk = values[start : start + size]
        flat = list(chain.from_iterable(chunk))
        if len(flat) != width * size or len(set(map(len, chunk))) != 1:
            # a row of the wrong length: never shifted into its neighbours' columns
            raise ValueError(f"{table}: each row must hold {width} values ({', '.join(names)})")
        for i in dates:
            days = flat[i::width]
            iso: dict[Any, Any] = {day: day.isoformat() for day in set(days) - {None}}
            iso[None] = None
            flat[i::width] = map(iso.__getitem__, days)
        conn.exec_driver_sql(head + ", ".join([row] * size), tuple(flat))
        start += size


# SQLite's limit on parameters of one statement: 999 before 3.32, 32,766 since (the
# connection says which). Measured with `python -m benchmarks.import_parts` (the entries
# of 20 groups, 48,580 rows): at most 1,024 parameters a statement 363 to 386 ms, 4,096:
# 325 to 329 ms, 16,384: 313 to 321 ms, 32,766: 347 to 377 ms (long statements to prepare)
_SQLITE_DEFAULT_VARIABLES = 999
_SQLITE_MAX_VARIABLES = 16_384


# the sequence is looked up once: MATERIALIZED keeps the planner from folding the lookup
# into the join, where it ran once per id and cost six times the draw itself (EXPLAIN
# ANALYZE, 1,500 ids: 6.9 ms, 1.0 ms once looked up); the ids come back as one array (one
# row to fetch, not one per id)
_DRAW_IDS = text(
    "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(:table, 'id')::regclass AS seq) "
    "SELECT array_agg(nextval(s.seq)) FROM s CROSS JOIN generate_series(1, :n)"
)


def insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert ``rows`` (mappings with the same keys) with :func:`insert_many_values` and
    return their ids, in the order of ``rows``."""
    if not rows:
        return []
    return insert_many_values(conn, table, *_values(table, rows))


def insert_many_values(
    conn: Connection, table: Table, names: Sequence[str], values: Sequence[Sequence[Any]]
) -> list[int]:
    """Insert ``values`` (as :func:`insert_values` takes them) and return the rows' ids, in
    the order of ``values``.

    PostgreSQL: the ids are drawn from the table's sequence first (one query), the rows go in
    with them. SQLite: the rows go in, then their ids are worked out: SQLite gives each new
    row the largest rowid plus one, and the transaction holds the write lock, so the ids of
    this insert are exactly those above the largest id before it, ascending in insertion
    order; one aggregate checks that they are (their count, first and last) before the
    range is returned.
    """
    if not values:
        return []
    if conn.dialect.name != "sqlite":
        drawn = conn.execute(_DRAW_IDS, {"table": table.name, "n": len(values)}).scalar_one()
        ids = sorted(map(int, drawn))
        with_ids = [(i, *v) for i, v in zip(ids, values, strict=True)]
        insert_values(conn, table, ["id", *names], with_ids)
        return ids
    top = conn.execute(prepared.top_id(table)).scalar_one_or_none() or 0
    insert_values(conn, table, names, values)
    count, first, last = conn.execute(prepared.count_since(table), {"top": top}).one()
    if count != len(values) or last - first + 1 != count:  # pragma: no cover - would mean
        # another writer interleaved, or SQLite chose rowids at random (the largest is taken)
        raise RuntimeError(f"{table.name}: inserted {len(values)} rows but found {count} ids")
    return list(range(first, last + 1))
