"""Bad files: arbitrary bytes, CSV and XLSX files through every importer and ``vsla import``.

Whatever the file, the only exception is a VslaError (typically ImportErrors) and nothing is
written; a valid export with one cell changed imports whole or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from typer.testing import CliRunner

import vsla
import vsla.demo
from tests.conftest import snapshot
from vsla import VslaError
from vsla.cli.main import app
from vsla.io import COLUMNS, ImportKind, export_programme, import_file

SCALE = float(os.environ.get("VSLA_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=max(1, int(30 * SCALE)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
KINDS = [k for k in ImportKind if k is not ImportKind.PROGRAMME]

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "KT-DG-001",
            "08/01/2024",
            "31/02/2024",
            "2024-01-08",
            "12.000",
            "-1",
            "1e309",
            "=1+1",
            '=HYPERLINK("x")',
            "@SUM(A1)",
            "x" * 3000,
            "\x00",
            "Y Hoa",
            "F",
            "present",
            "1",
            "0",
            "99999999999999999999999",
            "NaN",
            # the bounds of vsla.domain.limits, and just beyond
            "1.000.000.000.000",  # MAX_AMOUNT
            "1000000000001",
            "1.000.000.000.000.000",
            "10000000000000000000",
            "100.000.001",  # just above the plausibility threshold: a warning
            "01/01/1900",
            "31/12/1899",
            "31/12/2100",
            "01/01/2101",
            "08/11/9999",
            "120",  # MAX_TERM_MONTHS
            "121",
            "200000",
            "2147483648",
        ]
    ),
)


def programme_store() -> vsla.Store:
    store = vsla.open(":memory:")
    vsla.demo.generate(store, groups=1, seed=5)
    return store


def check_import(store: vsla.Store, kind: ImportKind | str, path: Path) -> None:
    before = snapshot(store)
    try:
        import_file(store, kind, path)
    except VslaError:
        assert snapshot(store) == before, "a refused import wrote something"


@st.composite
def csv_bytes(draw: st.DrawFn, kind: ImportKind) -> bytes:
    known = [c.name for c in COLUMNS[kind]]
    header = draw(
        st.lists(st.one_of(st.sampled_from(known), st.text(max_size=8)), min_size=1, max_size=8)
    )
    if draw(st.booleans()):
        header = known
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=4))
    out = io.StringIO()
    csv.writer(out, delimiter=draw(st.sampled_from([",", ";", "\t"]))).writerows([header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"]))
    return out.getvalue().encode(encoding, errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_arbitrary_csv(kind: ImportKind, tmp_path: Path) -> None:
    store = programme_store()

    @FUZZ
    @given(data=st.one_of(csv_bytes(kind), st.binary(max_size=300)))
    def run(data: bytes) -> None:
        path = tmp_path / f"{kind.value}.csv"
        path.write_bytes(data)
        check_import(store, kind, path)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("kind", [*KINDS, ImportKind.PROGRAMME])
def test_arbitrary_xlsx(kind: ImportKind, tmp_path: Path) -> None:
    store = programme_store()
    known = [c.name for c in COLUMNS.get(kind, [])] or ["key", "value"]

    @settings(FUZZ, max_examples=max(1, int(12 * SCALE)))
    @given(
        header=st.one_of(st.just(known), st.lists(st.text(max_size=6), min_size=1, max_size=5)),
        rows=st.lists(
            st.lists(
                st.one_of(
                    cells,
                    st.integers(),
                    st.sampled_from([10**12, 10**12 + 1, 10**15, 2**63]),
                    st.dates(),
                    st.sampled_from([dt.date(1899, 12, 31), dt.date(2101, 1, 1)]),
                    st.sampled_from(["=1+1", "=A1*2", "=SUM(B2:B9)"]),
                ),
                max_size=6,
            ),
            max_size=3,
        ),
        title=st.sampled_from([kind.value, "Sheet", "about", "members", "loans"]),
    )
    def run(header: list[str], rows: list[list[object]], title: str) -> None:
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = title
        table: list[list[object]] = [list(header), *rows]
        for row in table:
            ws.append([_cell(v) for v in row])
        path = tmp_path / f"{kind.value}.xlsx"
        wb.save(path)
        check_import(store, kind, path)

    run()


def _cell(value: object) -> object:
    """A value for openpyxl: text starting with "=" is written as a formula without a saved
    value (as scripts write them), which the importers must refuse at its row."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".json", ".xlsx", ".csv", ".txt"])
