"""The hand-worked member of the passbook tests and docs/printing.md: Y Hương's cycle.

Rules (tests.store.helpers.constitution): share value 10.000 ₫, social fund 2.000 ₫ a
meeting, 2 %/month declining interest, principal at the due date, absence fine 5.000 ₫.

| # | date       | Y Hương did                                                      |
|---|------------|------------------------------------------------------------------|
| 1 | 08/01/2024 | present; 3 shares (30.000), social fund 2.000                    |
| 2 | 05/02/2024 | present; 2 shares, social fund 2.000; borrows 100.000 for 2 months|
| 3 | 04/03/2024 | absent, fined 5.000; repays 52.000 (interest 2.000 + 50.000)     |
| 4 | 01/04/2024 | present; 1 share, social fund 2.000; repays 51.000 (1.000+50.000)|
| 5 | 06/05/2024 | present; 2 shares, social fund 2.000; borrows 60.000 for 1 month;|
|   |            | the 1 share of meeting 4 is reversed (counted twice)             |
| 6 | 10/06/2024 | the 60.000 loan is written off with its 2.400 interest due       |
| 7 | 30/12/2024 | share-out                                                        |

A Blưp and Đinh Thị Lành each buy 5 shares and pay 2.000 at meetings 1 and 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import vsla
from tests.store.helpers import World, build

D1, D2, D3, D4, D5 = (dt.date(2024, m, d) for m, d in ((1, 8), (2, 5), (3, 4), (4, 1), (5, 6)))
D6, END = dt.date(2024, 6, 10), dt.date(2024, 12, 30)
NAMES = ("Y Hương", "A Blưp", "Đinh Thị Lành")


@dataclass
class PaperWorld:
    world: World
    huong: vsla.Member
    loan1: int
    loan2: int


def paper_world(store: vsla.Store, *, share_out: bool = True) -> PaperWorld:
    w = build(store, names=NAMES)
    h, b, lanh = (w.id(n) for n in NAMES)
    present, absent = vsla.Attendance.PRESENT, vsla.Attendance.ABSENT
    everyone = {h: present, b: present, lanh: present}
    w.meet(
        D1,
        attendance=everyone,
        share_purchases={h: 3, b: 5, lanh: 5},
        social_fund_contributions={h: 2_000, b: 2_000, lanh: 2_000},
    )
    r2 = w.meet(
        D2,
        attendance=everyone,
        share_purchases={h: 2, b: 5, lanh: 5},
        social_fund_contributions={h: 2_000, b: 2_000, lanh: 2_000},
        loans=[vsla.LoanRequest(member_id=h, principal=100_000, term_months=2)],
    )
    loan1 = next(e.loan_id for e in r2.entries if e.loan_id is not None)
    w.meet(
        D3,
        attendance={h: absent, b: present, lanh: present},
        fines=[vsla.FinePaid(member_id=h, fine="absence")],
        repayments=[vsla.Repayment(loan_id=loan1, amount=52_000)],
    )
    r4 = w.meet(
        D4,
        attendance=everyone,
        share_purchases={h: 1},
        social_fund_contributions={h: 2_000},
        repayments=[vsla.Repayment(loan_id=loan1, amount=51_000)],
    )
    r5 = w.meet(
        D5,
        attendance=everyone,
        share_purchases={h: 2},
        social_fund_contributions={h: 2_000},
        loans=[vsla.LoanRequest(member_id=h, principal=60_000, term_months=1)],
    )
    loan2 = next(e.loan_id for e in r5.entries if e.loan_id is not None)
    bought = next(e.id for e in r4.entries if e.kind is vsla.EntryKind.SHARE_PURCHASE)
    store.reverse_entry(bought, on=D5, reason="counted twice")
    store.write_off(loan2, on=D6, reason="moved away, will not repay")
    if share_out:
        store.share_out(w.cycle.id, on=END)
    return PaperWorld(w, w.m["Y Hương"], loan1, loan2)
