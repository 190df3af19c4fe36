"""Cycles: starting one (the first, or the next after a share-out) and reading them."""

from __future__ import annotations

__all__ = ["CycleStore", "Officers"]

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, select

from vsla.domain.constitution import Constitution
from vsla.domain.entities import Cycle, OfficerRole
from vsla.domain.settlement import check_cycle_start, plan_opening_carry
from vsla.errors import InvalidInput, NotFound
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.rows import group_from_row, member_from_row
from vsla.store.transactions import one_snapshot, retry_conflicts

Officers = Mapping[int, OfficerRole | str | Iterable[OfficerRole | str]]
"""Officers of a cycle: member id → a role, or several."""


class CycleStore(StoreBase):
    """Cycles: mixed into :class:`~vsla.store.store.Store`."""

    @retry_conflicts
    def start_cycle(
        self,
        group_id: int,
        *,
        start: dt.date,
        end: dt.date,
        constitution: Constitution,
        officers: Officers | None = None,
    ) -> Cycle:
        """Start a group's first cycle, or a new one when the previous one is shared out.

        A cycle that follows a shared-out cycle starts on or after its share-out and opens
        with that cycle's social fund and its share-out remainder kept as cash (see
        :meth:`start_next_cycle`).
        """
        with self._begin() as conn:
            return self._start_cycle(conn, group_id, start, end, constitution, officers, None)

    @retry_conflicts
    def start_next_cycle(
        self,
        previous_cycle_id: int,
        *,
        start: dt.date,
        end: dt.date,
        constitution: Constitution | None = None,
        officers: Officers | None = None,
    ) -> Cycle:
        """Start the cycle after a shared-out one, carrying its members, social fund and
        remainder; the constitution defaults to the previous one."""
        with self._begin() as conn:
            prev = self._cycle(conn, previous_cycle_id)
            return self._start_cycle(
                conn, prev.group_id, start, end, constitution or prev.constitution, officers, prev
            )

    def _start_cycle(
        self,
        conn: Connection,
        group_id: int,
        start: dt.date,
        end: dt.date,
        constitution: Constitution,
        officers: Officers | None,
        previous: Cycle | None,
    ) -> Cycle:
        group = group_from_row(self._require(conn, t.groups, group_id, "group"))
        self._lock(conn, t.groups, group_id)  # two clerks starting its cycle queue here
        label = f"group {group.code} ({group.name})"
        last_id = conn.execute(
            select(t.cycles.c.id)
            .where(t.cycles.c.group_id == group_id)
            .order_by(t.cycles.c.number.desc())
            .limit(1)
        ).scalar_one_or_none()
        last = None if last_id is None else self._cycle(conn, last_id)
        if previous is not None and last is not None and previous.id != last.id:
            raise InvalidInput(
                f"{label}: cycle {previous.number} is not the group's latest cycle "
                f"(cycle {last.number} is); start the next cycle after the latest"
            )
        if (problem := group.before_established(start)) is not None:
            raise InvalidInput(f"{label}: the cycle cannot start on {start}: {problem}")
        check_cycle_start(label, start, end, last)
        number = 1 if last is None else last.number + 1
        cid = conn.execute(
            t.cycles.insert().values(
                group_id=group_id,
                number=number,
                start_date=start,
                end_date=end,
                share_value=constitution.share_value,
                constitution=constitution.model_dump(mode="json"),
                previous_cycle_id=None if last is None else last.id,
            )
        ).inserted_primary_key
        assert cid is not None
        cycle_id: int = cid[0]
        roles: dict[int, tuple[OfficerRole, ...]] = {}
        for member_id, role in (officers or {}).items():
            member = member_from_row(self._require(conn, t.members, member_id, "member"))
            if member.group_id != group_id:
                raise InvalidInput(f"{member.label()} is not a member of group {group.code}")
            these = (OfficerRole(role),) if isinstance(role, str) else tuple(map(OfficerRole, role))
            roles[member_id] = these
            for r in these:
                conn.execute(
                    t.officers.insert().values(cycle_id=cycle_id, member_id=member_id, role=r)
                )
        if last is not None:
            carried = plan_opening_carry(last, self._balances(conn, last.id, None))
            self._write_entries(conn, cycle_id, start, carried)
        return Cycle(
            id=cycle_id,
            group_id=group_id,
            number=number,
            start_date=start,
            end_date=end,
            constitution=constitution,
            officers=roles,
            previous_cycle_id=None if last is None else last.id,
        )

    @one_snapshot
    def cycle(self, cycle_id: int) -> Cycle:
        with self._connect() as conn:
            return self._cycle(conn, cycle_id)

    @one_snapshot
    def cycles(self, group_id: int) -> list[Cycle]:
        with self._connect() as conn:
            ids = list(
                conn.execute(
                    select(t.cycles.c.id)
                    .where(t.cycles.c.group_id == group_id)
                    .order_by(t.cycles.c.number)
                ).scalars()
            )
            return [self._cycle(conn, i) for i in ids]

    @one_snapshot
    def current_cycle(self, group_id: int) -> Cycle:
        """The group's latest cycle."""
        found = self.cycles(group_id)
        if not found:
            with self._connect() as conn:
                group = group_from_row(self._require(conn, t.groups, group_id, "group"))
            raise NotFound(f"group {group.code} ({group.name}) has no cycle")
        return found[-1]
