"""Cycles: starting one (the first, or the next after a share-out) and reading them."""

from __future__ import annotations

__all__ = ["CycleStore", "Officers"]

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select

from vsla.domain.constitution import Constitution
from vsla.domain.entities import Cycle, OfficerRole
from vsla.domain.ledger import EntryKind
from vsla.domain.opening import OpeningPosition, plan_opening
from vsla.domain.settlement import check_cycle_start, plan_opening_carry
from vsla.domain.sync import RecordKind, check_resend, content
from vsla.errors import InvalidInput, NotFound
from vsla.store import prepared
from vsla.store import tables as t
from vsla.store.changelog import ChangeKind, log_change
from vsla.store.clientids import lookup, programme_key, register, resent
from vsla.store.meetings import MeetingRecord, MeetingStore
from vsla.store.rows import bulk_insert, group_from_row, member_from_row
from vsla.store.transactions import one_snapshot, retry_conflicts

Officers = Mapping[int, OfficerRole | str | Iterable[OfficerRole | str]]
"""Officers of a cycle: member id → a role, or several."""


def _cycle_content(
    group_id: int,
    start: dt.date,
    end: dt.date,
    constitution: Constitution,
    officers: Officers | None,
    previous: Cycle | None,
    client_id: str | None,
) -> Any:
    """What a cycle sent with a client id says (officers as sorted role lists)."""
    roles = {
        str(member_id): sorted(str(r) for r in ((role,) if isinstance(role, str) else tuple(role)))
        for member_id, role in (officers or {}).items()
    }
    return content(
        {
            "group_id": group_id,
            "previous_cycle_id": None if previous is None else previous.id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "constitution": constitution.model_dump(mode="json"),
            "officers": roles,
            "client_id": client_id,
        }
    )


def _opening_loan(cycle_id: int, position: OpeningPosition, n: int) -> Any:
    """What a loan of an opening position sent with a client id says."""
    return content(
        {
            "cycle_id": cycle_id,
            "opening": position.on.isoformat(),
            **position.loans[n].model_dump(mode="json"),
        }
    )


