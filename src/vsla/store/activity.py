"""Store methods for programme activity: referrals, livelihood support, GAL sessions."""

from __future__ import annotations

__all__ = ["ActivityStore"]

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Row, Table, select

from vsla.domain.activity import (
    GalSession,
    LivelihoodSupport,
    NewGalSession,
    NewLivelihoodSupport,
    NewReferral,
    Referral,
    ReferralOutcome,
)
from vsla.domain.base import Record
from vsla.domain.sync import RecordKind, content
from vsla.errors import InvalidInput, NotFound
from vsla.store import prepared
from vsla.store import tables as t
from vsla.store.changelog import ChangeKind, log_change
from vsla.store.clientids import (
    Later,
    SeenInCall,
    group_code,
    placed,
    programme_key,
    register,
    resent,
)
from vsla.store.rows import insert_many, plain
from vsla.store.transactions import Transactions, one_snapshot, retry_conflicts

_New = TypeVar("_New", NewReferral, NewLivelihoodSupport)
_Any = TypeVar("_Any", NewReferral, NewLivelihoodSupport, NewGalSession)
_Made = TypeVar("_Made", bound=Record)


@dataclass(frozen=True, slots=True)
class _Owner:
    """Whose an activity record is: its group (whose lock queues the record's re-sends)
    and, for a member's record, the member's number (a conflict's facts)."""

    group_id: int
    member_number: int | None


@dataclass(frozen=True, slots=True)
class _Kinds(Generic[_Made]):
    """What one kind of activity record is written as: its client-id kind, change-feed
    kind, table, record class and the name a conflict's message gives it."""

    kind: RecordKind
    change: ChangeKind
    table: Table
    made: type[_Made]
    label: str


