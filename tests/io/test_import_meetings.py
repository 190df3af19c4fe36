"""Importing the ledger of meetings: a good file in CSV and in XLSX gives the balances
worked out by hand below; broken files give their exact row errors; a rule the store
refuses becomes a row error; and nothing is ever half-written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import vsla
from tests.conftest import snapshot
from tests.io.conftest import World, make_group, write_csv, write_xlsx
from vsla.io import ImportKind, ImportSummary, import_file

HEADER = [
    "group_code",
    "date",
    "member_number",
    "attendance",
    "shares",
    "social_fund",
    "fine_name",
    "fine_amount",
    "repayment_amount",
    "repayment_loan_date",
    "grant_amount",
    "loan_principal",
    "loan_term_months",
    "loan_purpose",
    "income_amount",
    "expense_amount",
    "memo",
]


def line(group: str, date: str, member: str = "", **cells: str) -> list[str]:
    """A row of the meetings template, cells by column name."""
    values = {"group_code": group, "date": date, "member_number": member, **cells}
    unknown = set(values) - set(HEADER)
    assert not unknown, unknown
    return [values.get(c, "") for c in HEADER]


G = "KT-DG-001"

# Three meetings of group KT-DG-001 (share 10.000, social fund 2.000, fines absence 5.000 and
# late 1.000, 2 %/month declining):
#
# 8 Jan:  shares 5 + 3 + 2 = 10 -> 100.000; social fund 3 × 2.000 = 6.000;
#         fines late 1.000 + absence 5.000 = 6.000; bank interest 1.500.
#         loan fund 107.500, social fund 6.000.
# 15 Jan: shares 10 more -> 207.500; social fund +6.000 -> 12.000; grant 3.000 -> 9.000;
#         expense 5.000 -> 202.500; Y Hoa borrows 100.000 for 3 months -> 102.500
#         (her savings 100.000 allow 300.000).
# 15 Feb: Y Hoa buys 1 share -> 112.500 and pays 52.000 on her loan: one month begun
#         (15 Jan - 15 Feb) at 2 % of 100.000 = 2.000 interest, then 50.000 principal
#         -> 164.500; 50.000 still outstanding.
GOOD = [
    HEADER,
    line(G, "08/01/2024", "1", attendance="có mặt", shares="5", social_fund="2.000"),
    line(G, "08/01/2024", "2", attendance="present", shares="3", social_fund="2000")[:6]
    + ["late"]
    + [""] * 10,
    line(G, "8/1/2024", "3", attendance="ủy quyền", shares="2", social_fund="2,000"),
    line(G, "08/01/2024", "4", attendance="vắng", shares="0", fine_name="absence"),
    line(G, "08/01/2024", income_amount="1.500", memo="lãi tiền gửi"),
    line(
        G,
        "15/01/2024",
        "1",
        attendance="có mặt",
        shares="5",
        social_fund="2.000",
        loan_principal="100.000",
        loan_term_months="3",
        loan_purpose="chăn nuôi",
    ),
    line(G, "15/01/2024", "2", attendance="có mặt", shares="3", social_fund="2.000"),
    line(
        G,
        "2024-01-15",
        "3",
        attendance="có mặt",
        shares="2",
        social_fund="2.000",
        grant_amount="3.000",
        memo="ốm",
    ),
    line(G, "15/01/2024", expense_amount="5.000", memo="sổ sách"),
    line(G, "15/02/2024", "1", attendance="có mặt", shares="1", repayment_amount="52.000"),
]


def _check_good(world: World, summary: ImportSummary, source: str) -> None:
    store, cycle = world.store, world.cycle
    assert summary == ImportSummary(
        ImportKind.MEETINGS,
        source,
        10,
        33,
        {"meetings": 3, "attendance": 8, "entries": 21, "loans": 1},
    )
    b = store.balances(cycle.id)
    assert (b.loan_fund_cash, b.social_fund_cash, b.loans_outstanding) == (164_500, 9_000, 50_000)
    assert (b.total_assets, b.shares, b.savings) == (223_500, 21, 210_000)
    assert (b.interest_paid, b.fines, b.other_income, b.expenses) == (2_000, 6_000, 1_500, 5_000)
    by_number = {m.id: m.number for m in world.members}
    balances = {
        by_number[mb.member_id]: (
            mb.shares,
            mb.social_fund_contributions,
            mb.fines,
            mb.principal_outstanding,
        )
        for mb in store.member_balances(cycle.id)
    }
    assert balances == {
        1: (11, 4_000, 0, 50_000),
        2: (6, 4_000, 1_000, 0),
        3: (4, 4_000, 0, 0),
        4: (0, 0, 5_000, 0),
    }
    [loan] = store.loans(cycle.id)
    assert (loan.terms.principal, loan.terms.term_months, loan.purpose) == (
        100_000,
        3,
        vsla.LoanPurpose.LIVESTOCK,
    )
    first = store.meetings(cycle.id)[0]
    assert first.attendance == {
        world.members[0].id: vsla.Attendance.PRESENT,
        world.members[1].id: vsla.Attendance.PRESENT,
        world.members[2].id: vsla.Attendance.REPRESENTED,
        world.members[3].id: vsla.Attendance.ABSENT,
    }
    memos = [(e.kind, e.memo) for e in store.entries(cycle.id) if e.memo]
    assert memos == [
        (vsla.EntryKind.FINE, "late"),
        (vsla.EntryKind.FINE, "absence"),
        (vsla.EntryKind.OTHER_INCOME, "lãi tiền gửi"),
        (vsla.EntryKind.SOCIAL_GRANT, "ốm"),
        (vsla.EntryKind.EXPENSE, "sổ sách"),
    ]


def test_good_csv(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "meetings.csv", GOOD)
    _check_good(world, import_file(world.store, ImportKind.MEETINGS, path), "meetings.csv")


def test_good_xlsx_with_typed_cells(world: World, tmp_path: Path) -> None:
    typed: list[list[object]] = []
    for row in GOOD[1:]:
        cells: list[object] = list(row)
        for i, column in enumerate(HEADER):
            text = row[i]
            if column == "date" and text:
                day = vsla.io.cells.parse_date(text)
                cells[i] = dt.datetime.combine(day, dt.time())  # a date cell
            elif column in ("shares", "member_number", "loan_term_months") and text:
                cells[i] = int(text)
            elif column.endswith("_amount") or column in ("social_fund", "loan_principal"):
                cells[i] = vsla.io.cells.parse_amount(text) if text else None  # a number cell
        typed.append(cells)
    path = write_xlsx(tmp_path / "meetings.xlsx", [HEADER, *typed])
    _check_good(world, import_file(world.store, ImportKind.MEETINGS, path), "meetings.xlsx")


def test_group_code_given_for_a_file_without_the_column(world: World, tmp_path: Path) -> None:
    rows = [[c for c in HEADER if c != "group_code"]] + [row[1:] for row in GOOD[1:]]
    path = write_csv(tmp_path / "meetings.csv", rows)
    summary = import_file(world.store, ImportKind.MEETINGS, path, group_code=G)
    _check_good(world, summary, "meetings.csv")


def _refused(store: vsla.Store, path: Path) -> list[vsla.RowError]:
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, ImportKind.MEETINGS, path)
    assert snapshot(store) == before
    return exc.value.errors


def test_broken_rows_every_error_at_once(world: World, tmp_path: Path) -> None:
    rows = [
        HEADER,
        line(G, "32/01/2024", "1", shares="1"),
        line(G, "08/01/2024", "9", shares="1"),
        line(G, "08/01/2024", "1", attendance="có mặt", shares="2", social_fund="-2.000"),
        line("KT-XX-999", "08/01/2024", "1", shares="1"),
        line(G, "08/01/2024", "1", attendance="có mặt", shares="2", social_fund="-2.000"),
        line(G, "08/01/2024", "2", attendance="abc"),
        line(G, "08/01/2024", "3", shares="9"),
        line(G, "08/01/2024", "4", fine_name="sleeping"),
        line(G, "08/01/2024", "4", attendance="có mặt"),
        line(G, "08/01/2024", "4", attendance="vắng"),
        line(G, "08/01/2024", "4", loan_principal="50.000"),
        line(G, "08/01/2024", shares="1"),
        line(G, "08/01/2024", "3", expense_amount="1.000"),
        line(G, "08/01/2025", "3", shares="1"),
        line(G, "08/01/2024", "2", repayment_amount="1.000", repayment_loan_date="01/01/2024"),
    ]
    errors = _refused(world.store, write_csv(tmp_path / "meetings.csv", rows))
    src = "meetings.csv"
    assert errors == [
        vsla.RowError(
            src, 2, "date", "'32/01/2024' is not a valid date (dates are day/month/year)"
        ),
        vsla.RowError(src, 3, "member_number", "group KT-DG-001 has no member number 9"),
        vsla.RowError(
            src, 4, "social_fund", "'-2.000' is negative; amounts are written without a sign"
        ),
        vsla.RowError(src, 5, "group_code", "unknown group 'KT-XX-999'"),
        vsla.RowError(src, 6, "", "duplicate row: the same as row 4"),
        vsla.RowError(
            src,
            7,
            "attendance",
            "'abc' is not one of: present, represented, absent "
            "(also: có mặt, có, ủy quyền, đại diện, vắng, vắng mặt)",
        ),
        vsla.RowError(
            src,
            8,
            "shares",
            "9 share(s): the constitution of group KT-DG-001 allows 1 to 5 per meeting",
        ),
        vsla.RowError(
            src,
            9,
            "fine_name",
            "'sleeping' is not a fine of the constitution of group KT-DG-001 "
            "(its fines: absence, late)",
        ),
        vsla.RowError(
            src, 11, "attendance", "already given for member 4 at this meeting in row 10"
        ),
        vsla.RowError(src, 12, "loan_term_months", "a loan needs its term in months"),
        vsla.RowError(
            src,
            13,
            "shares",
            "needs a member_number (a row without a member holds only income_amount, "
            "expense_amount and memo)",
        ),
        vsla.RowError(
            src, 14, "expense_amount", "goes on a row of its own, without a member_number"
        ),
        vsla.RowError(
            src,
            15,
            "date",
            "08/01/2025 is outside cycle 1 of group KT-DG-001 (08/01/2024 to 30/12/2024)",
        ),
        vsla.RowError(
            src,
            16,
            "repayment_loan_date",
            "A Blưp (number 2) has no loan disbursed on 01/01/2024",
        ),
    ]


def test_missing_column(world: World, tmp_path: Path) -> None:
    rows = [["group_code", "member_number", "shares"], [G, "1", "2"]]
    assert _refused(world.store, write_csv(tmp_path / "meetings.csv", rows)) == [
        vsla.RowError("meetings.csv", 1, "date", "missing column (the template requires it)")
    ]


def test_float_with_a_fraction_in_an_xlsx_cell(world: World, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["group_code", "date", "member_number", "shares", "social_fund"],
        [G, dt.date(2024, 1, 8), 1, Decimal("2.5"), 2_000],
        [G, dt.date(2024, 1, 8), 2, 2, Decimal("2000.5")],
        [G, dt.date(2024, 1, 8), 3, 2, 2_000],
    ]
    errors = _refused(world.store, write_xlsx(tmp_path / "m.xlsx", rows))
    assert errors == [
        vsla.RowError("m.xlsx", 2, "shares", "2.5 is not a whole number"),
        vsla.RowError("m.xlsx", 3, "social_fund", "2000.5 is not a whole number of đồng"),
    ]


def test_a_meeting_already_recorded_is_not_imported_again(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "meetings.csv", GOOD)
    import_file(world.store, ImportKind.MEETINGS, path)
    errors = _refused(world.store, path)
    assert len(errors) == 10
    assert errors[0] == vsla.RowError(
        "meetings.csv",
        2,
        "date",
        "group KT-DG-001 already has meetings recorded up to 15/02/2024: a meeting on "
        "08/01/2024 cannot be added (each meeting is imported once, in date order)",
    )


def test_a_rule_the_store_refuses_points_at_its_row_in_every_group(
    store: vsla.Store, tmp_path: Path
) -> None:
    make_group(store, "KT-DG-001")
    make_group(store, "KT-KR-002")
    rows = [
        HEADER,
        # KT-DG-001: on 15 Jan Y Hoa (savings 20.000: 3 x 20.000 = 60.000 allowed) asks for
        # 70.000
        line("KT-DG-001", "08/01/2024", "1", shares="1"),
        line("KT-DG-001", "08/01/2024", "2", shares="1"),
        line("KT-DG-001", "15/01/2024", "2", shares="1"),
        line(
            "KT-DG-001",
            "15/01/2024",
            "1",
            shares="1",
            loan_principal="70.000",
            loan_term_months="1",
        ),
        # KT-KR-002: 20.000 in the box, an expense of 25.000
        line("KT-KR-002", "08/01/2024", "1", shares="2"),
        line("KT-KR-002", "08/01/2024", expense_amount="25.000", memo="bàn ghế"),
        # KT-KR-002 later meeting, never reached: the group stops at its first refusal
        line("KT-KR-002", "15/01/2024", "1", shares="1"),
    ]
    errors = _refused(store, write_csv(tmp_path / "meetings.csv", rows))
    assert [(e.source, e.row, e.column) for e in errors] == [
        ("meetings.csv", 5, "loan_principal"),
        ("meetings.csv", 7, "expense_amount"),
    ]
    assert "(rule: max_loan_multiple)" in errors[0].message
    assert "Y Hoa" in errors[0].message
    assert "below zero" in errors[1].message


def test_repaying_a_loan_disbursed_earlier_in_the_same_file(world: World, tmp_path: Path) -> None:
    rows = [
        HEADER,
        line(G, "08/01/2024", "1", shares="5"),
        line(G, "08/01/2024", "2", shares="5"),
        line(G, "15/01/2024", "1", loan_principal="30.000", loan_term_months="1"),
        line(G, "15/01/2024", "2", loan_principal="20.000", loan_term_months="2"),
        line(G, "22/01/2024", "1", loan_principal="10.000", loan_term_months="1"),
        # Y Hoa has two unpaid loans: the date says which; A Blưp has one
        line(G, "29/01/2024", "1", repayment_amount="30.600", repayment_loan_date="15/01/2024"),
        line(G, "29/01/2024", "2", repayment_amount="5.000"),
    ]
    import_file(world.store, ImportKind.MEETINGS, write_csv(tmp_path / "meetings.csv", rows))
    loans = world.store.loans(world.cycle.id)
    on = dt.date(2024, 1, 29)
    positions = [world.store.loan_position(loan.id, on).principal_outstanding for loan in loans]
    # 30.600 = 600 interest (one month begun at 2 % of 30.000) + 30.000 principal;
    # A Blưp's 5.000 pays 400 interest, then 4.600 principal
    assert positions == [0, 15_400, 10_000]


def test_an_ambiguous_repayment_is_a_row_error(world: World, tmp_path: Path) -> None:
    rows = [
        HEADER,
        line(G, "08/01/2024", "1", shares="5"),
        line(G, "15/01/2024", "1", loan_principal="30.000", loan_term_months="1"),
        line(G, "22/01/2024", "1", loan_principal="10.000", loan_term_months="1"),
        line(G, "29/01/2024", "1", repayment_amount="5.000"),
    ]
    assert _refused(world.store, write_csv(tmp_path / "meetings.csv", rows)) == [
        vsla.RowError(
            "meetings.csv",
            5,
            "repayment_loan_date",
            "Y Hoa (number 1) has 2 unpaid loans (disbursed 15/01/2024, 22/01/2024): give the "
            "disbursement date of the loan repaid",
        )
    ]


def test_the_worked_example_of_the_docs(world: World, tmp_path: Path) -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "import-export.md"
    after = doc.read_text("utf-8").split("**A worked example.**", 1)[1]
    block = after.split("```csv\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "meetings.csv"
    path.write_text(block, "utf-8")
    _check_good(world, import_file(world.store, ImportKind.MEETINGS, path), "meetings.csv")
