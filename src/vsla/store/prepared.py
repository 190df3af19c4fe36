"""Statements built once and run with parameters: the ones every store call runs.

Building a SQLAlchemy statement (its columns, its operators, its bound values) and working
out its cache key costs more than running a small statement on SQLite: one ``SELECT`` of a
row by its id, 5,000 times, took 76 µs a run built anew, 21 µs built once and run with a
parameter, 7 µs on the driver's own cursor (docs/performance.md). So the statements of the
store's shared steps (a row by id, a row's lock, a cycle's state, the ids of a bulk insert)
are built here once, the values they take named by :func:`~sqlalchemy.bindparam`, and each
call passes its values. A statement is a value: nothing here holds a connection or state.
"""

from __future__ import annotations

__all__ = [
    "by_id",
    "client_id_row",
    "client_ids_in",
    "count_since",
    "cycle_loans",
    "cycle_row",
    "group_field",
    "group_members",
    "groups_in",
    "last_meeting_days",
    "latest_cycle",
    "lock_row",
    "meeting_count",
    "meetings_between",
    "member_numbers",
    "member_shares",
    "members_in",
    "officers_of",
    "top_id",
    "totals",
]

from functools import cache
from typing import Any, TypeAlias

from sqlalchemy import Select, Table, bindparam, case, func, select

from vsla.store import tables as t

Query: TypeAlias = Select[*tuple[Any, ...]]
"""A statement of this module (its columns vary)."""


@cache
def by_id(table: Table) -> Query:
    """Every column of the row of ``table`` whose id is ``:id``."""
    return select(table).where(table.c.id == bindparam("id"))


@cache
def lock_row(table: Table) -> Query:
    """The row of ``table`` whose id is ``:id``, held against other writers
    (``FOR NO KEY UPDATE`` on PostgreSQL; nothing on SQLite, whose write lock covers the
    database)."""
    return select(table.c.id).where(table.c.id == bindparam("id")).with_for_update(key_share=True)


@cache
def cycle_row(*, lock: bool) -> Query:
    """The cycle ``:id``, locked for a write with ``lock``."""
    query = by_id(t.cycles)
    return query.with_for_update() if lock else query


@cache
def officers_of() -> Query:
    """(member id, role) of the officers of the cycle ``:cycle_id``."""
    return select(t.officers.c.member_id, t.officers.c.role).where(
        t.officers.c.cycle_id == bindparam("cycle_id")
    )


@cache
def group_field(name: str) -> Query:
    """One column of the group ``:id``."""
    return select(t.groups.c[name]).where(t.groups.c.id == bindparam("id"))


@cache
def group_members() -> Query:
    """The members of the group ``:group_id``, by number."""
    return (
        select(t.members)
        .where(t.members.c.group_id == bindparam("group_id"))
        .order_by(t.members.c.number)
    )


@cache
def members_in() -> Query:
    """The members whose ids are in ``:ids`` (a list)."""
    return select(t.members).where(t.members.c.id.in_(bindparam("ids", expanding=True)))


@cache
def totals(*, until: bool) -> Query:
    """Σ amount per entry kind of the cycle ``:cycle_id`` (with ``until``: of the entries
    dated ``:on`` or before)."""
    query = select(t.entries.c.kind, func.sum(t.entries.c.amount)).where(
        t.entries.c.cycle_id == bindparam("cycle_id")
    )
    if until:
        query = query.where(t.entries.c.date <= bindparam("on"))
    return query.group_by(t.entries.c.kind)


@cache
def member_shares() -> Query:
    """(member id, Σ shares) of the cycle ``:cycle_id``."""
    return (
        select(t.entries.c.member_id, func.sum(t.entries.c.shares))
        .where(t.entries.c.cycle_id == bindparam("cycle_id"), t.entries.c.member_id.is_not(None))
        .group_by(t.entries.c.member_id)
    )


@cache
def cycle_loans() -> Query:
    """The loans of the cycle ``:cycle_id``."""
    return select(t.loans).where(t.loans.c.cycle_id == bindparam("cycle_id"))


@cache
def last_meeting_days() -> Query:
    """The date of the cycle ``:cycle_id``'s last meeting, and of its last meeting recorded
    whole (with minutes)."""
    return select(
        func.max(t.meetings.c.date),
        func.max(case((t.meetings.c.minutes_recorded, t.meetings.c.date))),
    ).where(t.meetings.c.cycle_id == bindparam("cycle_id"))


@cache
def meetings_between() -> Query:
    """(id, date, number) of the meetings of the cycle ``:cycle_id`` from ``:first`` to
    ``:last`` (both included): a range, not a list of dates, so the statement is the same
    whatever the number of dates (an expanding list is compiled again for each length)."""
    return select(t.meetings.c.id, t.meetings.c.date, t.meetings.c.number).where(
        t.meetings.c.cycle_id == bindparam("cycle_id"),
        t.meetings.c.date >= bindparam("first"),
        t.meetings.c.date <= bindparam("last"),
    )


@cache
def meeting_count() -> Query:
    """How many meetings the cycle ``:cycle_id`` has."""
    return (
        select(func.count())
        .select_from(t.meetings)
        .where(t.meetings.c.cycle_id == bindparam("cycle_id"))
    )


@cache
def top_id(table: Table) -> Query:
    """The largest id of ``table`` (``None`` when it is empty)."""
    return select(func.max(table.c.id))


@cache
def count_since(table: Table) -> Query:
    """(count, smallest, largest) of the ids of ``table`` above ``:top``."""
    ids = table.c.id
    return select(func.count(), func.min(ids), func.max(ids)).where(ids > bindparam("top"))


@cache
def groups_in() -> Query:
    """The groups whose ids are in ``:ids`` (a list)."""
    return select(t.groups).where(t.groups.c.id.in_(bindparam("ids", expanding=True)))


@cache
def member_numbers() -> Query:
    """The numbers of the members of the group ``:group_id``."""
    return select(t.members.c.number).where(t.members.c.group_id == bindparam("group_id"))


@cache
def latest_cycle() -> Query:
    """The id of the group ``:group_id``'s latest cycle (the largest number)."""
    return (
        select(t.cycles.c.id)
        .where(t.cycles.c.group_id == bindparam("group_id"))
        .order_by(t.cycles.c.number.desc())
        .limit(1)
    )


@cache
def client_id_row() -> Query:
    """(record id, content) stored for the client id ``:client_id`` of the kind ``:kind``
    in the programme ``:key``."""
    c = t.client_ids.c
    return select(c.record_id, c.content).where(
        c.programme_key == bindparam("key"),
        c.kind == bindparam("kind"),
        c.client_id == bindparam("client_id"),
    )


@cache
def client_ids_in() -> Query:
    """(client id, record id, content) stored for the client ids ``:client_ids`` (a list) of
    the kind ``:kind`` in the programme ``:key``."""
    c = t.client_ids.c
    return select(c.client_id, c.record_id, c.content).where(
        c.programme_key == bindparam("key"),
        c.kind == bindparam("kind"),
        c.client_id.in_(bindparam("client_ids", expanding=True)),
    )
