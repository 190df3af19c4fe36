"""Transactions: one per store call, or one around many calls with ``Store.transaction()``.

Every public method of the store runs in a transaction of its own, so it is all or nothing.
Inside ``with store.transaction():`` every call joins one outer transaction instead, each call
in a savepoint of its own: a refused call leaves nothing behind, and the whole block is
committed when it ends, or rolled back when it raises. A block inside a block is a
savepoint too: when it raises, what it wrote is rolled back, whatever the depth. The open
transaction is held in a :class:`~contextvars.ContextVar`, so one Store shared by the
threads or tasks of an application never mixes their transactions.

Failures of the database itself become :class:`~vsla.errors.StoreError` subclasses here,
with the driver's exception chained: a locked SQLite file is :class:`DatabaseBusy`, a
read-only file, directory or role is :class:`DatabaseReadOnly`, and a PostgreSQL
deadlock, serialization failure or lock timeout is retried (the whole store call, see
:func:`retry_conflicts`) and only then :class:`ConcurrentUpdate`.

On SQLite a write transaction starts with ``BEGIN IMMEDIATE``: it takes the database's
write lock before it reads the state it plans from, so two writers queue on the busy
timeout instead of both reading, then one failing at its first write.

Every read call sees one snapshot: its statements run in one read transaction
(``REPEATABLE READ, READ ONLY`` on PostgreSQL, one deferred ``BEGIN`` on SQLite), and a
read call made of other read calls (``programmes()``, an export, a report) shares it
(:meth:`Transactions.snapshot`, :func:`one_snapshot`). A meeting committed meanwhile is
seen by all of the call's figures or by none.

On PostgreSQL each connection gets bounded waits (:data:`PG_LOCK_TIMEOUT`,
:data:`PG_IDLE_IN_TRANSACTION_TIMEOUT`) unless the caller or the server chose its own, so
a stalled client cannot hold a group's cycle forever.

The one connection of an in-memory SQLite store is shared by every thread of the process:
the store runs one transaction at a time on it (:class:`_SharedConnection`).
"""

from __future__ import annotations

__all__ = [
    "CONFLICT_ATTEMPTS",
    "PG_IDLE_IN_TRANSACTION_TIMEOUT",
    "PG_LOCK_TIMEOUT",
    "SQLITE_BUSY_TIMEOUT",
    "Transactions",
    "one_snapshot",
    "postgres_on_connect",
    "postgres_settings",
    "retry_conflicts",
    "sqlite_on_begin",
    "sqlite_on_connect",
]

import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Concatenate, NoReturn, ParamSpec, Self, TypeVar

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from vsla.errors import (
    ConcurrentUpdate,
    DatabaseBusy,
    DatabaseReadOnly,
    InvalidInput,
    StoreError,
)
from vsla.store import prepared
from vsla.store.opening import display_url

log = logging.getLogger("vsla.store")

SQLITE_BUSY_TIMEOUT = 15.0
"""Seconds a SQLite connection waits for another process's write lock before
:class:`DatabaseBusy`; a large import holds the lock for a few seconds. The driver's own
``timeout`` connect argument, when given, wins (``create_engine(url,
connect_args={"timeout": 2})``)."""

_SQLITE_DRIVER_DEFAULT_MS = 5000  # the sqlite3 module's default timeout (5.0 s)

PG_LOCK_TIMEOUT = 2.0
"""Seconds a PostgreSQL statement waits for a row another transaction holds (its
``lock_timeout``) before the store call is retried (:data:`CONFLICT_ATTEMPTS` times in
all) and then refused with :class:`ConcurrentUpdate`. ``vsla.open(url, lock_timeout=...)``
chooses another; a value set by the caller (``-c lock_timeout=...`` in the connection's
options) or on the server (``ALTER ROLE``/``ALTER DATABASE``, ``postgresql.conf``) wins."""

PG_IDLE_IN_TRANSACTION_TIMEOUT = 5.0
"""Seconds a PostgreSQL session may sit idle inside a transaction (its
``idle_in_transaction_session_timeout``) before the server ends it, rolling the
transaction back and releasing its locks: a client stopped in the middle of a store call
(a frozen process, a lost network) holds its group's cycle at most this long. The store
itself is never idle in a transaction longer than its own planning takes (milliseconds);
``vsla.open(url, idle_in_transaction_timeout=...)`` chooses another, and a value set by
the caller or on the server wins, as for :data:`PG_LOCK_TIMEOUT`."""

