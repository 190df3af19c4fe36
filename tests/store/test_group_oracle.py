"""A group's own indicators (SAVIX-style), worked out from the raw tables a second way, on
the corrected programme of ``test_money_oracle.py`` (reversed repayments, disbursements and
share purchases, write-offs, exits, share-outs and second cycles), on SQLite and PostgreSQL.

Every figure of the table in docs/indicators.md ("Group indicators") is read again from the
rows of the tables as SQL returns them: the running cycle (the latest started by the date),
members active from the day they join to the day before they leave, the meetings at which
attendance was taken, the boxes by the signs of docs/meetings.md, each loan's arrears by the
oracle of ``tests/unit/test_arrears_oracle.py``. Each ratio is compared as its numerator and
denominator. Both the one-group call and the bulk call (``group_indicators_all``) are held
to it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

import vsla
from tests.store.test_money_oracle import (
    LOAN_FUND,
    SOCIAL_FUND,
    active,
    corrected,
    loan_moves,
    loan_risk,
    raw_rows,
)
from vsla.domain.ledger import EntryKind

__all__ = ["corrected"]  # the fixture, shared with the money oracle

ATTENDED = ("present", "represented")  # the default policy: a representative counts


def _expected(rows: dict[str, list[Any]], group: Any, on: dt.date) -> dict[str, Any]:
    """The group's figures on ``on``: sums as integers, ratios as (numerator, denominator)."""
    members = [m for m in rows["members"] if m.group_id == group.id]
    on_roll = [m for m in members if active(m, on)]
    women = sum(1 for m in on_roll if m.sex == "F")
    out: dict[str, Any] = {"members": len(on_roll), "women": women}
    out["pct_women"] = (women, len(on_roll))
    champions = sum(
        1 for m in on_roll if m.gal_champion_since is not None and m.gal_champion_since <= on
    )
    out["champions"] = champions
    cycles = [c for c in rows["cycles"] if c.group_id == group.id and c.start_date <= on]
    running = max(cycles, key=lambda c: c.start_date)
    start = running.start_date
    days = (on - start).days
    out["days_in_cycle"] = days

    # dropout: left in (start, on] over those active at the start and those joined since
    at_start = sum(1 for m in members if active(m, start))
    joined = sum(1 for m in members if start < m.joined_on <= on)
    left = sum(1 for m in members if m.left_on is not None and start < m.left_on <= on)
    out["dropout_rate"] = (left, at_start + joined)

    # attendance at the running cycle's meetings where it was taken, dated by then
    taken: dict[int, dict[int, str]] = defaultdict(dict)
    for a in rows["attendance"]:
        taken[a.meeting_id][a.member_id] = a.status
    counted = sorted(
        (
            mt
            for mt in rows["meetings"]
            if mt.cycle_id == running.id and mt.date <= on and taken[mt.id]
        ),
        key=lambda mt: mt.date,
    )

    def attendance(meetings: list[Any]) -> tuple[int, int]:
        came = expected = 0
        for mt in meetings:
            for m in members:
                if active(m, mt.date):
                    expected += 1
                    came += taken[mt.id].get(m.id) in ATTENDED
        return came, expected

    out["attendance_rate"] = attendance(counted)
    out["attendance_rate_last_4"] = attendance(counted[-4:])

    # the ledger of the running cycle, by kind, dated by then
    entries = [e for e in rows["entries"] if e.cycle_id == running.id and e.date <= on]
    paid: dict[str, int] = defaultdict(int)
    for e in entries:
        paid[e.kind] += e.amount
    shares = sum(e.shares for e in entries)
    savings = shares * running.share_value
    fund = sum(LOAN_FUND.get(k, 0) * a for k, a in paid.items())
    social = sum(SOCIAL_FUND.get(k, 0) * a for k, a in paid.items())
    outstanding = paid["loan_disbursement"] - paid["principal_repayment"] - paid["write_off"]
    assets = fund + outstanding + social
    net = (
        paid["interest_payment"] + paid["fine"] + paid["other_income"]
        - paid["expense"] - paid["write_off"]
    )  # fmt: skip
    out |= {
        "shares": shares,
        "savings": savings,
        "savings_per_member": (savings, len(on_roll)),
        "loan_fund_cash": fund,
        "social_fund_cash": social,
        "loans_outstanding": outstanding,
        "total_assets": assets,
        "loan_fund_utilization": (outstanding, outstanding + fund),
        "principal_written_off": paid["write_off"],
        "interest_paid": paid["interest_payment"],
        "fines": paid["fine"],
        "other_income": paid["other_income"],
        "expenses": paid["expense"],
        "net_income": net,
        "return_on_savings": (net, savings),
        "annualized_return_on_savings": (net * 365, savings * days),
        "return_on_assets": (net * 365, assets * days),
        "social_fund_per_member": (social, len(on_roll)),
        "projected_value_per_share": (fund + outstanding, shares),
        "share_out_payouts": paid["share_out_payout"],
    }

    # loans: disbursed in the cycle (a cancelled one does not count), and their arrears
    moves = loan_moves(rows)
    loans = principal = 0
    owing: set[int] = set()
    at_risk = {1: 0, 30: 0}
    for loan in rows["loans"]:
        if loan.cycle_id != running.id:
            continue
        known = [mv for mv in moves[loan.id] if mv[0] <= on]
        lent = sum(a for _, _, kind, a in known if kind is EntryKind.LOAN_DISBURSEMENT)
        if lent > 0:
            loans += 1
            principal += lent
        risk = loan_risk(loan, moves[loan.id], on)
        if risk is not None:
            owing.add(loan.member_id)
            for threshold in at_risk:
                at_risk[threshold] += risk[1] if risk[0] > threshold else 0
    with_loans = sum(1 for m in on_roll if m.id in owing)
    out |= {
        "loans": loans,
        "principal_disbursed": principal,
        "average_loan_size": (principal, loans),
        "members_with_loans": with_loans,
        "pct_members_with_loans": (with_loans, len(on_roll)),
        "write_off_ratio": (paid["write_off"], principal),
        "par": {k: (v, outstanding) for k, v in at_risk.items()},
    }
    roles = {o.member_id for o in rows["officers"] if o.cycle_id == running.id}
    out["officers"] = sum(1 for m in on_roll if m.id in roles)
    return out


def _got(report: vsla.GroupIndicators, names: list[str]) -> dict[str, Any]:
    got: dict[str, Any] = {}
    for name in names:
        value = getattr(report, name)
        if isinstance(value, vsla.Indicator):
            value = (value.numerator, value.denominator)
        elif name == "par":
            value = {k: (i.numerator, i.denominator) for k, i in value.items()}
        got[name] = value
    return got


@pytest.mark.parametrize("days_back", [300, 100, 45, 0])
def test_group_indicators_agree_with_the_raw_tables(
    corrected: tuple[vsla.Store, dt.date, int], days_back: int
) -> None:
    store, last, _ = corrected
    on = last - dt.timedelta(days=days_back)
    rows = raw_rows(store)
    groups = [g for g in rows["groups"] if g.established_on <= on]
    bulk = {r.group_id: r for r in vsla.group_indicators_all(store, on)}
    assert set(bulk) == {g.id for g in groups}
    for group in groups:
        want = _expected(rows, group, on)
        names = list(want)
        assert _got(vsla.group_indicators(store, group.id, on), names) == want, group.code
        assert _got(bulk[group.id], names) == want, group.code
