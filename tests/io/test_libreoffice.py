"""Round trips through LibreOffice Calc, the program many clerks use (issue 16).

Each file is made by LibreOffice itself (``soffice --headless --convert-to``), with the
language settings of the CSV import given as the filter's language token (1066 Vietnamese,
1033 English (US)). The tests skip when ``soffice`` is not installed (Debian:
``libreoffice-calc-nogui``). LibreOffice starts in seconds, so the files are made once per
module, in as few runs as possible, with a private profile so parallel runs do not clash.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

import vsla
from tests.conftest import snapshot
from tests.io.conftest import World
from vsla.io import ImportKind, export_rows, import_file, write_template

pytestmark = [
    pytest.mark.skipif(shutil.which("soffice") is None, reason="soffice is not installed"),
    pytest.mark.slow,  # about 30 s: LibreOffice starts six times
]

VI, US = 1066, 1033  # the CSV filter's language token: Vietnamese, English (US)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "import-export.md"

Convert = Callable[[Sequence[Path], str, Path, str | None], list[Path]]


def _csv_filter(separator: str, language: int) -> str:
    """The options of LibreOffice's CSV filter: separator, quote, UTF-8 (76), first line 1,
    no column formats, language."""
    return f"{ord(separator)},34,76,1,,{language}"


@pytest.fixture(scope="module")
def convert(tmp_path_factory: pytest.TempPathFactory) -> Convert:
    """``convert(files, to, outdir, infilter)``: LibreOffice converts ``files`` to ``to``
    (``xlsx``, ``ods``, ``xls`` or a ``csv:...`` filter) in ONE run, reading CSV files with
    the CSV filter's options ``infilter`` (:func:`_csv_filter`)."""
    profile = tmp_path_factory.mktemp("lo-profile")

    def run(
        files: Sequence[Path], to: str, outdir: Path, infilter: str | None = None
    ) -> list[Path]:
        args = [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            *([f"--infilter=CSV:{infilter}"] if infilter else []),
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *map(str, files),
        ]
        subprocess.run(args, check=True, capture_output=True, timeout=180)
        suffix = "." + to.split(":", 1)[0]
        out = [outdir / (f.stem + suffix) for f in files]
        assert all(p.is_file() for p in out), out
        return out

    return run


# ---------------------------------------------- template → filled in → xlsx, ods, xls


MEMBERS = [
    {"group_code": "KT-DG-001", "full_name": "Đặng Thị Hương", "sex": "Nữ", "birth_year": "1988",
     "ethnicity": "Kinh", "phone": "0912 345 678", "joined_on": "08/01/2024"},
    {"group_code": "KT-DG-001", "full_name": "A Blưp Kơ", "sex": "Nam", "ethnicity": "Xơ Đăng",
     "phone": "0386123456", "joined_on": "15/01/2024"},
]  # fmt: skip


def _worked_example() -> list[dict[str, str]]:
    """The meetings of the worked example in docs/import-export.md, as text cells."""
    after = DOCS.read_text("utf-8").split("**A worked example.**", 1)[1]
    lines = after.split("```csv\n", 1)[1].split("```", 1)[0].splitlines()
    import csv

    return list(csv.DictReader(lines))


def _fill(template: Path, kind: ImportKind, rows: list[dict[str, str]]) -> Path:
    """The template filled in as a clerk does: text typed in the data sheet's text cells."""
    from openpyxl import load_workbook

    wb = load_workbook(template)
    ws = wb[kind.value]
    names = [c.value for c in ws[1]]
    for r, row in enumerate(rows, start=2):
        for i, name in enumerate(names, start=1):
            if row.get(str(name)):
                ws.cell(row=r, column=i, value=row[str(name)])
    wb.save(template)
    return template


