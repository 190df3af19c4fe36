"""Group and programme indicators from SQL aggregate queries (domain.md sections 8 and 9).

Every sum and count comes from a handful of aggregate queries over the whole scope (a
programme, a district, a group, or the whole database): the number of queries does not
depend on the number of groups or members, so the same call serves 91 groups and 10,000.
The queries return :mod:`vsla.domain.indicators` facts; the pure formulas there compute
every ratio. :mod:`vsla.reports.reference` computes the same facts in plain Python, and the
tests check that both agree exactly.

The only per-row work done in Python is the overdue status of each loan with principal
outstanding, which comes from the pure :func:`vsla.domain.loans.position`, fed with the
loan's payments and write-offs loaded for all those loans in one query.

```pycon
>>> import datetime as dt, vsla
>>> from vsla.reports.indicators import group_indicators
>>> store = vsla.open(":memory:")
>>> g = store.add_group(vsla.NewGroup(code="KT-1", name="Tổ 1", established_on=dt.date(2024, 1, 8)))
>>> group_indicators(store, g.id, dt.date(2024, 6, 30)).members
0

```
"""

from __future__ import annotations

__all__ = [
    "FactSource",
    "Frequency",
    "Reports",
    "Scope",
    "gal_comparison",
    "group_indicators",
    "group_indicators_all",
    "programme_indicators",
    "programme_time_series",
]

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Select,
    Subquery,
    and_,
    case,
    distinct,
    func,
    or_,
    select,
)

from vsla.domain.arguments import checked_call
from vsla.domain.entities import Group, GroupStatus, Programme
from vsla.domain.indicators import (
    CellKey,
    CycleFacts,
    DistrictFacts,
    GalComparison,
    GalFacts,
    GroupFacts,
    GroupIndicators,
    MembersPolicy,
    PopulationFacts,
    ProgrammeFacts,
    ProgrammeReport,
    SessionFacts,
    check_par_days,
    chosen_breakdowns,
    gal_comparison_from_facts,
    group_indicators_from_facts,
    loan_risk,
    make_group_facts,
    period_ends,
    programme_report_from_district_facts,
    programme_report_from_facts,
)
from vsla.domain.ledger import EntryKind
from vsla.domain.loans import LoanTerms
from vsla.domain.money import Rounding
from vsla.errors import InvalidInput, NotFound
from vsla.store import tables as t
from vsla.store.rows import programme_from_row
from vsla.store.store import Store

Frequency = Literal["monthly", "quarterly", "yearly"]

# ============================================================================================
# The scope of a report, and the two sources of facts
# ============================================================================================


@dataclass(frozen=True, slots=True)
class Scope:
    """Which groups a report covers: a programme, a district, a group (each optional), and
    only groups established on or before ``established_by`` when it is given."""

    programme_id: int | None = None
    district: str | None = None
    group_id: int | None = None
    established_by: dt.date | None = None

    def includes(self, group: Group) -> bool:
        """The same test the SQL path applies in its ``WHERE`` clauses."""
        return (
            (self.programme_id is None or group.programme_id == self.programme_id)
            and (self.district is None or group.district == self.district)
            and (self.group_id is None or group.id == self.group_id)
            and (self.established_by is None or group.established_on <= self.established_by)
        )


