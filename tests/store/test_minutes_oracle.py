"""The minutes of the meetings of the corrected programme of ``test_money_oracle.py``,
worked out from the raw tables a second way, on SQLite and PostgreSQL: every meeting with a
correction, a share-out or an exit, and every third other one.

The minutes are what the secretary prints and the group signs. Their rules
(docs/printing.md): a row for each member whose attendance was taken or who has an entry
recorded at the meeting (a reversal recorded there counts, negative), with what they paid
and received; both boxes and the loans outstanding before the meeting (entries dated before
it) and after it (dated on or before it), by the box signs of docs/meetings.md; and each
loan made at the meeting with its due date, the end of its last month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from dateutil.relativedelta import relativedelta

import vsla
from tests.store.test_money_oracle import LOAN_FUND, SOCIAL_FUND, corrected, raw_rows

__all__ = ["corrected"]  # the fixture, shared with the money oracle

PAID = {"share_money": ("share_purchase",), "social_fund": ("social_contribution",),
        "fines": ("fine",), "interest_paid": ("interest_payment",),
        "principal_repaid": ("principal_repayment",),
        "loan_disbursed": ("loan_disbursement",), "grant": ("social_grant",),
        "written_off": ("write_off", "interest_write_off"),
        "payout": ("share_out_payout", "exit_payout")}  # fmt: skip


def _boxes(entries: list[Any]) -> tuple[int, int, int, int]:
    """(loan fund cash, social fund cash, loans outstanding, shares) of these entries."""
    paid: dict[str, int] = defaultdict(int)
    for e in entries:
        paid[e.kind] += e.amount
    return (
        sum(LOAN_FUND.get(k, 0) * a for k, a in paid.items()),
        sum(SOCIAL_FUND.get(k, 0) * a for k, a in paid.items()),
        paid["loan_disbursement"] - paid["principal_repayment"] - paid["write_off"],
        sum(e.shares for e in entries),
    )


def _expected(rows: dict[str, Any], meeting: Any) -> dict[str, Any]:
    mine = rows["by_cycle"][meeting.cycle_id]
    here = [e for e in mine if e.meeting_id == meeting.id]
    taken = rows["taken"][meeting.id]
    members = rows["by_id"]
    who = set(taken) | {e.member_id for e in here if e.member_id is not None}
    activity = []
    for member_id in sorted(who, key=lambda i: members[i].number):
        own = [e for e in here if e.member_id == member_id]
        row = {name: sum(e.amount for e in own if e.kind in kinds) for name, kinds in PAID.items()}
        row["member"] = member_id
        row["attendance"] = taken.get(member_id)
        row["shares_bought"] = sum(e.shares for e in own if e.kind == "share_purchase")
        row["corrections"] = sum(1 for e in own if e.reverses_id is not None)
        activity.append(row)
    loans = {loan.id: loan for loan in rows["loans"]}
    made = [
        (e.member_id, loans[e.loan_id].principal,
         loans[e.loan_id].disbursed_on + relativedelta(months=loans[e.loan_id].term_months))
        for e in here
        if e.kind == "loan_disbursement" and e.reverses_id is None and e.origin == "meeting"
    ]  # fmt: skip
    return {
        "activity": activity,
        "loans": made,
        "before": _boxes([e for e in mine if e.date < meeting.date]),
        "after": _boxes([e for e in mine if e.date <= meeting.date]),
    }


def _got(m: vsla.Minutes) -> dict[str, Any]:
    activity = []
    for a in m.activity:
        row: dict[str, Any] = {name: getattr(a, name) for name in PAID}
        row["member"] = a.member.id
        row["attendance"] = None if a.attendance is None else a.attendance.value
        row["shares_bought"] = a.shares_bought
        row["corrections"] = a.corrections
        activity.append(row)
    return {
        "activity": activity,
        "loans": [(loan.member.id, loan.terms.principal, loan.due_on) for loan in m.loans],
        "before": (m.before.loan_fund_cash, m.before.social_fund_cash,
                   m.before.loans_outstanding, m.before.shares),
        "after": (m.after.loan_fund_cash, m.after.social_fund_cash,
                  m.after.loans_outstanding, m.after.shares),
    }  # fmt: skip


def test_every_meetings_minutes_agree_with_the_raw_tables(
    corrected: tuple[vsla.Store, dt.date, int],
) -> None:
    store, _, _ = corrected
    rows = raw_rows(store)
    grouped: dict[str, Any] = {"by_cycle": defaultdict(list), "taken": defaultdict(dict)}
    for e in rows["entries"]:
        grouped["by_cycle"][e.cycle_id].append(e)
    for a in rows["attendance"]:
        grouped["taken"][a.meeting_id][a.member_id] = a.status
    grouped["by_id"] = {m.id: m for m in rows["members"]}
    rows |= grouped
    read = corrections = loans = 0
    for n, meeting in enumerate(sorted(rows["meetings"], key=lambda m: (m.cycle_id, m.date))):
        want = _expected(rows, meeting)
        fixed = sum(row["corrections"] for row in want["activity"])
        paid_out = any(row["payout"] for row in want["activity"])
        # every meeting with a correction, a share-out or an exit, and every third one
        if not (fixed or paid_out or n % 3 == 0):
            continue
        assert _got(store.minutes(meeting.cycle_id, meeting.date)) == want, meeting.date
        read += 1
        corrections += fixed
        loans += len(want["loans"])
    assert read > 80
    assert corrections >= 20
    assert loans > 30