_PG_SETTINGS = {
    "lock_timeout": PG_LOCK_TIMEOUT,
    "idle_in_transaction_session_timeout": PG_IDLE_IN_TRANSACTION_TIMEOUT,
}

CONFLICT_ATTEMPTS = 5
"""How many times a store call is run when PostgreSQL reports a conflict (deadlock,
serialization failure, lock timeout) before it raises :class:`ConcurrentUpdate`."""

_WRITE = "vsla_write"  # execution option: this connection's transaction will write

# SQLSTATEs: a conflict between concurrent transactions (retry the whole unit of work) ...
_PG_CONFLICTS = {
    "40001": "serialization failure",
    "40P01": "deadlock",
    "55P03": "lock not available",
    # the server ended this session's transaction: it was idle (this process stalled)
    # longer than idle_in_transaction_session_timeout; rolled back, locks released
    "25P03": "idle in transaction too long",
}
_PG_STALLED = "25P03"
# ... and a database, replica or role that does not allow writing
_PG_READ_ONLY = {"25006", "42501"}


def sqlite_on_connect(dbapi_connection: Any) -> None:
    """Per SQLite connection: the busy timeout (unless the caller chose one)."""
    cursor = dbapi_connection.cursor()
    try:
        (current,) = cursor.execute("PRAGMA busy_timeout").fetchone()
        if current == _SQLITE_DRIVER_DEFAULT_MS:
            cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
    finally:
        cursor.close()


def postgres_settings(
    lock_timeout: float | None = None, idle_in_transaction_timeout: float | None = None
) -> dict[str, tuple[int, bool]]:
    """The PostgreSQL settings a store gives its connections: name → (milliseconds, chosen
    by the caller). A default (``None``) applies only where nobody else chose a value."""
    out: dict[str, tuple[int, bool]] = {}
    for (name, default), given in zip(
        _PG_SETTINGS.items(), (lock_timeout, idle_in_transaction_timeout), strict=True
    ):
        seconds = default if given is None else given
        out[name] = (round(seconds * 1000), given is not None)
    return out


def postgres_on_connect(dbapi_connection: Any, settings: Mapping[str, tuple[int, bool]]) -> None:
    """Per PostgreSQL connection: set each of ``settings`` (see :func:`postgres_settings`)
    that the caller chose, and each default whose setting is still the server's built-in
    default (``pg_settings.source = 'default'``). One round trip, then a commit."""
    values = [x for name, (ms, chosen) in settings.items() for x in (name, str(ms), chosen)]
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(
            "SELECT set_config(v.name, v.value, false) "
            "FROM (VALUES (%s, %s, %s), (%s, %s, %s)) AS v(name, value, chosen) "
            "JOIN pg_settings s ON s.name = v.name WHERE v.chosen OR s.source = 'default'",
            values,
        )
    finally:
        cursor.close()
    dbapi_connection.commit()


def sqlite_on_begin(conn: Connection) -> None:
    """Begin a SQLite transaction: ``IMMEDIATE`` (the write lock, now) for a store write,
    deferred for a read."""
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_RACE = ": another writer changed the same rows at the same time"
_STALLED = (
    " ended this transaction because it sat idle longer than "
    "idle_in_transaction_session_timeout (this process stopped in the middle of a store "
    "call or held a store.transaction() block open while doing something else)"
)
_LOST = (
    ": the connection to the server was lost in the middle of the call, before anything "
    "was committed (the server ended the session: this process was stopped longer than "
    "idle_in_transaction_session_timeout, or the server was restarted)"
)


class _Conflict(ConcurrentUpdate):
    """A conflict that re-running the whole store call may resolve: with another writer
    (``_RACE``), or a transaction the server ended before it committed (``_STALLED``,
    ``_LOST``)."""

    def __init__(self, database: str, what: str, cause: str = _RACE) -> None:
        self.database, self.what, self.cause = database, what, cause
        super().__init__(
            f"the database {database}{cause} ({what}); nothing was written. Try again in a moment."
        )


