"""The SQL fact source: every sum and count from a bounded number of aggregate queries."""

from __future__ import annotations

__all__ = ["SqlFacts", "sql_facts"]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy import (
    CTE,
    Connection,
    Join,
    Subquery,
    and_,
    case,
    distinct,
    func,
    select,
)

from vsla.domain.entities import Group, GroupStatus, Programme
from vsla.domain.indicators import (
    CellKey,
    CycleFacts,
    DistrictFacts,
    GalFacts,
    GroupFacts,
    MembersPolicy,
    MoneyFacts,
    PopulationFacts,
    ProgrammeFacts,
    SessionFacts,
    make_group_facts,
)
from vsla.domain.indicators.facts import CELL_KIND_FIELDS
from vsla.domain.ledger import EntryKind
from vsla.errors import NotFound
from vsla.reports.indicators.source import Scope
from vsla.reports.indicators.sql_money import money_facts
from vsla.reports.indicators.sql_parts import (
    active_on,
    as_int,
    counted_members,
    in_scope,
    mark_covers,
    marks_on,
    one_if,
    population_query,
)
from vsla.store import tables as t
from vsla.store.rows import programme_from_row
from vsla.store.store import Store

_DISBURSED = EntryKind.LOAN_DISBURSEMENT.value
_REDUCES_PRINCIPAL = (EntryKind.PRINCIPAL_REPAYMENT.value, EntryKind.WRITE_OFF.value)
_m = t.members.c
_g = t.groups.c
_e = t.entries.c
_k = t.loan_marks.c

_Counts = dict[int, dict[CellKey, dict[str, int]]]
"""Counts per group id, (sex, ethnicity) cell and :class:`CellFacts` field."""


