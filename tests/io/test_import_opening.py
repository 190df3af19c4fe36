"""Importing an opening position from the template: one row of the group's figures, one per
member, one per loan; every row error at once, nothing written unless all is right."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import vsla
from tests.conftest import snapshot
from tests.io.conftest import World, write_csv
from vsla.io import COLUMNS, EXAMPLES, ImportKind, import_file

NAMES = [c.name for c in COLUMNS[ImportKind.OPENING]]


def opening_file(path: Path, rows: list[dict[str, str]]) -> Path:
    return write_csv(path, [NAMES, *([r.get(n, "") for n in NAMES] for r in rows)])


def test_the_example_imports(world: World, tmp_path: Path) -> None:
    """Y Hoa 48 shares, A Blưp 40 (880.000 ₫); A Blưp owes a loan of 500.000 ₫ of 6 May,
    one month's interest paid (2 % = 10.000 ₫); 52.000 ₫ of interest in all, 15.000 ₫ of
    fines, 35.000 ₫ of expenses: 880.000 + 32.000 − 500.000 = 412.000 ₫ in the box."""
    path = opening_file(tmp_path / "opening.csv", list(EXAMPLES[ImportKind.OPENING]))
    summary = import_file(world.store, "opening", path)
    assert summary.per_table == {"meetings": 1, "entries": 8, "loans": 1}
    b = world.store.balances(world.cycle.id)
    assert (b.loan_fund_cash, b.social_fund_cash, b.loans_outstanding, b.savings) == (
        412_000,
        230_000,
        500_000,
        880_000,
    )
    [loan] = world.store.loans(world.cycle.id)
    assert world.store.loan_position(loan.id, dt.date(2024, 6, 3)).interest_due == 0


def test_every_row_error_is_reported_at_once(world: World, tmp_path: Path) -> None:
    rows = [
        {**EXAMPLES[ImportKind.OPENING][0], "loan_fund_cash": "400.000"},  # 12.000 ₫ short
        {"group_code": "KT-DG-001", "date": "03/06/2024", "member_number": "1", "shares": "48"},
        {"group_code": "KT-DG-001", "date": "03/06/2024", "member_number": "9", "shares": "4"},
        {
            "group_code": "KT-DG-001",
            "date": "03/06/2024",
            "member_number": "2",
            "loan_principal": "500.000",
            "loan_disbursed_on": "06/05/2024",
        },
        {"group_code": "KT-DG-001", "date": "04/06/2024", "member_number": "2", "shares": "x"},
    ]
    before = snapshot(world.store)
    with pytest.raises(vsla.ImportErrors) as refused:
        import_file(world.store, "opening", opening_file(tmp_path / "opening.csv", rows))
    assert snapshot(world.store) == before
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (4, "member_number"),
        (5, "loan_term_months"),
        (6, "date"),
        (6, "shares"),
    ]
    # the rows right now, the planner's checks: the figures that do not add up
    rows = [rows[0], rows[1], {**rows[3], "loan_term_months": "3", "interest_paid": "10.000"}]
    rows.append({"group_code": "KT-DG-001", "date": "03/06/2024", "member_number": "2",
                 "shares": "40", "exit_payout": "1.000"})  # fmt: skip
    with pytest.raises(vsla.ImportErrors) as refused:
        import_file(world.store, "opening", opening_file(tmp_path / "opening.csv", rows))
    assert snapshot(world.store) == before
    errors = refused.value.errors
    assert [(e.row, e.column) for e in errors] == [(5, "exit_payout")]
    assert "A Blưp" in errors[0].message
    assert "rule: leaver_payout" in errors[0].message
    rows.pop()
    rows.append({"group_code": "KT-DG-001", "date": "03/06/2024", "member_number": "2",
                 "shares": "40"})  # fmt: skip
    with pytest.raises(vsla.ImportErrors) as refused:
        import_file(world.store, "opening", opening_file(tmp_path / "opening.csv", rows))
    [error] = refused.value.errors
    assert (error.row, error.column) == (2, "loan_fund_cash")
    assert "a difference of -12.000 ₫ (rule: opening_balances)" in error.message
