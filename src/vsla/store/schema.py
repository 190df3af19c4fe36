"""Schema versions: every vsla database records the Alembic revision its tables are at.

The revisions live in ``vsla/store/migrations/versions`` (``0001`` is the schema of
vsla 0.1, ``0002`` adds an index, ``0003`` the entries' ``origin``, ``0004`` client ids,
the change feed and opening positions, ``0005`` 64-bit ids, ``0006`` the loan marks).
:func:`ensure_schema`, which :func:`vsla.open` calls, brings a database to
:data:`SCHEMA_HEAD` or refuses to open it:

- an empty database (or one holding other applications' tables only) gets the current
  tables and the version row at once, without loading Alembic (the fast path: tests open
  thousands of in-memory stores);
- a database at the head revision: nothing to do (one ``SELECT`` of the version table);
- a database made by vsla 0.1 (its tables, no version table) is revision ``0001``: it is
  stamped and upgraded;
- an older known revision is upgraded to the head, every row kept, unless the caller
  asked for ``upgrade=False``: then :class:`~vsla.errors.SchemaMismatch`;
- an unknown (newer) revision: :class:`~vsla.errors.SchemaMismatch`, nothing written.

Stamping and every revision run in the one transaction that read the version: on
PostgreSQL and on SQLite (whose DDL is transactional once SQLAlchemy, not the driver,
begins transactions, as :func:`vsla.open` arranges) a failed upgrade leaves the database
as it was.
"""

from __future__ import annotations

__all__ = [
    "DERIVED_SINCE",
    "FIRST_REVISION",
    "FIRST_SCHEMA_TABLES",
    "MIGRATIONS",
    "SCHEMA_HEAD",
    "VERSION_TABLE",
    "alembic_config",
    "ensure_schema",
    "known_revisions",
    "schema_version",
    "upgrade",
    "upgrade_database",
]

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    insert,
    inspect,
    select,
)
from sqlalchemy.exc import DBAPIError

from vsla.errors import SchemaMismatch
from vsla.store import tables

if TYPE_CHECKING:
    from alembic.config import Config

#: The revision :mod:`vsla.store.tables` describes; a test checks it against the scripts.
SCHEMA_HEAD = "0006"
#: The schema of vsla 0.1, which wrote no version table.
FIRST_REVISION = "0001"
#: Alembic's default name; on PostgreSQL it lives in the first schema of the search path.
VERSION_TABLE = "alembic_version"
#: The Alembic environment shipped in the package (``env.py``, ``versions/``).
MIGRATIONS = Path(__file__).with_name("migrations")

#: The tables of revision 0001. A database holding all of them and no version table was
#: made by vsla 0.1. Fixed: later revisions do not change this list.
FIRST_SCHEMA_TABLES = frozenset(
    {
        "programmes",
        "groups",
        "members",
        "cycles",
        "officers",
        "meetings",
        "attendance",
        "loans",
        "entries",
        "referrals",
        "livelihood_supports",
        "gal_sessions",
    }
)

# The same table Alembic creates (so that Alembic reads and updates the one vsla writes).
_version = Table(
    VERSION_TABLE,
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
)

_HOW_TO_UPGRADE = (
    "upgrade it with vsla.upgrade_database(url) or `vsla db upgrade --db ...` "
    "(vsla.open(url) upgrades by default)"
)


@dataclass(frozen=True, slots=True)
class _State:
    """What a database holds: its table names and the rows of its version table."""

    names: frozenset[str]
    versions: tuple[str, ...]

    @property
    def has_version_table(self) -> bool:
        return VERSION_TABLE in self.names

    @property
    def vsla_tables(self) -> frozenset[str]:
        return self.names & (FIRST_SCHEMA_TABLES | frozenset(tables.metadata.tables))