_retrying: ContextVar[bool] = ContextVar("vsla_retrying", default=False)

S = TypeVar("S", bound="Transactions")
P = ParamSpec("P")
R = TypeVar("R")


def retry_conflicts(
    method: Callable[Concatenate[S, P], R],
) -> Callable[Concatenate[S, P], R]:
    """Run a public write method of the store again when PostgreSQL reports a conflict.

    A retry re-runs the whole call: it reads the state again and plans again, so it never
    writes what was planned from rows another writer has since changed. Only the outermost
    call retries (a write method calling another does not multiply the attempts), and
    never inside ``store.transaction()``: the caller's block owns that transaction, so the
    conflict is raised as :class:`ConcurrentUpdate` for the caller to re-run the block.
    After :data:`CONFLICT_ATTEMPTS` attempts the last conflict is raised.
    """

    @functools.wraps(method)
    def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if _retrying.get() or self._outer.get() is not None:
            return method(self, *args, **kwargs)
        token = _retrying.set(True)
        try:
            for attempt in range(1, CONFLICT_ATTEMPTS + 1):
                try:
                    return method(self, *args, **kwargs)
                except _Conflict as exc:
                    if attempt == CONFLICT_ATTEMPTS and exc.cause != _RACE:
                        raise ConcurrentUpdate(
                            f"the database {exc.database}{exc.cause} ({exc.what}), each of "
                            f"the {CONFLICT_ATTEMPTS} times {method.__name__} was tried; "
                            "nothing was written. A call that works longer than that between "
                            "two statements needs a longer bound: vsla.open(url, "
                            "idle_in_transaction_timeout=seconds)."
                        ) from exc.__cause__
                    if attempt == CONFLICT_ATTEMPTS:
                        raise ConcurrentUpdate(
                            f"the database {exc.database}: another writer kept changing the "
                            f"same rows at the same time ({exc.what}); {method.__name__} was "
                            f"tried {CONFLICT_ATTEMPTS} times and nothing was written. Try "
                            "again in a moment."
                        ) from exc.__cause__
                    log.info(
                        "%s: %s on %s; retrying (attempt %d)",
                        method.__name__,
                        exc.what,
                        exc.database,
                        attempt + 1,
                    )
                    time.sleep(random.uniform(0, 0.02 * 2**attempt))
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            _retrying.reset(token)

    run.__vsla_retries__ = True  # type: ignore[attr-defined]
    return run


F = TypeVar("F", bound=Callable[..., Any])


