"""``vsla report readiness`` on the hand-built programme of tests/store/test_readiness.py
(figures worked out there), in both languages, whole and by district."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import vsla
from tests.store.test_readiness import build_programme
from vsla.cli.main import app

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readiness") / "ready.db"
    with vsla.open(path) as store:
        build_programme(store)
    return path


def lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def cells(line: str) -> list[str]:
    """The cells of one row of a rich table."""
    return [cell.strip() for cell in line.split("│")[1:-1]]


def test_readiness_in_english(db: Path) -> None:
    result = run("report", "readiness", "--db", db, "--on", "2024-09-10", "--lang", "en")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Readiness for formal finance: Liên kết tài chính (thử) — on 2024-09-10" in out
    assert "Members still to refer to reach 15.0 %" in out
    # total: 15 members, 1 referred (6.7 %), 2 to refer, 7 shortlisted, 1 of 3 groups ready
    [total] = lines_with(out, "Total")
    assert cells(total) == ["Total", "15", "1", "6.7 %", "2", "7", "1/3"]
    # thresholds in the headers, value and verdict in the cells
    assert "Attendance >= 80.0 %" in out
    assert "PAR > 30 days <= 5.0 %" in out
    [group_b] = lines_with(out, "KT-DG-002 ")[:1]
    assert cells(group_b) == [
        "KT-DG-002",
        "Đắk Glei",
        "0 ✗",
        "85.0 % ✓",
        "100.0 % ✗",
        "0.0 % ✓",
        "— ✓",
        "3 ✗",
        "✗",
    ]
    assert "Referral shortlist (7 members)" in out
    [blup] = lines_with(out, "A Blưp")
    assert cells(blup) == ["Đắk Glei", "KT-DG-001", "2", "A Blưp", "8 ✓", "100.0 % ✓", "0 ✓", "1 ✓"]
    assert not lines_with(out, "Y Hoa")  # referred on 2024-08-01


def test_readiness_of_one_district_in_vietnamese(db: Path) -> None:
    result = run("report", "readiness", "--db", db, "--on", "2024-09-10", "--district", "Kon Plông")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Sẵn sàng tiếp cận tài chính chính thức" in out
    assert "Huyện Kon Plông" in out
    [total] = lines_with(out, "Tổng")
    assert cells(total) == ["Tổng", "5", "0", "0,0 %", "1", "3", "0/1"]
    assert "KT-DG-001" not in out
    assert "Danh sách đề xuất giới thiệu (3 thành viên)" in out


def test_an_unknown_district_is_one_clear_line(db: Path) -> None:
    result = run("report", "readiness", "--db", db, "--district", "Nowhere")
    assert result.exit_code == 1
    assert "no group of programme #1 is in district 'Nowhere'" in result.stderr
