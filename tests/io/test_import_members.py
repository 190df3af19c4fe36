"""Importing members: good files in CSV and XLSX and in every encoding a clerk's computer
produces, and broken files, each with its exact list of row errors and nothing written."""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

import vsla
from tests.conftest import snapshot
from tests.io.conftest import write_csv, write_xlsx
from vsla.io import ImportKind, ImportSummary, XlsxUnavailable, import_file

HEADER = [
    "group_code",
    "member_number",
    "full_name",
    "sex",
    "birth_year",
    "ethnicity",
    "phone",
    "joined_on",
    "left_on",
    "exit_reason",
]
GOOD = [
    HEADER,
    ["KT-KR-007", "", "Y Hoa", "Nữ", "1985", "Xơ Đăng", "0912 345 678", "08/01/2024", "", ""],
    ["KT-KR-007", "5", "A Blưp", "Nam", "", "Ba Na", "", "2024-01-08", "", ""],
    ["KT-KR-007", "", "Y Nhí", "F", "1990", "", "", "8/1/2024", "30/06/2024", "chuyển đi"],
]


@pytest.fixture
def group(store: vsla.Store) -> vsla.Group:
    return store.add_group(
        vsla.NewGroup(
            code="KT-KR-007",
            name="Tổ thôn Kon Rẫy",
            district="Kon Rẫy",
            established_on=dt.date(2024, 1, 1),
        )
    )


def _people(store: vsla.Store, group: vsla.Group) -> list[tuple[object, ...]]:
    return [
        (
            *(m.number, m.full_name, m.sex.value, m.birth_year, m.ethnicity, m.phone),
            *(m.joined_on, m.left_on, m.exit_reason),
        )
        for m in store.members(group.id)
    ]


EXPECTED = [
    (1, "Y Hoa", "F", 1985, "Xơ Đăng", "0912 345 678", dt.date(2024, 1, 8), None, None),
    (5, "A Blưp", "M", None, "Ba Na", None, dt.date(2024, 1, 8), None, None),
    (
        6,
        "Y Nhí",
        "F",
        1990,
        "",
        None,
        dt.date(2024, 1, 8),
        dt.date(2024, 6, 30),
        vsla.ExitReason.MOVED,
    ),
]


def test_good_csv(store: vsla.Store, group: vsla.Group, tmp_path: Path) -> None:
    summary = import_file(store, ImportKind.MEMBERS, write_csv(tmp_path / "members.csv", GOOD))
    assert summary == ImportSummary(ImportKind.MEMBERS, "members.csv", 3, 3, {"members": 3})
    assert _people(store, group) == EXPECTED


def test_good_xlsx_with_typed_cells_and_the_group_given(
    store: vsla.Store, group: vsla.Group, tmp_path: Path
) -> None:
    rows: list[list[object]] = [
        [*HEADER[1:]],
        [None, "Y Hoa", "Nữ", 1985, "Xơ Đăng", "0912 345 678", dt.date(2024, 1, 8)],
        [5, "A Blưp", "Nam", None, "Ba Na", None, dt.datetime(2024, 1, 8)],
        [None, "Y Nhí", "F", 1990, None, None, "8/1/2024", dt.date(2024, 6, 30), "chuyển đi"],
    ]
    path = write_xlsx(tmp_path / "members.xlsx", rows)
    summary = import_file(store, "members", path, group_code="KT-KR-007")
    assert summary.records_created == 3
    assert _people(store, group) == EXPECTED


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("utf-16", "\t"), ("utf-16-le", "\t"), ("utf-8", ";")],
    ids=["utf8-bom", "utf16-excel-unicode-text", "utf16-no-bom", "semicolons"],
)
def test_encodings_and_separators(
    store: vsla.Store, group: vsla.Group, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = write_csv(tmp_path / "members.csv", GOOD, encoding=encoding, delimiter=delimiter)
    import_file(store, ImportKind.MEMBERS, path)
    assert _people(store, group) == EXPECTED


def test_decomposed_vietnamese_is_stored_in_nfc(
    store: vsla.Store, group: vsla.Group, tmp_path: Path
) -> None:
    rows = [HEADER, ["KT-KR-007", "", unicodedata.normalize("NFD", "Đinh Thị Lệ"), "Nữ"]]
    rows[1] += ["", unicodedata.normalize("NFD", "Giẻ Triêng"), "", "08/01/2024"]
    import_file(store, ImportKind.MEMBERS, write_csv(tmp_path / "members.csv", rows))
    [member] = store.members(group.id)
    assert member.full_name == "Đinh Thị Lệ" == unicodedata.normalize("NFC", "Đinh Thị Lệ")
    assert member.ethnicity == "Giẻ Triêng"


def _refused(
    store: vsla.Store, path: Path, *, group_code: str | None = None
) -> list[vsla.RowError]:
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, ImportKind.MEMBERS, path, group_code=group_code)
    assert snapshot(store) == before
    return exc.value.errors


