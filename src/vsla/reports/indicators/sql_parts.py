"""The pieces the SQL fact source builds its queries from: the scope and membership rules as
conditions, the population query both programme paths share, and reading sums back."""

from __future__ import annotations

__all__ = [
    "active_on",
    "as_int",
    "counted_members",
    "in_scope",
    "mark_covers",
    "marks_on",
    "one_if",
    "population_query",
]

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, ColumnElement, Join, Select, Subquery, and_, case, func, or_, select

from vsla.domain.indicators import MembersPolicy
from vsla.reports.indicators.source import Scope
from vsla.store import tables as t

_m = t.members.c
_g = t.groups.c
_k = t.loan_marks.c
_l = t.loans.c


def in_scope(scope: Scope) -> list[ColumnElement[bool]]:
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


def active_on(day: Any) -> ColumnElement[bool]:
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


def population_query(
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
        .where(*in_scope(scope), counted)
        .group_by(*keys)
    )


def counted_members(
    on: dt.date, policy: MembersPolicy, period: tuple[dt.date, dt.date]
) -> ColumnElement[bool]:
    """The members a programme figure counts under ``policy``."""
    if policy is MembersPolicy.ACTIVE_ON_DATE:
        return active_on(on)
    start, end = period
    return and_(_m.joined_on <= min(on, end), or_(_m.left_on.is_(None), _m.left_on > start))


def one_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def as_int(value: object) -> int:
    """A SUM or COUNT as an int (PostgreSQL returns Decimal for SUM of BIGINT)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise TypeError(f"expected a whole number from SQL, got {value!r}")


def mark_covers(on: dt.date) -> list[ColumnElement[bool]]:
    """The loan mark that covers ``on``: the one stretch of each loan owing principal then."""
    return [_k.since <= on, or_(_k.until.is_(None), _k.until > on)]


def marks_on(on: dt.date, running: CTE) -> Join:
    """Loan marks joined to their loans and the loans' running cycles (join ``members`` on
    ``loans.member_id`` for the borrowers)."""
    return t.loan_marks.join(t.loans, _l.id == _k.loan_id).join(
        running, running.c.id == _l.cycle_id
    )
