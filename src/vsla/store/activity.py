"""Store methods for programme activity: referrals, livelihood support, GAL sessions."""

from __future__ import annotations

__all__ = ["ActivityStore"]

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select

from vsla.domain.activity import (
    GalSession,
    LivelihoodSupport,
    NewGalSession,
    NewLivelihoodSupport,
    NewReferral,
    Referral,
    ReferralOutcome,
)
from vsla.errors import InvalidInput, NotFound
from vsla.store import tables as t
from vsla.store.transactions import Transactions, one_snapshot, retry_conflicts


class ActivityStore(Transactions):
    """Mixed into :class:`~vsla.store.store.Store`."""

    def add_referral(self, new: NewReferral) -> Referral:
        return self.add_referrals([new])[0]

    @retry_conflicts
    def add_referrals(self, new: Sequence[NewReferral]) -> list[Referral]:
        """Add referrals in one transaction (all or none)."""
        out = []
        with self._begin() as conn:
            for r in new:
                self._active_member(conn, r.member_id, r.referred_on, "referral")
                rid = conn.execute(
                    t.referrals.insert().values(**r.model_dump())
                ).inserted_primary_key
                assert rid is not None
                out.append(Referral(id=rid[0], **r.model_dump()))
        return out

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
            return updated

    @one_snapshot
    def referrals(
        self, *, group_id: int | None = None, member_id: int | None = None
    ) -> list[Referral]:
        query = select(t.referrals).order_by(t.referrals.c.id)
        if member_id is not None:
            query = query.where(t.referrals.c.member_id == member_id)
        if group_id is not None:
            query = query.join(t.members).where(t.members.c.group_id == group_id)
        with self._connect() as conn:
            return [Referral.model_validate(r._asdict()) for r in conn.execute(query)]

    def add_livelihood_support(self, new: NewLivelihoodSupport) -> LivelihoodSupport:
        return self.add_livelihood_supports([new])[0]

    @retry_conflicts
    def add_livelihood_supports(
        self, new: Sequence[NewLivelihoodSupport]
    ) -> list[LivelihoodSupport]:
        """Add livelihood support records in one transaction (all or none)."""
        out = []
        with self._begin() as conn:
            for s in new:
                self._active_member(conn, s.member_id, s.received_on, "livelihood support")
                sid = conn.execute(
                    t.livelihood_supports.insert().values(**s.model_dump())
                ).inserted_primary_key
                assert sid is not None
                out.append(LivelihoodSupport(id=sid[0], **s.model_dump()))
        return out

    @one_snapshot
    def livelihood_supports(
        self, *, group_id: int | None = None, member_id: int | None = None
    ) -> list[LivelihoodSupport]:
        query = select(t.livelihood_supports).order_by(t.livelihood_supports.c.id)
        if member_id is not None:
            query = query.where(t.livelihood_supports.c.member_id == member_id)
        if group_id is not None:
            query = query.join(t.members).where(t.members.c.group_id == group_id)
        with self._connect() as conn:
            return [LivelihoodSupport.model_validate(r._asdict()) for r in conn.execute(query)]

    @retry_conflicts
    def add_gal_session(self, new: NewGalSession) -> GalSession:
        with self._begin() as conn:
            group = conn.execute(
                select(t.groups).where(t.groups.c.id == new.group_id)
            ).one_or_none()
            if group is None:
                raise NotFound(f"group #{new.group_id} does not exist")
            if group.gal_pilot_since is None or new.held_on < group.gal_pilot_since:
                raise InvalidInput(
                    f"group {group.code}: a GAL session on {new.held_on} needs the group to be "
                    f"a GAL pilot by then (pilot since: {group.gal_pilot_since or 'never'})"
                )
            sid = conn.execute(
                t.gal_sessions.insert().values(**new.model_dump())
            ).inserted_primary_key
            assert sid is not None
            return GalSession(id=sid[0], **new.model_dump())

    @one_snapshot
    def gal_sessions(self, group_id: int | None = None) -> list[GalSession]:
        query = select(t.gal_sessions).order_by(t.gal_sessions.c.id)
        if group_id is not None:
            query = query.where(t.gal_sessions.c.group_id == group_id)
        with self._connect() as conn:
            return [GalSession.model_validate(r._asdict()) for r in conn.execute(query)]

    @staticmethod
    def _active_member(conn: Any, member_id: int, on: dt.date, what: str) -> Row[Any]:
        row: Row[Any] | None = conn.execute(
            select(t.members).where(t.members.c.id == member_id)
        ).one_or_none()
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
