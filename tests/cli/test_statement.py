"""``vsla report statement``: the loan block in the reader's language, loans named by their
borrower and date (no database id), and "payable by today" from the loan's schedule.

Y Hương of tests.store.paper_world, on 6 May 2024: her first loan (100.000 of 5 February)
is repaid; her second (60.000 for 1 month) was made that day, so nothing is payable yet,
though 60.000 would clear it.
"""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

import vsla
from tests.store.paper_world import paper_world
from vsla.cli.main import app


def _statement(tmp_path: Path, lang: str) -> str:
    db = tmp_path / "paper.db"
    with vsla.open(db) as store:
        paper_world(store, share_out=False)
    result = CliRunner().invoke(
        app,
        [
            "report",
            "statement",
            "KT-DG-001",
            "1",
            "--on",
            "2024-05-06",
            "--db",
            str(db),
            "--lang",
            lang,
            "--cycle",
            "1",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_statement_in_vietnamese_is_wholly_vietnamese(tmp_path: Path) -> None:
    out = _statement(tmp_path, "vi")
    assert "Sao kê thành viên: Y Hương (số 1)" in out
    assert "Khoản vay ngày 05/02/2024 của Y Hương (số 1)" in out
    assert "Khoản vay ngày 06/05/2024 của Y Hương (số 1)" in out
    # 60.000 for 1 month from 6 May: due 6 June; interest 2 % x 60.000 = 1.200 payable then
    assert "06/06/2024" in out
    assert "phải trả đến hôm nay 0 ₫ (trả hết nợ: 60.000 ₫)" in out
    assert "kỳ trả tiếp theo: 06/06/2024" in out
    assert "đã trả hết" in out  # the first loan
    for english in ("principal", "interest", "schedule", "payments", "due", "overdue", "Loan"):
        assert not re.search(rf"\b{english}\b", out), english
    assert "#" not in out


def test_the_statement_in_english(tmp_path: Path) -> None:
    out = _statement(tmp_path, "en")
    assert "Member statement: Y Hương (no. 1)" in out
    assert "Loan of 2024-05-06 to Y Hương (no. 1)" in out
    assert "payable by today 0 VND (to settle: 60,000 VND)" in out
    # the first loan: 2.000 + 50.000 on 4 March, 1.000 + 50.000 on 1 April
    assert re.search(r"2024-03-04\s+principal\s+50,000 VND\s+interest\s+2,000 VND", out)
    assert re.search(r"2024-04-01\s+principal\s+50,000 VND\s+interest\s+1,000 VND", out)
    assert "#" not in out
    assert "₫" not in out
