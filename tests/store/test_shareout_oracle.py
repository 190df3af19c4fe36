"""Share-outs and exits worked out from the raw tables a second way, on a generated
programme of twelve groups (eight shared out, members who left mid-cycle), each shared-out
group then starting its next cycle, on SQLite and PostgreSQL.

From docs/share-out.md alone: the distributable is the loan fund's cash at the share-out,
before the payouts (the box signs of docs/meetings.md, written out again in
``test_money_oracle.py``); member *i*'s payout is
``(shares_i × distributable // total_shares) // cash_step × cash_step``; the remainder
``distributable − Σ payouts`` stays in the box as the next cycle's opening loan fund (the
``carry`` policy), and the social fund goes on as it is. A member who leaves mid-cycle under
``exit_profit_share = none`` gets their savings back, ``shares × share_value``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import BACKENDS, fresh_store
from tests.store.test_money_oracle import LOAN_FUND, SOCIAL_FUND
from vsla.demo import generate
from vsla.store import tables as t


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request: pytest.FixtureRequest) -> dict[str, list[Any]]:
    """The programme's rows once every shared-out group has started its next cycle."""
    store = fresh_store(request.param)
    generate(store, groups=12, seed=11, weekly=True)
    for group in store.groups():
        cycle = store.cycles(group.id)[-1]
        if cycle.shared_out_on is not None:
            start = cycle.shared_out_on + dt.timedelta(days=7)
            store.start_next_cycle(cycle.id, start=start, end=start + dt.timedelta(days=364))
    with store.connection() as conn:
        rows = {
            name: list(conn.execute(select(table)))
            for name, table in (("cycles", t.cycles), ("entries", t.entries))
        }
    store.close()
    return rows


def _constitution(cycle: Any) -> dict[str, Any]:
    value = cycle.constitution
    return dict(json.loads(value) if isinstance(value, str) else value)


def test_each_payout_is_the_members_share_of_the_fund(shared: dict[str, list[Any]]) -> None:
    done = 0
    for cycle in shared["cycles"]:
        if cycle.shared_out_on is None:
            continue
        rules = _constitution(cycle)
        assert rules["remainder"] == "carry"
        assert rules["share_out_loans"] == "refuse"
        step = rules.get("cash_step", 1)
        mine = [e for e in shared["entries"] if e.cycle_id == cycle.id]
        assert all(e.date <= cycle.shared_out_on for e in mine)
        before = [e for e in mine if e.kind != "share_out_payout"]
        distributable = sum(LOAN_FUND.get(e.kind, 0) * e.amount for e in before)
        shares: dict[int, int] = defaultdict(int)
        for e in before:
            if e.member_id is not None:
                shares[e.member_id] += e.shares
        total = sum(shares.values())
        want = {
            m: n * distributable // total // step * step
            for m, n in shares.items()
            if n * distributable // total // step * step > 0
        }
        got: dict[int, int] = defaultdict(int)
        for e in mine:
            if e.kind == "share_out_payout":
                got[e.member_id] += e.amount
        assert {m: a for m, a in got.items() if a} == want, cycle.id
        remainder = distributable - sum(want.values())
        holders = sum(1 for n in shares.values() if n > 0)
        assert 0 <= remainder < holders * step

        # the next cycle opens with the remainder in the loan fund and the social fund as it was
        (following,) = [c for c in shared["cycles"] if c.previous_cycle_id == cycle.id]
        opening = [e for e in shared["entries"] if e.cycle_id == following.id]
        assert sum(LOAN_FUND.get(e.kind, 0) * e.amount for e in opening) == remainder
        social = sum(SOCIAL_FUND.get(e.kind, 0) * e.amount for e in mine)
        assert sum(SOCIAL_FUND.get(e.kind, 0) * e.amount for e in opening) == social
        done += 1
    assert done >= 8


def test_a_member_who_leaves_gets_their_savings_back(shared: dict[str, list[Any]]) -> None:
    exits = [e for e in shared["entries"] if e.kind == "exit_payout"]
    assert exits  # members did leave
    cycles = {c.id: c for c in shared["cycles"]}
    for paid in exits:
        cycle = cycles[paid.cycle_id]
        assert _constitution(cycle)["exit_profit_share"] == "none"
        earlier = [
            e
            for e in shared["entries"]
            if e.cycle_id == cycle.id and e.member_id == paid.member_id and e.id < paid.id
        ]
        shares = sum(e.shares for e in earlier)
        assert shares > 0
        # nothing owed here (the demo's leavers repay first): the whole savings in cash, and
        # the shares leave the cycle with the payout
        assert paid.amount == shares * cycle.share_value
        assert paid.shares == -shares
