"""The reference path: the same reports as :mod:`vsla.reports.indicators`, computed in plain
Python over records held in memory.

It reads the raw records through the :class:`~vsla.Store`'s public read methods (groups,
members, cycles, entries, meetings with their attendance, loans, referrals, livelihood
supports, GAL sessions), then counts and sums them member by member, meeting by meeting and
entry by entry, without any SQL aggregate. It exists to check the SQL path: the tests run
both on random datasets and require identical facts and identical reports. It is slow on a
big programme; use :mod:`vsla.reports.indicators` for real work.
"""

from __future__ import annotations

__all__ = [
    "MemoryFacts",
    "gal_comparison",
    "group_indicators",
    "group_indicators_all",
    "programme_indicators",
    "programme_time_series",
]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property

from vsla.domain.activity import GalSession, LivelihoodSupport, Referral
from vsla.domain.arguments import checked_call
from vsla.domain.entities import Attendance, Cycle, Group, Member, Programme
from vsla.domain.indicators import (
    CellKey,
    CycleFacts,
    GalFacts,
    GroupCash,
    GroupFacts,
    MembersPolicy,
    MoneyCell,
    MoneyFacts,
    PopulationFacts,
    ProgrammeFacts,
    SessionFacts,
    cash_from_totals,
    in_population,
    make_group_facts,
)
from vsla.domain.indicators.facts import CELL_KIND_FIELDS
from vsla.domain.ledger import EntryKind, LedgerEntry
from vsla.domain.loanstate import LoanState, moves_from_entries
from vsla.reports.indicators.orchestrator import StoreReports
from vsla.reports.indicators.source import Scope
from vsla.store.store import Loan, MeetingRecord, Store


def _cell(member: Member) -> CellKey:
    return (member.sex.value, member.ethnicity)


