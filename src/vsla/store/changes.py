"""The change feed: what was created or corrected after a cursor, in commit order.

Every store call that writes records logs, in the same transaction, one row of the
``changes`` table per kind of record it wrote or updated, with their ids. The row's ``seq``
is the commit sequence:

- on PostgreSQL a deferred constraint trigger assigns it while the transaction commits,
  holding a transaction-level advisory lock until the commit is visible (the DDL is in
  :mod:`vsla.store.tables`). Sequence numbers are therefore handed out in commit order,
  and every transaction with a lower number is visible before a higher one is: a reader
  that has seen ``seq`` n has seen everything up to n, even when two transactions that
  began in one order commit in the other;
- SQLite serialises writers (a store write starts with ``BEGIN IMMEDIATE``), so the row is
  given the next number when it is inserted.

:meth:`ChangeFeed.changes` returns the records named by the rows after a cursor, each as it
is now, and the cursor to ask from next time (docs/sync.md).
"""

from __future__ import annotations

__all__ = ["Change", "ChangeBatch", "ChangeFeed", "ChangeKind"]

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from vsla.domain.activity import GalSession, LivelihoodSupport, Referral
from vsla.domain.entities import Attendance
from vsla.domain.ledger import LedgerEntry
from vsla.domain.loanstate import LoanPurpose
from vsla.errors import InvalidInput
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.changelog import ChangeKind
from vsla.store.loans import Loan
from vsla.store.meetings import MeetingRecord
from vsla.store.rows import (
    chunks,
    entry_from_row,
    group_from_row,
    member_from_row,
    programme_from_row,
    terms_from_row,
)
from vsla.store.transactions import one_snapshot

_CURSOR = re.compile(r"v1\.(\d{1,18})")


