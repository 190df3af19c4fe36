"""Alembic's entry point for vsla's migrations.

:mod:`vsla.store.schema` passes an open connection (already inside a transaction) in
``config.attributes["connection"]``: every revision then runs in that one transaction,
and the version table is created unqualified, so on PostgreSQL it lands in the first
schema of the connection's ``search_path``, next to vsla's tables. Run by hand
(``python -m vsla.store.migrations -x url=sqlite:///vsla.db upgrade head``), the database
URL comes from ``-x url=...``.

Importing this module outside Alembic (pytest collects doctests from every module) does
nothing.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, event

from vsla.store import tables


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch ALTER rebuilds a table (create a copy, copy the rows, drop, rename); with
        # foreign keys on, the drop would check references at once. Deferred, they are
        # checked when the transaction commits, once the table has its name back.
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    context.configure(
        connection=connection,
        target_metadata=tables.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    if context.is_offline_mode():
        raise SystemExit("vsla's migrations run online only: give -x url=<database URL>")
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("name the database: -x url=sqlite:///vsla.db (or a PostgreSQL URL)")
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        # as vsla.open does: SQLAlchemy, not the sqlite3 driver, begins the transaction, so
        # DDL is transactional too
        event.listen(engine, "connect", _sqlite_autocommit_driver)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if hasattr(context, "config"):  # only when Alembic runs this file
    main()
