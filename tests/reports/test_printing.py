"""Printed documents: the words and figures a person reads, in the HTML and in the PDF.

The PDF is read back with poppler's ``pdftotext`` and drawn with ``pdftoppm`` (the
poppler-utils package, which .ci/run installs); those tests skip when the tools or fpdf2
(``vsla[print]``) are missing. The figures are those of tests.store.paper_world.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

import vsla
from tests.store.paper_world import D2, PaperWorld, paper_world
from vsla.reports.printing import (
    minutes_documents,
    passbook_documents,
    render_html,
    share_out_documents,
    write_documents,
)
from vsla.reports.printing.pdf import find_font
from vsla.words import Lang


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

        self.hidden = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hidden = tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self.hidden = False

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(page: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split()), parser.tags


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return out.stdout


@pytest.fixture(scope="module")
def pw() -> Iterator[PaperWorld]:
    store = vsla.open(":memory:")
    yield paper_world(store)
    store.close()


def _needs_pdf() -> None:
    pytest.importorskip("fpdf")
    for tool in ("pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")
    try:
        find_font()
    except vsla.FontNotFound:
        pytest.skip("DejaVu Sans is not installed (apt-get install fonts-dejavu-core)")


def test_passbook_html_in_vietnamese_names_the_member_and_every_figure(pw: PaperWorld) -> None:
    page = render_html(passbook_documents(pw.world.store, pw.world.cycle.id, lang=Lang.VI))
    text, tags = html_text(page)
    assert tags.count("section") == 3  # one page per member
    assert {"script", "link", "img"}.isdisjoint(tags)  # self-contained
    assert "@page" in page
    assert "Sổ thành viên — Y Hương (số 1)" in text
    assert "Sổ thành viên — Đinh Thị Lành (số 3)" in text
    # line 3 of Y Hương's passbook: absent, fined, 2.000 + 50.000 repaid, 50.000 owed
    assert "3 04/03/2024 Vắng 5 50.000 ₫ 5.000 ₫ 2.000 ₫ 50.000 ₫ 50.000 ₫" in text
    # the write-off line and the totals
    assert "6 10/06/2024 — 7 70.000 ₫ 62.400 ₫ 0 ₫" in text
    assert "Cộng 7 7 70.000 ₫ 8.000 ₫ 5.000 ₫ 160.000 ₫ 3.000 ₫ 100.000 ₫ 62.400 ₫ 0 ₫" in text
    assert "06/05/2024 *" in text  # the corrected line is marked
    assert "được chia 56.518 ₫" in text
    assert "Thư ký" in text  # a signature space
    assert not re.search(r"#\d", text)  # no database id


def test_passbook_html_in_english(pw: PaperWorld) -> None:
    docs = passbook_documents(
        pw.world.store, pw.world.cycle.id, member_ids=[pw.huong.id], lang=Lang.EN
    )
    text, _ = html_text(render_html(docs))
    assert "Member passbook — Y Hương (no. 1)" in text
    assert "3 2024-03-04 Absent 5 50,000 VND 5,000 VND 2,000 VND 50,000 VND 50,000 VND" in text
    assert "payout 56,518 VND" in text
    assert "₫" not in text


def test_minutes_html(pw: PaperWorld) -> None:
    text, _ = html_text(render_html(minutes_documents(pw.world.store, pw.world.cycle.id, D2)))
    assert "Biên bản họp" in text
    assert "Buổi họp số 2, ngày 05/02/2024" in text
    assert "Tham dự: 3 có mặt, 0 ủy quyền, 0 vắng" in text
    assert "1 Y Hương Có mặt 2 20.000 ₫ 2.000 ₫ 100.000 ₫" in text
    assert "3 Đinh Thị Lành Có mặt 5 50.000 ₫ 2.000 ₫" in text
    # both boxes before and after, and the change
    assert "Tiền mặt quỹ cho vay 130.000 ₫ 150.000 ₫ 20.000 ₫" in text
    assert "Tiền mặt quỹ xã hội 6.000 ₫ 12.000 ₫ 6.000 ₫" in text
    # the loan with its due date: 2 months from 5 February
    assert "1 Y Hương 100.000 ₫ 2,0 % 2 05/04/2024" in text
    for role in ("Tổ trưởng", "Thư ký", "Thủ quỹ", "Người đếm tiền"):
        assert role in text


def test_share_out_html(pw: PaperWorld) -> None:
    text, _ = html_text(render_html(share_out_documents(pw.world.store, pw.world.cycle.id)))
    assert "Bảng chia quỹ cuối chu kỳ" in text
    assert "Đã chia quỹ ngày 30/12/2024" in text
    # 7 and 10 shares of 218.000 / 27: floor(56.518,5) and floor(80.740,7)
    assert "1 Y Hương 7 70.000 ₫ 56.518 ₫ -13.482 ₫ -19,3 %" in text
    assert "3 Đinh Thị Lành 10 100.000 ₫ 80.740 ₫ -19.260 ₫" in text
    assert "Quỹ được chia: 218.000 ₫" in text
    assert "Số dư còn lại: 2 ₫" in text  # 218.000 - 56.518 - 2 x 80.740


def test_passbook_pdf_one_page_per_member_with_vietnamese_letters(
    pw: PaperWorld, tmp_path: Path
) -> None:
    _needs_pdf()
    out = write_documents(
        passbook_documents(pw.world.store, pw.world.cycle.id), tmp_path / "so.pdf"
    )
    text = pdf_text(out)
    assert text.count("\f") == 3  # three pages
    assert "Sổ thành viên — Y Hương (số 1)" in text
    assert "Sổ thành viên — Đinh Thị Lành (số 3)" in text
    assert "Tổ tiết kiệm thôn Đăk Nhoong" in text
    flat = " ".join(text.split())
    assert "3 04/03/2024 Vắng 5 50.000 ₫ 5.000 ₫ 2.000 ₫ 50.000 ₫ 50.000 ₫" in flat
    assert "được chia 56.518 ₫" in flat
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3
    assert all(p.stat().st_size > 5_000 for p in pages)  # drawn, not blank


def test_minutes_and_share_out_pdf_in_english(pw: PaperWorld, tmp_path: Path) -> None:
    _needs_pdf()
    store, cycle_id = pw.world.store, pw.world.cycle.id
    minutes = write_documents(
        minutes_documents(store, cycle_id, D2, lang=Lang.EN), tmp_path / "m.pdf"
    )
    flat = " ".join(pdf_text(minutes).split())
    assert "Meeting no. 2, 2024-02-05" in flat
    assert "Loan fund cash 130,000 VND 150,000 VND 20,000 VND" in flat
    assert "1 Y Hương 100,000 VND 2.0 % 2 2024-04-05" in flat
    sheet = write_documents(share_out_documents(store, cycle_id, lang=Lang.EN), tmp_path / "s.pdf")
    flat = " ".join(pdf_text(sheet).split())
    assert "3 Đinh Thị Lành 10 100,000 VND 80,740 VND" in flat


def test_a_missing_font_is_named_with_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(vsla.FontNotFound, match=r"nope\.ttf does not exist"):
        find_font(tmp_path / "nope.ttf")
    monkeypatch.delenv("VSLA_FONT", raising=False)
    monkeypatch.setattr("vsla.reports.printing.pdf._PLACES", (str(tmp_path),))
    with pytest.raises(vsla.FontNotFound, match="apt-get install fonts-dejavu-core"):
        find_font()


def test_a_file_that_is_neither_html_nor_pdf_is_refused(pw: PaperWorld, tmp_path: Path) -> None:
    docs = minutes_documents(pw.world.store, pw.world.cycle.id, D2)
    with pytest.raises(vsla.InvalidInput, match=r"\.html or a \.pdf"):
        write_documents(docs, tmp_path / "m.docx")


def test_vsla_print_writes_passbooks_minutes_and_the_share_out(tmp_path: Path) -> None:
    from vsla.cli.main import app

    db = tmp_path / "paper.db"
    with vsla.open(db) as store:
        paper_world(store)
    runner = CliRunner()
    out = tmp_path / "p.html"
    result = runner.invoke(
        app, ["print", "passbook", "KT-DG-001", "3", "--db", str(db), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text, tags = html_text(out.read_text(encoding="utf-8"))
    assert tags.count("section") == 1
    assert "Sổ thành viên — Đinh Thị Lành (số 3)" in text
    out = tmp_path / "m.html"
    result = runner.invoke(
        app,
        [
            "print",
            "minutes",
            "KT-DG-001",
            "--on",
            D2.isoformat(),
            "--db",
            str(db),
            "--out",
            str(out),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Meeting no. 2, 2024-02-05" in html_text(out.read_text(encoding="utf-8"))[0]
    out = tmp_path / "s.html"
    result = runner.invoke(
        app, ["print", "share-out", "KT-DG-001", "--db", str(db), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Bảng chia quỹ cuối chu kỳ" in html_text(out.read_text(encoding="utf-8"))[0]
    result = runner.invoke(
        app,
        ["print", "minutes", "KT-DG-001", "--on", "2024-02-06", "--db", str(db), "--out", str(out)],
    )
    assert result.exit_code == 1
    assert "has no meeting on 2024-02-06" in " ".join(result.output.split())


def test_vsla_print_names_a_missing_font_in_one_line(tmp_path: Path) -> None:
    pytest.importorskip("fpdf")
    from vsla.cli.main import app

    db = tmp_path / "paper.db"
    with vsla.open(db) as store:
        paper_world(store)
    result = CliRunner().invoke(
        app,
        ["print", "minutes", "KT-DG-001", "--db", str(db), "--out", str(tmp_path / "m.pdf")],
        env={"VSLA_FONT": str(tmp_path / "none.ttf"), "COLUMNS": "200"},
    )
    assert result.exit_code == 1
    assert "none.ttf does not exist" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "m.pdf").exists()