def _position(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    found = _CURSOR.fullmatch(cursor) if isinstance(cursor, str) else None
    if found is None:
        raise InvalidInput(
            f"{cursor!r} is not a cursor of Store.changes: give None for everything, or the "
            "cursor a previous call returned"
        )
    return int(found.group(1))


def _cursor(seq: int) -> str:
    return f"v1.{seq}"


@dataclass(frozen=True, slots=True)
class Change:
    """One record of the feed: its kind, its id, and the record as it is now (a
    :class:`~vsla.Group`, :class:`~vsla.Member`, :class:`~vsla.Cycle`,
    :class:`~vsla.MeetingRecord`, :class:`~vsla.Loan`, :class:`~vsla.LedgerEntry`, ...).
    ``seq`` is the position in commit order of the write that brings it in this batch."""

    seq: int
    kind: ChangeKind
    id: int
    record: Any


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """What :meth:`ChangeFeed.changes` returns: the changes in commit order, the cursor to
    ask from next time, and whether more changes were left for the next call."""

    changes: tuple[Change, ...]
    cursor: str
    more: bool


class ChangeFeed(StoreBase):
    """The change feed: mixed into :class:`~vsla.store.store.Store`."""

    @one_snapshot
    def changes(self, since: str | None = None, *, limit: int = 5000) -> ChangeBatch:
        """What was created or corrected after the cursor ``since`` (``None``: since the
        beginning), in commit order, and the cursor to ask from next time.

        Each record comes once per call, at the place of the first write of it in this
        batch, as it is now (a member who left, a referral with its outcome). The kinds are
        those of :class:`ChangeKind`; a meeting carries its attendance and its entries,
        which also come as records of their own (kind ``entry``). A store call logs one row
        per kind of record it wrote, numbered one after the other as it commits; a call of
        ``changes`` returns whole rows, at least one when there is any, and stops once it
        holds ``limit`` records (so a meeting may come before its entries): ``more`` tells
        whether to call again. Cursors are stable across processes and restarts: they name
        a position in the database's commit order.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInput(f"limit is a whole number of records from 1, got {limit!r}")
        after = _position(since)
        with self._connect() as conn:
            rows = conn.execute(
                select(t.changes.c.seq, t.changes.c.kind, t.changes.c.record_ids)
                .where(t.changes.c.seq > after)
                .order_by(t.changes.c.seq)
                .limit(limit + 1)
            ).all()
            taken: list[tuple[int, ChangeKind, int]] = []
            seen: set[tuple[ChangeKind, int]] = set()
            last = after
            more = False
            for i, (seq, kind, ids) in enumerate(rows):
                if taken and (len(taken) >= limit or i >= limit):
                    more = True
                    break
                last = int(seq)
                for record_id in ids:
                    key = (ChangeKind(kind), int(record_id))
                    if key not in seen:
                        seen.add(key)
                        taken.append((int(seq), *key))
            wanted: dict[ChangeKind, list[int]] = defaultdict(list)
            for _, kind, record_id in taken:
                wanted[kind].append(record_id)
            found: dict[tuple[ChangeKind, int], Any] = {}
            for kind, ids in wanted.items():
                for record_id, record in self._records(conn, kind, ids).items():
                    found[(kind, record_id)] = record
        changes = tuple(
            Change(seq, kind, record_id, found[(kind, record_id)])
            for seq, kind, record_id in taken
            if (kind, record_id) in found
        )
        return ChangeBatch(changes, _cursor(last), more)

    def _records(self, conn: Connection, kind: ChangeKind, ids: Sequence[int]) -> dict[int, Any]:
        """The records of ``kind`` with these ids, as they are now."""
        out: dict[int, Any] = {}
        simple = {
            ChangeKind.PROGRAMME: (t.programmes, programme_from_row),
            ChangeKind.GROUP: (t.groups, group_from_row),
            ChangeKind.MEMBER: (t.members, member_from_row),
            ChangeKind.REFERRAL: (t.referrals, lambda r: Referral.model_validate(r._asdict())),
            ChangeKind.LIVELIHOOD_SUPPORT: (
                t.livelihood_supports,
                lambda r: LivelihoodSupport.model_validate(r._asdict()),
            ),
            ChangeKind.GAL_SESSION: (
                t.gal_sessions,
                lambda r: GalSession.model_validate(r._asdict()),
            ),
        }
        for chunk in chunks(ids):
            if kind in simple:
                table, make = simple[kind]
                for r in conn.execute(select(table).where(table.c.id.in_(chunk))):
                    out[r.id] = make(r)
            elif kind is ChangeKind.CYCLE:
                for cycle_id in chunk:
                    out[cycle_id] = self._cycle(conn, cycle_id)
            elif kind is ChangeKind.ENTRY:
                for r in conn.execute(select(t.entries).where(t.entries.c.id.in_(chunk))):
                    out[r.id] = entry_from_row(r._mapping)
            elif kind is ChangeKind.LOAN:
                for r in conn.execute(select(t.loans).where(t.loans.c.id.in_(chunk))):
                    out[r.id] = Loan(
                        id=r.id,
                        cycle_id=r.cycle_id,
                        member_id=r.member_id,
                        meeting_id=r.meeting_id,
                        terms=terms_from_row(r),
                        purpose=LoanPurpose(r.purpose),
                        client_id=r.client_id,
                    )
            else:
                out.update(self._meeting_records(conn, chunk))
        return out

    @staticmethod
    def _meeting_records(conn: Connection, ids: list[int]) -> dict[int, MeetingRecord]:
        attendance: dict[int, dict[int, Attendance]] = defaultdict(dict)
        for a in conn.execute(select(t.attendance).where(t.attendance.c.meeting_id.in_(ids))):
            attendance[a.meeting_id][a.member_id] = Attendance(a.status)
        entries: dict[int, list[LedgerEntry]] = defaultdict(list)
        for r in conn.execute(
            select(t.entries).where(t.entries.c.meeting_id.in_(ids)).order_by(t.entries.c.id)
        ):
            entries[r.meeting_id].append(entry_from_row(r._mapping))
        return {
            r.id: MeetingRecord(
                id=r.id,
                cycle_id=r.cycle_id,
                date=r.date,
                number=r.number,
                attendance=attendance[r.id],
                entries=tuple(entries[r.id]),
                client_id=r.client_id,
            )
            for r in conn.execute(select(t.meetings).where(t.meetings.c.id.in_(ids)))
        }
