"""Logging what a store call wrote, for the change feed (:mod:`vsla.store.changes`)."""

from __future__ import annotations

__all__ = ["ChangeKind", "log_change"]

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, select

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
    values: dict[str, Any] = {"kind": kind.value, "record_ids": record_ids}
    if conn.dialect.name != "postgresql":  # writers are serialised: the next number now
        values["seq"] = select(func.coalesce(func.max(t.changes.c.seq), 0) + 1).scalar_subquery()
    conn.execute(t.changes.insert().values(**values))
