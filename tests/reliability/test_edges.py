"""Hard edges (issue 11): each bad input ends in a precise ``VslaError`` and writes nothing.

One test (or a few) per item of the issue: amounts and totals beyond the ceilings, dates
and terms beyond the calendar, import errors at their real row and column, databases that
cannot be opened, passwords, spreadsheet injection, formulas without a value, the demo
and a mistyped ``--db``, the members' rules, database ids in messages, and the dropout
rate. Store tests run on SQLite and PostgreSQL (the ``store`` fixture) and compare a
snapshot of every table before and after the refused call.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import vsla
from tests.conftest import snapshot
from tests.io.conftest import make_group, write_csv
from tests.io.test_import_meetings import HEADER as MEETINGS
from tests.io.test_import_meetings import line
from tests.store.helpers import END, START, build
from vsla.domain.limits import (
    FIRST_DATE,
    LAST_DATE,
    MAX_AMOUNT,
    MAX_TERM_MONTHS,
    MAX_TOTAL,
)

# ------------------------------------------------------------------------------ 1. amounts


def test_one_amount_above_the_ceiling_is_refused_by_every_model() -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: vsla.Income(amount=2**62), "amount"),
        (lambda: vsla.Expense(amount=MAX_AMOUNT + 1), "amount"),
        (lambda: vsla.Repayment(loan_id=1, amount=10**15), "amount"),
        (lambda: vsla.SocialFundGrant(member_id=1, amount=10**13), "amount"),
        (lambda: vsla.FinePaid(member_id=1, fine="absence", amount=10**13), "amount"),
        (lambda: vsla.LoanRequest(member_id=1, principal=10**13, term_months=1), "principal"),
        (
            lambda: vsla.MeetingInput(date=START, social_fund_contributions={1: 10**13}),
            "social_fund_contributions",
        ),
        (
            lambda: vsla.NewLivelihoodSupport(
                member_id=1, kind="training", received_on=START, value=10**13
            ),
            "value",
        ),
        (
            lambda: vsla.LoanTerms(
                principal=10**13,
                interest_rate=Decimal("0.02"),
                term_months=1,
                disbursed_on=START,
            ),
            "principal",
        ),
    ]
    for make, field in cases:
        with pytest.raises(vsla.InvalidInput) as caught:
            make()
        message = str(caught.value)
        assert field in message
        assert "above the ceiling of one amount, 1.000.000.000.000 ₫" in message
        assert "vsla.MAX_AMOUNT" in message
    assert vsla.Income(amount=MAX_AMOUNT).amount == MAX_AMOUNT  # the ceiling itself is legal


def test_a_constitution_beyond_the_ceiling_is_refused() -> None:
    with pytest.raises(vsla.InvalidConstitution, match=r"share_value: .*vsla\.MAX_AMOUNT"):
        vsla.Constitution(share_value=2**62, interest_rate=Decimal("0.02"))
    # each field is legal, but five shares at one meeting would be 5 × 10¹² ₫
    with pytest.raises(vsla.InvalidConstitution) as caught:
        vsla.Constitution(share_value=MAX_AMOUNT, interest_rate=Decimal("0.02"))
    message = str(caught.value)
    assert "share_value 1.000.000.000.000 ₫ × max_shares_per_meeting 5" in message
    assert "5.000.000.000.000 ₫" in message
    assert "vsla.MAX_AMOUNT" in message
    for field in ("social_fund_contribution", "cash_step"):
        with pytest.raises(vsla.InvalidConstitution, match=field):
            vsla.Constitution(share_value=1, interest_rate=Decimal(0), **{field: 10**13})
    with pytest.raises(vsla.InvalidConstitution, match="fines"):
        vsla.Constitution(share_value=1, interest_rate=Decimal(0), fines={"late": 10**13})


def test_a_total_above_the_ceiling_is_refused_and_nothing_is_written(store: vsla.Store) -> None:
    w = build(store)
    incomes = [vsla.Income(amount=MAX_AMOUNT, memo=f"gift {i}") for i in range(10)]
    w.meet(START, other_income=incomes)  # 10 × 10¹² = 10¹³: exactly the ceiling
    before = snapshot(store)
    with pytest.raises(vsla.InvalidInput) as caught:
        w.meet(START + dt.timedelta(days=7), other_income=[vsla.Income(amount=1)])
    message = str(caught.value)
    assert message.startswith("group KT-DG-001 (Tổ tiết kiệm thôn Đăk Nhoong), 2024-01-15: ")
    assert "other income of 1 ₫" in message
    assert "loan fund to 10.000.000.000.001 ₫" in message
    assert "ceiling of a total, 10.000.000.000.000 ₫ (rule: vsla.MAX_TOTAL)" in message
    assert snapshot(store) == before
    # the cycle still reads and takes what fits
    assert store.balances(w.cycle.id).loan_fund_cash == MAX_TOTAL
    w.meet(START + dt.timedelta(days=7), expenses=[vsla.Expense(amount=5, memo="pens")])
    assert store.balances(w.cycle.id).loan_fund_cash == MAX_TOTAL - 5


def test_a_kind_total_above_the_ceiling_is_refused(store: vsla.Store) -> None:
    w = build(store)
    spend = [vsla.Expense(amount=MAX_AMOUNT, memo="x")] * 10
    w.meet(START, other_income=[vsla.Income(amount=MAX_AMOUNT)] * 10, expenses=spend)
    before = snapshot(store)
    with pytest.raises(vsla.InvalidInput, match=r"cycle's total of other income to"):
        w.meet(START + dt.timedelta(days=7), other_income=[vsla.Income(amount=1)])
    assert snapshot(store) == before
    assert store.balances(w.cycle.id).loan_fund_cash == 0


def test_an_import_refuses_amounts_above_the_ceiling_at_their_row_and_column(
    store: vsla.Store, tmp_path: Path
) -> None:
    world = make_group(store)
    g = world.group.code
    rows = [
        MEETINGS,
        line(g, "08/01/2024", "1", attendance="có mặt", shares="2"),
        line(g, "08/01/2024", "2", attendance="có mặt"),
        line(g, "08/01/2024", "3", attendance="vắng"),
        line(g, "08/01/2024", income_amount="10000000000000000000", memo="a typo"),  # row 5
        line(g, "08/01/2024", income_amount="1.000.000.000.000.000", memo="a quadrillion"),
        line(g, "08/01/2024", "4", attendance="có mặt", loan_principal="20000000000000"),
    ]
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as caught:
        vsla.io.import_file(store, "meetings", write_csv(tmp_path / "m.csv", rows))
    found = [(e.row, e.column) for e in caught.value.errors]
    assert found == [(5, "income_amount"), (6, "income_amount"), (7, "loan_principal")]
    messages = [e.message for e in caught.value.errors]
    assert messages[0] == (
        "10.000.000.000.000.000.000 ₫ is above the ceiling of one amount, "
        "1.000.000.000.000 ₫ (vsla.MAX_AMOUNT)"
    )
    assert messages[1].startswith("1.000.000.000.000.000 ₫ is above the ceiling")
    assert snapshot(store) == before


def test_an_import_warns_of_implausible_amounts_and_imports_them(
    store: vsla.Store, tmp_path: Path
) -> None:
    def rows(code: str) -> list[list[str]]:
        return [
            MEETINGS,
            line(code, "08/01/2024", "1", attendance="có mặt", shares="2"),
            line(code, "08/01/2024", income_amount="250.000.000", memo="a grant"),
            line(code, "08/01/2024", expense_amount="90.000.000", memo="a rice mill"),
        ]

    one, two, three = (make_group(store, f"KT-DG-00{i}") for i in (1, 2, 3))
    summary = vsla.io.import_file(
        store, "meetings", write_csv(tmp_path / "1.csv", rows("KT-DG-001"))
    )
    [warning] = summary.warnings
    assert (warning.row, warning.column) == (3, "income_amount")
    assert warning.message == (
        "250.000.000 ₫ is accepted but unusually large for a savings group "
        "(above 100.000.000 ₫): check the amount"
    )
    assert str(summary).endswith("; 1 warning(s)")
    assert store.balances(one.cycle.id).other_income == 250_000_000  # imported all the same
    lower = vsla.io.import_file(
        store, "meetings", write_csv(tmp_path / "2.csv", rows("KT-DG-002")), warn_above=50_000_000
    )
    assert [(w.row, w.column) for w in lower.warnings] == [
        (3, "income_amount"),
        (4, "expense_amount"),
    ]
    quiet = vsla.io.import_file(
        store, "meetings", write_csv(tmp_path / "3.csv", rows("KT-DG-003")), warn_above=None
    )
    assert quiet.warnings == ()
    assert store.balances(two.cycle.id) == store.balances(three.cycle.id)
    before = snapshot(store)
    with pytest.raises(vsla.InvalidInput, match="warn_above is an amount >= 0"):
        vsla.io.import_file(store, "meetings", tmp_path / "1.csv", warn_above=-1)
    assert snapshot(store) == before


def test_an_import_refuses_dates_outside_the_calendar(store: vsla.Store, tmp_path: Path) -> None:
    world = make_group(store)
    rows = [
        MEETINGS,
        line(world.group.code, "08/11/9999", "1", attendance="có mặt"),
        line(
            world.group.code,
            "08/01/2024",
            "2",
            attendance="có mặt",
            loan_principal="10.000",
            loan_term_months="200000",
        ),
    ]
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as caught:
        vsla.io.import_file(store, "meetings", write_csv(tmp_path / "m.csv", rows))
    errors = {(e.row, e.column): e.message for e in caught.value.errors}
    assert errors[(2, "date")] == (
        "9999-11-08 is outside the dates vsla accepts (1900-01-01 to 2100-12-31)"
    )
    assert "200000 months is above the maximum term of 3 months" in errors[(3, "loan_term_months")]
    assert snapshot(store) == before


def test_a_programme_import_reports_every_amount_above_the_ceiling(
    store: vsla.Store, tmp_path: Path
) -> None:
    source = vsla.open(":memory:")
    w = build(source)
    w.meet(
        START,
        share_purchases={w.id("Y Hoa"): 5},
        other_income=[vsla.Income(amount=1_000, memo="bank")],
        loans=[vsla.LoanRequest(member_id=w.id("Y Hoa"), principal=10_000, term_months=2)],
    )
    path = tmp_path / "programme.json"
    vsla.io.export_programme(source, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    items = doc["tables"]["meeting_items"]
    rows = {item["item"]: i + 2 for i, item in enumerate(items)}  # row 1 is the header
    for item in items:
        if item["item"] in ("income", "loan"):
            item["amount"] = 10**19 if item["item"] == "income" else 10**15
            if item["item"] == "loan":
                item["term_months"] = 200_000
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as caught:
        vsla.io.import_file(store, "programme", path)
    found = {(e.source, e.row, e.column) for e in caught.value.errors}
    table = "programme.json [meeting_items]"
    assert found == {
        (table, rows["income"], "amount"),
        (table, rows["loan"], "amount"),
        (table, rows["loan"], "term_months"),
    }
    assert all("vsla.MAX_" in e.message for e in caught.value.errors)
    assert snapshot(store) == before


# ------------------------------------------------------------------------------ 2. dates


def test_terms_beyond_the_bound_are_refused() -> None:
    with pytest.raises(vsla.InvalidInput, match="term_months"):
        vsla.LoanRequest(member_id=1, principal=1_000, term_months=200_000)
    with pytest.raises(vsla.InvalidInput, match=r"200000 months is not a loan term .*120 months"):
        vsla.LoanTerms(
            principal=1_000,
            interest_rate=Decimal("0.02"),
            term_months=200_000,
            disbursed_on=START,
        )
    with pytest.raises(vsla.InvalidConstitution, match=r"max_term_months must be from 1 to 120"):
        vsla.Constitution(share_value=1, interest_rate=Decimal(0), max_term_months=200_000)
    assert vsla.LoanRequest(member_id=1, principal=1, term_months=MAX_TERM_MONTHS)


def test_dates_outside_the_calendar_of_vsla_are_refused(store: vsla.Store) -> None:
    w = build(store)
    w.meet(
        START,
        share_purchases={w.id("Y Hoa"): 5},
        loans=[vsla.LoanRequest(member_id=w.id("Y Hoa"), principal=10_000, term_months=2)],
    )
    loan = store.loans(w.cycle.id)[0]
    before = snapshot(store)
    far = dt.date(9999, 11, 1)
    late = re.escape("9999-11-01 is outside the dates vsla accepts (1900-01-01 to 2100-12-31)")
    with pytest.raises(vsla.InvalidInput, match=late):
        store.start_cycle(
            w.group.id, start=far, end=dt.date(9999, 12, 31), constitution=w.cycle.constitution
        )
    with pytest.raises(vsla.InvalidInput, match=late):
        vsla.MeetingInput(date=far)
    with pytest.raises(vsla.InvalidInput, match=late):
        store.loan_position(loan.id, far)
    with pytest.raises(vsla.InvalidInput, match=late):
        vsla.group_indicators(store, w.group.id, far)
    with pytest.raises(vsla.InvalidInput, match="0001-01-01 is outside the dates"):
        store.balances(w.cycle.id, dt.date.min)
    with pytest.raises(vsla.InvalidInput, match="outside the dates"):
        vsla.position(loan.terms, [], dt.date.max)
    with pytest.raises(vsla.InvalidInput, match="outside the dates"):
        vsla.LoanPayment(on=dt.date(1899, 12, 31), principal=1, interest=0)
    assert snapshot(store) == before
    # the last accepted date still computes: the latest due date stays in the calendar
    position = store.loan_position(loan.id, LAST_DATE)
    assert position.days_overdue > 0
    terms = loan.terms.model_copy(update={"term_months": MAX_TERM_MONTHS})
    last = vsla.LoanTerms(**{**terms.model_dump(), "disbursed_on": LAST_DATE})
    assert vsla.due_date(last) == dt.date(2110, 12, 31)
    assert FIRST_DATE < START < END < LAST_DATE


# ------------------------------------------------------------------------------ 11. rules


def test_an_exit_reason_needs_left_on_in_the_api_as_in_the_importer() -> None:
    with pytest.raises(vsla.InvalidInput) as caught:
        vsla.NewMember(group_id=1, full_name="Y Hoa", sex="F", joined_on=START, exit_reason="moved")
    assert str(caught.value) == (
        "invalid NewMember: exit_reason: an exit reason needs the day the member left (left_on)"
    )


def test_nobody_joins_and_no_cycle_starts_before_the_group_was_established(
    store: vsla.Store, tmp_path: Path
) -> None:
    w = build(store)
    early = START - dt.timedelta(days=38)  # 2023-12-01
    before = snapshot(store)
    member = vsla.NewMember(group_id=w.group.id, full_name="Y Nhung", sex="F", joined_on=early)
    with pytest.raises(vsla.InvalidInput) as caught:
        store.add_members([member])
    assert str(caught.value) == (
        "group KT-DG-001 (Tổ tiết kiệm thôn Đăk Nhoong), member Y Nhung: joined_on: "
        "2023-12-01 is before group KT-DG-001 was established (2024-01-08)"
    )
    other = store.add_group(vsla.NewGroup(code="KT-DG-009", name="Tổ 9", established_on=START))
    with pytest.raises(vsla.InvalidInput) as caught:
        store.start_cycle(other.id, start=early, end=END, constitution=w.cycle.constitution)
    assert str(caught.value) == (
        "group KT-DG-009 (Tổ 9): the cycle cannot start on 2023-12-01: 2023-12-01 is before "
        "group KT-DG-009 was established (2024-01-08)"
    )
    store.start_cycle(other.id, start=START, end=END, constitution=w.cycle.constitution)
    # the importer applies the same rule, at its row and column
    header = ["group_code", "full_name", "sex", "joined_on", "left_on", "exit_reason"]
    rows = [
        header,
        ["KT-DG-001", "Y Nhung", "Nữ", "01/12/2023", "", ""],
        ["KT-DG-001", "Y Lan", "Nữ", "08/01/2024", "", "chuyển đi"],
    ]
    after_group = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as imported:
        vsla.io.import_file(store, "members", write_csv(tmp_path / "members.csv", rows))
    assert [(e.row, e.column, e.message) for e in imported.value.errors] == [
        (2, "joined_on", "01/12/2023 is before group KT-DG-001 was established (08/01/2024)"),
        (3, "exit_reason", "an exit reason needs the day the member left (left_on)"),
    ]
    assert snapshot(store) == after_group
    assert {k: v for k, v in before.items() if k not in ("groups", "cycles")} == {
        k: v for k, v in after_group.items() if k not in ("groups", "cycles")
    }


# ------------------------------------------------------------------------------ 12. ids


def test_messages_name_the_member_number_never_the_database_id(store: vsla.Store) -> None:
    build(store, code="KT-DG-001")  # members with ids 1 to 4
    w = build(store, code="KT-DG-002", share_out_loans="net")  # ids 5 to 8, numbers 1 to 4
    hoa, blup = w.id("Y Hoa"), w.id("A Blưp")
    assert (w.m["Y Hoa"].number, hoa) == (1, 5)
    w.meet(
        START,
        share_purchases={hoa: 1, blup: 5, w.id("Y Nhí"): 5},
        loans=[vsla.LoanRequest(member_id=hoa, principal=30_000, term_months=3)],
    )
    before = snapshot(store)
    with pytest.raises(vsla.ShareOutRefused) as refused:
        store.share_out(w.cycle.id, on=START + dt.timedelta(days=40))
    message = str(refused.value)
    assert message.startswith("group KT-DG-002 (Tổ tiết kiệm thôn Đăk Nhoong), 2024-02-17: ")
    # 30.000 ₫ and two months begun at 2 %: 31.200 ₫; 1 of 11 shares of 111.200 ₫: 10.109 ₫
    assert (
        "Y Hoa (no. 1) owes 31.200 ₫, more than their payout of 10.109 ₫; settle the "
        "difference of 21.091 ₫ first"
    ) in message
    assert "(policy share_out_loans=net)" in message
    with pytest.raises(vsla.LoanLimitExceeded) as limit:
        w.meet(
            START + dt.timedelta(days=7),
            loans=[vsla.LoanRequest(member_id=blup, principal=500_000, term_months=1)],
        )
    assert "to A Blưp (no. 2) would bring" in str(limit.value)
    with pytest.raises(vsla.NotFound) as missing:
        store.member_by_number(w.group.id, 99)
    assert str(missing.value) == (
        "group KT-DG-002 (Tổ tiết kiệm thôn Đăk Nhoong) has no member number 99"
    )
    taken = vsla.NewMember(
        group_id=w.group.id, full_name="Y Ka", sex="F", joined_on=START, number=1
    )
    with pytest.raises(vsla.InvalidInput) as duplicate:
        store.add_members([taken])
    assert str(duplicate.value) == (
        "group KT-DG-002 (Tổ tiết kiệm thôn Đăk Nhoong) already has a member number 1 "
        "(Y Ka cannot take it)"
    )
    loan = store.loans(w.cycle.id)[0]
    assert (
        store.loan_statement(loan.id, START)
        .to_text()
        .startswith(f"Loan #{loan.id} to Y Hoa (no. 1)\n")
    )
    for text in (message, str(limit.value), str(missing.value), str(duplicate.value)):
        assert not re.search(r"#[5-8]\b", text), text
    assert snapshot(store) == before
