"""Read-only questions about a whole programme or group, answered with one SQL query each.

:func:`latest_meeting_date` (the default report date of the commands) and
:func:`entry_count` (the entries a demo programme holds) take any store; they are also
methods of :class:`~vsla.store.store.Store` (``store.latest_meeting_date(...)``), through
the mixin :class:`ProgrammeQueries`.

```pycon
>>> import vsla
>>> store = vsla.open(":memory:")
>>> programme = store.add_programme(vsla.NewProgramme(name="P"))
>>> latest_meeting_date(store, programme_id=programme.id) is None
True
>>> entry_count(store, programme.id)
0

```
"""

from __future__ import annotations

__all__ = ["ProgrammeQueries", "entry_count", "latest_meeting_date"]

import datetime as dt

from sqlalchemy import func, select

from vsla.store import tables as t
from vsla.store.transactions import Transactions, one_snapshot


def latest_meeting_date(
    store: Transactions, *, programme_id: int | None = None, group_id: int | None = None
) -> dt.date | None:
    """The date of the latest meeting recorded (in a programme, or a group), or ``None``."""
    query = select(func.max(t.meetings.c.date)).select_from(
        t.meetings.join(t.cycles, t.meetings.c.cycle_id == t.cycles.c.id).join(
            t.groups, t.cycles.c.group_id == t.groups.c.id
        )
    )
    if programme_id is not None:
        query = query.where(t.groups.c.programme_id == programme_id)
    if group_id is not None:
        query = query.where(t.groups.c.id == group_id)
    with store.connection() as conn:
        day: dt.date | None = conn.execute(query).scalar_one_or_none()
    return day


def entry_count(store: Transactions, programme_id: int) -> int:
    """How many ledger entries the cycles of a programme's groups hold (reversals too)."""
    group_ids = select(t.groups.c.id).where(t.groups.c.programme_id == programme_id)
    cycle_ids = select(t.cycles.c.id).where(t.cycles.c.group_id.in_(group_ids))
    query = select(func.count()).select_from(t.entries).where(t.entries.c.cycle_id.in_(cycle_ids))
    with store.connection() as conn:
        return int(conn.execute(query).scalar_one())


class ProgrammeQueries(Transactions):
    """The functions of this module as store methods, for mixing into the store."""

    @one_snapshot
    def latest_meeting_date(
        self, *, programme_id: int | None = None, group_id: int | None = None
    ) -> dt.date | None:
        """See :func:`latest_meeting_date`."""
        return latest_meeting_date(self, programme_id=programme_id, group_id=group_id)

    @one_snapshot
    def entry_count(self, programme_id: int) -> int:
        """See :func:`entry_count`."""
        return entry_count(self, programme_id)
