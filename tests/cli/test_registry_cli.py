"""vsla programme add, group add, cycle start, members; and templates and import lines in
the language asked for."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

import vsla
from vsla.cli.main import app


def _run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def _registered(tmp_path: Path) -> Path:
    db = tmp_path / "t.db"
    assert _run("programme", "add", "Kon Tum VSLA", "--db", db, "--create").exit_code == 0
    added = _run(
        "group", "add", "KT-DG-001", "Tổ Đăk Nhoong", "--established", "02/01/2024",
        "--district", "Đắk Glei", "--db", db,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Đã nhập: groups: đã đọc 1 dòng, đã tạo 1 bản ghi (1 tổ)" in added.output
    members = tmp_path / "tv.csv"
    members.write_text(
        "Mã tổ,Họ và tên,Giới tính,Ngày vào tổ,Ngày rời tổ,Lý do rời tổ\n"
        "KT-DG-001,Y Hoa,Nữ,08/01/2024,,\n"
        "KT-DG-001,A Blưp,Nam,08/01/2024,01/03/2024,chuyển đi\n",
        "utf-8",
    )
    assert _run("import", "members", members, "--db", db).exit_code == 0
    return db


def test_a_programme_is_never_added_twice(tmp_path: Path) -> None:
    db = _registered(tmp_path)
    again = _run("programme", "add", "kon tum vsla", "--db", db)
    assert again.exit_code == 1
    assert "chương trình “Kon Tum VSLA” đã có (số 1)" in again.output
    with vsla.open(db) as store:
        assert [p.name for p in store.programmes()] == ["Kon Tum VSLA"]


def test_cycle_start_and_the_member_list_with_officers(tmp_path: Path) -> None:
    db = _registered(tmp_path)
    started = _run(
        "cycle", "start", "KT-DG-001", "--start", "08/01/2024", "--end", "30/12/2024",
        "--share-value", "10.000", "--interest-rate", "2%", "--officers", "1: chủ tịch",
        "--rule", "meeting_frequency=hằng tháng", "--db", db, "--lang", "en",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    assert "Imported: cycles: 1 row(s) read, 2 record(s) created (1 cycles, 1 officers)" in (
        started.output
    )
    listed = _run("members", "KT-DG-001", "--db", db, "--out", tmp_path / "ds.csv")
    assert listed.exit_code == 0, listed.output
    lines = [line.split("│")[1:-1] for line in listed.output.splitlines() if "│" in line]
    assert [[cell.strip() for cell in line] for line in lines] == [
        ["1", "Y Hoa", "Nữ", "", "08/01/2024", "", "chủ tịch"],
        ["2", "A Blưp", "Nam", "", "08/01/2024", "01/03/2024", ""],
    ]
    assert (tmp_path / "ds.csv").read_text("utf-8-sig").splitlines() == [
        "member_number,full_name,sex,ethnicity,joined_on,left_on,exit_reason,officer_role",
        "1,Y Hoa,F,,2024-01-08,,,chair",
        "2,A Blưp,M,,2024-01-08,2024-03-01,moved,",
    ]
    active = _run("members", "KT-DG-001", "--db", db, "--active-on", "2024-03-01", "--lang", "en")
    assert "1 member(s)." in active.output
    assert "A Blưp" not in active.output


def test_a_refused_cycle_says_why_in_either_language(tmp_path: Path) -> None:
    db = _registered(tmp_path)
    args = ["cycle", "start", "KT-DG-001", "--start", "01/01/2024", "--end", "30/12/2024",
            "--share-value", "10.000", "--interest-rate", "", "--db", db]  # fmt: skip
    vi, en = _run(*args), _run(*args, "--lang", "en")
    assert vi.exit_code == en.exit_code == 1
    assert "2 lỗi; không có dữ liệu nào được nhập." in vi.output
    assert "chu kỳ không thể bắt đầu ngày 01/01/2024, trước ngày tổ KT-DG-001 thành lập" in (
        vi.output
    )
    assert "ô trống; cột này bắt buộc có giá trị" in vi.output
    assert "Lãi suất tháng" in vi.output
    assert "2 error(s); nothing was imported." in en.output
    assert "the cycle cannot start on 01/01/2024, before group KT-DG-001 was established" in (
        en.output
    )
    assert "interest_rate" in en.output
    assert not any(word in en.output for word in ("lỗi", "Lãi suất", "chu kỳ"))


def test_templates_in_vietnamese_and_english_differ(tmp_path: Path) -> None:
    vi, en = tmp_path / "vi.csv", tmp_path / "en.csv"
    assert _run("template", "referrals", vi).exit_code == 0
    assert _run("template", "referrals", en, "--lang", "en").exit_code == 0
    assert vi.read_text("utf-8-sig").strip() == (
        "Mã tổ,Số thành viên,Tổ chức tài chính,Dịch vụ,Ngày giới thiệu,Kết quả,"
        "Ngày có kết quả,Ghi chú,Mã ứng dụng"
    )
    assert en.read_text("utf-8-sig").strip() == (
        "group_code,member_number,institution,service,referred_on,outcome,outcome_on,note,client_id"
    )


def test_an_import_warning_in_vietnamese(tmp_path: Path) -> None:
    db = _registered(tmp_path)
    started = _run(
        "cycle", "start", "KT-DG-001", "--start", "08/01/2024", "--end", "30/12/2024",
        "--share-value", "10.000", "--interest-rate", "2%", "--db", db,
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    meetings = tmp_path / "bh.csv"
    meetings.write_text(
        "Mã tổ,Ngày họp,Số thành viên,Tham dự,Số cổ phần,Khoản thu khác,Diễn giải\n"
        "KT-DG-001,08/01/2024,1,có mặt,1,,\n"
        "KT-DG-001,08/01/2024,2,có mặt,1,,\n"
        "KT-DG-001,08/01/2024,,,,20.000,lãi tiền gửi\n",
        "utf-8",
    )
    done = _run("import", "meetings", meetings, "--db", db, "--warn-above", "10000")
    assert done.exit_code == 0, done.output
    assert "đã đọc 3 dòng" in done.output
    assert "1 cảnh báo" in done.output
    assert "20.000 ₫ được chấp nhận nhưng lớn bất thường với một tổ tiết kiệm (trên 10.000 ₫)" in (
        " ".join(done.output.split())
    )
    assert "Khoản thu khác" in done.output