def one_snapshot(read: F) -> F:
    """Run a read method of the store (or a function whose first argument is a store) in one
    snapshot: every statement it runs, and every store call it makes, sees the same
    committed state (:meth:`Transactions.snapshot`). The method's body is unchanged.

    A read whose transaction the server ended (its connection lost, or idle too long) is
    run again, like a write that met a conflict (:func:`retry_conflicts`), when it is the
    outermost read; inside a snapshot or transaction block the caller re-runs the block.
    """

    @functools.wraps(read)
    def run(store: Transactions, /, *args: Any, **kwargs: Any) -> Any:
        if store._reading.get() is not None or store._outer.get() is not None:
            return read(store, *args, **kwargs)
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                with store.snapshot():
                    return read(store, *args, **kwargs)
            except _Conflict as exc:
                if attempt == CONFLICT_ATTEMPTS:
                    raise
                log.info("%s: %s on %s; reading again", read.__name__, exc.what, exc.database)
                time.sleep(random.uniform(0, 0.02 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    run.__vsla_snapshot__ = True  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


class _SharedConnection:
    """The one connection of a store whose pool holds a single connection (``StaticPool``:
    an in-memory SQLite database), shared by the threads of the process: one transaction
    at a time. A thread waits for another's transaction up to the busy timeout, then
    :class:`DatabaseBusy`, as it would for another process's lock on a file. Within one
    thread and context the hold is re-entrant (a read inside a ``store.transaction()``
    block, a snapshot inside a snapshot)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._thread: int | None = None
        self._held: ContextVar[bool] = ContextVar(f"vsla_held_{id(self)}", default=False)

    @contextmanager
    def hold(self, database: str) -> Iterator[None]:
        me = threading.get_ident()
        if self._thread == me:
            if self._held.get():
                yield  # this thread and context already hold it
                return
            raise DatabaseBusy(
                f"the database {database} is busy: another task of this thread holds its "
                "one connection in a transaction (an await inside store.transaction() or "
                "store.snapshot()?); nothing was written. Finish that block first, or use "
                "a file or PostgreSQL, whose connections are one per task."
            )
        if not self._lock.acquire(timeout=self.timeout):
            raise DatabaseBusy(
                f"the database {database} is busy: another thread of this process held it "
                f"longer than the busy timeout ({self.timeout:g} s); nothing was written. "
                "Try again when that thread's call or transaction block has finished."
            )
        self._thread = me
        token = self._held.set(True)
        try:
            yield
        finally:
            self._held.reset(token)
            self._thread = None
            self._lock.release()


class Transactions:
    """Base of the store: owns the engine and hands out connections."""

    def __init__(self, engine: Engine, *, busy_timeout: float | None = None) -> None:
        self.engine = engine
        self._outer: ContextVar[Connection | None] = ContextVar(
            f"vsla_transaction_{id(self)}", default=None
        )
        # the read transaction of a snapshot() block, or of a read call (one_snapshot)
        self._reading: ContextVar[Connection | None] = ContextVar(
            f"vsla_snapshot_{id(self)}", default=None
        )
        self._shared: _SharedConnection | None = None
        if isinstance(engine.pool, StaticPool):
            timeout = SQLITE_BUSY_TIMEOUT if busy_timeout is None else busy_timeout
            self._shared = _SharedConnection(timeout)
        # SQLAlchemy's default pool for an in-memory SQLite engine gives each thread a
        # database of its own: only the opening thread sees the store's
        self._home_thread: int | None = None
        if isinstance(engine.pool, SingletonThreadPool) and engine.url.database in (
            None,
            "",
            ":memory:",
        ):
            self._home_thread = threading.get_ident()

    @contextmanager
    def _hold(self) -> Iterator[None]:
        """Exclusive use of the connection while a transaction runs on it, where the store
        has only one (see :class:`_SharedConnection`); nothing to do otherwise."""
        if self._home_thread is not None and threading.get_ident() != self._home_thread:
            raise InvalidInput(
                "this store's in-memory SQLite database belongs to the thread that opened "
                "it (the engine's SingletonThreadPool gives each thread a database of its "
                'own); open it with vsla.open(":memory:"), which every thread can share, '
                "or use a file"
            )
        if self._shared is None:
            yield
            return
        with self._shared.hold(self._database_name()):
            yield

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """Make every store call in the block one transaction (all or nothing).

        ```pycon
        >>> import vsla
        >>> store = vsla.open(":memory:")
        >>> new = vsla.NewGroup(code="A", name="Tổ A", established_on="2024-01-01")
        >>> try:
        ...     with store.transaction():
        ...         group = store.add_group(new)
        ...         raise RuntimeError("something else failed")
        ... except RuntimeError:
        ...     pass
        >>> store.groups()
        []

        ```

        Blocks nest: a block inside another is a savepoint of the outer transaction. When
        the inner block raises, what it wrote is rolled back to where it began (at any
        depth) and the exception goes on to the outer block, which may catch it and carry
        on; what the outer block keeps is committed when it ends.

        ```pycon
        >>> with store.transaction():
        ...     kept = store.add_group(new)
        ...     try:
        ...         with store.transaction():
        ...             _ = store.add_group(vsla.NewGroup(code="B", name="Tổ B",
        ...                                               established_on="2024-01-01"))
        ...             raise RuntimeError("the clerk cancels group B")
        ...     except RuntimeError:
        ...         pass
        >>> [g.code for g in store.groups()]
        ['A']

        ```

        A conflict with another writer inside the block (PostgreSQL) raises
        :class:`~vsla.errors.ConcurrentUpdate`: re-run the whole block.
        """
        outer = self._outer.get()
        if outer is not None:
            try:
                with outer.begin_nested():  # a savepoint: rolled back if the block raises
                    yield self
            except DBAPIError as exc:
                self._raise_store_error(exc, in_block=True)
            return
        self._refuse_write_in_snapshot()
        committing = False
        try:
            with self._hold(), self._write_connection() as conn, conn.begin():
                token = self._outer.set(conn)
                try:
                    yield self
                finally:
                    self._outer.reset(token)
                committing = True  # leaving conn.begin() commits
        except DBAPIError as exc:
            self._raise_store_error(exc, in_block=True, committing=committing)

    @contextmanager
    def snapshot(self) -> Iterator[Self]:
        """Make every read in the block see one committed state of the database.

        Each read call of the store already sees one state on its own; a block makes
        several calls agree with each other (a balance and the member balances that sum to
        it, an export's tables). On PostgreSQL it is one ``REPEATABLE READ, READ ONLY``
        transaction; on SQLite one read transaction, during which another process's write
        waits to commit (keep the block short: read, then compute or write files after it).
        Inside :meth:`transaction` reads already see the block's own state, and the block
        does nothing more. Writing inside it is refused (:class:`~vsla.errors.InvalidInput`).

        ```pycon
        >>> import vsla
        >>> store = vsla.open(":memory:")
        >>> with store.snapshot():
        ...     groups, programmes = store.groups(), store.programmes()
        >>> groups, programmes
        ([], [])

        ```
        """
        if self._outer.get() is not None or self._reading.get() is not None:
            yield self
            return
        with self._read_transaction() as conn:
            token = self._reading.set(conn)
            try:
                yield self
            finally:
                self._reading.reset(token)

    def _refuse_write_in_snapshot(self) -> None:
        if self._reading.get() is not None:
            raise InvalidInput(
                "store.snapshot() is for reading: a store call that writes cannot run inside "
                "it; write after the block (or read inside store.transaction(), whose reads "
                "see what the block writes)"
            )

    @contextmanager
    def _write_connection(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.execution_options(**{_WRITE: True})
            yield conn

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A connection in a transaction for one write: its own, or a savepoint of the
        outer one."""
        outer = self._outer.get()
        if outer is None:
            self._refuse_write_in_snapshot()
        committing = False
        try:
            if outer is None:
                with self._hold(), self._write_connection() as conn, conn.begin():
                    yield conn
                    committing = True  # leaving conn.begin() commits
            else:
                with outer.begin_nested():
                    yield outer
        except DBAPIError as exc:
            self._raise_store_error(exc, in_block=outer is not None, committing=committing)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for your own SQL (reports, a notebook), reading one snapshot like
        the store's read calls (``READ ONLY`` on PostgreSQL). Inside :meth:`transaction` it
        is the transaction's, so it sees what the block has written, and may write; inside
        :meth:`snapshot` it is the snapshot's."""
        with self._connect() as conn:
            yield conn

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        """A connection for reading: inside a transaction, the same one, so reads see what
        the block has written; inside a snapshot, the snapshot's; otherwise one read
        transaction of its own."""
        outer = self._outer.get()
        if outer is not None:
            yield outer
            return
        reading = self._reading.get()
        if reading is not None:
            yield reading
            return
        with self._read_transaction() as conn:
            yield conn

    @contextmanager
    def _read_transaction(self) -> Iterator[Connection]:
        """A connection whose statements all see one committed state: on PostgreSQL a
        ``REPEATABLE READ, READ ONLY`` transaction (its snapshot is taken at the first
        statement); on SQLite a deferred ``BEGIN``, whose shared lock keeps other
        processes' commits out until it ends."""
        with self._hold():
            try:
                conn = self.engine.connect()
            except DBAPIError as exc:
                self._raise_store_error(exc, in_block=False)
            try:
                if conn.dialect.name == "postgresql":
                    # the first statement of the transaction, so that its snapshot is the
                    # transaction's (the driver's read-only and isolation options would
                    # leave the connection READ WRITE when it goes back to the pool,
                    # overriding a read-only session or role)
                    conn.exec_driver_sql(
                        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                    )
                yield conn
            except DBAPIError as exc:
                self._raise_store_error(exc, in_block=False)
            finally:
                self._close_reader(conn)

    def _close_reader(self, conn: Connection) -> None:
        """End a read transaction. If the server ended it first (the caller kept it idle
        past ``idle_in_transaction_session_timeout``), nothing is lost: it only read."""
        try:
            conn.close()
        except DBAPIError as exc:
            log.info("a read transaction on %s ended by the server: %s", self._database_name(), exc)

    @contextmanager
    def _store_errors(self) -> Iterator[None]:
        """Driver failures in the block become :class:`StoreError` as in the store's own
        calls: for code that uses the engine directly (opening, creating or upgrading the
        schema)."""
        try:
            with self._hold():
                yield
        except DBAPIError as exc:
            self._raise_store_error(exc, in_block=False)

    @staticmethod
    def _lock(conn: Connection, table: Table, row_id: int) -> None:
        """Hold one row against other writers until the transaction ends (PostgreSQL
        ``FOR NO KEY UPDATE``; on SQLite the write lock already covers the database)."""
        conn.execute(prepared.lock_row(table), {"id": row_id})

    # ------------------------------------------------------------------ driver errors

    def _database_name(self) -> str:
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return repr(url.database) if url.database else "(in memory)"
        return display_url(url)  # no password, nor a password= parameter

    def _busy_timeout(self) -> float | None:
        try:
            with self._hold(), self.engine.connect() as conn:
                ms = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        except DBAPIError:
            return None
        return None if ms is None else int(ms) / 1000

    def _raise_store_error(
        self, exc: DBAPIError, *, in_block: bool, committing: bool = False
    ) -> NoReturn:
        """Raise the :class:`StoreError` the driver's failure means, chained to it; an
        unknown failure unchanged. ``committing``: the failure came from the COMMIT."""
        error = self._store_error(exc, in_block=in_block, committing=committing)
        if error is exc:
            raise exc
        raise error from exc

    def _store_error(
        self, exc: DBAPIError, *, in_block: bool, committing: bool = False
    ) -> Exception:
        """The :class:`StoreError` a driver failure means, or the failure itself when it
        is none of the known kinds (a bug to report, not a state of the database)."""
        orig = exc.orig
        detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        name = self._database_name()
        if self.engine.dialect.name == "sqlite":
            code = str(getattr(orig, "sqlite_errorname", ""))
            text = detail.lower()
            if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
                timeout = self._busy_timeout()
                waited = f" (busy timeout {timeout:g} s)" if timeout is not None else ""
                return DatabaseBusy(
                    f"the database {name} is busy: another process is writing to it and did "
                    f"not finish in time{waited}; nothing was written. Try again when the "
                    "other program (an import, another clerk's app) has finished, or open "
                    "the store with a longer timeout (connect_args={'timeout': seconds})."
                )
            if (
                code.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM"))
                or "readonly database" in text
                or "unable to open database file" in text
                or "permission denied" in text
                or "read-only file system" in text
            ):
                return DatabaseReadOnly(
                    f"the database {name} cannot be written ({detail}): the file, its "
                    "directory or the way it was opened (mode=ro) does not allow writing; "
                    "nothing was written. Open a writable copy, or ask for write permission "
                    "on the file and its directory."
                )
            return exc
        state = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
        if state in _PG_READ_ONLY:
            return DatabaseReadOnly(
                f"the database {name} does not allow this connection to write ({detail}; "
                f"SQLSTATE {state}); nothing was written. Connect with a role that may write "
                "to the vsla tables, and to the primary server rather than a read-only "
                "replica or a read-only session."
            )
        if state in _PG_CONFLICTS:
            what = f"{_PG_CONFLICTS[state]}, SQLSTATE {state}"
            cause = _STALLED if state == _PG_STALLED else _RACE
        elif exc.connection_invalidated:  # the server closed the session, or was restarted
            if committing:  # the COMMIT may have been carried out before the end
                return StoreError(
                    f"the database {name}: the connection to the server was lost while the "
                    f"transaction was being committed ({detail}); it may or may not have "
                    "been written. Read back what was being recorded before doing it again."
                )
            what, cause = f"connection lost: {detail}", _LOST
        else:
            return exc
        if in_block:
            return ConcurrentUpdate(
                f"the database {name}{cause} ({what}) inside store.transaction(); nothing of "
                "the block was written: re-run the whole block, which reads the state again."
            )
        return _Conflict(name, what, cause)