@pytest.fixture(scope="module")
def saved(convert: Convert, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """The filled members and meetings templates as LibreOffice saves them: xlsx, ods, xls."""
    base = tmp_path_factory.mktemp("filled")
    files = []
    for kind, rows in ((ImportKind.MEMBERS, MEMBERS), (ImportKind.MEETINGS, _worked_example())):
        path = base / f"{kind.value}.xlsx"
        write_template(kind, path)
        files.append(_fill(path, kind, rows))
    out: dict[str, list[Path]] = {}
    for to in ("xlsx", "ods", "xls"):
        outdir = base / f"saved-{to}"
        outdir.mkdir()
        out[to] = convert(files, to, outdir, None)
    return out


@pytest.mark.parametrize("suffix", ["xlsx", "ods", "xls"])
def test_a_template_filled_and_saved_by_libreoffice(
    world: World, saved: dict[str, list[Path]], suffix: str
) -> None:
    """The worked example (docs/import-export.md): after its three meetings the loan fund
    holds 164.500 ₫ (107.500 on 8 Jan; + 100.000 shares − 5.000 expense − 100.000 loan = 102.500
    on 15 Jan; + 10.000 share + 52.000 repayment = 164.500 on 15 Feb), the social fund 9.000 ₫
    (6.000 + 6.000 − 3.000 grant), 50.000 ₫ of the loan is outstanding and 21 shares are
    held. The two members get the numbers 5 and 6 (the group has 4)."""
    members, meetings = saved[suffix]
    summary = import_file(world.store, ImportKind.MEMBERS, members)
    assert (summary.rows_read, summary.records_created, summary.warnings) == (2, 2, ())
    got = [
        (m.number, m.full_name, m.sex, m.birth_year, m.ethnicity, m.phone, m.joined_on)
        for m in world.store.members(world.group.id)[4:]
    ]
    assert [(n, name, phone) for n, name, _, _, _, phone, _ in got] == [
        (5, "Đặng Thị Hương", "0912 345 678"),
        (6, "A Blưp Kơ", "0386123456"),
    ]
    assert [g[3] for g in got] == [1988, None]
    summary = import_file(world.store, ImportKind.MEETINGS, meetings)
    assert summary.per_table["meetings"] == 3
    b = world.store.balances(world.cycle.id)
    assert (b.loan_fund_cash, b.social_fund_cash, b.loans_outstanding, b.shares) == (
        164_500,
        9_000,
        50_000,
        21,
    )
    assert b.total_assets == 164_500 + 9_000 + 50_000 == 223_500


# ------------------------------------------------------ CSV opened with language settings


@pytest.fixture(scope="module")
def opened(convert: Convert, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Clerks' CSV files opened by LibreOffice with each language setting and saved as xlsx;
    and a sheet of date cells saved back to CSV."""
    base = tmp_path_factory.mktemp("opened")
    (base / "us").mkdir()
    (base / "vi").mkdir()
    (base / "csv").mkdir()
    members = base / "members.csv"
    members.write_text(
        "group_code,full_name,sex,joined_on\r\n"
        "KT-DG-001,Y Mai,Nữ,07/04/2024\r\n"
        "KT-DG-001,Y Lan,Nữ,14/04/2024\r\n",
        "utf-8",
    )
    meetings = base / "meetings.csv"
    meetings.write_text(
        "group_code,date,member_number,shares,social_fund,fine_name,fine_amount,grant_amount,memo\r\n"
        'KT-DG-001,08/01/2024,1,5,"2,000",,,,\r\n'
        'KT-DG-001,08/01/2024,2,3,"2,000",late,"1,000",,\r\n'
        'KT-DG-001,08/01/2024,3,2,"2,000",,,"50,000",ốm\r\n',
        "utf-8",
    )
    register = base / "register.csv"
    register.write_text(
        "group_code,full_name,sex,joined_on\r\n"
        + "".join(f"KT-DG-001,Y Hoa {i},Nữ,{i + 12:02d}/04/2024\r\n" for i in range(1, 15)),
        "utf-8",
    )
    (us,) = convert([members], "xlsx", base / "us", _csv_filter(",", US))
    (vi_meetings,) = convert([meetings], "xlsx", base / "vi", _csv_filter(",", VI))
    # opened with Vietnamese settings (its dates become date cells), saved again as CSV
    short_filter = f"csv:Text - txt - csv (StarCalc):{_csv_filter(',', VI)}"
    (short,) = convert([register], short_filter, base / "csv", _csv_filter(",", VI))
    return {"us": us, "vi_meetings": vi_meetings, "short": short}


def _refused(store: vsla.Store, kind: ImportKind, path: Path) -> list[vsla.RowError]:
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, kind, path)
    assert snapshot(store) == before
    return exc.value.errors


def test_english_us_settings_swap_day_and_month(world: World, opened: dict[str, Path]) -> None:
    """LibreOffice (en-US) made 07/04/2024 the date cell 4 July 2024 and left 14/04/2024 as
    text: refused, with the date meant."""
    errors = _refused(world.store, ImportKind.MEMBERS, opened["us"])
    assert [(e.row, e.column) for e in errors] == [(2, "joined_on")]
    assert errors[0].message.startswith(
        "the date cell 04/07/2024 (typed as 07/04/2024, meaning 07/04/2024?)"
    )


def test_vietnamese_settings_read_thousands_as_units(world: World, opened: dict[str, Path]) -> None:
    """LibreOffice (vi) read '2,000' as 2, '1,000' as 1 and '50,000' as 50: each refused."""
    errors = _refused(world.store, ImportKind.MEETINGS, opened["vi_meetings"])
    assert [(e.row, e.column, e.message.split(" is below")[0]) for e in errors] == [
        (2, "social_fund", "2 ₫"),
        (3, "social_fund", "2 ₫"),
        (3, "fine_amount", "1 ₫"),
        (4, "social_fund", "2 ₫"),
        (4, "grant_amount", "50 ₫"),
    ]


def test_date_cells_saved_to_csv_have_two_digit_years(
    world: World, opened: dict[str, Path]
) -> None:
    """Date cells saved by LibreOffice to CSV come out in its short format (two-digit
    years): one error for the 14 rows, saying to save as .xlsx."""
    lines = opened["short"].read_text("utf-8").splitlines()
    # the short date format of LibreOffice 7.4 here (its interface in English): mm/dd/yy
    assert lines[1:3] == ["KT-DG-001,Y Hoa 1,Nữ,04/13/24", "KT-DG-001,Y Hoa 2,Nữ,04/14/24"]
    errors = _refused(world.store, ImportKind.MEMBERS, opened["short"])
    assert len(errors) == 1
    assert (errors[0].row, errors[0].column) == (2, "joined_on")
    assert errors[0].message.startswith(
        "14 date(s) of this column (rows 2 to 15, first '04/13/24') have a two-digit year"
    )
    assert "save the sheet as .xlsx" in errors[0].message


# ------------------------------------------------------- export → opened by people


def test_an_export_opened_with_vietnamese_settings(convert: Convert, tmp_path: Path) -> None:
    """The CSV for people (csv_lang='vi') opened with Vietnamese settings keeps the rate
    0.208 and runs no formula; the CSV for machines, opened the same way, shows 208: why the
    two differ."""
    from openpyxl import load_workbook

    rows = [
        {"group": "KT-DG-001", "rate": Decimal("0.208"), "members": 25, "memo": "=1+2"},
        {"group": "@SUM(A1)", "rate": Decimal("0.5"), "members": 3, "memo": "-2+3"},
    ]
    people, machine = tmp_path / "people.csv", tmp_path / "machine.csv"
    export_rows(rows, people, csv_lang="vi")
    export_rows(rows, machine)
    (out,) = convert([people], "xlsx", tmp_path / "p", _csv_filter(";", VI))
    (raw,) = convert([machine], "xlsx", tmp_path / "m", _csv_filter(",", VI))
    sheet = load_workbook(out).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [Decimal(str(v[1])) for v in values] == [Decimal("0.208"), Decimal("0.5")]
    assert [v[2] for v in values] == [25, 3]
    assert [(v[0], v[3]) for v in values] == [("KT-DG-001", "'=1+2"), ("'@SUM(A1)", "'-2+3")]
    misread = load_workbook(raw).active
    assert misread is not None
    assert misread["B2"].value == 208  # '0.208' with Vietnamese settings: the point groups
