"""Shared fixtures: a fresh store on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, select, text

import vsla
from vsla.store import tables

POSTGRES_URL = os.environ.get("VSLA_TEST_POSTGRES_URL")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="VSLA_TEST_POSTGRES_URL is not set"),
        ],
    ),
]


# Each test process works in its own PostgreSQL schema, so test runs sharing one database
# (parallel developers, two CI jobs) never drop each other's tables.
PG_SCHEMA = f"vsla_test_{os.getpid()}"


def reset_pg_schema(schema: str, *, create: bool = True) -> None:
    """Drop the PostgreSQL schema and all it holds; create it again, empty, unless
    ``create`` is False. Each test process and each test file that needs its own schema
    works in one of these, so runs sharing a database never drop each other's tables."""
    assert POSTGRES_URL
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if create:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()


@contextmanager
def own_pg_schema(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL schema named after ``prefix`` and this process, dropped on
    leaving."""
    schema = f"{prefix}_{os.getpid()}"
    reset_pg_schema(schema)
    try:
        yield schema
    finally:
        reset_pg_schema(schema, create=False)


def fresh_store(backend: str) -> vsla.Store:
    """A store with an empty schema on the named backend."""
    if backend == "sqlite":
        return vsla.open(":memory:")
    assert POSTGRES_URL
    reset_pg_schema(PG_SCHEMA)
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-c search_path={PG_SCHEMA}"})
    return vsla.open(engine)


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schema() -> Iterator[None]:
    yield
    if POSTGRES_URL:
        reset_pg_schema(PG_SCHEMA, create=False)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[vsla.Store]:
    s = fresh_store(request.param)
    yield s
    s.close()


def snapshot(store: vsla.Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to check that a refused operation wrote nothing."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with store.engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(r) for r in rows]
    return out
