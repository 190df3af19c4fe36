"""The registry: programmes, groups and their members."""

from __future__ import annotations

__all__ = ["RegistryStore"]

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from vsla.domain.entities import Group, Member, NewGroup, NewMember, NewProgramme, Programme
from vsla.domain.sync import RecordKind, content
from vsla.errors import InvalidInput, NotFound
from vsla.store import prepared
from vsla.store import tables as t
from vsla.store.base import StoreBase
from vsla.store.changelog import ChangeKind, log_change
from vsla.store.clientids import (
    Later,
    SeenInCall,
    group_code,
    lookup,
    placed,
    programme_key,
    register,
    resent,
)
from vsla.store.rows import (
    group_from_row,
    insert_many,
    member_from_row,
    plain,
    programme_from_row,
)
from vsla.store.transactions import one_snapshot, retry_conflicts


class RegistryStore(StoreBase):
    """Programmes, groups and members: mixed into :class:`~vsla.store.store.Store`."""

    # ------------------------------------------------------------------ programmes, groups

    @retry_conflicts
    def add_programme(self, new: NewProgramme) -> Programme:
        """Add a programme (its name, province, period and targets) and return it with its id."""
        with self._begin() as conn:
            values = new.model_dump(mode="json")
            values["period_start"], values["period_end"] = new.period_start, new.period_end
            pid = conn.execute(t.programmes.insert().values(**values)).inserted_primary_key
            assert pid is not None
            log_change(conn, ChangeKind.PROGRAMME, [pid[0]])
            return Programme(id=pid[0], **new.model_dump())

    @one_snapshot
    def programme(self, programme_id: int) -> Programme:
        """The programme with this id (:class:`NotFound` if there is none)."""
        with self._connect() as conn:
            row = conn.execute(
                select(t.programmes).where(t.programmes.c.id == programme_id)
            ).one_or_none()
        if row is None:
            raise NotFound(f"programme #{programme_id} does not exist")
        return programme_from_row(row)

    @one_snapshot
    def programmes(self) -> list[Programme]:
        """Every programme in the database, in the order they were added."""
        with self._connect() as conn:
            ids = conn.execute(select(t.programmes.c.id).order_by(t.programmes.c.id)).scalars()
            id_list = list(ids)
        return [self.programme(i) for i in id_list]

    @retry_conflicts
    def add_group(self, new: NewGroup) -> Group:
        """Register a group. A group sent again with its ``client_id`` is returned as
        stored, nothing written (docs/sync.md)."""
        with self._begin() as conn:
            if new.programme_id is not None:
                self._require(conn, t.programmes, new.programme_id, "programme")
            if new.client_id is not None:
                if new.programme_id is not None:  # re-sends of one programme queue here
                    self._lock(conn, t.programmes, new.programme_id)
                key = new.programme_id or 0
                hit = lookup(conn, key, RecordKind.GROUP, new.client_id)
                stored_group = (
                    None
                    if hit is None
                    else group_from_row(self._require(conn, t.groups, hit[0], "group"))
                )
                found = resent(
                    conn,
                    key,
                    RecordKind.GROUP,
                    new.client_id,
                    content(new),
                    lambda _: f"group {stored_group.code}" if stored_group else "a group",
                    group_code=None if stored_group is None else stored_group.code,
                )
                if found is not None:
                    return group_from_row(self._require(conn, t.groups, found, "group"))
            try:
                gid = conn.execute(t.groups.insert(), new.model_dump()).inserted_primary_key
            except IntegrityError as exc:
                raise InvalidInput(f"group code {new.code!r} is already used") from exc
            assert gid is not None
            log_change(conn, ChangeKind.GROUP, [gid[0]])
            if new.client_id is not None:
                register(
                    conn,
                    new.programme_id or 0,
                    RecordKind.GROUP,
                    [(new.client_id, gid[0], content(new))],
                )
            return Group.stored(id=gid[0], **new.model_dump())

    @one_snapshot
    def group(self, group_id_or_code: int | str) -> Group:
        """The group with this id, or with this code when given a string
        (:class:`NotFound` if there is none)."""
        col = t.groups.c.code if isinstance(group_id_or_code, str) else t.groups.c.id
        with self._connect() as conn:
            row = conn.execute(select(t.groups).where(col == group_id_or_code)).one_or_none()
        if row is None:
            raise NotFound(f"group {group_id_or_code!r} does not exist")
        return group_from_row(row)

    @one_snapshot
    def groups(self, programme_id: int | None = None) -> list[Group]:
        """The groups of a programme (or every group), in the order they were added."""
        query = select(t.groups).order_by(t.groups.c.id)
        if programme_id is not None:
            query = query.where(t.groups.c.programme_id == programme_id)
        with self._connect() as conn:
            return [group_from_row(r) for r in conn.execute(query)]

    # ------------------------------------------------------------------ members

    def add_member(self, new: NewMember) -> Member:
        """Add one member to a group; see :meth:`add_members`."""
        return self.add_members([new])[0]

    @retry_conflicts
    def add_members(self, new: Sequence[NewMember]) -> list[Member]:
        """Add several members in one transaction (all or none). A member sent again with
        its ``client_id`` is returned as stored, nothing written (docs/sync.md)."""
        out: list[Member | Later] = []
        with self._begin() as conn:
            taken: dict[int, set[int]] = {}  # each group's member numbers, stored or given
            next_number: dict[int, int] = {}
            groups: dict[int, Group] = {}
            keys: dict[int, int] = {}
            seen = SeenInCall()
            fresh: list[tuple[int, NewMember, dict[str, Any]]] = []  # (place in out, ...)
            for m in new:
                if m.group_id not in next_number:
                    group = group_from_row(self._require(conn, t.groups, m.group_id, "group"))
                    groups[m.group_id] = group
                    # concurrent adders to one group queue here, so each reads the numbers
                    # the others committed and none takes a number twice
                    self._lock(conn, t.groups, m.group_id)
                    taken[m.group_id] = set(
                        conn.execute(prepared.member_numbers(), {"group_id": m.group_id}).scalars()
                    )
                    next_number[m.group_id] = max(taken[m.group_id], default=0) + 1
                    keys[m.group_id] = programme_key(conn, group_id=m.group_id)
                if m.client_id is not None:
                    key, given = keys[m.group_id], content(m)
                    earlier = seen.check(
                        key,
                        RecordKind.MEMBER,
                        m.client_id,
                        given,
                        "a member of this call",
                        group_code=groups[m.group_id].code,
                    )
                    if earlier is not None:
                        out.append(earlier)
                        continue
                    hit = lookup(conn, key, RecordKind.MEMBER, m.client_id)
                    if hit is not None:
                        stored = member_from_row(self._require(conn, t.members, hit[0], "member"))
                        code = group_code(conn, stored.group_id)
                        resent(
                            conn,
                            key,
                            RecordKind.MEMBER,
                            m.client_id,
                            given,
                            f"{stored.label()} of group {code}",
                            group_code=code,
                            member_number=stored.number,
                        )
                        seen.add(key, RecordKind.MEMBER, m.client_id, given, stored)
                        out.append(stored)
                        continue
                group = groups[m.group_id]
                broken = m.group_problems(group)
                if broken:
                    raise InvalidInput(
                        f"group {group.code} ({group.name}), member {m.full_name}: "
                        + "; ".join(f"{field}: {message}" for field, message in broken)
                    )
                number = m.number if m.number is not None else next_number[m.group_id]
                if number in taken[m.group_id]:
                    raise InvalidInput(
                        f"group {group.code} ({group.name}) already has a member number "
                        f"{number} ({m.full_name} cannot take it)"
                    )
                taken[m.group_id].add(number)
                next_number[m.group_id] = max(next_number[m.group_id], number + 1)
                if m.client_id is not None:  # named again later in this call: this member
                    key, later = keys[m.group_id], Later(len(out))
                    seen.add(key, RecordKind.MEMBER, m.client_id, content(m), later)
                fresh.append((len(out), m, {**m.model_dump(), "number": number}))
                out.append(Later(len(out)))  # its id comes with the insert below
            # one insert for all (the numbers are checked above, under the groups' locks)
            ids = insert_many(conn, t.members, [plain(values) for _, _, values in fresh])
            registered: dict[int, list[tuple[str, int, Any]]] = defaultdict(list)
            for (place, m, values), member_id in zip(fresh, ids, strict=True):
                member = Member.stored(id=member_id, **values)
                out[place] = member
                if m.client_id is not None:
                    registered[keys[m.group_id]].append((m.client_id, member.id, content(m)))
            for key, rows in registered.items():
                register(conn, key, RecordKind.MEMBER, rows)
            log_change(conn, ChangeKind.MEMBER, ids)
        return [placed(out, m) for m in out]

    @one_snapshot
    def member(self, member_id: int) -> Member:
        """The member with this database id (:class:`NotFound` if there is none); by their
        number in a group: :meth:`member_by_number`."""
        with self._connect() as conn:
            row = conn.execute(select(t.members).where(t.members.c.id == member_id)).one_or_none()
        if row is None:
            raise NotFound(f"member #{member_id} does not exist")
        return member_from_row(row)

    @one_snapshot
    def member_by_number(self, group_id: int, number: int) -> Member:
        """A member by their number within the group."""
        with self._connect() as conn:
            row = conn.execute(
                select(t.members).where(
                    t.members.c.group_id == group_id, t.members.c.number == number
                )
            ).one_or_none()
            if row is None:
                group = group_from_row(self._require(conn, t.groups, group_id, "group"))
                raise NotFound(f"group {group.code} ({group.name}) has no member number {number}")
        return member_from_row(row)

    @one_snapshot
    def members(self, group_id: int, *, active_on: dt.date | None = None) -> list[Member]:
        """The group's members by number; only those active on ``active_on`` if given."""
        with self._connect() as conn:
            found = self._members(conn, group_id)
        return [m for m in found if active_on is None or m.is_active(active_on)]