def test_arbitrary_bytes_as_a_programme(suffix: str, tmp_path: Path) -> None:
    store = programme_store()

    @FUZZ
    @given(
        data=st.one_of(
            st.binary(max_size=400),
            st.just(b"PK\x03\x04junk"),
            st.just(b'{"format": "vsla-programme", "tables": {"groups": [1]}}'),
        )
    )
    def run(data: bytes) -> None:
        path = tmp_path / f"p{suffix}"
        path.write_bytes(data)
        check_import(store, ImportKind.PROGRAMME, path)

    run()


@pytest.mark.slow
def test_a_programme_export_with_one_cell_changed_imports_whole_or_not_at_all(
    tmp_path: Path,
) -> None:
    source = programme_store()
    path = tmp_path / "p.xlsx"
    export_programme(source, path)
    base = openpyxl.load_workbook(path)
    sheets = [ws.title for ws in base.worksheets if ws.max_row > 1]

    @settings(FUZZ, max_examples=max(1, int(4 * SCALE)))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        wb = openpyxl.load_workbook(path)
        ws = wb[data.draw(st.sampled_from(sheets))]
        r = data.draw(st.integers(2, ws.max_row))
        c = data.draw(st.integers(1, ws.max_column))
        value = data.draw(
            st.one_of(
                cells,
                st.integers(-5, 10**7),
                st.sampled_from([10**12, 10**12 + 1, -(10**13) - 1, 10**19]),
                st.none(),
            )
        )
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        ws.cell(r, c).value = value
        changed = tmp_path / "changed.xlsx"
        wb.save(changed)
        target = vsla.open(":memory:")
        try:
            import_file(target, ImportKind.PROGRAMME, changed)
        except VslaError:
            assert all(rows == [] for rows in snapshot(target).values())
        else:  # all rows: as many groups, members and entries as the source
            for table in ("groups", "members", "entries", "loans"):
                assert len(snapshot(target)[table]) == len(snapshot(source)[table])

    run()


def test_a_missing_file_is_one_row_error(tmp_path: Path) -> None:
    store = vsla.open(":memory:")
    for name in ("nothing.csv", "nothing.xlsx", "nothing.json"):
        kind = ImportKind.PROGRAMME if name.endswith(".json") else ImportKind.MEMBERS
        with pytest.raises(vsla.ImportErrors, match="cannot be read") as info:
            import_file(store, kind, tmp_path / name)
        assert info.value.errors[0].row == 0


def test_an_unknown_kind_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(vsla.InvalidInput, match="unknown import kind ''"):
        import_file(vsla.open(":memory:"), "", tmp_path / "x.csv")
    with pytest.raises(vsla.InvalidInput, match="unknown import kind 'people'"):
        vsla.io.write_template("people", tmp_path / "x.csv")


@pytest.mark.slow
def test_cli_import_of_junk_fails_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    vsla.demo.generate(vsla.open(db), groups=1, seed=5)

    @settings(FUZZ, max_examples=max(1, int(8 * SCALE)))
    @given(data=st.one_of(csv_bytes(ImportKind.MEMBERS), st.binary(max_size=200)))
    def run(data: bytes) -> None:
        path = tmp_path / "members.csv"
        path.write_bytes(data)
        before = snapshot(vsla.open(db))
        result = CliRunner().invoke(app, ["import", "members", str(path), "--db", str(db)])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        if result.exit_code != 0:
            assert snapshot(vsla.open(db)) == before

    run()


def test_an_export_into_a_missing_folder_is_invalid_input(tmp_path: Path) -> None:
    for name in ("no/such/folder/rows.csv", "no/such/folder/rows.xlsx", "no/rows.json"):
        with pytest.raises(vsla.InvalidInput, match="cannot be written"):
            vsla.io.export_rows([{"k": 1}], tmp_path / name)
