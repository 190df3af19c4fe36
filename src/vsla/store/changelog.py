"""Logging what a store call wrote, for the change feed (:mod:`vsla.store.changes`)."""

from __future__ import annotations

__all__ = ["ChangeKind", "log_change"]

from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache

from sqlalchemy import Connection, Insert, func, select

from vsla.store import tables as t


class ChangeKind(StrEnum):
    """The kinds of record the change feed carries."""

    PROGRAMME = "programme"
    GROUP = "group"
    MEMBER = "member"
    CYCLE = "cycle"
    MEETING = "meeting"
    LOAN = "loan"
    ENTRY = "entry"
    REFERRAL = "referral"
    LIVELIHOOD_SUPPORT = "livelihood_support"
    GAL_SESSION = "gal_session"


def log_change(conn: Connection, kind: ChangeKind, ids: Iterable[int]) -> None:
    """Log that the records ``ids`` of ``kind`` were written (created or updated) in the
    transaction of ``conn``."""
    record_ids = sorted(set(ids))
    if not record_ids:
        return
    statement = _insert(numbered=conn.dialect.name != "postgresql")
    conn.execute(statement, {"kind": kind.value, "record_ids": record_ids})


@lru_cache(maxsize=2)
def _insert(*, numbered: bool) -> Insert:
    """The change log's insert, built once (every write calls it, and building a statement
    costs more than running this one). ``numbered``: the next ``seq`` is taken in the
    statement (writers other than PostgreSQL's are serialised; PostgreSQL numbers changes at
    commit, see :data:`~vsla.store.tables.CHANGES_FUNCTION`)."""
    statement = t.changes.insert().inline()  # no RETURNING: nobody reads the new id
    if numbered:
        statement = statement.values(
            seq=select(func.coalesce(func.max(t.changes.c.seq), 0) + 1).scalar_subquery()
        )
    return statement
