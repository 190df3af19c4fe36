"""The store: a facade over the store's capability modules.

Each capability lives in a module of its own, built on :class:`~vsla.store.base.StoreBase`
(load state, call the pure planner of :mod:`vsla.domain`, write what it returns):

- :mod:`vsla.store.registry`: programmes, groups, members;
- :mod:`vsla.store.cycles`: starting and reading cycles;
- :mod:`vsla.store.meetings`: recording meetings;
- :mod:`vsla.store.ledger`: entries, balances, reversals and write-offs;
- :mod:`vsla.store.loans`: loans, positions and statements;
- :mod:`vsla.store.shareout`: share-out and member exit;
- :mod:`vsla.store.activity`: referrals, livelihood support, GAL sessions;
- :mod:`vsla.store.queries`: one-query questions about a programme or group;
- :mod:`vsla.store.papers`: members' passbooks and meeting minutes;
- :mod:`vsla.store.readiness`: the history facts of linkage readiness;
- :mod:`vsla.store.changes`: the change feed (what was written after a cursor).

Every public method that writes runs in one transaction (``engine.begin()``): the domain
planner raises before anything is written, and a database error rolls the whole operation
back, so a meeting, a share-out or an exit is all-or-nothing. The cycle row is locked
(``SELECT … FOR UPDATE`` on PostgreSQL) while a write is planned, so two clerks recording
the same group at once cannot both spend the same cash.
"""

from __future__ import annotations

__all__ = [
    "Change",
    "ChangeBatch",
    "CycleImport",
    "Loan",
    "LoanStatement",
    "MeetingRecord",
    "MemberBalance",
    "Store",
    "open_store",
]

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from vsla.domain.arguments import checked_arguments
from vsla.errors import InvalidInput
from vsla.store.activity import ActivityStore
from vsla.store.changes import Change, ChangeBatch, ChangeFeed
from vsla.store.cycles import CycleStore
from vsla.store.ledger import LedgerStore, MemberBalance
from vsla.store.loans import Loan, LoanStatement, LoanStore
from vsla.store.meetings import CycleImport, MeetingRecord, MeetingStore
from vsla.store.opening import display_url, engine_for, opening_errors
from vsla.store.papers import PaperStore
from vsla.store.queries import ProgrammeQueries
from vsla.store.readiness import ReadinessStore
from vsla.store.registry import RegistryStore
from vsla.store.roster import RosterStore
from vsla.store.rows import forget_rows
from vsla.store.shareout import ShareOutStore
from vsla.store.transactions import (
    postgres_on_connect,
    postgres_settings,
    sqlite_on_begin,
    sqlite_on_connect,
)


@checked_arguments  # ids, dates and texts from data are refused as InvalidInput
class Store(
    RegistryStore,
    CycleStore,
    MeetingStore,
    LedgerStore,
    LoanStore,
    ShareOutStore,
    ActivityStore,
    ProgrammeQueries,
    RosterStore,
    PaperStore,
    ReadinessStore,
    ChangeFeed,
):
    """A vsla database. Get one with :func:`vsla.open`."""

    def __repr__(self) -> str:
        return f"<vsla.Store {display_url(self.engine)}>"

    def close(self) -> None:
        """Close the database's connections. ``with vsla.open(...) as store:`` closes it at the
        end of the block. The member and group rows it validated are forgotten too (they
        hold names and phone numbers; another open store reads them again)."""
        self.engine.dispose()
        forget_rows()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 driver, decide where transactions begin: the driver
    # would otherwise start one only at the first write, so a SAVEPOINT issued earlier
    # (Store.transaction) would become the outer transaction and commit on release.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    sqlite_on_connect(dbapi_connection)  # the busy timeout


def _sqlite_begin(conn: Connection) -> None:
    sqlite_on_begin(conn)  # BEGIN IMMEDIATE for a store write, BEGIN for a read


def _postgres_defaults(dbapi_connection: Any, _record: Any) -> None:
    # an Engine of the caller's: vsla's bounds where neither the caller nor the server chose
    postgres_on_connect(dbapi_connection, postgres_settings())


def _seconds(name: str, value: float | None) -> float | None:
    if value is not None and (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 <= value <= 86_400  # also refuses NaN
    ):
        raise InvalidInput(f"{name} is a number of seconds from 0 to 86400, got {value!r}")
    return value


