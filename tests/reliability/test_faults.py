"""Faults: an import killed half-way, a locked database, a read-only one, a lock timeout.

Whatever happens, the database stays consistent, nothing is half written, and the caller
gets a :class:`~vsla.errors.StoreError` that names the database and says what to do.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import DBAPIError

import vsla
from tests.conftest import POSTGRES_URL, own_pg_schema, snapshot
from tests.store.helpers import START, World, build
from vsla.io import export_programme, import_file
from vsla.store import tables as t

JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")  # a rollback journal's header, once synced
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="VSLA_TEST_POSTGRES_URL is not set")

DEMO_GROUPS = 8  # a programme export (4 MB of JSON) whose import takes a few seconds


# ----------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Programme:
    path: Path
    rows: dict[str, int]  # table -> rows the import creates


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Programme:
    """A demo programme's export (JSON): the large file the killed imports read."""
    source = vsla.open(":memory:")
    from vsla.demo import generate

    generate(source, groups=DEMO_GROUPS, seed=6)
    path = tmp_path_factory.mktemp("programme") / "programme.json"
    export_programme(source, path)
    # every table the export rebuilds (not the change log, which logs the calls that
    # wrote, nor client ids, which an export does not carry)
    rows = {
        name: len(table_rows)
        for name, table_rows in snapshot(source).items()
        if name not in ("changes", "client_ids")
    }
    source.close()
    return Programme(path, rows)


def row_counts(store: vsla.Store) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(store).items()}


def vsla_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "vsla.cli", *args]


