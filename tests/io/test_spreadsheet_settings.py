"""What spreadsheet programs and their language settings do to a clerk's file (issue 16),
each case in a file typed the way the program types it: date cells, number cells and text
cells mixed in one column (openpyxl writes such cells directly; the LibreOffice round trips
are in test_libreoffice.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

import vsla
from tests.conftest import snapshot
from tests.io.conftest import World, write_csv, write_xlsx
from vsla.io import ImportKind, export_rows, import_file
from vsla.io.templates import COLUMNS

G = "KT-DG-001"
TODAY = dt.date(2026, 11, 30)
MEMBERS = ["group_code", "full_name", "sex", "ethnicity", "phone", "joined_on"]
MEETINGS = [c.name for c in COLUMNS[ImportKind.MEETINGS]]
Rows = list[Sequence[Any]]

SUPPORT = ["group_code", "member_number", "kind", "provider", "received_on", "value", "note"]


def _refused(
    store: vsla.Store, kind: ImportKind, path: Path, **options: object
) -> list[vsla.RowError]:
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, kind, path, today=TODAY, **options)  # type: ignore[arg-type]
    assert snapshot(store) == before
    return exc.value.errors


def _meeting(**cells: object) -> list[Any]:
    return [cells.get(name) for name in MEETINGS]


# ----------------------------------------------------------- 1. day and month swapped


def test_a_month_first_program_swapped_day_and_month(world: World, tmp_path: Path) -> None:
    """English (US) settings read the CSV text 07/04/2024 as 4 July 2024 (a date cell) and
    left 14/04/2024, which cannot be month first, as text. The date cell is refused with the
    date it probably meant; 05/05/2024 is the same date either way and passes."""
    rows: Rows = [
        MEMBERS,
        [G, "Y Hoa", "Nữ", "Xơ Đăng", None, dt.datetime(2024, 7, 4)],
        [G, "Y Lan", "Nữ", "Xơ Đăng", None, "14/04/2024"],
        [G, "A Mum", "Nam", "Ba Na", None, dt.date(2024, 5, 5)],
    ]
    errors = _refused(world.store, ImportKind.MEMBERS, write_xlsx(tmp_path / "m.xlsx", rows))
    assert [(e.row, e.column) for e in errors] == [(2, "joined_on")]
    assert errors[0].message.startswith(
        "the date cell 04/07/2024 (typed as 07/04/2024, meaning 07/04/2024?) is probably day "
        "and month swapped: other cells of this column are still text ('14/04/2024' in row 3)"
    )
    assert "Vietnamese or English (UK)" in errors[0].message


def test_date_cells_with_a_day_above_12_were_read_day_first(world: World, tmp_path: Path) -> None:
    """A date cell 13/03/2024 cannot come from a month-first reading: the column is not
    swapped, and its text dates are read as dd/mm/yyyy."""
    rows: Rows = [
        MEMBERS,
        [G, "Y Hoa", "Nữ", "", None, dt.date(2024, 3, 13)],
        [G, "Y Lan", "Nữ", "", None, dt.date(2024, 3, 5)],
        [G, "A Mum", "Nam", "", None, "14/03/2024"],
    ]
    import_file(world.store, "members", write_xlsx(tmp_path / "m.xlsx", rows), today=TODAY)
    joined = [m.joined_on for m in world.store.members(world.group.id)][-3:]
    assert joined == [dt.date(2024, 3, 13), dt.date(2024, 3, 5), dt.date(2024, 3, 14)]


def test_dates_in_the_future_are_refused(world: World, tmp_path: Path) -> None:
    rows: Rows = [MEMBERS, [G, "Y Hoa", "Nữ", "", "", "01/12/2026"]]
    path = write_csv(tmp_path / "m.csv", rows)
    errors = _refused(world.store, ImportKind.MEMBERS, path)
    assert [(e.row, e.column, e.message) for e in errors] == [
        (
            2,
            "joined_on",
            "01/12/2026 is in the future (today is 30/11/2026): it records something that has "
            "happened; are the day and month, or the year, mistyped?",
        )
    ]
    # the day after, it has happened
    import_file(world.store, "members", path, today=dt.date(2026, 12, 1))
    assert world.store.members(world.group.id)[-1].joined_on == dt.date(2026, 12, 1)


def test_a_future_meeting_and_referral_are_refused(world: World, tmp_path: Path) -> None:
    meeting: Rows = [MEETINGS, _meeting(group_code=G, date="05/01/2027", member_number=1, shares=1)]
    errors = _refused(world.store, ImportKind.MEETINGS, write_csv(tmp_path / "mt.csv", meeting))
    assert [(e.row, e.column) for e in errors] == [(2, "date")]
    assert errors[0].message.startswith("05/01/2027 is in the future (today is 30/11/2026)")
    referral: Rows = [
        ["group_code", "member_number", "institution", "service", "referred_on"],
        [G, 1, "NHCSXH", "vay", "2027-01-05"],
    ]
    errors = _refused(world.store, ImportKind.REFERRALS, write_csv(tmp_path / "r.csv", referral))
    assert [(e.row, e.column) for e in errors] == [(2, "referred_on")]
    support: Rows = [SUPPORT, [G, 1, "tập huấn", "", "01/12/2026", None, None]]
    errors = _refused(world.store, ImportKind.LIVELIHOOD, write_csv(tmp_path / "s.csv", support))
    assert [(e.row, e.column) for e in errors] == [(2, "received_on")]


# ------------------------------------------------------- 2. a thousand times too small


def test_amounts_below_the_smallest_sum_are_refused(world: World, tmp_path: Path) -> None:
    """Vietnamese settings read '1,000' as 1, '50,000' as 50 and '25,000' as 25 (number
    cells); below 100 ₫ each is refused, with its row and column."""
    rows: Rows = [
        MEETINGS,
        _meeting(group_code=G, date="08/01/2024", member_number=1, shares=5, social_fund=2000),
        _meeting(group_code=G, date="08/01/2024", member_number=2, fine_name="late", fine_amount=1),
        _meeting(group_code=G, date="08/01/2024", member_number=3, grant_amount=50, memo="ốm"),
        _meeting(group_code=G, date="08/01/2024", expense_amount=25, memo="sổ"),
    ]
    errors = _refused(world.store, ImportKind.MEETINGS, write_xlsx(tmp_path / "m.xlsx", rows))
    assert [(e.row, e.column, e.message.split(":")[0]) for e in errors] == [
        (3, "fine_amount", "1 ₫ is below the smallest amount a group handles (100 ₫)"),
        (4, "grant_amount", "50 ₫ is below the smallest amount a group handles (100 ₫)"),
        (5, "expense_amount", "25 ₫ is below the smallest amount a group handles (100 ₫)"),
    ]


def test_a_fine_a_thousandfold_below_the_constitution(world: World, tmp_path: Path) -> None:
    """With the minimum turned off, a 5 ₫ absence fine is still refused: the constitution says
    5.000 ₫, 1000 times more (>= the slip ratio 100). A 4.000 ₫ absence fine differs too,
    but plausibly (a reduced fine): imported, with a warning."""
    rows: Rows = [
        MEETINGS,
        _meeting(group_code=G, date="08/01/2024", member_number=1, shares=5),
        _meeting(
            group_code=G, date="08/01/2024", member_number=2, fine_name="absence", fine_amount=5
        ),
    ]
    errors = _refused(
        world.store, ImportKind.MEETINGS, write_xlsx(tmp_path / "m.xlsx", rows), min_amount=None
    )
    assert [(e.row, e.column) for e in errors] == [(3, "fine_amount")]
    assert errors[0].message.startswith(
        "the fine 'absence' is 5 ₫ but the constitution of group KT-DG-001 says 5.000 ₫: a "
        "thousand-fold slip"
    )
    rows[2] = _meeting(
        group_code=G, date="08/01/2024", member_number=2, fine_name="Absence", fine_amount=4000
    )
    summary = import_file(
        world.store, "meetings", write_xlsx(tmp_path / "ok.xlsx", rows), today=TODAY
    )
    assert [(w.row, w.column, w.message) for w in summary.warnings] == [
        (
            3,
            "fine_amount",
            "the fine 'absence' is 4.000 ₫ but the constitution of group KT-DG-001 says "
            "5.000 ₫: imported as given; check it",
        )
    ]


def test_an_amount_far_below_the_groups_usual_one_is_warned(world: World, tmp_path: Path) -> None:
    """Support values 1.500.000, 2.000.000, 1.000.000 and 5.000 (500.000 typed '500,000'
    somewhere would be 500; here 5.000 passes the minimum). The median of the four is
    (1.000.000 + 1.500.000) / 2 = 1.250.000, and 1.250.000 / 5.000 = 250 >= 100: a warning."""
    rows: Rows = [
        SUPPORT,
        [G, 1, "vật tư", "", "12/03/2024", 1_500_000, None],
        [G, 2, "vật tư", "", "12/03/2024", 2_000_000, None],
        [G, 3, "vật tư", "", "12/03/2024", 1_000_000, None],
        [G, 4, "vật tư", "", "12/03/2024", 5_000, None],
    ]
    summary = import_file(
        world.store, "livelihood", write_xlsx(tmp_path / "s.xlsx", rows), today=TODAY
    )
    assert [(w.row, w.column, w.message) for w in summary.warnings] == [
        (
            5,
            "value",
            "5.000 ₫ is 250 times smaller than group KT-DG-001's usual value (1.250.000 ₫, the "
            "median of its ledger and this file): a thousand-fold slip ('2,000' read as 2)? "
            "check it",
        )
    ]
    # now the ledger holds them: a 5.000 ₫ support is compared with the stored values too,
    # the median of 1.500.000, 2.000.000, 1.000.000, 5.000 and 5.000 is 1.000.000 = 200 x
    later: Rows = [SUPPORT, [G, 1, "tập huấn", "", "13/03/2024", 5_000, None]]
    summary = import_file(
        world.store, "livelihood", write_xlsx(tmp_path / "t.xlsx", later), today=TODAY
    )
    assert [w.message.split(" (")[0] for w in summary.warnings] == [
        "5.000 ₫ is 200 times smaller than group KT-DG-001's usual value"
    ]
    other: Rows = [SUPPORT, [G, 2, "tập huấn", "", "13/03/2024", 5_000, None]]
    path = write_xlsx(tmp_path / "u.xlsx", other)
    summary = import_file(world.store, "livelihood", path, today=TODAY, slip_ratio=None)
    assert summary.warnings == ()


def test_an_expense_far_below_the_ledgers_usual_one_is_warned(world: World, tmp_path: Path) -> None:
    """The meeting of 8 Jan records expenses of 15.000, 20.000 and 18.000 ₫ (shares
    4 x 5 x 10.000 = 200.000 ₫ pay for them). At 15 Jan an expense of 150 ₫ ('150,000' read as
    150 by Vietnamese settings) is compared with the ledger: the median of 15.000, 18.000,
    20.000 and 150 is (15.000 + 18.000) / 2 = 16.500, 16.500 / 150 = 110 >= 100: a warning."""
    first: Rows = [MEETINGS]
    first += [
        _meeting(group_code=G, date="08/01/2024", member_number=n, shares=5) for n in (1, 2, 3, 4)
    ]
    first += [
        _meeting(group_code=G, date="08/01/2024", expense_amount=amount, memo=memo)
        for amount, memo in ((15_000, "sổ"), (20_000, "bút"), (18_000, "phấn"))
    ]
    summary = import_file(world.store, "meetings", write_xlsx(tmp_path / "a.xlsx", first))
    assert summary.warnings == ()
    later: Rows = [
        MEETINGS,
        _meeting(group_code=G, date="15/01/2024", expense_amount=150, memo="x"),
    ]
    summary = import_file(world.store, "meetings", write_xlsx(tmp_path / "b.xlsx", later))
    assert [(w.row, w.column, w.message.split(":")[0]) for w in summary.warnings] == [
        (
            2,
            "expense_amount",
            "150 ₫ is 110 times smaller than group KT-DG-001's usual expense_amount (16.500 ₫, "
            "the median of its ledger and this file)",
        )
    ]
    assert world.store.balances(world.cycle.id).loan_fund_cash == 200_000 - 53_000 - 150


def test_the_thresholds_are_checked(world: World, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [MEMBERS])
    with pytest.raises(vsla.InvalidInput, match="min_amount is an amount >= 0"):
        import_file(world.store, "members", path, min_amount=-1)
    with pytest.raises(vsla.InvalidInput, match="slip_ratio is a whole number >= 2"):
        import_file(world.store, "members", path, slip_ratio=1)


def test_social_fund_typed_with_a_comma_under_vietnamese_settings(
    world: World, tmp_path: Path
) -> None:
    """'2,000' read as 2 by Vietnamese settings is below the minimum, not only a wrong
    multiple of the contribution."""
    rows: Rows = [
        MEETINGS,
        _meeting(group_code=G, date="08/01/2024", member_number=1, social_fund=2),
    ]
    errors = _refused(world.store, ImportKind.MEETINGS, write_xlsx(tmp_path / "m.xlsx", rows))
    assert [(e.row, e.column) for e in errors] == [(2, "social_fund")]
    assert errors[0].message.startswith("2 ₫ is below the smallest amount")


# ---------------------------------------------------------------- 3. '?' for letters


def test_question_marks_for_lost_letters(world: World, tmp_path: Path) -> None:
    """Saved in a character set without Vietnamese: 'Đặng Thị Hương' became '?·ng Th? H??ng'
    and the file is plain ASCII. One error for the whole file, with the UTF-8 advice."""
    rows: Rows = [
        MEMBERS,
        [G, "Y Hoa", "Nu", "Xo Dang", "", "08/01/2024"],
        [G, "??ng Th? H??ng", "Nu", "Kinh", "", "08/01/2024"],
        [G, "A Mum", "Nam", "X? ??ng", "", "08/01/2024"],
    ]
    path = tmp_path / "m.csv"
    path.write_bytes(_csv(rows).encode("ascii"))
    errors = _refused(world.store, ImportKind.MEMBERS, path)
    assert [(e.row, e.column, e.message) for e in errors] == [
        (
            0,
            "",
            "2 cell(s) hold '?' where letters were (first: row 3, column 'full_name': "
            "'??ng Th? H??ng'): the file was saved in a character set without Vietnamese "
            "letters, which turned them into '?'; save it again as UTF-8 (Excel: 'CSV UTF-8 "
            "(Comma delimited)'; LibreOffice: character set 'Unicode (UTF-8)') and import it "
            "again",
        )
    ]


# ------------------------------------------------------ 4. CSV for people and machines


def test_rates_in_csv_for_people_and_for_machines(tmp_path: Path) -> None:
    rows = [{"group": "KT-DG-001", "rate": Decimal("0.208"), "members": 25, "memo": "=1+2"}]
    export_rows(rows, tmp_path / "vi.csv", csv_lang="vi")
    export_rows(rows, tmp_path / "en.csv", csv_lang="en")
    export_rows(rows, tmp_path / "machine.csv")
    assert (tmp_path / "vi.csv").read_text("utf-8-sig").splitlines() == [
        "group;rate;members;memo",
        "KT-DG-001;0,208;25;'=1+2",
    ]
    assert (tmp_path / "en.csv").read_text("utf-8-sig").splitlines() == [
        "group,rate,members,memo",
        "KT-DG-001,0.208,25,'=1+2",
    ]
    assert (tmp_path / "machine.csv").read_bytes() == (tmp_path / "en.csv").read_bytes()
    with pytest.raises(vsla.InvalidInput, match="csv_lang is one of vi, en"):
        export_rows(rows, tmp_path / "x.csv", csv_lang="fr")


# ------------------------------------------------------------------ 5. .ods and .xls


def _ods(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """A minimal OpenDocument spreadsheet with typed cells, as LibreOffice stores them."""

    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, dt.date):
            return (
                f'<table:table-cell office:value-type="date" office:date-value="'
                f'{value.isoformat()}"><text:p>{value:%d/%m/%Y}</text:p></table:table-cell>'
            )
        if isinstance(value, int | Decimal):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="members">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


def test_an_ods_workbook_is_read(world: World, tmp_path: Path) -> None:
    rows: Rows = [
        MEMBERS,
        [G, "Đặng Thị Hương", "Nữ", "Kinh", "0912 345 678", dt.date(2024, 1, 8)],
        [G, "A Mum", "Nam", "Ba Na", None, dt.date(2024, 1, 15)],
    ]
    summary = import_file(world.store, "members", _ods(tmp_path / "m.ods", rows), today=TODAY)
    assert (summary.source, summary.rows_read, summary.records_created) == ("m.ods", 2, 2)
    got = [
        (m.number, m.full_name, m.phone, m.joined_on) for m in world.store.members(world.group.id)
    ]
    assert got[-2:] == [
        (5, "Đặng Thị Hương", "0912 345 678", dt.date(2024, 1, 8)),
        (6, "A Mum", None, dt.date(2024, 1, 15)),
    ]


def test_a_broken_ods_is_one_error(world: World, tmp_path: Path) -> None:
    path = tmp_path / "m.ods"
    path.write_bytes(b"not a workbook")
    errors = _refused(world.store, ImportKind.MEMBERS, path)
    assert [(e.row, e.column) for e in errors] == [(0, "")]
    assert errors[0].message.startswith("not a readable .ods workbook")


# ----------------------------------------------------------------- 6. two-digit years


def test_two_digit_years_are_one_error_for_the_column(world: World, tmp_path: Path) -> None:
    """A plain LibreOffice sheet with Vietnamese settings saves date cells to CSV as
    dd/mm/yy: 14 rows, one error (not 14), at the first row, saying to save as .xlsx."""
    rows: Rows = [MEMBERS]
    rows += [[G, f"Y Hoa {i}", "Nữ", "", "", f"{i:02d}/04/24"] for i in range(1, 15)]
    errors = _refused(world.store, ImportKind.MEMBERS, write_csv(tmp_path / "m.csv", rows))
    assert [(e.row, e.column, e.message) for e in errors] == [
        (
            2,
            "joined_on",
            "14 date(s) of this column (rows 2 to 15, first '01/04/24') have a two-digit "
            "year: the spreadsheet saved its short date format to CSV; save the sheet as "
            ".xlsx (or .ods) and import that, or format the column as dd/mm/yyyy (four-digit "
            "year) before saving as CSV",
        )
    ]


# --------------------------------------------------------------- 7. phones' leading 0


def test_a_phone_number_cell_gets_its_leading_zero_back(world: World, tmp_path: Path) -> None:
    rows: Rows = [
        MEMBERS,
        [G, "Y Mai", "Nữ", "", 912345678, "08/01/2024"],  # a number cell: 0 lost
        [G, "Y Lan", "Nữ", "", "0912 345 679", "08/01/2024"],  # text: kept
        [G, "A Mum", "Nam", "", 2603123456, "08/01/2024"],  # a landline of Kon Tum (0260)
        [G, "A Nhe", "Nam", "", 12345, "08/01/2024"],  # no number begins so: warned, kept
    ]
    summary = import_file(
        world.store, "members", write_xlsx(tmp_path / "m.xlsx", rows), today=TODAY
    )
    phones = [m.phone for m in world.store.members(world.group.id)][-4:]
    assert phones == ["0912345678", "0912 345 679", "02603123456", "12345"]
    assert [(w.row, w.message) for w in summary.warnings] == [
        (
            2,
            "912345678 lost its leading 0 (the spreadsheet stored it as a number): imported "
            "as 0912345678; format the column as text to keep it",
        ),
        (
            4,
            "2603123456 lost its leading 0 (the spreadsheet stored it as a number): imported "
            "as 02603123456; format the column as text to keep it",
        ),
        (
            5,
            "12345 does not start with 0 or 84: if the spreadsheet dropped a leading 0, "
            "correct the number (format the column as text to keep it)",
        ),
    ]


def _csv(rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        [["" if c is None else str(c) for c in row] for row in rows]
    )
    return out.getvalue()
