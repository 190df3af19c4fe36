"""A group's member list: each member's number, name, sex, ethnicity, dates and office."""

from __future__ import annotations

__all__ = ["RosterLine", "RosterStore"]

import datetime as dt

from sqlalchemy import select

from vsla.domain.base import Record
from vsla.domain.entities import Cycle, ExitReason, OfficerRole, Sex
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.transactions import one_snapshot


class RosterLine(Record):
    """One line of a group's member list (:meth:`RosterStore.member_list`)."""

    number: int
    full_name: str
    sex: Sex
    ethnicity: str
    joined_on: dt.date
    left_on: dt.date | None
    exit_reason: ExitReason | None
    roles: tuple[OfficerRole, ...]
    """The member's offices in the cycle the list is for (none: an ordinary member)."""

    def row(self) -> dict[str, object]:
        """The line as a table's row (for an export)."""
        return {
            "member_number": self.number,
            "full_name": self.full_name,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "joined_on": self.joined_on,
            "left_on": self.left_on,
            "exit_reason": self.exit_reason,
            "officer_role": ", ".join(r.value for r in self.roles),
        }


def _cycle_on(cycles: list[Cycle], day: dt.date | None) -> Cycle | None:
    """The cycle running on ``day`` (the latest begun by then), or the latest cycle."""
    if day is None:
        return cycles[-1] if cycles else None
    begun = [c for c in cycles if c.start_date <= day]
    return begun[-1] if begun else None


class RosterStore(StoreBase):
    """The member list: mixed into :class:`~vsla.store.store.Store`."""

    @one_snapshot
    def member_list(self, group_id: int, *, active_on: dt.date | None = None) -> list[RosterLine]:
        """The group's members by number, with their offices: every member, or only those
        active on ``active_on`` (joined by then, not yet left). The offices are those of
        the cycle running on ``active_on`` (the latest cycle begun by then), or of the
        group's latest cycle.

        ```pycon
        >>> import datetime as dt, vsla
        >>> from decimal import Decimal
        >>> store = vsla.open(":memory:")
        >>> g = store.add_group(vsla.NewGroup(code="A", name="Tổ A", established_on="2024-01-01"))
        >>> hoa, lan = store.add_members([
        ...     vsla.NewMember(group_id=g.id, full_name="Y Hoa", sex="F", joined_on="2024-01-08"),
        ...     vsla.NewMember(group_id=g.id, full_name="Y Lan", sex="F", joined_on="2024-01-08",
        ...                    left_on="2024-03-01", exit_reason="moved")])
        >>> rules = vsla.Constitution(share_value=10_000, interest_rate=Decimal("0.02"))
        >>> _ = store.start_cycle(g.id, start=dt.date(2024, 1, 8), end=dt.date(2024, 12, 30),
        ...                       constitution=rules, officers={hoa.id: "chair"})
        >>> [(m.number, m.full_name, [r.value for r in m.roles]) for m in store.member_list(g.id)]
        [(1, 'Y Hoa', ['chair']), (2, 'Y Lan', [])]
        >>> [m.number for m in store.member_list(g.id, active_on=dt.date(2024, 3, 1))]
        [1]

        ```
        """
        with self._connect() as conn:
            self._require(conn, t.groups, group_id, "group")
            found = self._members(conn, group_id)
            ids = conn.execute(
                select(t.cycles.c.id)
                .where(t.cycles.c.group_id == group_id)
                .order_by(t.cycles.c.number)
            ).scalars()
            cycles = [self._cycle(conn, i) for i in list(ids)]
        members = [m for m in found if active_on is None or m.is_active(active_on)]
        cycle = _cycle_on(cycles, active_on)
        offices = cycle.officers if cycle is not None else {}
        return [
            RosterLine(
                number=m.number,
                full_name=m.full_name,
                sex=m.sex,
                ethnicity=m.ethnicity,
                joined_on=m.joined_on,
                left_on=m.left_on,
                exit_reason=m.exit_reason,
                roles=tuple(offices.get(m.id, ())),
            )
            for m in members
        ]