class FactSource(Protocol):
    """Where the reports get their facts: SQL aggregates here, plain Python in
    :mod:`vsla.reports.reference`."""

    def programme(self, programme_id: int) -> Programme: ...

    def groups(self, scope: Scope) -> list[Group]: ...

    def group_facts(
        self, groups: Sequence[Group], on: dt.date, scope: Scope
    ) -> list[GroupFacts]: ...

    def population(
        self,
        groups: Sequence[Group],
        on: dt.date,
        scope: Scope,
        policy: MembersPolicy,
        period: tuple[dt.date, dt.date],
    ) -> ProgrammeFacts: ...

    def gal_activity(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> GalFacts: ...


def _day(value: object, name: str = "on") -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidInput(f"{name} must be a datetime.date, got {value!r}")
    return value


def _district(value: str | None) -> str | None:
    if value is None:
        return None
    return unicodedata.normalize("NFC", value.strip())


class Reports:
    """The five reports over one :class:`FactSource`; the public functions of this module
    and of :mod:`vsla.reports.reference` are thin wrappers around it."""

    def __init__(self, source: FactSource) -> None:
        self.source = source

    def group_indicators(
        self,
        group_id: int,
        on: dt.date,
        *,
        par_days: Iterable[int] = (1, 30),
        represented_counts_as_present: bool = True,
    ) -> GroupIndicators:
        thresholds = check_par_days(par_days)
        scope = Scope(group_id=group_id)
        found = self._group_reports(_day(on), scope, thresholds, represented_counts_as_present)
        if not found:
            raise NotFound(f"group #{group_id} does not exist")
        return found[0]

    def group_indicators_all(
        self,
        on: dt.date,
        *,
        programme_id: int | None = None,
        district: str | None = None,
        par_days: Iterable[int] = (1, 30),
        represented_counts_as_present: bool = True,
    ) -> list[GroupIndicators]:
        thresholds = check_par_days(par_days)
        scope = Scope(programme_id, _district(district), None, _day(on))
        return self._group_reports(on, scope, thresholds, represented_counts_as_present)

    def _group_reports(
        self,
        on: dt.date,
        scope: Scope,
        par_days: tuple[int, ...],
        represented_counts_as_present: bool,
    ) -> list[GroupIndicators]:
        groups = self.source.groups(scope)
        if not groups:
            return []
        return [
            group_indicators_from_facts(
                facts,
                par_days=par_days,
                represented_counts_as_present=represented_counts_as_present,
            )
            for facts in self.source.group_facts(groups, on, scope)
        ]

    def programme_indicators(
        self,
        programme_id: int,
        on: dt.date,
        *,
        district: str | None = None,
        group_id: int | None = None,
        members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
        breakdowns: Iterable[str] | None = None,
    ) -> ProgrammeReport:
        programme = self.source.programme(programme_id)
        return self._programme_report(
            programme, _day(on), district, group_id, members_policy, breakdowns
        )

    def _programme_report(
        self,
        programme: Programme,
        on: dt.date,
        district: str | None,
        group_id: int | None,
        members_policy: MembersPolicy,
        breakdowns: Iterable[str] | None = None,
    ) -> ProgrammeReport:
        policy = MembersPolicy(members_policy)
        district = _district(district)
        if group_id is not None and not self.source.groups(Scope(programme.id, None, group_id)):
            raise NotFound(f"group #{group_id} is not a group of programme #{programme.id}")
        scope = Scope(programme.id, district, group_id, on)
        period = (programme.period_start, programme.period_end)
        wanted = chosen_breakdowns(breakdowns)
        by_district = getattr(self.source, "district_population", None)
        if wanted <= {"district"} and by_district is not None:
            # only totals and district lines: the database sums per district
            return programme_report_from_district_facts(
                programme,
                on,
                by_district(on, scope, policy, period),
                members_policy=policy,
                district=district,
                group_id=group_id,
                with_districts="district" in wanted,
            )
        groups = self.source.groups(scope)
        facts = self.source.population(groups, on, scope, policy, period)
        return programme_report_from_facts(
            programme,
            on,
            facts,
            members_policy=policy,
            district=district,
            group_id=group_id,
            breakdowns=breakdowns,
        )

    def programme_time_series(
        self,
        programme_id: int,
        *,
        frequency: Frequency = "quarterly",
        district: str | None = None,
        group_id: int | None = None,
        members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
    ) -> list[ProgrammeReport]:
        programme = self.source.programme(programme_id)
        return [
            self._programme_report(programme, day, district, group_id, members_policy)
            for day in period_ends(programme.period_start, programme.period_end, frequency)
        ]

    def gal_comparison(
        self, programme_id: int, on: dt.date, *, represented_counts_as_present: bool = True
    ) -> GalComparison:
        programme = self.source.programme(programme_id)
        scope = Scope(programme.id, None, None, _day(on))
        groups = self.source.groups(scope)
        period = (programme.period_start, programme.period_end)
        return gal_comparison_from_facts(
            programme,
            on,
            self.source.group_facts(groups, on, scope) if groups else [],
            self.source.population(groups, on, scope, MembersPolicy.ACTIVE_ON_DATE, period),
            self.source.gal_activity(groups, on, scope),
            represented_counts_as_present=represented_counts_as_present,
        )


# ============================================================================================
# The SQL source
# ============================================================================================

_DISBURSED = EntryKind.LOAN_DISBURSEMENT.value
_REDUCES_PRINCIPAL = (EntryKind.PRINCIPAL_REPAYMENT.value, EntryKind.WRITE_OFF.value)
_CELL_KIND_FIELDS = {
    EntryKind.LOAN_DISBURSEMENT: "principal_disbursed",
    EntryKind.PRINCIPAL_REPAYMENT: "principal_repaid",
    EntryKind.WRITE_OFF: "principal_written_off",
    EntryKind.SHARE_OUT_PAYOUT: "share_out_payouts",
}

_m = t.members.c
_g = t.groups.c
_e = t.entries.c


def _where(scope: Scope) -> list[ColumnElement[bool]]:
    """The scope as conditions on the ``groups`` table."""
    out: list[ColumnElement[bool]] = []
    if scope.programme_id is not None:
        out.append(_g.programme_id == scope.programme_id)
    if scope.district is not None:
        out.append(_g.district == scope.district)
    if scope.group_id is not None:
        out.append(_g.id == scope.group_id)
    if scope.established_by is not None:
        out.append(_g.established_on <= scope.established_by)
    return out


def _active(day: Any) -> ColumnElement[bool]:
    """A member active on ``day`` (a date or a date column): joined, not yet left."""
    return and_(_m.joined_on <= day, or_(_m.left_on.is_(None), _m.left_on > day))


def _people_done(on: dt.date) -> tuple[Subquery, Subquery, Subquery]:
    """The members referred, linked (accessed) and supported on or before ``on``."""
    r = t.referrals.c
    s = t.livelihood_supports.c
    referred = select(r.member_id).where(r.referred_on <= on).distinct().subquery("referred")
    linked = (
        select(r.member_id)
        .where(r.outcome == "accessed", r.outcome_on <= on)
        .distinct()
        .subquery("linked")
    )
    supported = select(s.member_id).where(s.received_on <= on).distinct().subquery("supported")
    return referred, linked, supported


def _population_query(
    keys: tuple[ColumnElement[Any], ...],
    on: dt.date,
    scope: Scope,
    counted: ColumnElement[bool],
) -> Select[Any]:
    """Members counted, referred, linked and supported, per ``keys`` (a group, sex and
    ethnicity; or a district and sex)."""
    referred, linked, supported = _people_done(on)
    return (
        select(
            *keys,
            func.count(),
            func.count(referred.c.member_id),
            func.count(linked.c.member_id),
            func.count(supported.c.member_id),
        )
        .select_from(
            t.members.join(t.groups, _g.id == _m.group_id)
            .outerjoin(referred, referred.c.member_id == _m.id)
            .outerjoin(linked, linked.c.member_id == _m.id)
            .outerjoin(supported, supported.c.member_id == _m.id)
        )
        .where(*_where(scope), counted)
        .group_by(*keys)
    )


def _counted(
    on: dt.date, policy: MembersPolicy, period: tuple[dt.date, dt.date]
) -> ColumnElement[bool]:
    """The members a programme figure counts under ``policy``."""
    if policy is MembersPolicy.ACTIVE_ON_DATE:
        return _active(on)
    start, end = period
    return and_(_m.joined_on <= min(on, end), or_(_m.left_on.is_(None), _m.left_on > start))


def _one_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _int(value: object) -> int:
    """A SUM or COUNT as an int (PostgreSQL returns Decimal for SUM of BIGINT)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise TypeError(f"expected a whole number from SQL, got {value!r}")


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
        query = select(t.groups).where(*_where(scope)).order_by(_g.id)
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
            .where(*_where(scope))
            .cte("running")
        )

    def group_facts(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> list[GroupFacts]:
        conn = self.conn
        rc = self._running_cycles(on, scope)
        counts: dict[int, dict[CellKey, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(int))
        )
        risks: dict[int, dict[CellKey, list[tuple[int, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )

        # 1. the running cycles
        cycles: dict[int, CycleFacts] = {}
        group_of_cycle: dict[int, int] = {}
        for r in conn.execute(select(rc)):
            cycles[r.group_id] = CycleFacts(
                id=r.id,
                number=r.number,
                start_date=r.start_date,
                end_date=r.end_date,
                share_value=int(r.share_value),
                shared_out_on=r.shared_out_on,
            )
            group_of_cycle[r.id] = r.group_id

        # 2. members: active on the date, at the cycle's start, left during it, champions.
        # The running cycle is found per member by index (the latest cycle number started by
        # the date) rather than by joining the CTE, which SQLite would scan once per member.
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
                _one_if(_active(on)),
                _one_if(_active(cycle.start_date)),
                _one_if(and_(_m.left_on > cycle.start_date, _m.left_on <= on)),
                _one_if(and_(_active(on), _m.gal_champion_since <= on)),
            )
            .select_from(
                t.members.join(t.groups, _g.id == _m.group_id).outerjoin(
                    t.cycles, and_(cycle.group_id == _m.group_id, cycle.number == latest_number)
                )
            )
            .where(*_where(scope))
            .group_by(_m.group_id, _m.sex, _m.ethnicity)
        )
        for gid, sex, eth, active, at_start, left, champions in conn.execute(q_members):
            cell = counts[gid][(sex, eth)]
            cell["members"] += _int(active)
            cell["members_at_cycle_start"] += _int(at_start)
            cell["left_during_cycle"] += _int(left)
            cell["champions"] += _int(champions)

        # 3. entries of the running cycles dated on or before the date, per cell and kind
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
        for cycle_id, sex, eth, kind_value, amount, n in conn.execute(q_entries):
            gid = group_of_cycle[cycle_id]
            kind = EntryKind(kind_value)
            totals[gid][kind] += _int(amount)
            shares[gid] += _int(n)
            if sex is not None:
                cell = counts[gid][(sex, eth)]
                cell["shares"] += _int(n)
                if kind in _CELL_KIND_FIELDS:
                    cell[_CELL_KIND_FIELDS[kind]] += _int(amount)

        # 4. loans: per loan, disbursed and principal outstanding on the date (ledger)
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
        q_loans = (
            select(
                rc.c.group_id,
                _m.sex,
                _m.ethnicity,
                func.count(),
                func.count(distinct(case((and_(ledger.c.outstanding > 0, _active(on)), _m.id)))),
            )
            .select_from(borrower)
            .where(ledger.c.disbursed > 0)
            .group_by(rc.c.group_id, _m.sex, _m.ethnicity)
        )
        for gid, sex, eth, n_loans, borrowers in conn.execute(q_loans):
            cell = counts[gid][(sex, eth)]
            cell["loans"] += _int(n_loans)
            cell["members_with_loans"] += _int(borrowers)

        # 5. the loans with principal outstanding, and their moves by effective date
        at_risk = and_(ledger.c.disbursed > 0, ledger.c.outstanding > 0)
        risky = {
            r.id: r
            for r in conn.execute(
                select(
                    loan.id,
                    loan.principal,
                    loan.interest_rate,
                    loan.term_months,
                    loan.disbursed_on,
                    loan.method,
                    loan.principal_schedule,
                    loan.rounding,
                    rc.c.group_id,
                    _m.sex,
                    _m.ethnicity,
                )
                .select_from(borrower)
                .where(at_risk)
            )
        }
        moves: dict[int, dict[tuple[dt.date, EntryKind], int]] = defaultdict(dict)
        if risky:
            original = t.entries.alias("original")
            effective = func.coalesce(original.c.date, _e.date)
            q_moves = (
                select(_e.loan_id, effective, _e.kind, func.sum(_e.amount))
                .select_from(t.entries.outerjoin(original, original.c.id == _e.reverses_id))
                .where(_e.date <= on, _e.loan_id.in_(select(ledger.c.loan_id).where(at_risk)))
                .group_by(_e.loan_id, effective, _e.kind)
            )
            for loan_id, day, kind_value, amount in conn.execute(q_moves):
                moves[loan_id][(day, EntryKind(kind_value))] = _int(amount)
        for loan_id, r in risky.items():
            terms = LoanTerms(
                principal=int(r.principal),
                interest_rate=Decimal(r.interest_rate),
                term_months=r.term_months,
                disbursed_on=r.disbursed_on,
                method=r.method,
                principal_schedule=r.principal_schedule,
                rounding=Rounding(r.rounding),
            )
            risk = loan_risk(terms, moves[loan_id], on)
            if risk is not None:
                risks[r.group_id][(r.sex, r.ethnicity)].append(risk)

        # 6. attendance over the meetings counted: those with attendance taken, up to the date
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
            gid: _int(n)
            for gid, n in conn.execute(
                select(counted.c.group_id, func.count()).group_by(counted.c.group_id)
            )
        }
        expected_here = and_(_m.group_id == counted.c.group_id, _active(counted.c.date))
        q_expected = (
            select(counted.c.group_id, _m.sex, _m.ethnicity, func.count(), _one_if(recent))
            .select_from(counted.join(t.members, expected_here))
            .group_by(counted.c.group_id, _m.sex, _m.ethnicity)
        )
        for gid, sex, eth, n, n_recent in conn.execute(q_expected):
            cell = counts[gid][(sex, eth)]
            cell["expected"] += _int(n)
            cell["expected_last_4"] += _int(n_recent)
        a = t.attendance.c
        q_attended = (
            select(
                counted.c.group_id, _m.sex, _m.ethnicity, a.status, func.count(), _one_if(recent)
            )
            .select_from(
                counted.join(t.attendance, a.meeting_id == counted.c.meeting_id).join(
                    t.members, and_(_m.id == a.member_id, expected_here)
                )
            )
            .where(a.status.in_(("present", "represented")))
            .group_by(counted.c.group_id, _m.sex, _m.ethnicity, a.status)
        )
        for gid, sex, eth, status, n, n_recent in conn.execute(q_attended):
            cell = counts[gid][(sex, eth)]
            cell[status] += _int(n)
            cell[f"{status}_last_4"] += _int(n_recent)

        # 7. officers of the running cycles, active on the date
        o = t.officers.c
        q_officers = (
            select(rc.c.group_id, _m.sex, _m.ethnicity, func.count(distinct(o.member_id)))
            .select_from(
                t.officers.join(rc, rc.c.id == o.cycle_id).join(t.members, _m.id == o.member_id)
            )
            .where(_active(on))
            .group_by(rc.c.group_id, _m.sex, _m.ethnicity)
        )
        for gid, sex, eth, n in conn.execute(q_officers):
            counts[gid][(sex, eth)]["officers"] += _int(n)

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

    # ------------------------------------------------------------------ programme facts

    def population(
        self,
        groups: Sequence[Group],
        on: dt.date,
        scope: Scope,
        policy: MembersPolicy,
        period: tuple[dt.date, dt.date],
    ) -> ProgrammeFacts:
        query = _population_query(
            (_m.group_id, _m.sex, _m.ethnicity), on, scope, _counted(on, policy, period)
        )
        cells: dict[tuple[int, str, str], PopulationFacts] = {}
        for gid, sex, eth, n, n_referred, n_linked, n_supported in self.conn.execute(query):
            cells[(gid, sex, eth)] = PopulationFacts(
                _int(n), _int(n_referred), _int(n_linked), _int(n_supported)
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
            str(district): (_int(active), _int(pilots))
            for district, active, pilots in self.conn.execute(
                select(
                    _g.district,
                    _one_if(_g.status == GroupStatus.ACTIVE.value),
                    _one_if(_g.gal_pilot_since <= on),
                )
                .where(*_where(scope))
                .group_by(_g.district)
            )
        }
        query = _population_query((_g.district, _m.sex), on, scope, _counted(on, policy, period))
        cells = {
            (str(district), str(sex)): PopulationFacts(
                _int(n), _int(n_referred), _int(n_linked), _int(n_supported)
            )
            for district, sex, n, n_referred, n_linked, n_supported in self.conn.execute(query)
        }
        return DistrictFacts(groups=counts, cells=cells)

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
            .where(*_where(scope), gs.held_on <= on)
            .group_by(gs.group_id, gs.tool)
        )
        sessions = {
            (gid, tool): SessionFacts(_int(n), _int(women), _int(men), _int(reached))
            for gid, tool, n, women, men, reached in self.conn.execute(query)
        }
        return GalFacts(sessions=dict(sorted(sessions.items())))


# ============================================================================================
# The public functions
# ============================================================================================


@contextmanager
def _reports(store: Store) -> Iterator[Reports]:
    # the store's reading connection: inside ``with store.transaction():`` the reports see
    # what the block has written (and SQLite in memory is never opened twice at once)
    with store.connection() as conn:
        yield Reports(SqlFacts(conn))


@checked_call
def group_indicators(
    store: Store,
    group_id: int,
    on: dt.date,
    *,
    par_days: Iterable[int] = (1, 30),
    represented_counts_as_present: bool = True,
) -> GroupIndicators:
    """A group's indicators on ``on`` (domain.md section 8), over the cycle it runs on that
    date, with PAR at each threshold of ``par_days`` and breakdowns by sex and ethnicity.

    ``represented_counts_as_present`` (**policy**, default ``True``): a member represented at
    a meeting counts as attending. Raises :class:`~vsla.errors.NotFound` for an unknown group.
    """
    with _reports(store) as reports:
        return reports.group_indicators(
            group_id,
            on,
            par_days=par_days,
            represented_counts_as_present=represented_counts_as_present,
        )


@checked_call
def group_indicators_all(
    store: Store,
    on: dt.date,
    *,
    programme_id: int | None = None,
    district: str | None = None,
    par_days: Iterable[int] = (1, 30),
    represented_counts_as_present: bool = True,
) -> list[GroupIndicators]:
    """:func:`group_indicators` for every group established on or before ``on`` (in a
    programme and a district when given), ordered by group id, with a fixed number of
    queries whatever the number of groups."""
    with _reports(store) as reports:
        return reports.group_indicators_all(
            on,
            programme_id=programme_id,
            district=district,
            par_days=par_days,
            represented_counts_as_present=represented_counts_as_present,
        )


@checked_call
def programme_indicators(
    store: Store,
    programme_id: int,
    on: dt.date,
    *,
    district: str | None = None,
    group_id: int | None = None,
    members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
    breakdowns: Iterable[str] | None = None,
) -> ProgrammeReport:
    """The programme figures of domain.md section 9 on ``on``, for the whole programme, a
    district or one group: groups active and GAL pilots vs their targets (whole programme
    only), referral, linked and livelihood support rates vs 15 %, with breakdowns by
    district, group, sex, ethnicity and GAL status.

    ``members_policy`` (**policy**): members active on ``on`` (default), or every member at
    some time in the programme period up to ``on``. ``breakdowns`` (default: all five)
    names the breakdowns to build, e.g. ``["district"]`` for a dashboard by district; the
    others are left empty.
    """
    with _reports(store) as reports:
        return reports.programme_indicators(
            programme_id,
            on,
            district=district,
            group_id=group_id,
            members_policy=members_policy,
            breakdowns=breakdowns,
        )


@checked_call
def programme_time_series(
    store: Store,
    programme_id: int,
    *,
    frequency: Frequency = "quarterly",
    district: str | None = None,
    group_id: int | None = None,
    members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
) -> list[ProgrammeReport]:
    """:func:`programme_indicators` at every quarter end (or month or year end) within the
    programme period, plus the period end."""
    with _reports(store) as reports:
        return reports.programme_time_series(
            programme_id,
            frequency=frequency,
            district=district,
            group_id=group_id,
            members_policy=members_policy,
        )


@checked_call
def gal_comparison(
    store: Store,
    programme_id: int,
    on: dt.date,
    *,
    represented_counts_as_present: bool = True,
) -> GalComparison:
    """GAL pilot groups vs the other groups of the programme on ``on``, side by side: women's
    share of officers, loans and loan value, savings per woman, women's attendance, referral
    and livelihood rates, and GAL activity."""
    with _reports(store) as reports:
        return reports.gal_comparison(
            programme_id, on, represented_counts_as_present=represented_counts_as_present
        )
