"""Client ids in the database: the ``client_ids`` table, one row per client id an app gave
a record, unique per kind within a programme, with the content first sent with it.

The store looks a client id up *after* it has locked what serialises writers of that
record (the programme's row for a group, the group's for a member, a cycle, a GAL session,
a referral or a livelihood support, the cycle's for a meeting and its loans and
repayments), so a phone re-sending a record while its first send is still being written
waits for it and then finds it. Two different records given one client id in one
programme at the same moment (an app's bug) collide on the table's primary key: the call
is then re-run (:func:`~vsla.store.transactions.retry_conflicts`) and finds the record the
other one stored.
"""

from __future__ import annotations

__all__ = [
    "Later",
    "SeenInCall",
    "group_code",
    "lookup",
    "lookup_many",
    "placed",
    "programme_key",
    "register",
    "resent",
]

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from vsla.domain.sync import RecordKind, check_resend
from vsla.store import prepared
from vsla.store import tables as t


def programme_key(conn: Connection, *, group_id: int) -> int:
    """The programme a group's records are unique in: its id, 0 for none."""
    key = conn.execute(prepared.group_field("programme_id"), {"id": group_id}).scalar_one_or_none()
    return int(key or 0)


def group_code(conn: Connection, group_id: int) -> str | None:
    """A group's code (what a conflict's message and facts name it by), or ``None``."""
    code: str | None = conn.execute(
        prepared.group_field("code"), {"id": group_id}
    ).scalar_one_or_none()
    return code


def lookup(conn: Connection, key: int, kind: RecordKind, client_id: str) -> tuple[int, Any] | None:
    """``(record id, content)`` stored for the client id, or ``None``."""
    row = conn.execute(
        prepared.client_id_row(), {"key": key, "kind": kind.value, "client_id": client_id}
    ).one_or_none()
    return None if row is None else (int(row[0]), row[1])


def lookup_many(
    conn: Connection, key: int, kind: RecordKind, client_ids: Iterable[str]
) -> dict[str, tuple[int, Any]]:
    """``client id -> (record id, content)`` of those of ``client_ids`` stored."""
    wanted = sorted(set(client_ids))
    found: dict[str, tuple[int, Any]] = {}
    for start in range(0, len(wanted), 500):
        given = {"key": key, "kind": kind.value, "client_ids": wanted[start : start + 500]}
        for cid, rid, stored in conn.execute(prepared.client_ids_in(), given):
            found[cid] = (int(rid), stored)
    return found


def register(
    conn: Connection, key: int, kind: RecordKind, rows: Sequence[tuple[str, int, Any]]
) -> None:
    """Store ``(client id, record id, content)`` rows of one kind in one programme."""
    if not rows:
        return
    values = [
        {"programme_key": key, "kind": kind.value, "client_id": cid, "record_id": rid, "content": c}
        for cid, rid, c in rows
    ]
    if conn.dialect.name == "sqlite":  # one writer at a time: no one else can take it
        conn.execute(t.client_ids.insert(), values)
        return
    try:
        with conn.begin_nested():
            conn.execute(t.client_ids.insert(), values)
    except IntegrityError as exc:
        # another writer stored one of these client ids since we looked (a different
        # parent record, so a different lock): run the call again, it will find it
        from vsla.store.transactions import _Conflict

        raise _Conflict(
            conn.engine.url.render_as_string(hide_password=True),
            f"{kind.value} client id stored by another writer at the same time",
        ) from exc


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Later:
    """A record of a store call that is inserted only once the whole call is checked (one
    insert for all): its place in the call's result. :class:`SeenInCall` holds it for a
    client id named again later in the call, so that both places give the same record."""

    place: int


def placed(out: Sequence[T | Later], item: T | Later) -> T:
    """The record at ``item``'s place of ``out``, once every record of the call is in it."""
    while isinstance(item, Later):
        item = out[item.place]
    return item


@dataclass(slots=True)
class SeenInCall:
    """Client ids already met in one store call (a batch naming one record twice)."""

    seen: dict[tuple[int, RecordKind, str], tuple[Any, Any]] = field(default_factory=dict)

    def check(
        self,
        key: int,
        kind: RecordKind,
        client_id: str,
        given: Any,
        record: str,
        *,
        group_code: str | None = None,
        member_number: int | None = None,
    ) -> Any | None:
        """The result returned for the same client id earlier in this call (after checking
        the content is the same), or ``None``; the facts go on a conflict."""
        found = self.seen.get((key, kind, client_id))
        if found is None:
            return None
        stored, result = found
        check_resend(
            kind,
            client_id,
            record,
            stored,
            given,
            group_code=group_code,
            member_number=member_number,
        )
        return result

    def add(self, key: int, kind: RecordKind, client_id: str, given: Any, result: Any) -> None:
        self.seen[(key, kind, client_id)] = (given, result)


def resent(
    conn: Connection,
    key: int,
    kind: RecordKind,
    client_id: str,
    given: Any,
    describe: str | Callable[[int], str],
    *,
    group_code: str | None = None,
    member_number: int | None = None,
) -> int | None:
    """The id of the record stored for the client id, after checking that ``given`` is the
    same content (else :class:`~vsla.errors.SyncConflict`, carrying the facts given);
    ``None`` when it is new. ``describe`` names the record for people: a text where
    ``{id}`` stands for its id, or a function of its id."""
    found = lookup(conn, key, kind, client_id)
    if found is None:
        return None
    record_id, stored = found
    check_resend(
        kind,
        client_id,
        describe(record_id) if callable(describe) else describe.format(id=record_id),
        stored,
        given,
        record_id=record_id,
        group_code=group_code,
        member_number=member_number,
    )
    return record_id