class ActivityStore(Transactions):
    """Mixed into :class:`~vsla.store.store.Store`."""

    def add_referral(self, new: NewReferral) -> Referral:
        """Record that a member was introduced to a formal financial institution; see
        :meth:`add_referrals`."""
        return self.add_referrals([new])[0]

    @retry_conflicts
    def add_referrals(self, new: Sequence[NewReferral]) -> list[Referral]:
        """Add referrals in one transaction (all or none). A referral sent again with its
        ``client_id`` is returned as stored, nothing written (docs/sync.md)."""
        with self._begin() as conn:
            return self._add_activity(
                conn,
                new,
                RecordKind.REFERRAL,
                ChangeKind.REFERRAL,
                t.referrals,
                Referral,
                lambda r, known: self._active_member(
                    conn, r.member_id, r.referred_on, "referral", known
                ),
            )

    def _add_activity(
        self,
        conn: Connection,
        new: Sequence[_New],
        kind: RecordKind,
        change: ChangeKind,
        table: Table,
        made: type[_Made],
        check: Callable[[_New, Mapping[int, Row[Any]]], Row[Any]],
    ) -> list[_Made]:
        """Check and insert member activity records (referrals, livelihood support) with
        one read of their members and one insert (see :meth:`_add_records`): ``check``
        refuses a record whose member is not active on its date."""
        members = {
            row.id: row
            for row in conn.execute(
                prepared.members_in(), {"ids": sorted({r.member_id for r in new})}
            )
        }
        codes: dict[int, str | None] = {}  # read once a group, for a conflict's facts

        def owner(record: _New) -> _Owner:
            member = check(record, members)
            return _Owner(int(member.group_id), int(member.number))

        def facts(owned: _Owner) -> dict[str, Any]:
            if owned.group_id not in codes:
                codes[owned.group_id] = group_code(conn, owned.group_id)
            return {"group_code": codes[owned.group_id], "member_number": owned.member_number}

        return self._add_records(
            conn,
            new,
            _Kinds(kind, change, table, made, kind.value),
            owner,
            lambda group_id: programme_key(conn, group_id=group_id),
            facts,
        )

    def _add_records(
        self,
        conn: Connection,
        new: Sequence[_Any],
        kinds: _Kinds[_Made],
        owner: Callable[[_Any], _Owner],
        key_of: Callable[[int], int],
        facts: Callable[[_Owner], dict[str, Any]],
    ) -> list[_Made]:
        """Insert programme activity records (referrals, livelihood support, GAL sessions)
        with one insert, each first checked by ``owner`` (which refuses a record that may
        not be written and names the group it belongs to). A record sent with a client id
        already stored is returned as stored (its group locked first, so its re-sends
        queue), one given twice in the call is one record (the same content); either may
        be a :class:`~vsla.errors.SyncConflict` naming ``facts``. ``key_of``: the programme
        a group's client ids are unique in."""
        kind, label = kinds.kind, kinds.label
        out: list[_Made | Later] = []
        seen = SeenInCall()
        keys: dict[int, int] = {}  # group id -> programme key, the group locked
        fresh: list[tuple[int, int, str | None, Any, dict[str, Any]]] = []
        for r in new:
            owned = owner(r)
            client_id: str | None = r.client_id
            given: Any = None
            if client_id is not None:
                if owned.group_id not in keys:
                    self._lock(conn, t.groups, owned.group_id)  # its re-sends queue here
                    keys[owned.group_id] = key_of(owned.group_id)
                key, given, named = keys[owned.group_id], content(r), facts(owned)
                earlier = seen.check(
                    key, kind, client_id, given, f"a {label} of this call", **named
                )
                if earlier is not None:
                    out.append(earlier)
                    continue
                found = resent(conn, key, kind, client_id, given, f"{label} #{{id}}", **named)
                if found is not None:
                    row = conn.execute(select(kinds.table).where(kinds.table.c.id == found)).one()
                    stored = kinds.made.model_validate(row._asdict())
                    seen.add(key, kind, client_id, given, stored)
                    out.append(stored)
                    continue
                seen.add(key, kind, client_id, given, Later(len(out)))
            fresh.append((len(out), owned.group_id, client_id, given, r.model_dump()))
            out.append(Later(len(out)))  # its id comes with the insert below
        ids = insert_many(conn, kinds.table, [plain(values) for *_, values in fresh])
        rows: dict[int, list[tuple[str, int, Any]]] = defaultdict(list)
        for (place, group_id, client_id, given, values), record_id in zip(fresh, ids, strict=True):
            out[place] = kinds.made.stored(id=record_id, **values)
            if client_id is not None:
                rows[keys[group_id]].append((client_id, record_id, given))
        for key, registered in rows.items():
            register(conn, key, kind, registered)
        log_change(conn, kinds.change, ids)
        return [placed(out, item) for item in out]

    @retry_conflicts
    def record_referral_outcome(
        self, referral_id: int, outcome: ReferralOutcome, on: dt.date
    ) -> Referral:
        """Record what came of a pending referral (accessed or declined, and when)."""
        with self._begin() as conn:
            row = conn.execute(
                select(t.referrals).where(t.referrals.c.id == referral_id)
            ).one_or_none()
            if row is None:
                raise NotFound(f"referral #{referral_id} does not exist")
            current = Referral.model_validate(row._asdict())
            if current.outcome is not ReferralOutcome.PENDING:
                raise InvalidInput(
                    f"referral #{referral_id} already has the outcome {current.outcome.value!r} "
                    f"({current.outcome_on}); add a new referral instead"
                )
            updated = Referral.model_validate(
                {**current.model_dump(), "outcome": outcome, "outcome_on": on}
            )
            conn.execute(
                t.referrals.update()
                .where(t.referrals.c.id == referral_id)
                .values(outcome=updated.outcome.value, outcome_on=on)
            )
            log_change(conn, ChangeKind.REFERRAL, [referral_id])
            return updated

    @one_snapshot
    def referrals(
        self, *, group_id: int | None = None, member_id: int | None = None
    ) -> list[Referral]:
        """The referrals recorded, oldest first, of one group or one member (or all)."""
        query = select(t.referrals).order_by(t.referrals.c.id)
        if member_id is not None:
            query = query.where(t.referrals.c.member_id == member_id)
        if group_id is not None:
            query = query.join(t.members).where(t.members.c.group_id == group_id)
        with self._connect() as conn:
            return [Referral.model_validate(r._asdict()) for r in conn.execute(query)]

    def add_livelihood_support(self, new: NewLivelihoodSupport) -> LivelihoodSupport:
        """Record one livelihood support given to a member; see
        :meth:`add_livelihood_supports`."""
        return self.add_livelihood_supports([new])[0]

    @retry_conflicts
    def add_livelihood_supports(
        self, new: Sequence[NewLivelihoodSupport]
    ) -> list[LivelihoodSupport]:
        """Add livelihood support records in one transaction (all or none). A record sent
        again with its ``client_id`` is returned as stored, nothing written."""
        with self._begin() as conn:
            return self._add_activity(
                conn,
                new,
                RecordKind.LIVELIHOOD_SUPPORT,
                ChangeKind.LIVELIHOOD_SUPPORT,
                t.livelihood_supports,
                LivelihoodSupport,
                lambda s, known: self._active_member(
                    conn, s.member_id, s.received_on, "livelihood support", known
                ),
            )

    @one_snapshot
    def livelihood_supports(
        self, *, group_id: int | None = None, member_id: int | None = None
    ) -> list[LivelihoodSupport]:
        """The livelihood support records, oldest first, of one group or one member (or
        all)."""
        query = select(t.livelihood_supports).order_by(t.livelihood_supports.c.id)
        if member_id is not None:
            query = query.where(t.livelihood_supports.c.member_id == member_id)
        if group_id is not None:
            query = query.join(t.members).where(t.members.c.group_id == group_id)
        with self._connect() as conn:
            return [LivelihoodSupport.model_validate(r._asdict()) for r in conn.execute(query)]

    def add_gal_session(self, new: NewGalSession) -> GalSession:
        """Record a GAL session of a pilot group; see :meth:`add_gal_sessions`."""
        return self.add_gal_sessions([new])[0]

    @retry_conflicts
    def add_gal_sessions(self, new: Sequence[NewGalSession]) -> list[GalSession]:
        """Record GAL sessions in one transaction (all or none), with one read of their
        groups and one insert. Each session's group must be a GAL pilot on the day it was
        held. A session sent again with its ``client_id`` is returned as stored, nothing
        written (docs/sync.md); one client id given twice in the call is one session (the
        same content) or a :class:`~vsla.errors.SyncConflict`."""
        with self._begin() as conn:
            groups = {
                row.id: row
                for row in conn.execute(
                    prepared.groups_in(), {"ids": sorted({s.group_id for s in new})}
                )
            }

            def owner(session: NewGalSession) -> _Owner:
                group = groups.get(session.group_id)
                if group is None:
                    raise NotFound(f"group #{session.group_id} does not exist")
                if group.gal_pilot_since is None or session.held_on < group.gal_pilot_since:
                    raise InvalidInput(
                        f"group {group.code}: a GAL session on {session.held_on} needs the "
                        "group to be a GAL pilot by then (pilot since: "
                        f"{group.gal_pilot_since or 'never'})"
                    )
                return _Owner(int(group.id), None)

            return self._add_records(
                conn,
                new,
                _Kinds(
                    RecordKind.GAL_SESSION,
                    ChangeKind.GAL_SESSION,
                    t.gal_sessions,
                    GalSession,
                    "GAL session",
                ),
                owner,
                lambda group_id: int(groups[group_id].programme_id or 0),
                lambda owned: {"group_code": groups[owned.group_id].code},
            )

    @one_snapshot
    def gal_sessions(self, group_id: int | None = None) -> list[GalSession]:
        """The GAL sessions recorded, oldest first, of one group (or of all groups)."""
        query = select(t.gal_sessions).order_by(t.gal_sessions.c.id)
        if group_id is not None:
            query = query.where(t.gal_sessions.c.group_id == group_id)
        with self._connect() as conn:
            return [GalSession.model_validate(r._asdict()) for r in conn.execute(query)]

    @staticmethod
    def _active_member(
        conn: Any,
        member_id: int,
        on: dt.date,
        what: str,
        known: Mapping[int, Row[Any]] | None = None,
    ) -> Row[Any]:
        """The member's row (from ``known`` when it holds it), refused unless the member
        is active on ``on``."""
        row: Row[Any] | None = (
            known[member_id]
            if known is not None and member_id in known
            else conn.execute(select(t.members).where(t.members.c.id == member_id)).one_or_none()
        )
        if row is None:
            raise NotFound(f"member #{member_id} named in a {what} does not exist")
        if row.joined_on > on:
            raise InvalidInput(
                f"{row.full_name} (no. {row.number}) joined on {row.joined_on}, after the {what} "
                f"dated {on}"
            )
        if row.left_on is not None and row.left_on <= on:
            raise InvalidInput(
                f"{row.full_name} (no. {row.number}) left the group on {row.left_on}; a {what} "
                f"dated {on} cannot be recorded for them"
            )
        return row
