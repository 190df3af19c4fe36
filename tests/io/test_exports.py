"""The ledger export and report rows, in CSV, XLSX and JSON: exact values, no float."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import vsla
from tests.io import dataset
from vsla.io import LEDGER_COLUMNS, export_ledger, export_rows


def _read(path: Path) -> list[dict[str, Any]]:
    """Rows back from any of the three formats, every value as text for comparison."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    if path.suffix == ".json":
        rows = json.loads(path.read_text("utf-8"))
        return [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]
    from openpyxl import load_workbook

    ws = load_workbook(path).worksheets[0]
    values = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in values[0]]
    out = []
    for row in values[1:]:
        cells = []
        for v in row:
            if isinstance(v, dt.datetime):
                v = v.date()
            cells.append("" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v))
        out.append(dict(zip(header, cells, strict=True)))
    return out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_ledger_export_sums_to_the_balances(store: vsla.Store, tmp_path: Path, suffix: str) -> None:
    dataset.build(store)
    path = tmp_path / f"ledger{suffix}"
    count = export_ledger(store, path)
    rows = _read(path)
    # 61 entries, plus the interest due written off with the loan's principal on 2024-04-01
    # (a write-off covers all the borrower still owes, principal and interest apart)
    assert len(rows) == count == 62
    assert list(rows[0]) == list(LEDGER_COLUMNS)
    cash: dict[tuple[str, str], int] = defaultdict(int)
    social: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        cash[row["group_code"], row["cycle_number"]] += int(row["loan_fund_change"])
        social[row["group_code"], row["cycle_number"]] += int(row["social_fund_change"])
    for group in store.groups():
        for cycle in store.cycles(group.id):
            b = store.balances(cycle.id)
            key = (group.code, str(cycle.number))
            assert (cash[key], social[key]) == (b.loan_fund_cash, b.social_fund_cash)
    first = rows[0]
    assert first == {
        "entry_id": "1",
        "group_code": "KT-DG-001",
        "cycle_number": "1",
        "meeting_date": "2024-01-08",
        "meeting_number": "1",
        "kind": "social_contribution",
        "origin": "meeting",
        "member_number": "1",
        "amount": "2000",
        "shares": "0",
        "loan_id": "",
        "memo": "",
        "reverses_entry_id": "",
        "loan_fund_change": "0",
        "social_fund_change": "2000",
    }
    reversal = next(r for r in rows if r["reverses_entry_id"])
    # the link is in reverses_entry_id and the meaning in origin; the memo is the reason
    assert (reversal["kind"], reversal["origin"], reversal["amount"], reversal["memo"]) == (
        "fine",
        "reversal",
        "-1000",
        "nhập nhầm bởi Đinh Thị Lệ",
    )
    write_offs = [(r["kind"], r["origin"]) for r in rows if r["origin"] == "write_off"]
    assert write_offs == [("write_off", "write_off"), ("interest_write_off", "write_off")]


def test_ledger_export_of_one_programme(store: vsla.Store, tmp_path: Path) -> None:
    dataset.build(store)
    [programme] = store.programmes()
    export_ledger(store, tmp_path / "l.csv", programme_id=programme.id)
    assert {r["group_code"] for r in _read(tmp_path / "l.csv")} == {"KT-DG-001"}


def test_pseudonymised_ledger(store: vsla.Store, tmp_path: Path) -> None:
    dataset.build(store)
    path = tmp_path / "ledger.csv"
    export_ledger(store, path, pseudonymise=True, salt="bí mật")
    rows = _read(path)
    assert "member_number" not in rows[0]
    assert len({r["member_pseudonym"] for r in rows if r["member_pseudonym"]}) == 6
    data = path.read_bytes()
    for secret in dataset.NAMES + dataset.PHONES + dataset.FREE_TEXT:
        assert secret.encode("utf-8") not in data, secret
    # kept: fine names and what the library writes on an exit and a cycle's opening; a
    # reversal's reason is free text and goes
    memos = {r["memo"] for r in rows}
    assert memos == {"", "late", "absence", "exit: moved", "carried from cycle 1"}


def test_export_rows_writes_exact_values(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [
        {
            "district": "Đắk Glei",
            "referral_rate": Decimal("0.1234567890123456789"),
            "members": 120,
            "on": dt.date(2024, 6, 30),
            "met": True,
            "sex": vsla.Sex.FEMALE,
        },
        {"district": "Ngọc Hồi", "referral_rate": None, "members": 0, "note": "no members"},
    ]
    assert export_rows(rows, tmp_path / "r.csv") == 2
    assert (tmp_path / "r.csv").read_text("utf-8-sig").splitlines() == [
        "district,referral_rate,members,on,met,sex,note",
        "Đắk Glei,0.1234567890123456789,120,2024-06-30,true,F,",
        "Ngọc Hồi,,0,,,,no members",
    ]
    export_rows(rows, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text("utf-8")) == [
        {
            "district": "Đắk Glei",
            "referral_rate": "0.1234567890123456789",
            "members": 120,
            "on": "2024-06-30",
            "met": True,
            "sex": "F",
            "note": None,
        },
        {
            "district": "Ngọc Hồi",
            "referral_rate": None,
            "members": 0,
            "on": None,
            "met": None,
            "sex": None,
            "note": "no members",
        },
    ]
    export_rows(rows, tmp_path / "r.xlsx", sheet="districts")
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "r.xlsx")["districts"]
    assert [c.value for c in ws[2]][2:4] == [120, dt.datetime(2024, 6, 30)]


def test_export_rows_refuses_a_float_and_an_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(vsla.InvalidInput, match="cannot be exported"):
        export_rows([{"rate": float("0.15")}], tmp_path / "r.csv")
    with pytest.raises(vsla.InvalidInput, match=r"\.csv, \.xlsx or \.json"):
        export_rows([{"a": 1}], tmp_path / "r.txt")


def test_a_formula_looking_text_stays_text_in_xlsx(tmp_path: Path) -> None:
    export_rows([{"memo": "=1+1"}], tmp_path / "r.xlsx")
    from openpyxl import load_workbook

    cell = load_workbook(tmp_path / "r.xlsx").worksheets[0]["A2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