def _read(conn: Connection) -> _State:
    names = frozenset(inspect(conn).get_table_names())
    versions: tuple[str, ...] = ()
    if VERSION_TABLE in names:
        versions = tuple(conn.execute(select(_version.c.version_num)).scalars())
    return _State(names, versions)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic :class:`~alembic.config.Config` for vsla's migrations, built in code.

    With ``connection``, ``env.py`` runs the revisions on it, inside its transaction.
    """
    from alembic.config import Config

    config = Config()
    # the values go through configparser's interpolation: a literal % is written %%
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revisions() -> frozenset[str]:
    """Every revision id in the migration scripts (loads Alembic's script directory)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(s.revision for s in script.walk_revisions())


def _engine_for(db: str | Path) -> Engine:
    from vsla.store.opening import engine_for

    return engine_for(str(db), {})


def schema_version(db: Engine | Connection | str | Path) -> str | None:
    """The revision a database is at.

    The row of its version table; ``"0001"`` for a database made by vsla 0.1 (its tables
    and no version table); ``None`` for a database without vsla's tables. ``db`` is an
    engine, a connection, a SQLite path or a database URL. Reads only.
    """
    if isinstance(db, Connection):
        return _version_of(_read(db))
    from vsla.store.opening import opening_errors

    engine = db if isinstance(db, Engine) else _engine_for(db)
    try:
        with opening_errors(engine), engine.connect() as conn:
            return _version_of(_read(conn))
    finally:
        if engine is not db:
            engine.dispose()


def _version_of(state: _State) -> str | None:
    if state.versions:
        return ", ".join(state.versions)
    if state.names >= FIRST_SCHEMA_TABLES:
        return FIRST_REVISION
    return None


def ensure_schema(engine: Engine, *, create: bool = True, upgrade: bool = True) -> str | None:
    """Bring the database of ``engine`` to :data:`SCHEMA_HEAD`, or refuse to open it.

    ``create=False`` leaves a database without vsla's tables as it is (and returns
    ``None``); ``upgrade=False`` raises :class:`~vsla.errors.SchemaMismatch` for a database
    at an older revision instead of upgrading it. Returns the revision the database is at.
    A refusal writes nothing. For SQLite, give an engine prepared by :func:`vsla.open`, so
    that the DDL runs in one transaction.
    """
    try:
        return _ensure(engine, create=create, upgrade=upgrade)
    except DBAPIError:
        # Two processes opening one new (or old) database at once: one creates or upgrades,
        # the other fails on "table exists" or a lock. If the database is now at the head,
        # the work is done.
        try:
            done = schema_version(engine) == SCHEMA_HEAD
        except DBAPIError:
            done = False
        if not done:
            raise
        return SCHEMA_HEAD


class _WriteNeeded(Exception):
    """Raised out of the read-only first look: the database must be written to."""


# The store's execution option for a transaction that writes: on SQLite it begins with
# BEGIN IMMEDIATE (see vsla.store.transactions), so two processes creating or upgrading one
# database queue on the write lock instead of both reading, then one failing.
_WRITE_OPTION = "vsla_write"


def _ensure(engine: Engine, *, create: bool, upgrade: bool) -> str | None:
    try:  # a read-only look first: it is all that opening a current database takes
        with engine.begin() as conn:
            return _apply(conn, create=create, upgrade=upgrade, write=False)
    except _WriteNeeded:
        pass
    with engine.connect() as conn:  # again, holding the write lock, and write
        conn.execution_options(**{_WRITE_OPTION: True})
        with conn.begin():
            return _apply(conn, create=create, upgrade=upgrade, write=True)


def _apply(conn: Connection, *, create: bool, upgrade: bool, write: bool) -> str | None:
    """Read the state of the database and act on it. With ``write=False``, raise
    :class:`_WriteNeeded` where the database would be written to."""
    state = _read(conn)
    if len(state.versions) > 1:
        raise SchemaMismatch(
            f"the database's {VERSION_TABLE} table holds several versions "
            f"({', '.join(state.versions)}); vsla's schema has one line of revisions: "
            "this is not a database vsla made"
        )
    if state.versions == (SCHEMA_HEAD,):
        return SCHEMA_HEAD
    if not state.versions:
        return _unversioned(conn, state, create=create, upgrade=upgrade, write=write)
    found = state.versions[0]
    if found not in known_revisions():
        if not state.vsla_tables:
            raise SchemaMismatch(
                f"the database has an {VERSION_TABLE} table at version {found} but none "
                "of vsla's tables: it belongs to another application; give vsla its own "
                "database (or PostgreSQL schema)"
            )
        raise SchemaMismatch(
            f"database schema version {found} is newer than this vsla ({SCHEMA_HEAD}); upgrade vsla"
        )
    if not upgrade:
        raise SchemaMismatch(
            f"database schema version {found} is older than this vsla ({SCHEMA_HEAD}); "
            + _HOW_TO_UPGRADE
        )
    if not write:
        raise _WriteNeeded
    _upgrade(conn)
    return SCHEMA_HEAD


def _unversioned(
    conn: Connection, state: _State, *, create: bool, upgrade: bool, write: bool
) -> str | None:
    """A database with no version row: empty, foreign, made by vsla 0.1, or damaged."""
    if not state.vsla_tables:  # empty, or other applications' tables only
        if not create:
            return None
        if not write:
            raise _WriteNeeded
        # none of vsla's tables exists (just read, under the write lock): create them all
        # without checking each one first
        tables.metadata.create_all(conn, checkfirst=False)
        _stamp(conn, state, SCHEMA_HEAD)
        return SCHEMA_HEAD
    missing = FIRST_SCHEMA_TABLES - state.names
    if missing:
        raise SchemaMismatch(
            f"the database has some of vsla's tables ({', '.join(sorted(state.vsla_tables))}) "
            f"but not {', '.join(sorted(missing))}, and no schema version: vsla did not make "
            "it, or it was damaged; nothing was changed"
        )
    if not upgrade:
        raise SchemaMismatch(
            f"the database was made by vsla 0.1 (schema version {FIRST_REVISION}, no version "
            f"table); this vsla needs version {SCHEMA_HEAD}: " + _HOW_TO_UPGRADE
        )
    if not write:
        raise _WriteNeeded
    _stamp(conn, state, FIRST_REVISION)  # what vsla 0.1 made is revision 0001
    _upgrade(conn)
    return SCHEMA_HEAD


def _stamp(conn: Connection, state: _State, revision: str) -> None:
    if not state.has_version_table:
        _version.create(conn)
    conn.execute(insert(_version).values(version_num=revision))


#: The revision that created each table of data derived from the ledger, which the
#: revisions leave empty: an upgrade from before it fills the table at the head, in the same
#: transaction, with the code of this vsla (the derived data must be what today's rules give).
DERIVED_SINCE = {"loan_marks": "0006"}


def _upgrade(conn: Connection) -> None:
    """Run every revision after the stamped one to the head, then fill the derived tables
    the upgrade created, all in ``conn``'s transaction."""
    from alembic import command

    before = _read(conn).versions[0]
    command.upgrade(alembic_config(conn), "head")
    after = _read(conn).versions
    if after != (SCHEMA_HEAD,):  # a revision file missing from the package, say
        raise SchemaMismatch(
            f"upgrading the database stopped at version {', '.join(after)}, not "
            f"{SCHEMA_HEAD}; nothing was changed"
        )
    if before < DERIVED_SINCE["loan_marks"]:
        from vsla.store.loanmarks import rebuild_loan_marks  # imports the store's rows

        rebuild_loan_marks(conn)


def upgrade(engine: Engine) -> str:
    """Upgrade the database of ``engine`` (from :func:`vsla.open`) to :data:`SCHEMA_HEAD`.

    An empty database gets the whole schema. Returns the head revision; raises
    :class:`~vsla.errors.SchemaMismatch` for a database this vsla cannot upgrade.
    """
    version = ensure_schema(engine, create=True, upgrade=True)
    assert version == SCHEMA_HEAD
    return version


def upgrade_database(db: str | Path | Engine | None = None) -> str:
    """Upgrade a vsla database to the schema of this version, keeping every row.

    ``db`` is what :func:`vsla.open` takes (a SQLite path, a database URL or an engine).
    Every revision runs in one transaction; an empty database gets the whole schema.
    Returns the revision the database is now at (:data:`SCHEMA_HEAD`); raises
    :class:`~vsla.errors.SchemaMismatch` for a database made by a newer vsla.
    """
    from vsla.store.store import open_store  # the store module imports this one

    store = open_store(db, create=True, upgrade=True)
    if not isinstance(db, Engine):  # the caller's engine stays the caller's
        store.close()
    return SCHEMA_HEAD