def wait_for(condition: object, what: str, timeout: float = 60.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def kill_mid_import(proc: subprocess.Popen[bytes], importing: object) -> None:
    """Wait until ``importing()`` says the import's transaction is writing, let it write a
    while longer, check it is still running, and SIGKILL it."""
    assert callable(importing)
    wait_for(lambda: importing() or proc.poll() is not None, "the import to start writing")
    time.sleep(0.3)
    assert proc.poll() is None, "the import finished before it could be killed: enlarge it"
    assert importing(), "the import is no longer writing"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def sqlite_engine(path: Path, **connect_args: object) -> Engine:
    return create_engine(f"sqlite:///{path}", connect_args=connect_args)


def new_member(world: World, name: str = "Y Mới") -> vsla.NewMember:
    return vsla.NewMember(group_id=world.group.id, full_name=name, sex="F", joined_on=START)


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A PostgreSQL schema of this test's own, dropped at the end."""
    assert POSTGRES_URL
    with own_pg_schema("vsla_faults") as schema:
        yield schema


def pg_engine(schema: str, *settings: str, url: str | None = None) -> Engine:
    options = " ".join(f"-c {s}" for s in (f"search_path={schema}", *settings))
    return create_engine(url or POSTGRES_URL or "", connect_args={"options": options})


# --------------------------------------------------------------------- killed imports


@pytest.mark.slow
def test_sqlite_import_killed_midway_leaves_nothing_and_can_be_run_again(
    tmp_path: Path, programme: Programme
) -> None:
    db = tmp_path / "kontum.db"
    store = vsla.open(db)
    build(store, code="PRE-001")  # what the database held before the import
    before = snapshot(store)
    store.close()
    journal = Path(f"{db}-journal")

    def hot() -> bool:
        """The journal holds the pages the import has overwritten in the database file:
        the file itself is half-changed now."""
        try:
            return journal.read_bytes()[:8] == JOURNAL_MAGIC
        except OSError:
            return False

    # a small page cache makes the import write into the database file early
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.workers", str(db), str(programme.path), "64"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kill_mid_import(proc, hot)
    assert hot()  # the next connection rolls the database file back from it

    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert not journal.exists()  # rolled back
    store = vsla.open(db)
    with store.connection() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    assert snapshot(store) == before

    # the same import, run again, goes through completely
    import_file(store, "programme", programme.path)
    counts = row_counts(store)
    for table, n in programme.rows.items():
        assert counts[table] == len(before[table]) + n, table
    with store.connection() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    store.close()


@needs_postgres
@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_import_killed_midway_leaves_nothing_and_can_be_run_again(
    pg_schema: str, programme: Programme
) -> None:
    store = vsla.open(pg_engine(pg_schema))
    build(store, code="PRE-001")
    before = snapshot(store)
    app = f"vsla_kill_{os.getpid()}"
    assert POSTGRES_URL
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{pg_schema}&application_name={app}"

    def writing() -> bool:
        """The import's backend has a transaction id: it has written rows."""
        with store.connection() as conn:
            return bool(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE application_name = :app AND backend_xid IS NOT NULL"
                    ),
                    {"app": app},
                ).scalar()
            )

    def backends() -> int:
        with store.connection() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :app"),
                    {"app": app},
                ).scalar_one()
            )

    proc = subprocess.Popen(
        vsla_command("import", "programme", str(programme.path), "--db", url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kill_mid_import(proc, writing)
    # the server notices the client is gone and rolls its transaction back
    wait_for(lambda: backends() == 0, "the killed import's backend to end")
    assert snapshot(store) == before

    import_file(store, "programme", programme.path)  # the same import, run again
    counts = row_counts(store)
    for table, n in programme.rows.items():
        assert counts[table] == len(before[table]) + n, table
    store.close()


# ------------------------------------------------------------------- locked database


def test_a_write_waits_for_the_busy_timeout_then_raises_database_busy(tmp_path: Path) -> None:
    db = tmp_path / "busy.db"
    store = vsla.open(sqlite_engine(db, timeout=0.3))
    world = build(store)
    before = snapshot(store)

    other = sqlite3.connect(db, isolation_level=None)  # another program, writing
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE groups SET name = name")
    try:
        assert [g.code for g in store.groups()] == [world.group.code]  # reading still works
        started = time.monotonic()
        with pytest.raises(vsla.DatabaseBusy) as busy:
            store.add_member(new_member(world))
        assert time.monotonic() - started >= 0.25  # it waited for the lock first
        message = str(busy.value)
        assert str(db) in message
        assert "another process is writing" in message
        assert "busy timeout 0.3 s" in message
        assert "nothing was written" in message
        assert isinstance(busy.value.__cause__, DBAPIError)  # the driver's error, chained
        assert isinstance(busy.value, vsla.StoreError)
        with pytest.raises(vsla.DatabaseBusy), store.transaction():
            store.add_member(new_member(world))
        with pytest.raises(vsla.DatabaseBusy):
            world.meet(START, share_purchases={world.id("Y Hoa"): 1})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert snapshot(store) == before
    store.add_member(new_member(world))  # the lock is gone: the write goes through
    store.close()


def test_an_exclusive_lock_makes_reads_busy_too(tmp_path: Path) -> None:
    db = tmp_path / "busy.db"
    store = vsla.open(sqlite_engine(db, timeout=0.2))
    build(store)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(vsla.DatabaseBusy, match=r"busy timeout 0\.2 s"):
            store.groups()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(store.groups()) == 1
    store.close()


def test_the_default_busy_timeout_is_the_stores_unless_the_caller_sets_one(
    tmp_path: Path,
) -> None:
    from vsla.store.transactions import SQLITE_BUSY_TIMEOUT

    for store, seconds in (
        (vsla.open(tmp_path / "a.db"), SQLITE_BUSY_TIMEOUT),
        (vsla.open(sqlite_engine(tmp_path / "b.db", timeout=2)), 2),
    ):
        with store.connection() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == seconds * 1000
        store.close()


# ---------------------------------------------------------------- read-only databases


def test_sqlite_opened_read_only_reads_but_refuses_writes(tmp_path: Path) -> None:
    db = tmp_path / "readonly.db"
    writable = vsla.open(db)
    world = build(writable)
    before = snapshot(writable)
    writable.close()

    engine = create_engine(f"sqlite:///file:{db}?mode=ro&uri=true")
    store = vsla.open(engine, create=False)
    assert store.members(world.group.id)[0].full_name == "Y Hoa"
    assert store.balances(world.cycle.id).loan_fund_cash == 0
    with pytest.raises(vsla.DatabaseReadOnly) as refused:
        store.add_member(new_member(world))
    message = str(refused.value)
    assert str(db) in message
    assert "readonly database" in message
    assert "nothing was written" in message
    assert isinstance(refused.value.__cause__, DBAPIError)
    world.store = store
    with pytest.raises(vsla.DatabaseReadOnly):
        world.meet(START, share_purchases={world.id("Y Hoa"): 1})
    with pytest.raises(vsla.DatabaseReadOnly), store.transaction():
        store.add_member(new_member(world))
    store.close()
    assert snapshot(vsla.open(db)) == before


@needs_postgres
@pytest.mark.postgres
@pytest.mark.parametrize("how", ["read-only session", "select-only role"])
def test_postgres_read_only_reads_but_refuses_writes(pg_schema: str, how: str) -> None:
    owner = vsla.open(pg_engine(pg_schema))
    world = build(owner)
    before = snapshot(owner)
    role = f"vsla_reader_{os.getpid()}"
    if how == "read-only session":
        engine = pg_engine(pg_schema, "default_transaction_read_only=on")
        sqlstate = "25006"
    else:
        with owner.engine.begin() as conn:  # store.connection() only reads
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
            conn.execute(text(f"CREATE ROLE {role} LOGIN"))
            conn.execute(text(f"GRANT USAGE ON SCHEMA {pg_schema} TO {role}"))
            conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {pg_schema} TO {role}"))
        assert POSTGRES_URL
        url = POSTGRES_URL.replace("postgres@", f"{role}@", 1)
        engine = pg_engine(pg_schema, url=url)
        sqlstate = "42501"
    try:
        store = vsla.open(engine, create=False)
        assert store.members(world.group.id)[0].full_name == "Y Hoa"
        with pytest.raises(vsla.DatabaseReadOnly) as refused:
            store.add_member(new_member(world))
        message = str(refused.value)
        assert "does not allow this connection to write" in message
        assert sqlstate in message
        assert "127.0.0.1" in message  # the database's URL (never a password)
        assert "nothing was written" in message
        assert isinstance(refused.value.__cause__, DBAPIError)
        with pytest.raises(vsla.DatabaseReadOnly):
            store.record_meeting(
                world.cycle.id,
                vsla.MeetingInput(date=START, share_purchases={world.id("Y Hoa"): 1}),
            )
        store.close()
        assert snapshot(owner) == before
    finally:
        if how == "select-only role":
            with owner.engine.begin() as conn:
                conn.execute(text(f"DROP OWNED BY {role}"))
                conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        owner.close()


# ------------------------------------------------------------- conflicts on PostgreSQL


@pytest.fixture
def locked_cycle(pg_schema: str) -> Iterator[tuple[vsla.Store, World, Engine]]:
    """A store whose lock waits end after 150 ms, and a second engine to hold locks."""
    store = vsla.open(pg_engine(pg_schema, "lock_timeout=150ms"))
    world = build(store)
    holder = pg_engine(pg_schema)
    yield store, world, holder
    holder.dispose()
    store.close()


def _hold_cycle(holder: Engine, cycle_id: int) -> tuple[object, object]:
    conn = holder.connect()
    trans = conn.begin()
    conn.execute(select(t.cycles.c.id).where(t.cycles.c.id == cycle_id).with_for_update())
    return conn, trans


@needs_postgres
@pytest.mark.postgres
def test_a_lock_held_too_long_is_retried_then_raises_concurrent_update(
    locked_cycle: tuple[vsla.Store, World, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    store, world, holder = locked_cycle
    before = snapshot(store)
    conn, trans = _hold_cycle(holder, world.cycle.id)
    caplog.set_level(logging.INFO, logger="vsla.store")
    try:
        with pytest.raises(vsla.ConcurrentUpdate) as conflict:
            world.meet(START, share_purchases={world.id("Y Hoa"): 1})
    finally:
        trans.rollback()  # type: ignore[attr-defined]
        conn.close()  # type: ignore[attr-defined]
    from vsla.store.transactions import CONFLICT_ATTEMPTS

    message = str(conflict.value)
    assert "lock not available, SQLSTATE 55P03" in message
    assert f"record_meetings was tried {CONFLICT_ATTEMPTS} times" in message
    assert "nothing was written" in message
    assert isinstance(conflict.value.__cause__, DBAPIError)
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == CONFLICT_ATTEMPTS - 1  # only the outermost call retries
    assert snapshot(store) == before


@needs_postgres
@pytest.mark.postgres
def test_a_lock_released_meanwhile_is_retried_and_the_write_goes_through(
    locked_cycle: tuple[vsla.Store, World, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    store, world, holder = locked_cycle
    conn, trans = _hold_cycle(holder, world.cycle.id)

    def release() -> None:
        time.sleep(0.4)
        trans.rollback()  # type: ignore[attr-defined]
        conn.close()  # type: ignore[attr-defined]

    releaser = threading.Thread(target=release)
    caplog.set_level(logging.INFO, logger="vsla.store")
    releaser.start()
    record = world.meet(START, share_purchases={world.id("Y Hoa"): 1})
    releaser.join()
    assert [e.amount for e in record.entries] == [10_000]
    assert any("retrying" in r.getMessage() for r in caplog.records)
    assert store.balances(world.cycle.id).loan_fund_cash == 10_000


@needs_postgres
@pytest.mark.postgres
def test_a_conflict_inside_a_transaction_block_is_not_retried(
    locked_cycle: tuple[vsla.Store, World, Engine],
) -> None:
    store, world, holder = locked_cycle
    before = snapshot(store)
    conn, trans = _hold_cycle(holder, world.cycle.id)
    try:
        started = time.monotonic()
        with (  # noqa: PT012
            pytest.raises(vsla.ConcurrentUpdate, match="re-run the whole block"),
            store.transaction(),
        ):
            store.add_member(new_member(world))
            world.meet(START, share_purchases={world.id("Y Hoa"): 1})
        assert time.monotonic() - started < 1.0  # one lock wait, no retries
    finally:
        trans.rollback()  # type: ignore[attr-defined]
        conn.close()  # type: ignore[attr-defined]
    assert snapshot(store) == before


@needs_postgres
@pytest.mark.postgres
def test_a_deadlock_between_two_blocks_is_a_concurrent_update_for_one_of_them(
    pg_schema: str,
) -> None:
    """Two clerks' blocks lock cycles A then B, and B then A: PostgreSQL breaks the
    deadlock by failing one; that block is rolled back whole, the other commits."""
    store = vsla.open(pg_engine(pg_schema))
    a, b = build(store, code="A"), build(store, code="B")
    before = len(snapshot(store)["entries"])
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def clerk(name: str, first: World, second: World) -> None:
        try:
            with store.transaction():
                first.meet(START, share_purchases={first.id("Y Hoa"): 1})
                barrier.wait(timeout=10)
                second.meet(START, share_purchases={second.id("Y Hoa"): 2})
            outcomes[name] = "committed"
        except vsla.ConcurrentUpdate as exc:
            outcomes[name] = str(exc)

    clerks = [
        threading.Thread(target=clerk, args=("ab", a, b)),
        threading.Thread(target=clerk, args=("ba", b, a)),
    ]
    for c in clerks:
        c.start()
    for c in clerks:
        c.join(timeout=30)
    assert sorted(outcomes) == ["ab", "ba"]
    results = sorted(outcomes.values())
    assert results[0] == "committed", results
    assert "deadlock, SQLSTATE 40P01" in results[1]
    assert "re-run the whole block" in results[1]
    assert len(snapshot(store)["entries"]) == before + 2  # the winner's two meetings only
    store.close()


# ------------------------------------------------- bounded waits: defaults on PostgreSQL


def _settings(store: vsla.Store) -> tuple[str, str]:
    with store.connection() as conn:
        lock = conn.exec_driver_sql("SHOW lock_timeout").scalar_one()
        idle = conn.exec_driver_sql("SHOW idle_in_transaction_session_timeout").scalar_one()
    return lock, idle


def pg_url(schema: str) -> str:
    assert POSTGRES_URL
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@needs_postgres
@pytest.mark.postgres
def test_postgres_connections_get_bounded_waits_unless_someone_chose(pg_schema: str) -> None:
    from vsla.store.transactions import PG_IDLE_IN_TRANSACTION_TIMEOUT, PG_LOCK_TIMEOUT

    assert (PG_LOCK_TIMEOUT, PG_IDLE_IN_TRANSACTION_TIMEOUT) == (2.0, 5.0)
    cases = [
        (vsla.open(pg_url(pg_schema)), ("2s", "5s")),  # vsla's defaults
        (vsla.open(pg_engine(pg_schema)), ("2s", "5s")),  # an Engine of the caller's too
        (vsla.open(pg_engine(pg_schema, "lock_timeout=150ms")), ("150ms", "5s")),  # theirs wins
        (
            vsla.open(pg_url(pg_schema), lock_timeout=0.3, idle_in_transaction_timeout=0),
            ("300ms", "0"),  # chosen when opening; 0 is no bound
        ),
    ]
    for store, expected in cases:
        assert _settings(store) == expected
        store.close()


def test_bounded_wait_arguments_are_checked() -> None:
    with pytest.raises(vsla.InvalidInput, match="PostgreSQL only"):
        vsla.open(":memory:", lock_timeout=1)
    with pytest.raises(vsla.InvalidInput, match="Engine of your own"):
        vsla.open(create_engine("sqlite://"), idle_in_transaction_timeout=1)
    for wrong in (-1, 86_401, float("nan"), True, "2s"):
        with pytest.raises(vsla.InvalidInput, match="number of seconds"):
            vsla.open("postgresql+psycopg://nobody@127.0.0.1:1/none", lock_timeout=wrong)  # type: ignore[arg-type]


@needs_postgres
@pytest.mark.postgres
@pytest.mark.slow
def test_a_lock_held_forever_costs_a_writer_the_default_bound_then_concurrent_update(
    pg_schema: str,
) -> None:
    """With vsla's defaults, a writer queued behind a lock that is never released waits
    ``CONFLICT_ATTEMPTS`` lock timeouts (plus short back-offs), then gets ConcurrentUpdate,
    having written nothing."""
    from vsla.store.transactions import CONFLICT_ATTEMPTS, PG_LOCK_TIMEOUT

    store = vsla.open(pg_url(pg_schema))
    world = build(store)
    before = snapshot(store)
    holder = pg_engine(pg_schema)
    conn, trans = _hold_cycle(holder, world.cycle.id)
    try:
        started = time.monotonic()
        with pytest.raises(vsla.ConcurrentUpdate, match="lock not available"):
            world.meet(START, share_purchases={world.id("Y Hoa"): 1})
        waited = time.monotonic() - started
    finally:
        trans.rollback()  # type: ignore[attr-defined]
        conn.close()  # type: ignore[attr-defined]
        holder.dispose()
    bound = CONFLICT_ATTEMPTS * PG_LOCK_TIMEOUT + sum(0.02 * 2**a for a in range(1, 5))
    assert CONFLICT_ATTEMPTS * PG_LOCK_TIMEOUT * 0.95 <= waited <= bound + 2.0, waited
    assert snapshot(store) == before
    store.close()


@needs_postgres
@pytest.mark.postgres
def test_a_stalled_client_holds_the_cycle_only_for_the_idle_bound(pg_schema: str) -> None:
    """A clerk's app stops inside its transaction block, holding the cycle (its process
    frozen, its network lost). The server ends that transaction once it has been idle for
    the bound, releasing the cycle: another clerk waiting for it goes through, and the
    stalled app, when it wakes, is told that nothing of its block was written."""
    stalled = vsla.open(pg_url(pg_schema), idle_in_transaction_timeout=0.5)
    world = build(stalled)
    other = vsla.open(pg_url(pg_schema))
    started = threading.Event()
    outcome: list[BaseException] = []

    def stall() -> None:
        try:
            with stalled.transaction():
                world.meet(START, share_purchases={world.id("Y Hoa"): 3})  # the cycle is held
                started.set()
                time.sleep(1.5)  # frozen
        except BaseException as exc:
            outcome.append(exc)

    staller = threading.Thread(target=stall)
    staller.start()
    assert started.wait(timeout=10)
    t0 = time.monotonic()
    record = other.record_meeting(
        world.cycle.id, vsla.MeetingInput(date=START, share_purchases={world.id("Y Hoa"): 1})
    )
    waited = time.monotonic() - t0
    staller.join(timeout=10)
    assert waited < 1.2, waited  # the idle bound (0.5 s), not the 1.5 s stall
    assert len(outcome) == 1
    assert isinstance(outcome[0], vsla.ConcurrentUpdate)
    assert "idle_in_transaction_session_timeout" in str(outcome[0])
    assert "re-run the whole block" in str(outcome[0])
    assert [e.amount for e in other.entries(world.cycle.id)] == [e.amount for e in record.entries]
    stalled.close()
    other.close()


@needs_postgres
@pytest.mark.postgres
def test_a_call_stalled_past_the_idle_bound_is_run_again(
    pg_schema: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A store call whose process stalls in the middle (here: once, for 0.6 s, after the
    cycle's lock) finds its transaction ended by the server; the call is run again, from a
    fresh read of the state, and goes through."""
    store = vsla.open(pg_url(pg_schema), idle_in_transaction_timeout=0.2)
    world = build(store)
    stalls: list[str] = []

    def freeze_once(*args: object) -> None:
        statement = str(args[2])
        if "FOR UPDATE" in statement and not stalls:
            stalls.append(statement)
            time.sleep(0.6)

    from sqlalchemy import event

    event.listen(store.engine, "after_cursor_execute", freeze_once)
    caplog.set_level(logging.INFO, logger="vsla.store")
    record = world.meet(START, share_purchases={world.id("Y Hoa"): 2})
    event.remove(store.engine, "after_cursor_execute", freeze_once)
    assert stalls
    assert any("idle in transaction too long" in r.getMessage() for r in caplog.records)
    assert [e.amount for e in store.entries(world.cycle.id)] == [e.amount for e in record.entries]
    assert store.balances(world.cycle.id).loan_fund_cash == 20_000
    store.close()


def _terminate(admin: Engine, conn: object) -> None:
    """End the server session of a store's connection, as a restart or an idle timeout
    would, from another connection."""
    pid = conn.connection.dbapi_connection.info.backend_pid  # type: ignore[attr-defined]
    with admin.connect() as c:
        c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        c.commit()


@needs_postgres
@pytest.mark.postgres
def test_a_connection_lost_before_the_commit_is_retried(pg_schema: str) -> None:
    """The server ends the session in the middle of a write (after the cycle's lock) and
    in the middle of a read (after its first statement): nothing was committed, so each
    call is run again on a fresh connection and goes through."""
    from sqlalchemy import event

    store = vsla.open(pg_engine(pg_schema))
    world = build(store)
    admin = pg_engine(pg_schema)
    ended: list[str] = []

    def end_session_once(conn: object, *args: object) -> None:
        statement = str(args[1])
        if not ended and ("FOR UPDATE" in statement or "FROM cycles" in statement):
            ended.append(statement)
            _terminate(admin, conn)

    event.listen(store.engine, "after_cursor_execute", end_session_once)
    record = world.meet(START, share_purchases={world.id("Y Hoa"): 2})
    assert ended
    ended.clear()
    assert store.balances(world.cycle.id).loan_fund_cash == 20_000  # a read, run again
    assert ended
    event.remove(store.engine, "after_cursor_execute", end_session_once)
    assert [e.id for e in store.entries(world.cycle.id)] == [e.id for e in record.entries]
    admin.dispose()
    store.close()


@needs_postgres
@pytest.mark.postgres
def test_a_connection_lost_during_the_commit_is_not_retried(pg_schema: str) -> None:
    """If the session ends while the COMMIT is on its way, the store cannot know whether it
    was carried out: it raises a StoreError that says so, and runs nothing again."""
    from sqlalchemy import event

    store = vsla.open(pg_engine(pg_schema))
    world = build(store)
    admin = pg_engine(pg_schema)

    def end_session(conn: object) -> None:
        _terminate(admin, conn)

    event.listen(store.engine, "commit", end_session)
    try:
        with pytest.raises(vsla.StoreError, match="may or may not have been written") as lost:
            world.meet(START, share_purchases={world.id("Y Hoa"): 2})
    finally:
        event.remove(store.engine, "commit", end_session)
    assert not isinstance(lost.value, vsla.ConcurrentUpdate)
    assert isinstance(lost.value.__cause__, DBAPIError)
    assert store.entries(world.cycle.id) == []  # here it was not: the server never saw COMMIT
    admin.dispose()
    store.close()
