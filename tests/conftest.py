"""Shared fixtures: a fresh store on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select

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


def fresh_store(backend: str) -> vsla.Store:
    """A store with an empty schema on the named backend."""
    if backend == "sqlite":
        return vsla.open(":memory:")
    assert POSTGRES_URL
    engine = create_engine(POSTGRES_URL)
    tables.metadata.drop_all(engine)
    return vsla.open(engine)


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