def open_store(
    url: str | Path | Engine | None = None,
    *,
    create: bool = True,
    upgrade: bool = True,
    busy_timeout: float | None = None,
    lock_timeout: float | None = None,
    idle_in_transaction_timeout: float | None = None,
) -> Store:
    """Open (and by default create) a vsla database.

    - ``None``: the embedded default, a SQLite file ``vsla.db`` in the working directory;
    - ``":memory:"``: a private in-memory SQLite database (for tests and notebooks);
    - a path (``"kontum.db"``, a :class:`~pathlib.Path`): a SQLite file;
    - a SQLAlchemy URL (``"postgresql+psycopg://user@host/db"``) or an :class:`Engine`.

    An empty database gets the current schema (unless ``create=False``). A database made
    by an older vsla is upgraded to this version's schema, every row kept, in one
    transaction; with ``upgrade=False`` it is refused instead. A database made by a newer
    vsla is refused: :class:`~vsla.errors.SchemaMismatch` (see :mod:`vsla.store.schema`).

    A database that cannot be opened is a :class:`~vsla.errors.StoreError` that says why
    (see :mod:`vsla.store.opening`): :class:`~vsla.errors.CannotConnect` (no such folder,
    a server that refuses the connection, an unknown role or database),
    :class:`~vsla.errors.NotADatabase` (a file that is not a SQLite database); a URL that is
    not one is :class:`~vsla.errors.InvalidInput`. No message shows the URL's password.

    ``busy_timeout`` (SQLite, seconds; default 15): how long a write waits for another
    process's write to finish before :class:`~vsla.errors.DatabaseBusy` (for an in-memory
    database, another thread's transaction).

    ``lock_timeout`` (PostgreSQL, seconds; default 2): how long a statement waits for rows
    another transaction holds before the call is retried, and after 5 attempts refused
    with :class:`~vsla.errors.ConcurrentUpdate`. ``idle_in_transaction_timeout``
    (PostgreSQL, seconds; default 5): how long a session may sit idle inside a transaction
    before the server ends it and releases its locks, so a client stopped mid-call holds
    its group at most that long. ``0`` means no bound. The defaults apply to an Engine of
    your own too, unless its connections (``connect_args={"options": "-c
    lock_timeout=5s"}``) or the server (``ALTER ROLE … SET``) chose a value; see
    docs/reliability.md.
    """
    from vsla.store.schema import ensure_schema

    busy_timeout = _seconds("busy_timeout", busy_timeout)
    lock_timeout = _seconds("lock_timeout", lock_timeout)
    idle_in_transaction_timeout = _seconds(
        "idle_in_transaction_timeout", idle_in_transaction_timeout
    )
    postgres_args = lock_timeout is not None or idle_in_transaction_timeout is not None
    if isinstance(url, Engine):
        if busy_timeout is not None:
            raise InvalidInput(
                "busy_timeout is for a database vsla opens; for an Engine of your own, pass "
                'create_engine(url, connect_args={"timeout": seconds})'
            )
        if postgres_args:
            raise InvalidInput(
                "lock_timeout and idle_in_transaction_timeout are for a database vsla opens; "
                "for an Engine of your own, pass create_engine(url, connect_args="
                '{"options": "-c lock_timeout=2s -c idle_in_transaction_session_timeout=5s"})'
            )
        engine = url
    else:
        text = "vsla.db" if url is None else str(url)
        postgres = "://" in text and not text.startswith("sqlite")
        sqlite_args: dict[str, Any] = {}
        if busy_timeout is not None:
            if postgres:
                raise InvalidInput("busy_timeout applies to SQLite databases only")
            sqlite_args["timeout"] = busy_timeout
        if postgres_args and not postgres:
            raise InvalidInput(
                "lock_timeout and idle_in_transaction_timeout apply to PostgreSQL only "
                "(SQLite waits for its busy_timeout)"
            )
        if text == ":memory:":
            engine = create_engine(
                "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:  # a bad URL: InvalidInput; a missing folder: CannotConnect, not "cannot be written"
            engine = engine_for(text, sqlite_args)
        if engine.dialect.name == "postgresql":
            settings = postgres_settings(lock_timeout, idle_in_transaction_timeout)

            def bounded_waits(dbapi_connection: Any, _record: Any) -> None:
                postgres_on_connect(dbapi_connection, settings)

            event.listen(engine, "connect", bounded_waits)
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_connect):
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    if (
        isinstance(url, Engine)
        and engine.dialect.name == "postgresql"
        and not event.contains(engine, "connect", _postgres_defaults)
    ):
        event.listen(engine, "connect", _postgres_defaults)
    store = Store(engine, busy_timeout=busy_timeout)
    # a server that cannot be reached, a file that is not a database: CannotConnect,
    # NotADatabase; a read-only file or a locked one: DatabaseReadOnly, DatabaseBusy
    with opening_errors(engine), store._store_errors():
        ensure_schema(engine, create=create, upgrade=upgrade)
    return store
