"""Hard edges (issue 11): each bad input ends in a precise ``VslaError`` and writes nothing.

One test (or a few) per item of the issue: amounts and totals beyond the ceilings, dates
and terms beyond the calendar, import errors at their real row and column, databases that
cannot be opened, passwords, spreadsheet injection, formulas without a value, the demo
and a mistyped ``--db``, the members' rules, database ids in messages, and the dropout
rate. Store tests run on SQLite and PostgreSQL (the ``store`` fixture) and compare a
snapshot of every table before and after the refused call.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import logging
import re
import sqlite3
import traceback
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner, Result

import vsla
import vsla.demo
import vsla.reports.reference
import vsla.store.schema
from tests.conftest import POSTGRES_URL, own_pg_schema, snapshot
from tests.io.conftest import make_group, write_csv
from tests.io.test_import_meetings import HEADER as MEETINGS
from tests.io.test_import_meetings import line
from tests.store.helpers import END, START, build
from vsla.cli.main import app
from vsla.domain.limits import (
    FIRST_DATE,
    LAST_DATE,
    MAX_AMOUNT,
    MAX_TERM_MONTHS,
    MAX_TOTAL,
)
from vsla.store.opening import display_url, opening_errors, scrub

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="VSLA_TEST_POSTGRES_URL is not set")

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


def test_what_a_model_refuses_in_an_import_is_reported_at_its_column(
    store: vsla.Store, tmp_path: Path
) -> None:
    make_group(store)
    members = [
        ["group_code", "full_name", "sex", "joined_on", "phone"],
        ["KT-DG-001", "Y Lan", "Nữ", "08/01/2024", "0" * 40],
    ]
    # a NUL character (PostgreSQL cannot store it) after the first 4 KiB, which the reader
    # looks at to tell UTF-16 from UTF-8
    header = ["group_code", "member_number", "institution", "service", "referred_on"]
    days = [START + dt.timedelta(days=i) for i in range(80)]
    referrals = [header] + [
        ["KT-DG-001", "1", "NHCSXH", "vay hộ nghèo cho chăn nuôi", day.strftime("%d/%m/%Y")]
        for day in days
    ]
    referrals.append(["KT-DG-001", "2", "NHCSXH", "vay\x00hộ nghèo", "20/03/2024"])
    before = snapshot(store)
    for kind, rows, column in (("members", members, "phone"), ("referrals", referrals, "service")):
        with pytest.raises(vsla.ImportErrors) as caught:
            vsla.io.import_file(store, kind, write_csv(tmp_path / f"{kind}.csv", rows))
        [error] = caught.value.errors
        assert (error.row, error.column) == (len(rows), column)
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
    # only the group and cycle added in between (and their lines of the change feed)
    assert {k: v for k, v in before.items() if k not in ("groups", "cycles", "changes")} == {
        k: v for k, v in after_group.items() if k not in ("groups", "cycles", "changes")
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
        .startswith(f"Loan of {loan.terms.disbursed_on.isoformat()} to Y Hoa (no. 1)\n")
    )
    for text in (message, str(limit.value), str(missing.value), str(duplicate.value)):
        assert not re.search(r"#[5-8]\b", text), text
    assert snapshot(store) == before


# ------------------------------------------------------------------------------ 4. opening


def _pg_url(**parts: object) -> str:
    """The test server's URL with some parts changed (a password, a port, a database)."""
    assert POSTGRES_URL
    url = make_url(POSTGRES_URL).set(**parts)  # type: ignore[arg-type]
    return url.render_as_string(hide_password=False)


def test_a_file_that_is_not_a_database_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of the meeting\n" * 200, encoding="utf-8")
    before = notes.read_bytes()
    with pytest.raises(vsla.NotADatabase) as caught:
        vsla.open(notes)
    assert str(caught.value).startswith(
        f"the file {str(notes)!r} is not a SQLite database (file is not a database)"
    )
    assert isinstance(caught.value, vsla.StoreError)
    assert notes.read_bytes() == before
    with pytest.raises(vsla.NotADatabase):
        vsla.store.schema.schema_version(notes)


