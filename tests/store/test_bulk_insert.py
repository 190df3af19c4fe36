"""The bulk writer under every recorded meeting (``vsla.store.rows.insert_values`` and
``insert_many_values``, and the mapping forms ``bulk_insert`` and ``insert_many``): rows go
in exactly as given, ids come back in the order of the rows, and a
failure of the driver's fast path (PostgreSQL's ``COPY``, SQLite's own ``executemany``) is
the SQLAlchemy error every other statement raises, so the store's error handling and retries
see it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Connection, create_engine, event, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

import vsla
from tests.conftest import BACKENDS, POSTGRES_URL, fresh_store
from vsla.domain.cyclestate import PlannedEntry
from vsla.domain.ledger import EntryKind, EntryOrigin
from vsla.store import rows as rows_module
from vsla.store import tables as t
from vsla.store.rows import (
    ENTRY_COLUMNS,
    _validated,
    bulk_insert,
    entry_from_row,
    entry_values,
    insert_many,
    insert_many_values,
    insert_values,
    written_entry,
)

START = dt.date(2024, 1, 1)


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest) -> Iterator[tuple[vsla.Store, int, list[int]]]:
    """A store with a group of three members and a cycle: (store, cycle id, member ids)."""
    store = fresh_store(request.param)
    group = store.add_group(vsla.NewGroup(code="B1", name="Tổ Đăk Pék", established_on=START))
    members = store.add_members(
        [
            vsla.NewMember(group_id=group.id, full_name=f"Y Mơ {i}", sex="F", joined_on=START)
            for i in range(3)
        ]
    )
    rules = vsla.Constitution(share_value=10_000, interest_rate=Decimal("0.02"))
    cycle = store.start_cycle(
        group.id, start=START, end=START + dt.timedelta(days=300), constitution=rules
    )
    yield store, cycle.id, [m.id for m in members]
    store.close()


def _meeting_rows(cycle_id: int, days: int) -> list[dict[str, object]]:
    return [
        {
            "cycle_id": cycle_id,
            "date": START + dt.timedelta(weeks=i),
            "number": i + 1,
            "client_id": None if i % 2 else f"m/{i}",
            # minutes_recorded left out: its default (False) fills it, as SQLAlchemy would
        }
        for i in range(days)
    ]


def test_ids_come_back_in_the_order_of_the_rows(world: tuple[vsla.Store, int, list[int]]) -> None:
    store, cycle_id, _ = world
    rows = _meeting_rows(cycle_id, 5)
    with store.engine.begin() as conn:
        ids = insert_many(conn, t.meetings, rows)
    assert ids == sorted(ids)
    assert len(set(ids)) == 5
    with store.engine.connect() as conn:
        stored = {
            r.id: (r.date, r.number, r.client_id, r.minutes_recorded)
            for r in conn.execute(select(t.meetings))
        }
    assert [stored[i] for i in ids] == [
        (START + dt.timedelta(weeks=i), i + 1, None if i % 2 else f"m/{i}", False) for i in range(5)
    ]


@pytest.mark.parametrize("count", [1, 7, 8, 9, 300])
def test_sqlite_chunks_keep_every_row_in_order(
    world: tuple[vsla.Store, int, list[int]], monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    """SQLite writes in multi-row statements of a power of two rows: with 40 parameters a
    statement and the 5 columns of a meeting row, 8 rows a statement (40 // 5 = 8), then 4,
    2, 1 for the rest (300 rows: 37 x 8 + 4). Every row goes in, in order, nothing else."""
    store, cycle_id, _ = world
    monkeypatch.setattr(rows_module, "_SQLITE_MAX_VARIABLES", 40)
    statements: list[int] = []

    def count_rows(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        if sql.startswith("INSERT INTO meetings"):
            statements.append(sql.count("(?"))

    event.listen(store.engine, "before_cursor_execute", count_rows)
    try:
        with store.engine.begin() as conn:
            ids = insert_many(conn, t.meetings, _meeting_rows(cycle_id, count))
    finally:
        event.remove(store.engine, "before_cursor_execute", count_rows)
    with store.engine.connect() as conn:
        stored = [
            (r.id, r.number) for r in conn.execute(select(t.meetings).order_by(t.meetings.c.id))
        ]
    assert stored == [(i, n + 1) for n, i in enumerate(ids)]
    assert ids == list(range(ids[0], ids[0] + count))
    if store.engine.dialect.name == "sqlite":
        expected = {1: [1], 7: [4, 2, 1], 8: [8], 9: [8, 1], 300: [8] * 37 + [4]}[count]
        assert statements == expected


def test_values_go_in_as_given(world: tuple[vsla.Store, int, list[int]]) -> None:
    """Text with quotes, tabs, backslashes and newlines (what COPY's text format escapes),
    ``None``, dates and 64-bit amounts come back unchanged."""
    store, cycle_id, members = world
    with store.engine.begin() as conn:
        (meeting_id,) = insert_many(conn, t.meetings, _meeting_rows(cycle_id, 1))
        memo = "nợ \"cũ\"\tkhoản\\N 'a'\nb \\. \r end"
        rows = [
            {
                "cycle_id": cycle_id,
                "meeting_id": meeting_id,
                "date": START,
                "kind": "other_income",
                "amount": 2**62 + n,
                "shares": 0,
                "member_id": members[0] if n else None,
                "loan_id": None,
                "memo": memo if n else "",
                "reverses_id": None,
                "origin": "meeting",
                "client_id": None,
                "effective_on": START - dt.timedelta(days=n) if n else None,
            }
            for n in range(2)
        ]
        ids = insert_many(conn, t.entries, rows)
    with store.engine.connect() as conn:
        got = [
            (r.amount, r.member_id, r.memo, r.effective_on)
            for r in conn.execute(select(t.entries).where(t.entries.c.id.in_(ids)))
        ]
    assert sorted(got, key=lambda g: g[0]) == [
        (2**62, None, "", None),
        (2**62 + 1, members[0], memo, START - dt.timedelta(days=1)),
    ]


def test_a_broken_constraint_is_sqlalchemys_integrity_error(
    world: tuple[vsla.Store, int, list[int]],
) -> None:
    """Two attendance rows for one member at one meeting break the primary key: the error is
    SQLAlchemy's IntegrityError (what the store turns into a clear error or a retry), and
    the transaction writes nothing."""
    store, cycle_id, members = world
    with store.engine.begin() as conn:
        (meeting_id,) = insert_many(conn, t.meetings, _meeting_rows(cycle_id, 1))
    row = {"meeting_id": meeting_id, "member_id": members[1], "status": "present"}
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        bulk_insert(conn, t.attendance, [row, dict(row)])
    with store.engine.connect() as conn:
        assert conn.execute(select(t.attendance)).all() == []


def _terminate_own_session(conn: Connection) -> None:
    assert POSTGRES_URL
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="VSLA_TEST_POSTGRES_URL is not set")
def test_a_connection_lost_during_copy_is_an_invalidated_dbapi_error() -> None:
    """The server ends the session just before the rows stream in: the error says the
    connection was invalidated (the store's signal to run the call again on a fresh one)."""
    store = fresh_store("postgresql")
    group = store.add_group(vsla.NewGroup(code="B1", name="Tổ B", established_on=START))
    rows = [
        {
            "group_id": group.id,
            "held_on": START,
            "tool": "vision_journey",
            "women": 3,
            "men": 1,
            "reached_by_peer_sharing": 0,
        }
    ]
    with store.engine.connect() as conn:
        _terminate_own_session(conn)
        with pytest.raises(DBAPIError) as caught:
            bulk_insert(conn, t.gal_sessions, rows)
    assert caught.value.connection_invalidated
    assert store.groups()[0].code == "B1"  # the pool hands out a live connection again
    store.close()


def test_entries_written_as_value_tuples_come_back_as_the_ledger_reads_them(
    world: tuple[vsla.Store, int, list[int]],
) -> None:
    """The meeting path's writer: ``entry_values`` rows through ``insert_many_values``, and
    the ``LedgerEntry`` values ``written_entry`` returns without reading them back, equal to
    the entries the store reads from the database afterwards (every column, the enum ones
    and the optional dates included)."""
    store, cycle_id, members = world
    planned = [
        PlannedEntry(EntryKind.SHARE_PURCHASE, 30_000, member_id=members[0], shares=3),
        PlannedEntry(EntryKind.FINE, 2_000, member_id=members[1], memo="late ⏰"),
        PlannedEntry(
            EntryKind.INTEREST_PAYMENT,
            1_500,
            member_id=members[2],
            origin=EntryOrigin.UPFRONT_INTEREST,
            client_id="r/1",
            effective_on=START - dt.timedelta(days=3),
        ),
    ]
    with store.engine.begin() as conn:
        meeting_id = insert_many(conn, t.meetings, _meeting_rows(cycle_id, 1))[0]
        values = [entry_values(cycle_id, meeting_id, START, p, None) for p in planned]
        ids = insert_many_values(conn, t.entries, ENTRY_COLUMNS, values)
        written = list(map(written_entry, ids, values, planned))
        read = [
            entry_from_row(r._mapping)
            for r in conn.execute(select(t.entries).where(t.entries.c.id.in_(ids)))
        ]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    assert sorted(read, key=lambda e: e.id) == written
    assert [e.kind for e in written] == [p.kind for p in planned]
    assert written[2].effective_on == dt.date(2023, 12, 29)
    assert written[2].origin is EntryOrigin.UPFRONT_INTEREST


def test_closing_the_store_forgets_the_member_rows_it_validated(
    world: tuple[vsla.Store, int, list[int]],
) -> None:
    """Member and group rows are validated once and shared while a store is open (they are
    read at every call); they hold names and phone numbers, so ``close()`` drops them."""
    store, _, members = world
    group_id = store.member(members[0]).group_id
    first = store.members(group_id)
    assert [m.full_name for m in first] == ["Y Mơ 0", "Y Mơ 1", "Y Mơ 2"]
    assert store.members(group_id)[0] is first[0]  # one validated value, shared
    assert _validated.cache_info().currsize >= 3
    store.close()
    assert _validated.cache_info().currsize == 0


def test_a_column_name_not_in_the_table_is_refused_before_any_sql(
    world: tuple[vsla.Store, int, list[int]],
) -> None:
    """The statement is built from the table's own column names: a name given that the
    table does not have (here a hostile one) is a ``KeyError`` and nothing is sent."""
    store, cycle_id, _ = world
    before = store.meetings(cycle_id)
    with store.engine.begin() as conn, pytest.raises(KeyError):
        insert_values(conn, t.meetings, ["cycle_id) VALUES (1); DROP TABLE entries; --"], [(1,)])
    assert store.meetings(cycle_id) == before
