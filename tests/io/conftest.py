"""Fixtures for the import/export tests: a group with four members and a running cycle, and
helpers that write the small CSV and XLSX files a clerk would send."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

import vsla

START = dt.date(2024, 1, 8)
END = dt.date(2024, 12, 30)
NAMES = ("Y Hoa", "A Blưp", "Y Nhí", "Đinh Thị Lệ")

Cell = str | int | Decimal | dt.date | None


def rules(**overrides: object) -> vsla.Constitution:
    base: dict[str, object] = {
        "share_value": 10_000,
        "social_fund_contribution": 2_000,
        "interest_rate": Decimal("0.02"),
        "fines": {"absence": 5_000, "late": 1_000},
    }
    base.update(overrides)
    return vsla.Constitution.model_validate(base)


@dataclass
class World:
    store: vsla.Store
    group: vsla.Group
    cycle: vsla.Cycle
    members: list[vsla.Member]


def make_group(store: vsla.Store, code: str = "KT-DG-001", *, cycle: bool = True) -> World:
    group = store.add_group(
        vsla.NewGroup(
            code=code,
            name="Tổ tiết kiệm thôn Đăk Nhoong",
            district="Đắk Glei",
            established_on=START,
            gal_pilot_since=START,
        )
    )
    members = store.add_members(
        [
            vsla.NewMember(
                group_id=group.id,
                full_name=name,
                sex=vsla.Sex.MALE if name.startswith("A ") else vsla.Sex.FEMALE,
                ethnicity="Xơ Đăng",
                joined_on=START,
            )
            for name in NAMES
        ]
    )
    started = store.start_cycle(group.id, start=START, end=END, constitution=rules())
    return World(store, group, started, members)


@pytest.fixture
def world(store: vsla.Store) -> World:
    return make_group(store)


def csv_bytes(rows: Sequence[Sequence[Cell]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if c is None else str(c) for c in row] for row in rows]
    )
    return out.getvalue()


def write_csv(
    path: Path, rows: Sequence[Sequence[Cell]], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    path.write_bytes(csv_bytes(rows, delimiter).encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], *, sheet: str = "data") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path