def test_a_missing_folder_or_a_folder_cannot_be_opened(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "kontum.db"
    with pytest.raises(vsla.CannotConnect) as caught:
        vsla.open(missing)
    assert str(caught.value) == (
        f"the database {str(missing)!r} cannot be opened: there is no such folder "
        f"{str(missing.parent)!r}; create the folder first, or check the path for a typing "
        "mistake"
    )
    with pytest.raises(vsla.CannotConnect, match="no such folder"):
        vsla.open(f"sqlite:///{missing}")
    with pytest.raises(vsla.CannotConnect, match="is a folder, not a database file"):
        vsla.open(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_urls_that_are_not_urls_are_invalid_input() -> None:
    for url, words in (
        ("nosuchdb://u@h/x", "names an unknown kind of database ('nosuchdb')"),
        ("postgresql+psycopg://u@h:port/x", "is not a valid URL"),
        ("post gres://u@h/x", "is not a valid URL"),
        ("mysql://u@h/x", "needs a driver that is not installed"),
    ):
        with pytest.raises(vsla.InvalidInput, match=re.escape(words)):
            vsla.open(url)


@needs_postgres
def test_a_server_that_cannot_be_reached_is_cannot_connect() -> None:
    for parts, words in (
        ({"username": "nobody_here"}, 'role "nobody_here" does not exist'),
        ({"database": "no_such_db"}, 'database "no_such_db" does not exist'),
        ({"port": 1}, "Connection refused"),
    ):
        url = _pg_url(**parts)
        with pytest.raises(vsla.CannotConnect) as caught:
            vsla.open(url)
        message = str(caught.value)
        assert message.startswith("cannot connect to the database postgresql+psycopg://")
        assert words in message
        assert "nothing was written" in message
        with pytest.raises(vsla.CannotConnect):
            vsla.upgrade_database(url)


# ------------------------------------------------------------------------------ 5. secrets

SECRET = "S3cret-Pw_42"


def _texts_of(exc: BaseException) -> str:
    """Everything a person or a log could see of an exception: message, repr, traceback
    with every chained cause."""
    return "\n".join([str(exc), repr(exc), "".join(traceback.format_exception(exc))])


def _password_urls() -> list[str]:
    urls = [
        f"nosuchdb://clerk:{SECRET}@host/x",
        f"postgresql+psycopg://clerk:{SECRET}@host:port/x",
        f"post gres://clerk:{SECRET}@host/x",
        f"mysql://clerk:{SECRET}@host/x",
    ]
    if POSTGRES_URL:
        urls += [
            _pg_url(username="nobody_here", password=SECRET),
            _pg_url(password=SECRET, database="no_such_db"),
            _pg_url(password=SECRET, port=1),
            _pg_url(port=1) + ("&" if "?" in _pg_url() else "?") + f"password={SECRET}",
        ]
    return urls


def test_no_error_or_log_line_shows_a_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    for url in _password_urls():
        runs: list[Callable[[str], object]] = [
            vsla.open,
            functools.partial(vsla.open, busy_timeout=1),
            vsla.upgrade_database,
            vsla.store.schema.schema_version,
        ]
        for run in runs:
            with pytest.raises(vsla.VslaError) as caught:
                run(url)
            seen.append(_texts_of(caught.value))
        for args in (
            ("report", "programme", "--db", url),
            ("report", "group", "KT-DG-001", "--db", url),
            ("export", "ledger", tmp_path / "l.csv", "--db", url),
            ("import", "members", _template(tmp_path), "--db", url, "--create"),
            ("db", "version", "--db", url),
            ("db", "upgrade", "--db", url),
            ("demo", "--db", url),
        ):
            result = _cli(*args)
            assert result.exit_code == 1, (args, result.output)
            seen.append(result.output)
    seen += [record.getMessage() for record in caplog.records]
    assert seen
    for text in seen:
        assert SECRET not in text
        assert "S3cret" not in text
    assert any("clerk:***@host" in text for text in seen)


@needs_postgres
def test_a_store_and_its_errors_never_show_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with own_pg_schema("vsla_edges") as schema:
        query = {"options": f"-c search_path={schema}"}
        writable = make_url(_pg_url(password=SECRET)).set(query=query)
        store = vsla.open(writable.render_as_string(hide_password=False))
        store.add_programme(vsla.NewProgramme(name="Kon Tum"))
        assert SECRET not in repr(store)
        store.close()
        options = f"-c search_path={schema} -c default_transaction_read_only=on"
        read_only = writable.set(query={"options": options})
        store = vsla.open(read_only.render_as_string(hide_password=False))
        with pytest.raises(vsla.DatabaseReadOnly) as caught:
            store.add_programme(vsla.NewProgramme(name="Kon Tum 2"))
        assert "postgresql+psycopg://postgres:***@" in str(caught.value)
        texts = [_texts_of(caught.value), repr(store)]
        store.close()
        # the password as a parameter of the URL (libpq takes it there too)
        in_query = make_url(_pg_url()).set(query={"options": options, "password": SECRET})
        store = vsla.open(in_query.render_as_string(hide_password=False))
        with pytest.raises(vsla.DatabaseReadOnly) as caught:
            store.add_programme(vsla.NewProgramme(name="Kon Tum 3"))
        assert "password=***" in str(caught.value)
        texts += [_texts_of(caught.value), repr(store)]
        result = _cli("report", "group", "KT-XX-404", "--db", str(read_only))
        texts.append(result.output)
        result = _cli("report", "group", "KT-XX-404", "--db", read_only.render_as_string(False))
        assert result.exit_code == 1
        texts.append(result.output)
        store.close()
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert SECRET not in text


def test_a_driver_message_with_the_password_is_not_chained() -> None:
    """Should a driver ever quote the password, the error is raised without it chained."""
    engine = create_engine(f"postgresql+psycopg://clerk:{SECRET}@localhost/x")
    leak = DBAPIError(None, None, Exception(f"cannot log in as clerk:{SECRET}"))
    with pytest.raises(vsla.CannotConnect) as caught, opening_errors(engine):
        raise leak
    assert caught.value.__cause__ is None
    assert "cannot log in as clerk:***" in str(caught.value)
    assert SECRET not in _texts_of(caught.value)
    assert display_url(engine) == "postgresql+psycopg://clerk:***@localhost/x"
    assert scrub(f"x {SECRET} y", engine) == "x *** y"


# ------------------------------------------------------------------------------ 6. CSV


HOSTILE = {
    "=1+2": "'=1+2",
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "\t=1+2": "'\t=1+2",
    "\r=1+2": "'\r=1+2",
    "pens -5": "pens -5",  # only the first character counts
}


def test_csv_exports_neutralise_text_that_begins_like_a_formula(
    store: vsla.Store, tmp_path: Path
) -> None:
    w = build(store, code="=KT-01")
    w.meet(
        START,
        share_purchases={w.id("Y Hoa"): 5},
        other_income=[vsla.Income(amount=100_000, memo=memo) for memo in HOSTILE],
        expenses=[vsla.Expense(amount=5_000, memo="-5")],
    )
    entry = next(e for e in store.entries(w.cycle.id) if e.kind is vsla.EntryKind.EXPENSE)
    store.reverse_entry(entry.id, on=START, reason="typed twice")
    before = snapshot(store)

    def memos(path: Path) -> dict[str, list[str]]:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        return {k: [r[k] for r in rows] for k in rows[0]}

    safe = memos(_ledger(store, tmp_path / "ledger.csv"))
    raw = memos(_ledger(store, tmp_path / "raw.csv", raw=True))
    incomes = [i for i, kind in enumerate(safe["kind"]) if kind == "other_income"]
    assert [safe["memo"][i] for i in incomes] == list(HOSTILE.values())
    assert [raw["memo"][i] for i in incomes] == list(HOSTILE)
    assert set(safe["group_code"]) == {"'=KT-01"}
    assert set(raw["group_code"]) == {"=KT-01"}
    # numbers stay numbers: the reversal's negative amounts are not quoted
    assert "-5000" in safe["amount"]
    assert "5000" in safe["loan_fund_change"]
    assert "-5000" in safe["loan_fund_change"]
    assert snapshot(store) == before
    rows = [{"label": "-5", "value": -5, "ratio": Decimal("-0.5"), "on": START}]
    vsla.io.export_rows(rows, tmp_path / "rows.csv")
    vsla.io.export_rows(rows, tmp_path / "raw_rows.csv", raw=True)
    assert memos(tmp_path / "rows.csv") == {
        "label": ["'-5"],
        "value": ["-5"],
        "ratio": ["-0.5"],
        "on": ["2024-01-08"],
    }
    assert memos(tmp_path / "raw_rows.csv")["label"] == ["-5"]
    # XLSX stores text as text: never a formula, and no quote is added
    from openpyxl import load_workbook

    vsla.io.export_rows([{"memo": memo} for memo in HOSTILE], tmp_path / "rows.xlsx")
    sheet = load_workbook(tmp_path / "rows.xlsx").active
    assert sheet is not None
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [m.replace("\r", "\n") for m in HOSTILE]  # XML: CR is LF
    assert {c.data_type for c in cells} == {"s"}


def test_cli_export_neutralises_unless_raw(tmp_path: Path) -> None:
    db = tmp_path / "kontum.db"
    with vsla.open(db) as store:
        w = build(store)
        w.meet(START, other_income=[vsla.Income(amount=1_000, memo="=1+2")])
    assert _cli("export", "ledger", tmp_path / "safe.csv", "--db", db).exit_code == 0
    assert _cli("export", "ledger", tmp_path / "raw.csv", "--db", db, "--raw").exit_code == 0
    assert ";'=1+2;" in (tmp_path / "safe.csv").read_text(encoding="utf-8-sig")  # --lang vi
    assert ",=1+2," in (tmp_path / "raw.csv").read_text(encoding="utf-8-sig")


def _ledger(store: vsla.Store, path: Path, *, raw: bool = False) -> Path:
    vsla.io.export_ledger(store, path, raw=raw)
    return path


# ------------------------------------------------------------------------------ 7. formulas


def _with_saved_values(path: Path, saved: dict[str, str]) -> Path:
    """The workbook as a spreadsheet would save it: each formula with its value."""
    out = path.with_name("saved-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                for formula, value in saved.items():
                    text = text.replace(f"<f>{formula}</f><v />", f"<f>{formula}</f><v>{value}</v>")
                data = text.encode("utf-8")
            dst.writestr(item, data)
    return out


def test_an_xlsx_formula_without_a_saved_value_is_a_row_error(
    store: vsla.Store, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    world = make_group(store)
    g = world.group.code
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "meetings"
    ws.append(MEETINGS)
    ws.append(line(g, "08/01/2024", "1", attendance="có mặt", shares="=1+1", social_fund="2.000"))
    row = line(g, "08/01/2024", "2", attendance="có mặt", shares="3")
    row[MEETINGS.index("social_fund")] = "=1000*2"
    ws.append(row)
    path = tmp_path / "meetings.xlsx"
    wb.save(path)
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as caught:
        vsla.io.import_file(store, "meetings", path)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "shares"), (3, "social_fund")]
    assert caught.value.errors[0].message == (
        "the cell holds the formula =1+1 but no saved value (the file was written by a "
        "program): open the file in Excel or LibreOffice and save it, or type the value "
        "instead of the formula"
    )
    assert snapshot(store) == before
    # once a spreadsheet saved the values, the same file imports
    saved = _with_saved_values(path, {"1+1": "2", "1000*2": "2000"})
    vsla.io.import_file(store, "meetings", saved)
    balance = {b.member_id: b for b in store.member_balances(world.cycle.id)}
    assert balance[world.members[0].id].shares == 2
    assert balance[world.members[1].id].social_fund_contributions == 2_000


def test_a_programme_workbook_with_an_unsaved_formula_is_refused(
    store: vsla.Store, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    source = vsla.open(":memory:")
    w = build(source)
    w.meet(START, share_purchases={w.id("Y Hoa"): 5})
    path = tmp_path / "programme.xlsx"
    vsla.io.export_programme(source, path)
    wb = load_workbook(path)
    sheet = wb["meeting_items"]
    column = [c.value for c in sheet[1]].index("shares") + 1
    sheet.cell(row=2, column=column, value="=2+3")
    wb.save(path)
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as caught:
        vsla.io.import_file(store, "programme", path)
    [error] = caught.value.errors
    assert (error.source, error.row, error.column) == (
        "programme.xlsx [meeting_items]",
        2,
        "shares",
    )
    assert "the formula =2+3 but no saved value" in error.message
    assert snapshot(store) == before


# ------------------------------------------------------------------------------ 8. demo


def test_demo_replaces_only_a_demo_database_unless_forced(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("not a database, but precious\n", encoding="utf-8")
    other_app = tmp_path / "other.db"
    with sqlite3.connect(other_app) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
        conn.execute("INSERT INTO invoices (total) VALUES (42)")
    conn.close()
    ours = tmp_path / "kontum.db"
    with vsla.open(ours) as store:
        build(store)
    for path in (notes, other_app, ours):
        before = path.read_bytes()
        result = _cli("demo", "--db", path, "--groups", "1", "--lang", "en")
        assert result.exit_code == 1, result.output
        assert f"{path} exists and is not a vsla demo database" in " ".join(result.output.split())
        assert "--force" in result.output
        assert path.read_bytes() == before
    demo = tmp_path / "demo.db"
    assert _cli("demo", "--db", demo, "--groups", "1").exit_code == 0
    assert _cli("demo", "--db", demo, "--groups", "1", "--seed", "3").exit_code == 0  # a demo
    forced = _cli("demo", "--db", other_app, "--groups", "1", "--force")
    assert forced.exit_code == 0, forced.output
    with vsla.open(other_app, create=False) as store:
        assert [p.name for p in store.programmes()] == [vsla.demo.DEMO_PROGRAMME_NAME]


# ------------------------------------------------------------------------------ 9. --db


def test_a_mistyped_db_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "kontun.db"
    template = _template(tmp_path)
    for args in (
        ("import", "members", template, "--db", typo),
        ("report", "programme", "--db", typo),
        ("export", "ledger", tmp_path / "ledger.csv", "--db", typo),
    ):
        result = _cli(*args)
        assert result.exit_code == 1, result.output
        assert f"no database at {typo}" in " ".join(result.output.split())
        assert not typo.exists()
    # an existing file that is not a vsla database is not made into one
    other_app = tmp_path / "other.db"
    with sqlite3.connect(other_app) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.close()
    before = other_app.read_bytes()
    for args in (
        ("import", "members", template, "--db", other_app),
        ("report", "programme", "--db", other_app),
        ("export", "ledger", tmp_path / "ledger.csv", "--db", other_app),
    ):
        result = _cli(*args)
        assert result.exit_code == 1, result.output
        assert "is not a vsla database (it holds none of vsla's tables)" in " ".join(
            result.output.split()
        )
        assert other_app.read_bytes() == before
    # asked to, import creates it
    created = _cli("import", "members", template, "--db", typo, "--create", "--lang", "en")
    assert created.exit_code == 0, created.output
    assert vsla.store.schema.schema_version(typo) == vsla.store.schema.SCHEMA_HEAD


@needs_postgres
def test_a_postgresql_database_without_vsla_is_left_alone(tmp_path: Path) -> None:
    with own_pg_schema("vsla_edges_empty") as schema:
        url = make_url(_pg_url()).set(query={"options": f"-c search_path={schema}"})
        text = url.render_as_string(hide_password=False)
        result = _cli("import", "members", _template(tmp_path), "--db", text)
        assert result.exit_code == 1, result.output
        assert "is not a vsla database" in result.output
        engine = create_engine(text)
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
        engine.dispose()


# ------------------------------------------------------------------------------ CLI helpers


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def _template(tmp_path: Path) -> Path:
    path = tmp_path / "members.csv"
    if not path.exists():
        vsla.io.write_template("members", path)
    return path


# ------------------------------------------------------------------------------ 13. dropout


def test_dropout_is_a_proportion_of_the_members_of_the_cycle(store: vsla.Store) -> None:
    """One founder and three late joiners who leave: SAVIX's 3 / 1 would be 300 %."""
    group = store.add_group(vsla.NewGroup(code="KT-DG-013", name="Tổ 13", established_on=START))
    founder = vsla.NewMember(group_id=group.id, full_name="Y Hoa", sex="F", joined_on=START)
    late = [
        vsla.NewMember(
            group_id=group.id,
            full_name=f"Late {i}",
            sex="M",
            joined_on=START + dt.timedelta(days=7),
            left_on=START + dt.timedelta(days=21),
            exit_reason="moved",
        )
        for i in range(3)
    ]
    store.add_members([founder, *late])
    rules = vsla.Constitution(share_value=10_000, interest_rate=Decimal("0.02"))
    store.start_cycle(group.id, start=START, end=END, constitution=rules)
    on = START + dt.timedelta(days=30)
    for report in (
        vsla.group_indicators(store, group.id, on),
        vsla.reports.reference.group_indicators(store, group.id, on),
    ):
        assert (report.members_at_cycle_start, report.joined_during_cycle) == (1, 3)
        assert report.left_during_cycle == 3
        assert (report.dropout_rate.numerator, report.dropout_rate.denominator) == (3, 4)
        assert report.dropout_rate.value == Decimal("0.75")
        [men] = [b for b in report.by_sex if b.key == "M"]
        assert men.dropout_rate.value == 1  # all three men who were members left
    before = vsla.group_indicators(store, group.id, START + dt.timedelta(days=10))
    assert before.dropout_rate.value == 0  # joined, not yet left
    assert before.dropout_rate.denominator == 4
