"""Templates: a CSV header, an XLSX workbook with an example and a help sheet, and the
round trip: a template filled with its example rows imports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import vsla
from tests.io.conftest import World, write_csv
from vsla.io import COLUMNS, EXAMPLES, ImportKind, import_file, write_template

CLERK_KINDS = [k for k in ImportKind if k is not ImportKind.PROGRAMME]


@pytest.mark.parametrize("kind", CLERK_KINDS)
def test_csv_template_is_the_header_row(kind: ImportKind, tmp_path: Path) -> None:
    path = tmp_path / f"{kind.value}.csv"
    write_template(kind, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    assert data.decode("utf-8-sig") == ",".join(c.name for c in COLUMNS[kind]) + "\r\n"


@pytest.mark.parametrize("kind", CLERK_KINDS)
def test_xlsx_template_has_data_example_and_help_sheets(kind: ImportKind, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / f"{kind.value}.xlsx"
    write_template(kind.value, path)
    wb = load_workbook(path)
    assert wb.sheetnames == [kind.value, "example", "help"]
    names = [c.name for c in COLUMNS[kind]]
    data = [row for row in wb[kind.value].iter_rows(values_only=True) if any(row)]
    assert data == [tuple(names)]
    example = list(wb["example"].iter_rows(values_only=True))
    assert example[0] == tuple(names)
    assert [dict(zip(names, row, strict=True)) for row in example[1:]] == [
        {n: e.get(n) for n in names} for e in EXAMPLES[kind]
    ]
    help_rows = list(wb["help"].iter_rows(values_only=True))
    assert help_rows[0] == ("column", "required", "format", "default", "meaning")
    assert [r[0] for r in help_rows[1:]] == names
    assert all(r[1] in ("yes", "no") and r[2] and r[4] for r in help_rows[1:])
    defaults = {r[0]: r[3] for r in help_rows[1:]}
    assert {name: shown or "" for name, shown in defaults.items()} == {
        c.name: c.default for c in COLUMNS[kind]
    }


def _fill_xlsx(kind: ImportKind, path: Path) -> Path:
    """Copy the example sheet's rows under the data sheet's header, as a clerk would."""
    from openpyxl import load_workbook

    write_template(kind, path)
    wb = load_workbook(path)
    data, example = wb[kind.value], wb["example"]
    for r, row in enumerate(example.iter_rows(min_row=2, values_only=True), start=2):
        for c, value in enumerate(row, start=1):
            data.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def _fill_csv(kind: ImportKind, path: Path) -> Path:
    names = [c.name for c in COLUMNS[kind]]
    rows = [names] + [[e.get(n, "") for n in names] for e in EXAMPLES[kind]]
    return write_csv(path, rows, encoding="utf-8-sig")


@pytest.mark.parametrize("fill", [_fill_xlsx, _fill_csv], ids=["xlsx", "csv"])
def test_filled_templates_import(world: World, tmp_path: Path, fill: object) -> None:
    assert callable(fill)
    store = world.store
    other = store.add_group(
        vsla.NewGroup(code="KT-NEW", name="Tổ mới", established_on=dt.date(2024, 1, 1))
    )
    suffix = ".xlsx" if fill is _fill_xlsx else ".csv"
    members = fill(ImportKind.MEMBERS, tmp_path / f"members{suffix}")
    summary = import_file(store, ImportKind.MEMBERS, members, group_code=None)
    assert summary.per_table == {"members": 1}
    [hoa] = [m for m in store.members(world.group.id) if m.phone == "0912 345 678"]
    assert (hoa.number, hoa.full_name, hoa.birth_year) == (5, "Y Hoa", 1985)
    assert store.members(other.id) == []

    meetings = fill(ImportKind.MEETINGS, tmp_path / f"meetings{suffix}")
    assert import_file(store, ImportKind.MEETINGS, meetings).per_table == {
        "meetings": 1,
        "attendance": 2,
        "entries": 5,
        "loans": 1,
    }
    # entries: 2 shares (20.000), a social fund contribution (2.000), an absence fine
    # (5.000), stationery (15.000) and a loan (10.000): 20.000 + 5.000 - 15.000 - 10.000 = 0
    b = store.balances(world.cycle.id)
    assert (b.loan_fund_cash, b.social_fund_cash, b.loans_outstanding) == (0, 2_000, 10_000)

    referrals = fill(ImportKind.REFERRALS, tmp_path / f"referrals{suffix}")
    assert import_file(store, ImportKind.REFERRALS, referrals).records_created == 1
    support = fill(ImportKind.LIVELIHOOD, tmp_path / f"livelihood{suffix}")
    assert import_file(store, ImportKind.LIVELIHOOD, support).records_created == 1


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_programme_template_is_an_empty_export(
    store: vsla.Store, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"programme{suffix}"
    write_template(ImportKind.PROGRAMME, path)
    summary = import_file(store, ImportKind.PROGRAMME, path)
    assert (summary.rows_read, summary.records_created) == (0, 0)


def test_templates_refuse_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(vsla.InvalidInput, match=r"\.json or \.xlsx"):
        write_template(ImportKind.PROGRAMME, tmp_path / "programme.csv")
    with pytest.raises(vsla.InvalidInput, match=r"\.csv or \.xlsx"):
        write_template(ImportKind.MEMBERS, tmp_path / "members.ods")