class MemoryFacts:
    """Facts computed in Python from every record of the store, loaded once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._members: dict[int, list[Member]] = {}
        self._cycles: dict[int, list[Cycle]] = {}
        self._entries: dict[int, list[LedgerEntry]] = {}
        self._meetings: dict[int, list[MeetingRecord]] = {}
        self._loans: dict[int, list[Loan]] = {}

    # ------------------------------------------------------------------ raw records

    @cached_property
    def all_groups(self) -> list[Group]:
        return self.store.groups()

    @cached_property
    def referrals(self) -> list[Referral]:
        return self.store.referrals()

    @cached_property
    def supports(self) -> list[LivelihoodSupport]:
        return self.store.livelihood_supports()

    @cached_property
    def sessions(self) -> list[GalSession]:
        return self.store.gal_sessions()

    def members(self, group_id: int) -> list[Member]:
        if group_id not in self._members:
            self._members[group_id] = self.store.members(group_id)
        return self._members[group_id]

    def cycles(self, group_id: int) -> list[Cycle]:
        if group_id not in self._cycles:
            self._cycles[group_id] = self.store.cycles(group_id)
        return self._cycles[group_id]

    def entries(self, cycle_id: int) -> list[LedgerEntry]:
        if cycle_id not in self._entries:
            self._entries[cycle_id] = self.store.entries(cycle_id)
        return self._entries[cycle_id]

    def meetings(self, cycle_id: int) -> list[MeetingRecord]:
        if cycle_id not in self._meetings:
            self._meetings[cycle_id] = self.store.meetings(cycle_id)
        return self._meetings[cycle_id]

    def loans(self, cycle_id: int) -> list[Loan]:
        if cycle_id not in self._loans:
            self._loans[cycle_id] = self.store.loans(cycle_id)
        return self._loans[cycle_id]

    def _loan_states(
        self, cycle_id: int, entries: Sequence[LedgerEntry]
    ) -> list[tuple[Loan, LoanState]]:
        """Each loan of the cycle with its moves among ``entries`` (a cycle's, cut at a date)."""
        moves = moves_from_entries(entries)
        return [
            (
                loan,
                LoanState(
                    id=loan.id,
                    member_id=loan.member_id,
                    terms=loan.terms,
                    purpose=loan.purpose,
                    moves=tuple(moves.get(loan.id, ())),
                ),
            )
            for loan in self.loans(cycle_id)
        ]

    # ------------------------------------------------------------------ FactSource

    def programme(self, programme_id: int) -> Programme:
        return self.store.programme(programme_id)

    def groups(self, scope: Scope) -> list[Group]:
        return sorted((g for g in self.all_groups if scope.includes(g)), key=lambda g: g.id)

    def group_facts(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> list[GroupFacts]:
        return [self._one_group(group, on) for group in groups]

    def _one_group(self, group: Group, on: dt.date) -> GroupFacts:
        members = self.members(group.id)
        by_id = {m.id: m for m in members}
        started = [c for c in self.cycles(group.id) if c.start_date <= on]
        cycle = max(started, key=lambda c: c.number) if started else None
        counts: dict[CellKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        risks: dict[CellKey, list[tuple[int, int]]] = defaultdict(list)

        for m in members:
            cell = counts[_cell(m)]
            if m.is_active(on):
                cell["members"] += 1
                if m.gal_champion_since is not None and m.gal_champion_since <= on:
                    cell["champions"] += 1
            if cycle is not None:
                if m.is_active(cycle.start_date):
                    cell["members_at_cycle_start"] += 1
                if cycle.start_date < m.joined_on <= on:
                    cell["joined_during_cycle"] += 1
                if m.left_on is not None and cycle.start_date < m.left_on <= on:
                    cell["left_during_cycle"] += 1
        if cycle is None:
            return make_group_facts(group, on, None, {}, 0, 0, counts, risks)

        # the ledger up to the date
        everything = self.entries(cycle.id)
        entries = [e for e in everything if e.date <= on]
        totals: dict[EntryKind, int] = defaultdict(int)
        shares = 0
        for e in entries:
            totals[e.kind] += e.amount
            shares += e.shares
            if e.member_id is not None:
                cell = counts[_cell(by_id[e.member_id])]
                cell["shares"] += e.shares
                if e.kind in CELL_KIND_FIELDS:
                    cell[CELL_KIND_FIELDS[e.kind]] += e.amount

        # loans: counted when disbursed (and not cancelled); at risk while principal is owed
        borrowers: set[int] = set()
        for loan, state in self._loan_states(cycle.id, entries):
            if state.cancelled:
                continue
            borrower = by_id[loan.member_id]
            counts[_cell(borrower)]["loans"] += 1
            risk = state.risk(on)
            if risk is not None:
                risks[_cell(borrower)].append(risk)
                if borrower.is_active(on):
                    borrowers.add(borrower.id)
        for member_id in borrowers:
            counts[_cell(by_id[member_id])]["members_with_loans"] += 1

        # attendance over the meetings where it was taken, up to the date
        taken = sorted(
            (r for r in self.meetings(cycle.id) if r.date <= on and r.attendance),
            key=lambda r: r.date,
            reverse=True,
        )
        for rank, record in enumerate(taken, start=1):
            for m in members:
                if not m.is_active(record.date):
                    continue
                cell = counts[_cell(m)]
                status = record.attendance.get(m.id, Attendance.ABSENT)
                for suffix in ("", "_last_4") if rank <= 4 else ("",):
                    cell[f"expected{suffix}"] += 1
                    if status is not Attendance.ABSENT:
                        cell[f"{status.value}{suffix}"] += 1

        # officers of the cycle still active on the date
        for member_id in cycle.officers:
            officer = by_id[member_id]
            if officer.is_active(on):
                counts[_cell(officer)]["officers"] += 1

        facts = CycleFacts(
            id=cycle.id,
            number=cycle.number,
            start_date=cycle.start_date,
            end_date=cycle.end_date,
            share_value=cycle.constitution.share_value,
            shared_out_on=cycle.shared_out_on,
        )
        return make_group_facts(group, on, facts, totals, shares, len(taken), counts, risks)

    def population(
        self,
        groups: Sequence[Group],
        on: dt.date,
        scope: Scope,
        policy: MembersPolicy,
        period: tuple[dt.date, dt.date],
    ) -> ProgrammeFacts:
        referred = {r.member_id for r in self.referrals if r.referred_on <= on}
        linked = {r.member_id for r in self.referrals if r.accessed_by(on)}
        supported = {s.member_id for s in self.supports if s.received_on <= on}
        cells: dict[tuple[int, str, str], PopulationFacts] = defaultdict(PopulationFacts)
        for group in groups:
            for m in self.members(group.id):
                if not in_population(m, on, policy, *period):
                    continue
                key = (group.id, *_cell(m))
                cells[key] = cells[key] + PopulationFacts(
                    1, int(m.id in referred), int(m.id in linked), int(m.id in supported)
                )
        return ProgrammeFacts(groups=tuple(groups), cells=dict(sorted(cells.items())))

    def gal_activity(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> GalFacts:
        ids = {g.id for g in groups}
        sessions: dict[tuple[int, str], SessionFacts] = defaultdict(SessionFacts)
        for s in self.sessions:
            if s.group_id in ids and s.held_on <= on:
                key = (s.group_id, s.tool.value)
                sessions[key] = sessions[key] + SessionFacts(
                    1, s.women, s.men, s.reached_by_peer_sharing
                )
        return GalFacts(sessions=dict(sorted(sessions.items())))

    def money(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> MoneyFacts:
        """Money per (group id, sex, ethnicity) and cash per group id, entry by entry and loan
        by loan (:meth:`LoanState.risk`, not the stored loan marks)."""
        cells: dict[tuple[int, str, str], MoneyCell] = defaultdict(MoneyCell)
        cash: dict[int, GroupCash] = {}
        for group in groups:
            started = [c for c in self.cycles(group.id) if c.start_date <= on]
            if not started:
                continue
            cycle = max(started, key=lambda c: c.number)
            by_id = {m.id: m for m in self.members(group.id)}
            value = cycle.constitution.share_value
            entries = [e for e in self.entries(cycle.id) if e.date <= on]
            totals: dict[EntryKind, int] = defaultdict(int)
            shares: dict[int, int] = defaultdict(int)
            for e in entries:
                totals[e.kind] += e.amount
                if e.member_id is None:
                    continue
                shares[e.member_id] += e.shares
                payout = e.amount if e.kind is EntryKind.SHARE_OUT_PAYOUT else 0
                key = (group.id, *_cell(by_id[e.member_id]))
                cells[key] = cells[key] + MoneyCell(
                    savings=e.shares * value, share_out_payouts=payout
                )
            if entries:  # as the SQL path: a group whose running cycle has no entry has no cash row
                cash[group.id] = cash_from_totals(totals)
            for member_id, held in shares.items():
                if held > 0:
                    key = (group.id, *_cell(by_id[member_id]))
                    cells[key] = cells[key] + MoneyCell(members_saving=1)
            for loan, state in self._loan_states(cycle.id, entries):
                risk = state.risk(on)
                if risk is None:
                    continue
                overdue, outstanding = risk
                key = (group.id, *_cell(by_id[loan.member_id]))
                cells[key] = cells[key] + MoneyCell(
                    loans_active=1,
                    loans_outstanding=outstanding,
                    at_risk_1=outstanding if overdue > 1 else 0,
                    at_risk_30=outstanding if overdue > 30 else 0,
                )
        return MoneyFacts(cells=dict(sorted(cells.items())), cash=dict(sorted(cash.items())))


@contextmanager
def memory_facts(store: Store) -> Iterator[MemoryFacts]:
    """Facts computed in memory from ``store``'s records, loaded afresh for each report,
    all from one committed state (:meth:`~vsla.Store.snapshot`)."""
    with store.snapshot():
        yield MemoryFacts(store)


REFERENCE_REPORTS = StoreReports(memory_facts)
"""The report functions of :mod:`vsla.reports.indicators` over facts computed in memory:
this module's functions are its methods, with their arguments checked the same way."""

group_indicators = checked_call(REFERENCE_REPORTS.group_indicators)
group_indicators_all = checked_call(REFERENCE_REPORTS.group_indicators_all)
programme_indicators = checked_call(REFERENCE_REPORTS.programme_indicators)
programme_time_series = checked_call(REFERENCE_REPORTS.programme_time_series)
gal_comparison = checked_call(REFERENCE_REPORTS.gal_comparison)
