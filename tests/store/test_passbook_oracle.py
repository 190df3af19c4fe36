"""Every member's passbook, worked out from the raw tables a second way, on the corrected
programme of ``test_money_oracle.py`` (reversals recorded at later meetings, write-offs,
exits, share-outs, second cycles, late joiners), on SQLite and PostgreSQL.

The passbook is what a facilitator prints and a member keeps. Its rules (docs/printing.md):
a line for each meeting of the cycle at which the member's attendance was taken or an entry
of theirs was recorded, in date order; on it, what was recorded there (a reversal on the
line of the meeting that recorded it, negative), and after it their shares, savings and
loan balance (principal disbursed less repaid and written off); last, the share-out or exit
that ended their cycle.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import vsla
from tests.store.test_money_oracle import corrected, raw_rows

__all__ = ["corrected"]  # the fixture, shared with the money oracle

FLOWS = {"social_fund": ("social_contribution",), "fines": ("fine",),
         "loan_disbursed": ("loan_disbursement",), "interest_paid": ("interest_payment",),
         "principal_repaid": ("principal_repayment",),
         "written_off": ("write_off", "interest_write_off")}  # fmt: skip


def _expected(rows: dict[str, list[Any]], cycle: Any, member: Any) -> dict[str, Any]:
    taken = {a.meeting_id: a.status for a in rows["attendance"] if a.member_id == member.id}
    mine = [e for e in rows["entries"] if e.cycle_id == cycle.id and e.member_id == member.id]
    meetings = sorted((m for m in rows["meetings"] if m.cycle_id == cycle.id), key=lambda m: m.date)
    lines = []
    shares = balance = 0
    settlement = None
    for meeting in meetings:
        here = [e for e in mine if e.meeting_id == meeting.id]
        if meeting.id not in taken and not here:
            continue
        paid: dict[str, int] = defaultdict(int)
        for e in here:
            paid[e.kind] += e.amount
        bought = sum(e.shares for e in here if e.kind == "share_purchase")
        held = shares + bought  # before an exit takes the shares away
        shares += sum(e.shares for e in here)
        balance += paid["loan_disbursement"] - paid["principal_repayment"] - paid["write_off"]
        line = {
            "meeting": meeting.number,
            "date": meeting.date,
            "attendance": taken.get(meeting.id),
            "shares_bought": bought,
            "shares": shares,
            "savings": shares * cycle.share_value,
            **{name: sum(paid[k] for k in kinds) for name, kinds in FLOWS.items()},
            "loan_balance": balance,
            "corrections": sum(1 for e in here if e.reverses_id is not None),
        }
        lines.append(line)
        payout = paid["share_out_payout"] + paid["exit_payout"]
        if payout:
            settlement = (paid["exit_payout"] > 0, meeting.date, held, payout)
    return {"lines": lines, "settlement": settlement}


def test_every_passbook_agrees_with_the_raw_tables(
    corrected: tuple[vsla.Store, dt.date, int],
) -> None:
    store, _, _ = corrected
    rows = raw_rows(store)
    members = {m.id: m for m in rows["members"]}
    books = corrections = settlements = 0
    for cycle in rows["cycles"]:
        for book in store.passbooks(cycle.id):
            want = _expected(rows, cycle, members[book.member.id])
            s = book.settlement
            got = {
                "lines": book.rows(),
                "settlement": None if s is None else (s.exit, s.date, s.shares, s.payout),
            }
            assert got == want, (cycle.id, book.member.full_name)
            if s is not None:  # no loan was netted here: the cash is the payout
                assert s.netted == 0
                assert s.savings == s.shares * cycle.share_value
            books += 1
            corrections += sum(line["corrections"] for line in want["lines"])
            settlements += want["settlement"] is not None
    # the books read corrections, share-outs and exits
    assert books > 100
    assert corrections >= 20
    assert settlements > 50
