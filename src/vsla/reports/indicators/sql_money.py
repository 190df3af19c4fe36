"""The programme's money from three aggregate queries, whatever the number of groups: the
entries of the running cycles by kind, the members saving, and the loan marks that cover the
date (:mod:`vsla.domain.loanmarks`) for the portfolio at risk."""

from __future__ import annotations

__all__ = ["money_facts"]

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from typing import Any

from sqlalchemy import CTE, Connection, case, func, select

from vsla.domain.indicators.money import PAR_DAYS, GroupCash, MoneyCell, MoneyFacts
from vsla.domain.indicators.money import cash_from_totals as cash_of
from vsla.domain.ledger import EntryKind
from vsla.reports.indicators.sql_parts import as_int, mark_covers, marks_on
from vsla.store import tables as t

_e = t.entries.c
_m = t.members.c
_g = t.groups.c
_k = t.loan_marks.c
_l = t.loans.c
_PAYOUT = EntryKind.SHARE_OUT_PAYOUT.value


def money_facts(conn: Connection, running: CTE, on: dt.date, *, by_district: bool) -> MoneyFacts:
    """Money per (group id, sex, ethnicity) and cash per group id; or, ``by_district``, money
    and cash per district (keys ``(district,)`` and ``district``: the dashboard's path, which
    needs no member). ``running`` is the cycle each group of the scope runs on ``on`` (its
    columns ``id``, ``group_id``, ``share_value``)."""
    rc = running.c
    where: Any = _g.district if by_district else rc.group_id
    who: tuple[Any, ...] = () if by_district else (_m.sex, _m.ethnicity)
    cycles = running.join(t.groups, _g.id == rc.group_id)

    def with_members(joined: Any, member_id: Any) -> Any:
        return joined.join(t.members, _m.id == member_id) if who else joined

    cells: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[Hashable, dict[EntryKind, int]] = defaultdict(lambda: defaultdict(int))

    # 1. the running cycles' entries up to the date, by kind: savings, payouts, the boxes
    ledger = t.entries.join(cycles, rc.id == _e.cycle_id)
    if who:  # the group's own entries (no member) still count in its totals
        ledger = ledger.outerjoin(t.members, _m.id == _e.member_id)
    by_kind = (
        select(where, *who, _e.kind, func.sum(_e.amount), func.sum(_e.shares * rc.share_value))
        .select_from(ledger)
        .where(_e.date <= on)
        .group_by(where, *who, _e.kind)
    )
    for key, *rest in conn.execute(by_kind):
        *person, kind, amount, savings = rest
        totals[key][EntryKind(kind)] += as_int(amount)
        if who and person[0] is None:  # the group's own entries: no member
            continue
        cell = cells[(key, *person)]
        cell["savings"] += as_int(savings)
        if kind == _PAYOUT:
            cell["share_out_payouts"] += as_int(amount)

    # 2. members saving: net shares in the running cycle above zero
    per_member = (
        select(_e.cycle_id.label("cycle_id"), _e.member_id.label("member_id"))
        .select_from(t.entries.join(running, rc.id == _e.cycle_id))
        .where(_e.date <= on, _e.member_id.is_not(None), _e.shares != 0)
        .group_by(_e.cycle_id, _e.member_id)
        .having(func.sum(_e.shares) > 0)
        .subquery("saving")
    )
    saving = (
        select(where, *who, func.count())
        .select_from(
            with_members(
                per_member.join(cycles, rc.id == per_member.c.cycle_id), per_member.c.member_id
            )
        )
        .group_by(where, *who)
    )
    for key, *rest in conn.execute(saving):
        *person, n = rest
        cells[(key, *person)]["members_saving"] += as_int(n)

    # 3. loans owing principal on the date, and those overdue by more than 1 and 30 days
    late = {days: on - dt.timedelta(days=days) for days in PAR_DAYS}
    risk = (
        select(
            where,
            *who,
            func.count(),
            func.sum(_k.outstanding),
            *(
                func.sum(case((_k.unpaid_since < late[days], _k.outstanding), else_=0))
                for days in PAR_DAYS
            ),
        )
        .select_from(
            with_members(marks_on(on, running).join(t.groups, _g.id == rc.group_id), _l.member_id)
        )
        .where(*mark_covers(on))
        .group_by(where, *who)
    )
    for key, *rest in conn.execute(risk):
        *person, n, outstanding, risk_1, risk_30 = rest
        cell = cells[(key, *person)]
        cell["loans_active"] += as_int(n)
        cell["loans_outstanding"] += as_int(outstanding)
        cell["at_risk_1"] += as_int(risk_1)
        cell["at_risk_30"] += as_int(risk_30)

    cash: dict[Hashable, GroupCash] = {key: cash_of(kinds) for key, kinds in totals.items()}
    return MoneyFacts(
        cells={key: MoneyCell(**values) for key, values in sorted(cells.items(), key=_order)},
        cash=dict(sorted(cash.items(), key=lambda item: str(item[0]))),
    )


def _order(item: tuple[tuple[Any, ...], Any]) -> tuple[str, ...]:
    return tuple(str(part) for part in item[0])