class SqlFacts:
    """Facts from aggregate queries on one connection (a bounded number per report)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def programme(self, programme_id: int) -> Programme:
        row = self.conn.execute(
            select(t.programmes).where(t.programmes.c.id == programme_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"programme #{programme_id} does not exist")
        return programme_from_row(row)

    def groups(self, scope: Scope) -> list[Group]:
        query = select(t.groups).where(*in_scope(scope)).order_by(_g.id)
        return [Group.model_validate(r._asdict()) for r in self.conn.execute(query)]

    # ------------------------------------------------------------------ group facts

    def _running_cycles(self, on: dt.date, scope: Scope) -> CTE:
        """The cycle each group of the scope runs on ``on``: its latest one started by then."""
        c = t.cycles.c
        latest = (
            select(c.group_id, func.max(c.number).label("number"))
            .where(c.start_date <= on)
            .group_by(c.group_id)
            .subquery("latest")
        )
        return (
            select(
                c.id, c.group_id, c.number, c.start_date, c.end_date, c.share_value, c.shared_out_on
            )
            .join(latest, and_(latest.c.group_id == c.group_id, latest.c.number == c.number))
            .join(t.groups, _g.id == c.group_id)
            .where(*in_scope(scope))
            .cte("running")
        )

    def group_facts(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> list[GroupFacts]:
        """The facts of each of ``groups`` on ``on``, from the queries of sections 1 to 7
        below: a fixed number of them, whatever the number of groups."""
        rc = self._running_cycles(on, scope)
        counts: _Counts = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
        cycles, group_of_cycle = self._cycles(rc)
        self._count_members(on, scope, counts)
        totals, shares = self._sum_entries(rc, on, group_of_cycle, counts)
        ledger, borrower = self._loan_ledger(rc, on)
        self._count_loans(rc, ledger, borrower, on, counts)
        risks = self._loan_risks(rc, on)
        meetings = self._count_attendance(rc, on, counts)
        self._count_officers(rc, on, counts)
        return [
            make_group_facts(
                group,
                on,
                cycles.get(group.id),
                totals.get(group.id, {}),
                shares.get(group.id, 0),
                meetings.get(group.id, 0),
                counts.get(group.id, {}),
                risks.get(group.id, {}),
            )
            for group in groups
        ]

    def _cycles(self, rc: CTE) -> tuple[dict[int, CycleFacts], dict[int, int]]:
        """1. The running cycles: their facts per group id, and the group id of each cycle."""
        cycles: dict[int, CycleFacts] = {}
        group_of_cycle: dict[int, int] = {}
        for r in self.conn.execute(select(rc)):
            cycles[r.group_id] = CycleFacts(
                id=r.id,
                number=r.number,
                start_date=r.start_date,
                end_date=r.end_date,
                share_value=int(r.share_value),
                shared_out_on=r.shared_out_on,
            )
            group_of_cycle[r.id] = r.group_id
        return cycles, group_of_cycle

    def _count_members(self, on: dt.date, scope: Scope, counts: _Counts) -> None:
        """2. Members: active on the date, at the cycle's start, joined and left during it,
        champions.

        The running cycle is found per member by index (the latest cycle number started by
        the date) rather than by joining the CTE, which SQLite would scan once per member.
        """
        cycle = t.cycles.c
        later = t.cycles.alias("later").c
        latest_number = (
            select(func.max(later.number))
            .where(later.group_id == _m.group_id, later.start_date <= on)
            .scalar_subquery()
        )
        q_members = (
            select(
                _m.group_id,
                _m.sex,
                _m.ethnicity,
                one_if(active_on(on)),
                one_if(active_on(cycle.start_date)),
                one_if(and_(_m.joined_on > cycle.start_date, _m.joined_on <= on)),
                one_if(and_(_m.left_on > cycle.start_date, _m.left_on <= on)),
                one_if(and_(active_on(on), _m.gal_champion_since <= on)),
            )
            .select_from(
                t.members.join(t.groups, _g.id == _m.group_id).outerjoin(
                    t.cycles, and_(cycle.group_id == _m.group_id, cycle.number == latest_number)
                )
            )
            .where(*in_scope(scope))
            .group_by(_m.group_id, _m.sex, _m.ethnicity)
        )
        for gid, sex, eth, active, at_start, joined, left, champions in self.conn.execute(
            q_members
        ):
            cell = counts[gid][(sex, eth)]
            cell["members"] += as_int(active)
            cell["members_at_cycle_start"] += as_int(at_start)
            cell["joined_during_cycle"] += as_int(joined)
            cell["left_during_cycle"] += as_int(left)
            cell["champions"] += as_int(champions)

    def _sum_entries(
        self, rc: CTE, on: dt.date, group_of_cycle: Mapping[int, int], counts: _Counts
    ) -> tuple[dict[int, dict[EntryKind, int]], dict[int, int]]:
        """3. Entries of the running cycles dated on or before the date, per cell and kind:
        the totals and the net shares per group id, and each member's cell."""
        totals: dict[int, dict[EntryKind, int]] = defaultdict(lambda: defaultdict(int))
        shares: dict[int, int] = defaultdict(int)
        q_entries = (
            select(
                _e.cycle_id,
                _m.sex,
                _m.ethnicity,
                _e.kind,
                func.sum(_e.amount),
                func.sum(_e.shares),
            )
            .select_from(
                t.entries.join(rc, rc.c.id == _e.cycle_id).outerjoin(
                    t.members, _m.id == _e.member_id
                )
            )
            .where(_e.date <= on)
            .group_by(_e.cycle_id, _m.sex, _m.ethnicity, _e.kind)
        )
        for cycle_id, sex, eth, kind_value, amount, n in self.conn.execute(q_entries):
            gid = group_of_cycle[cycle_id]
            kind = EntryKind(kind_value)
            totals[gid][kind] += as_int(amount)
            shares[gid] += as_int(n)
            if sex is not None:
                cell = counts[gid][(sex, eth)]
                cell["shares"] += as_int(n)
                if kind in CELL_KIND_FIELDS:
                    cell[CELL_KIND_FIELDS[kind]] += as_int(amount)
        return totals, shares

    def _loan_ledger(self, rc: CTE, on: dt.date) -> tuple[Subquery, Join]:
        """Per loan of the running cycles, disbursed and principal outstanding on the date
        (the ledger), and the ledger joined to the loans, their cycles and their borrowers:
        what sections 4 and 5 select from."""
        signed = case(
            (_e.kind == _DISBURSED, _e.amount),
            (_e.kind.in_(_REDUCES_PRINCIPAL), -_e.amount),
            else_=0,
        )
        ledger = (
            select(
                _e.loan_id.label("loan_id"),
                func.sum(case((_e.kind == _DISBURSED, _e.amount), else_=0)).label("disbursed"),
                func.sum(signed).label("outstanding"),
            )
            .select_from(t.entries.join(rc, rc.c.id == _e.cycle_id))
            .where(_e.date <= on, _e.loan_id.is_not(None))
            .group_by(_e.loan_id)
            .subquery("ledger")
        )
        loan = t.loans.c
        borrower = (
            ledger.join(t.loans, loan.id == ledger.c.loan_id)
            .join(rc, rc.c.id == loan.cycle_id)
            .join(t.members, _m.id == loan.member_id)
        )
        return ledger, borrower

    def _count_loans(
        self, rc: CTE, ledger: Subquery, borrower: Join, on: dt.date, counts: _Counts
    ) -> None:
        """4. Loans disbursed, and borrowers active on the date with principal outstanding."""
        q_loans = (
            select(
                rc.c.group_id,
                _m.sex,
                _m.ethnicity,
                func.count(),
                func.count(distinct(case((and_(ledger.c.outstanding > 0, active_on(on)), _m.id)))),
            )
            .select_from(borrower)
            .where(ledger.c.disbursed > 0)
            .group_by(rc.c.group_id, _m.sex, _m.ethnicity)
        )
        for gid, sex, eth, n_loans, borrowers in self.conn.execute(q_loans):
            cell = counts[gid][(sex, eth)]
            cell["loans"] += as_int(n_loans)
            cell["members_with_loans"] += as_int(borrowers)

    def _loan_risks(self, rc: CTE, on: dt.date) -> dict[int, dict[CellKey, list[tuple[int, int]]]]:
        """5. The loans of the running cycles with principal outstanding on the date: the
        (days overdue, principal outstanding) of each, per group id and cell, read from the
        loan mark that covers the date (:mod:`vsla.domain.loanmarks`)."""
        risks: dict[int, dict[CellKey, list[tuple[int, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for gid, sex, eth, unpaid_since, outstanding in self.conn.execute(
            select(rc.c.group_id, _m.sex, _m.ethnicity, _k.unpaid_since, _k.outstanding)
            .select_from(marks_on(on, rc).join(t.members, _m.id == t.loans.c.member_id))
            .where(*mark_covers(on))
        ):
            risks[gid][(sex, eth)].append((max(0, (on - unpaid_since).days), as_int(outstanding)))
        return risks

    def _count_attendance(self, rc: CTE, on: dt.date, counts: _Counts) -> dict[int, int]:
        """6. Attendance over the meetings counted (those with attendance taken, up to the
        date), in all and over the last four; returns the meetings counted per group id."""
        mt = t.meetings.c
        taken = select(t.attendance.c.meeting_id).where(t.attendance.c.meeting_id == mt.id)
        counted = (
            select(
                mt.id.label("meeting_id"),
                mt.date.label("date"),
                rc.c.group_id.label("group_id"),
                func.row_number()
                .over(partition_by=mt.cycle_id, order_by=mt.date.desc())
                .label("rank"),
            )
            .select_from(t.meetings.join(rc, rc.c.id == mt.cycle_id))
            .where(mt.date <= on, taken.exists())
            .cte("counted")
        )
        recent = counted.c.rank <= 4
        meetings: dict[int, int] = {
            gid: as_int(n)
            for gid, n in self.conn.execute(
                select(counted.c.group_id, func.count()).group_by(counted.c.group_id)
            )
        }
        expected_here = and_(_m.group_id == counted.c.group_id, active_on(counted.c.date))
        q_expected = (
            select(counted.c.group_id, _m.sex, _m.ethnicity, func.count(), one_if(recent))
            .select_from(counted.join(t.members, expected_here))
            .group_by(counted.c.group_id, _m.sex, _m.ethnicity)
        )
        for gid, sex, eth, n, n_recent in self.conn.execute(q_expected):
            cell = counts[gid][(sex, eth)]
            cell["expected"] += as_int(n)
            cell["expected_last_4"] += as_int(n_recent)
        a = t.attendance.c
        q_attended = (
            select(counted.c.group_id, _m.sex, _m.ethnicity, a.status, func.count(), one_if(recent))
            .select_from(
                counted.join(t.attendance, a.meeting_id == counted.c.meeting_id).join(
                    t.members, and_(_m.id == a.member_id, expected_here)
                )
            )
            .where(a.status.in_(("present", "represented")))
            .group_by(counted.c.group_id, _m.sex, _m.ethnicity, a.status)
        )
        for gid, sex, eth, status, n, n_recent in self.conn.execute(q_attended):
            cell = counts[gid][(sex, eth)]
            cell[status] += as_int(n)
            cell[f"{status}_last_4"] += as_int(n_recent)
        return meetings

    def _count_officers(self, rc: CTE, on: dt.date, counts: _Counts) -> None:
        """7. Officers of the running cycles, active on the date."""
        o = t.officers.c
        q_officers = (
            select(rc.c.group_id, _m.sex, _m.ethnicity, func.count(distinct(o.member_id)))
            .select_from(
                t.officers.join(rc, rc.c.id == o.cycle_id).join(t.members, _m.id == o.member_id)
            )
            .where(active_on(on))
            .group_by(rc.c.group_id, _m.sex, _m.ethnicity)
        )
        for gid, sex, eth, n in self.conn.execute(q_officers):
            counts[gid][(sex, eth)]["officers"] += as_int(n)

    # ------------------------------------------------------------------ programme facts

    def population(
        self,
        groups: Sequence[Group],
        on: dt.date,
        scope: Scope,
        policy: MembersPolicy,
        period: tuple[dt.date, dt.date],
    ) -> ProgrammeFacts:
        query = population_query(
            (_m.group_id, _m.sex, _m.ethnicity), on, scope, counted_members(on, policy, period)
        )
        cells: dict[tuple[int, str, str], PopulationFacts] = {}
        for gid, sex, eth, n, n_referred, n_linked, n_supported in self.conn.execute(query):
            cells[(gid, sex, eth)] = PopulationFacts(
                as_int(n), as_int(n_referred), as_int(n_linked), as_int(n_supported)
            )
        return ProgrammeFacts(groups=tuple(groups), cells=dict(sorted(cells.items())))

    def district_population(
        self,
        on: dt.date,
        scope: Scope,
        policy: MembersPolicy,
        period: tuple[dt.date, dt.date],
    ) -> DistrictFacts:
        """The programme's facts summed per district by the database (two queries whatever
        the number of groups): the dashboard's path."""
        counts = {
            str(district): (as_int(active), as_int(pilots))
            for district, active, pilots in self.conn.execute(
                select(
                    _g.district,
                    one_if(_g.status == GroupStatus.ACTIVE.value),
                    one_if(_g.gal_pilot_since <= on),
                )
                .where(*in_scope(scope))
                .group_by(_g.district)
            )
        }
        query = population_query(
            (_g.district, _m.sex), on, scope, counted_members(on, policy, period)
        )
        cells = {
            (str(district), str(sex)): PopulationFacts(
                as_int(n), as_int(n_referred), as_int(n_linked), as_int(n_supported)
            )
            for district, sex, n, n_referred, n_linked, n_supported in self.conn.execute(query)
        }
        money = money_facts(self.conn, self._running_cycles(on, scope), on, by_district=True)
        return DistrictFacts(groups=counts, cells=cells, money=money)

    def money(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> MoneyFacts:
        """Money per (group id, sex, ethnicity) and cash per group id (three queries)."""
        return money_facts(self.conn, self._running_cycles(on, scope), on, by_district=False)

    def gal_activity(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> GalFacts:
        gs = t.gal_sessions.c
        query = (
            select(
                gs.group_id,
                gs.tool,
                func.count(),
                func.sum(gs.women),
                func.sum(gs.men),
                func.sum(gs.reached_by_peer_sharing),
            )
            .select_from(t.gal_sessions.join(t.groups, _g.id == gs.group_id))
            .where(*in_scope(scope), gs.held_on <= on)
            .group_by(gs.group_id, gs.tool)
        )
        sessions = {
            (gid, tool): SessionFacts(as_int(n), as_int(women), as_int(men), as_int(reached))
            for gid, tool, n, women, men, reached in self.conn.execute(query)
        }
        return GalFacts(sessions=dict(sorted(sessions.items())))


@contextmanager
def sql_facts(store: Store) -> Iterator[SqlFacts]:
    """The SQL facts over the store's reading connection, for one report."""
    # the store's reading connection: inside ``with store.transaction():`` the reports see
    # what the block has written (and SQLite in memory is never opened twice at once)
    with store.connection() as conn:
        yield SqlFacts(conn)
