"""``vsla import`` and ``vsla export`` with what spreadsheet settings do (issue 16): the
amount thresholds as options, warnings printed, CSV for people or for machines."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

import vsla
from tests.io.conftest import make_group
from vsla.cli.main import app


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def _db(tmp_path: Path) -> Path:
    db = tmp_path / "g.db"
    with vsla.open(db) as store:
        make_group(store)
    return db


def test_import_refuses_a_thousandfold_slip_unless_told(tmp_path: Path) -> None:
    db = _db(tmp_path)
    support = tmp_path / "support.csv"
    support.write_text(
        "group_code,member_number,kind,received_on,value\nKT-DG-001,1,tập huấn,12/03/2024,50\n",
        "utf-8",
    )
    refused = run("import", "livelihood", support, "--db", db, "--lang", "en")
    assert refused.exit_code == 1
    assert "50 ₫ is below the smallest amount a group handles (100 ₫)" in refused.stderr
    accepted = run("import", "livelihood", support, "--db", db, "--min-amount", "0")
    assert accepted.exit_code == 0, accepted.output
    with vsla.open(db, create=False) as store:
        assert [s.value for s in store.livelihood_supports()] == [50]


def test_import_prints_a_restored_phone_zero(tmp_path: Path) -> None:
    db = _db(tmp_path)
    members = tmp_path / "members.csv"
    members.write_text(
        "group_code,full_name,sex,phone,joined_on\nKT-DG-001,Y Mai,Nữ,912345678,08/01/2024\n",
        "utf-8",
    )
    result = run("import", "members", members, "--db", db, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "912345678 lost its leading 0" in result.stderr
    with vsla.open(db, create=False) as store:
        assert store.members(1)[-1].phone == "0912345678"


def test_export_csv_for_people_follows_lang_and_raw_is_for_machines(tmp_path: Path) -> None:
    db = _db(tmp_path)
    for name, options in (
        ("vi.csv", ["--lang", "vi"]),
        ("en.csv", ["--lang", "en"]),
        ("raw.csv", ["--lang", "vi", "--raw"]),
    ):
        assert run("export", "ledger", tmp_path / name, "--db", db, *options).exit_code == 0
    first = {n: (tmp_path / n).read_text("utf-8-sig").splitlines()[0] for n in ("vi.csv", "en.csv")}
    assert first["vi.csv"].startswith("entry_id;group_code;cycle_number;")
    assert first["en.csv"].startswith("entry_id,group_code,cycle_number,")
    assert (tmp_path / "raw.csv").read_bytes() == (tmp_path / "en.csv").read_bytes()