class CycleStore(MeetingStore):
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
        client_id: str | None = None,
    ) -> Cycle:
        """Start a group's first cycle, or a new one when the previous one is shared out.

        A cycle that follows a shared-out cycle starts on or after its share-out and opens
        with that cycle's social fund and its share-out remainder kept as cash (see
        :meth:`start_next_cycle`). A cycle sent again with its ``client_id`` is returned as
        stored, nothing written (docs/sync.md).
        """
        with self._begin() as conn:
            return self._start_cycle(
                conn, group_id, start, end, constitution, officers, None, client_id
            )

    @retry_conflicts
    def start_next_cycle(
        self,
        previous_cycle_id: int,
        *,
        start: dt.date,
        end: dt.date,
        constitution: Constitution | None = None,
        officers: Officers | None = None,
        client_id: str | None = None,
    ) -> Cycle:
        """Start the cycle after a shared-out one, carrying its members, social fund and
        remainder; the constitution defaults to the previous one."""
        with self._begin() as conn:
            prev = self._cycle(conn, previous_cycle_id)
            return self._start_cycle(
                conn,
                prev.group_id,
                start,
                end,
                constitution or prev.constitution,
                officers,
                prev,
                client_id,
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
        client_id: str | None,
    ) -> Cycle:
        group = group_from_row(self._require(conn, t.groups, group_id, "group"))
        self._lock(conn, t.groups, group_id)  # two clerks starting its cycle queue here
        label = f"group {group.code} ({group.name})"
        key = group.programme_id or 0
        given = _cycle_content(group_id, start, end, constitution, officers, previous, client_id)
        if client_id is not None:
            found = resent(
                conn, key, RecordKind.CYCLE, client_id, given, "cycle #{id}", group_code=group.code
            )
            if found is not None:
                return self._cycle(conn, found)
        last_id = conn.execute(prepared.latest_cycle(), {"group_id": group_id}).scalar_one_or_none()
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
            t.cycles.insert(),
            {
                "group_id": group_id,
                "number": number,
                "start_date": start,
                "end_date": end,
                "share_value": constitution.share_value,
                "constitution": constitution.model_dump(mode="json"),
                "previous_cycle_id": None if last is None else last.id,
                "client_id": client_id,
            },
        ).inserted_primary_key
        assert cid is not None
        cycle_id: int = cid[0]
        log_change(conn, ChangeKind.CYCLE, [cycle_id])
        if client_id is not None:
            register(conn, key, RecordKind.CYCLE, [(client_id, cycle_id, given)])
        roles: dict[int, tuple[OfficerRole, ...]] = {}
        named = dict(officers or {})
        rows = {r.id: r for r in conn.execute(prepared.members_in(), {"ids": sorted(named)})}
        for member_id, role in named.items():
            if member_id not in rows:
                self._require(conn, t.members, member_id, "member")  # its NotFound
            member = member_from_row(rows[member_id])
            if member.group_id != group_id:
                raise InvalidInput(f"{member.label()} is not a member of group {group.code}")
            these = (OfficerRole(role),) if isinstance(role, str) else tuple(map(OfficerRole, role))
            roles[member_id] = these
        bulk_insert(
            conn,
            t.officers,
            [
                {"cycle_id": cycle_id, "member_id": member_id, "role": r.value}
                for member_id, these in roles.items()
                for r in these
            ],
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
            client_id=client_id,
        )

    @retry_conflicts
    def record_opening(self, cycle_id: int, position: OpeningPosition) -> MeetingRecord:
        """Write a paper group's opening position into its cycle, which has nothing recorded
        yet: each member's shares so far, the boxes, the income so far and the loans (see
        :mod:`vsla.domain.opening`). Everything is checked first;
        :class:`~vsla.errors.InvalidOpeningPosition` lists every problem, and nothing is
        written. Returns the opening date's meeting with the entries written. A position
        sent again with its ``client_id`` is returned as stored (docs/sync.md)."""
        with self._begin() as conn:
            state = self._state(conn, cycle_id)
            key = programme_key(conn, group_id=state.cycle.group_id)
            given = content({**position.model_dump(mode="json"), "cycle_id": cycle_id})
            if position.client_id is not None:
                found = resent(
                    conn,
                    key,
                    RecordKind.OPENING_POSITION,
                    position.client_id,
                    given,
                    "the opening position of meeting #{id}",
                    group_code=state.group_code,
                )
                if found is not None:
                    return self._meeting_record(conn, found)
            for n, loan in enumerate(position.loans):
                if loan.client_id is not None and (
                    hit := lookup(conn, key, RecordKind.LOAN, loan.client_id)
                ):
                    check_resend(
                        RecordKind.LOAN,
                        loan.client_id,
                        f"loan #{hit[0]}",
                        hit[1],
                        _opening_loan(cycle_id, position, n),
                        record_id=hit[0],
                        group_code=state.group_code,
                        member_number=state.member_number(loan.member_id),
                    )
            plan = plan_opening(state, position)
            stand_ins = [-1 - n for n in range(len(plan.new_loans))]
            (record,) = self._write_plans(conn, cycle_id, [(plan, stand_ins)])
            if position.client_id is not None:
                register(
                    conn,
                    key,
                    RecordKind.OPENING_POSITION,
                    [(position.client_id, record.id, given)],
                )
            made = [
                e.loan_id
                for e in record.entries
                if e.kind is EntryKind.LOAN_DISBURSEMENT and e.loan_id is not None
            ]
            register(
                conn,
                key,
                RecordKind.LOAN,
                [
                    (loan.client_id, loan_id, _opening_loan(cycle_id, position, n))
                    for n, (loan, loan_id) in enumerate(zip(position.loans, made, strict=True))
                    if loan.client_id is not None
                ],
            )
            return record

    @one_snapshot
    def cycle(self, cycle_id: int) -> Cycle:
        """The cycle with this id, with its constitution and officers (:class:`NotFound` if
        there is none)."""
        with self._connect() as conn:
            return self._cycle(conn, cycle_id)

    @one_snapshot
    def cycles(self, group_id: int) -> list[Cycle]:
        """A group's cycles, first to last."""
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