def test_every_row_error_at_once_and_nothing_written(
    store: vsla.Store, group: vsla.Group, tmp_path: Path
) -> None:
    store.add_member(
        vsla.NewMember(
            group_id=group.id,
            full_name="Y Mai",
            sex="F",
            birth_year=1980,
            joined_on=dt.date(2024, 1, 1),
        )
    )
    rows = [
        HEADER,
        ["KT-KR-007", "", "Y Hoa", "Nữ", "1985", "", "", "31/02/2024", "", ""],
        ["KT-XX-001", "", "A Blưp", "Nam", "", "", "", "08/01/2024", "", ""],
        ["KT-KR-007", "", "Y Nhí", "X", "", "", "", "08/01/2024", "", ""],
        ["KT-KR-007", "", "Y Nhí", "F", "1700", "", "", "08/01/2024", "", ""],
        ["KT-KR-007", "", "Y Hoa", "Nữ", "1985", "", "", "31/02/2024", "", ""],
        ["KT-KR-007", "", "Y Gương", "F", "", "", "", "08/01/2024", "", "chuyển đi"],
        ["KT-KR-007", "1", "A Thút", "M", "", "", "", "08/01/2024", "", ""],
        ["KT-KR-007", "", "Y Mai", "F", "1980", "", "", "01/01/2024", "", ""],
        ["KT-KR-007", "", "", "F", "", "", "", "08/01/2024", "", ""],
        ["KT-KR-007", "", "Y Lan", "F", "", "", "", "08/01/2024", "01/01/2024", "moved"],
        ["", "", "", "", "", "", "", "", "", ""],  # a blank row is skipped, not an error
        ["KT-KR-007", "2", "Y Lan", "F", "", "", "", "08/01/2024", "", ""],
    ]
    errors = _refused(store, write_csv(tmp_path / "members.csv", rows))
    src = "members.csv"
    assert errors == [
        vsla.RowError(
            src, 2, "joined_on", "'31/02/2024' is not a valid date (dates are day/month/year)"
        ),
        vsla.RowError(src, 3, "group_code", "unknown group 'KT-XX-001'"),
        vsla.RowError(src, 4, "sex", "'X' is not one of: F, M (also: Nữ, female, Nam, male)"),
        vsla.RowError(src, 5, "birth_year", "1700 is not a plausible birth year"),
        vsla.RowError(src, 6, "", "duplicate row: the same as row 2"),
        vsla.RowError(
            src, 7, "exit_reason", "an exit reason needs the day the member left (left_on)"
        ),
        vsla.RowError(
            src,
            8,
            "member_number",
            "number 1 of group KT-KR-007 is already taken (Y Mai, already a member)",
        ),
        vsla.RowError(
            src,
            9,
            "full_name",
            "Y Mai (born 1980, joined 01/01/2024) is already member number 1 of group "
            "KT-KR-007; give a member_number if this is another person",
        ),
        vsla.RowError(src, 10, "full_name", "is empty; a value is required"),
        vsla.RowError(
            src, 11, "left_on", "01/01/2024 is before the day the member joined (08/01/2024)"
        ),
        vsla.RowError(
            src,
            13,
            "member_number",
            "number 2 of group KT-KR-007 is already taken (row 2, numbered automatically)",
        ),
    ]


def test_missing_column_stops_at_the_header(
    store: vsla.Store, group: vsla.Group, tmp_path: Path
) -> None:
    rows = [[c for c in HEADER if c != "sex"], ["KT-KR-007", "", "Y Hoa", "", "", "", "08/01/2024"]]
    errors = _refused(store, write_csv(tmp_path / "members.csv", rows))
    assert errors == [
        vsla.RowError("members.csv", 1, "sex", "missing column (the template requires it)")
    ]


def test_unknown_and_repeated_columns(store: vsla.Store, group: vsla.Group, tmp_path: Path) -> None:
    rows = [["group_code", "full_name", "Sex", "joined_on", "phon", "full name"]]
    errors = _refused(store, write_csv(tmp_path / "members.csv", rows))
    assert errors == [
        vsla.RowError("members.csv", 1, "phon", "unknown column 'phon'; did you mean 'phone'?"),
        vsla.RowError("members.csv", 1, "full_name", "the column appears twice"),
    ]


def test_group_given_and_rows_for_another_group(
    store: vsla.Store, group: vsla.Group, tmp_path: Path
) -> None:
    rows = [[*HEADER[:4], "joined_on"], ["KT-DG-001", "", "Y Hoa", "F", "08/01/2024"]]
    errors = _refused(store, write_csv(tmp_path / "m.csv", rows), group_code="KT-KR-007")
    assert errors == [
        vsla.RowError(
            "m.csv",
            2,
            "group_code",
            "the row is for group 'KT-DG-001' but this import is for group 'KT-KR-007'",
        )
    ]


def test_a_windows_1258_file_is_one_clear_error(
    store: vsla.Store, group: vsla.Group, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    text = unicodedata.normalize("NFD", "group_code,full_name,sex,joined_on\r\n")
    text += unicodedata.normalize("NFD", "KT-KR-007,Đinh Thị Hà,F,08/01/2024\r\n")
    path.write_bytes(text.encode("cp1258"))
    [error] = _refused(store, path)
    assert (error.source, error.row, error.column) == ("members.csv", 0, "")
    assert error.message == (
        "the file is not UTF-8 text (byte 0xD0 on line 2): it was probably saved in a Windows "
        "code page (Windows-1258 or Windows-1252); save it again as UTF-8 (Excel: 'CSV UTF-8 "
        "(Comma delimited)'; LibreOffice: character set 'Unicode (UTF-8)') and import it again"
    )


def test_mangled_utf8_is_one_clear_error(
    store: vsla.Store, group: vsla.Group, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    text = "group_code,full_name,sex,joined_on\r\nKT-KR-007,Y Hoa,F,08/01/2024\r\n"
    text += "KT-KR-007,Đinh Thị Lệ,F,08/01/2024\r\n"
    mangled = "".join(
        bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8")
    )
    path.write_text(mangled, encoding="utf-8")
    [error] = _refused(store, path)
    assert (error.row, error.column) == (0, "")
    assert error.message.startswith(
        "the text is mangled: UTF-8 was read as Windows-1252 and saved again (row 3: "
    )
    assert error.message.endswith(
        "is probably 'Đinh Thị Lệ'); export the data again from the original file as UTF-8"
    )


def test_xlsx_cell_with_a_fraction(store: vsla.Store, group: vsla.Group, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["group_code", "full_name", "sex", "birth_year", "joined_on"],
        ["KT-KR-007", "Y Hoa", "F", Decimal("1985.5"), dt.date(2024, 1, 8)],
        ["KT-KR-007", "Y Nhí", "F", 1990, 45_300],
    ]
    errors = _refused(store, write_xlsx(tmp_path / "members.xlsx", rows))
    assert errors == [
        vsla.RowError("members.xlsx", 2, "birth_year", "1985.5 is not a whole number"),
        vsla.RowError(
            "members.xlsx",
            3,
            "joined_on",
            "45300 is a number, not a date: type the date as dd/mm/yyyy or format the cell as "
            "a date",
        ),
    ]


def test_a_workbook_named_csv_and_an_unknown_suffix(
    store: vsla.Store, group: vsla.Group, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "members.xlsx", [HEADER])
    renamed = path.rename(tmp_path / "members.csv")
    assert _refused(store, renamed) == [
        vsla.RowError(
            "members.csv",
            0,
            "",
            "this is an Excel workbook, not a CSV text file: give it the suffix .xlsx",
        )
    ]
    with pytest.raises(vsla.InvalidInput, match=r"\.csv, \.xlsx, \.ods and \.xls files"):
        import_file(store, ImportKind.MEMBERS, tmp_path / "members.numbers")


def test_xlsx_without_openpyxl_says_what_to_install(
    store: vsla.Store, group: vsla.Group, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_xlsx(tmp_path / "members.xlsx", GOOD)
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(XlsxUnavailable, match=r"install vsla\[xlsx\]") as exc:
        import_file(store, ImportKind.MEMBERS, path)
    assert isinstance(exc.value, ImportError)
    assert isinstance(exc.value, vsla.VslaError)
