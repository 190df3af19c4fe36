"""``vsla db version``, ``upgrade`` and ``verify`` on a database made by vsla 0.1, in English
(``--lang en``) and, as every command by default, in Vietnamese."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner, Result

import vsla
from vsla.cli.main import app
from vsla.store.schema import SCHEMA_HEAD, schema_version

DUMP = Path(__file__).parents[1] / "store" / "data" / "v0_1_demo.sql"
runner = CliRunner()


def run(*args: str | Path) -> Result:
    """The command in English."""
    return run_vi(*args, "--lang", "en")


def run_vi(*args: str | Path) -> Result:
    """The command as a clerk types it: Vietnamese by default."""
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def v0_1_database(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(DUMP.read_text(encoding="utf-8"))
    conn.close()
    return path


def test_version_then_upgrade_then_version(tmp_path: Path) -> None:
    db = v0_1_database(tmp_path / "old.db")
    result = run("db", "version", "--db", db)
    assert result.exit_code == 0, result.output
    assert "schema version 0001 (older than this vsla (0006): run `vsla db upgrade`)" in (
        result.stdout
    )
    result = run("db", "upgrade", "--db", db)
    assert result.exit_code == 0, result.output
    assert "schema version 0001 -> 0006: upgraded" in result.stdout
    assert schema_version(db) == SCHEMA_HEAD
    result = run("db", "upgrade", "--db", db)
    assert "already current" in result.stdout
    result = run("db", "version", "--db", db)
    assert "schema version 0006 (current)" in result.stdout


def test_a_newer_database_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    vsla.open(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = db.read_bytes()
    assert "not known to this vsla" in run("db", "version", "--db", db).stdout
    result = run("db", "upgrade", "--db", db)
    assert result.exit_code == 1
    assert "database schema version 9999 is newer than this vsla (0006)" in result.stderr
    assert "Traceback" not in result.output
    assert db.read_bytes() == before


def test_a_missing_file_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nope.db"
    for command in ("version", "upgrade"):
        result = run("db", command, "--db", db)
        assert result.exit_code == 1
        assert "no database at" in result.stderr
    assert not db.exists()


def test_verify_finds_a_loan_mark_changed_around_the_library_and_repairs_it(
    tmp_path: Path,
) -> None:
    """The v0.1 demo database, upgraded: revision 0006 filled the loan marks from the ledger,
    so `vsla db verify` finds every loan in agreement. A mark changed by another program (one
    đồng more outstanding) and a mark deleted are both named; --repair rewrites them from the
    ledger, and the next verify is clean."""
    db = v0_1_database(tmp_path / "old.db")
    assert run("db", "upgrade", "--db", db).exit_code == 0
    clean = run("db", "verify", "--db", db)
    assert clean.exit_code == 0, clean.output
    assert "every loan agrees with the ledger" in clean.stdout
    with sqlite3.connect(db) as conn:
        marks = conn.execute("SELECT COUNT(*), COUNT(DISTINCT loan_id) FROM loan_marks").fetchone()
        assert marks[0] > 0
        changed, deleted = (
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT loan_id FROM loan_marks ORDER BY loan_id LIMIT 2"
            )
        )
        conn.execute(
            "UPDATE loan_marks SET outstanding = outstanding + 1 WHERE loan_id = ?", (changed,)
        )
        conn.execute("DELETE FROM loan_marks WHERE loan_id = ?", (deleted,))
    conn.close()
    found = run("db", "verify", "--db", db)
    assert found.exit_code == 1
    assert f"loan #{changed}: stored" in found.stderr
    assert f"loan #{deleted}: stored none; the ledger gives" in found.stderr
    assert "2 loans differ from the ledger" in found.stderr
    repaired = run("db", "verify", "--repair", "--db", db)
    assert repaired.exit_code == 0
    assert f"2 loans differed; rewrote {marks[0]} marks from the ledger" in repaired.stdout
    assert run("db", "verify", "--db", db).exit_code == 0
    with vsla.open(db) as store:
        assert store.verify_loan_marks() == []


def test_the_db_commands_speak_vietnamese_by_default(tmp_path: Path) -> None:
    """The same steps as a commune clerk sees them: the old version, the upgrade, the
    check of the arrears marks, and a database named wrongly."""
    db = v0_1_database(tmp_path / "old.db")
    result = run_vi("db", "version", "--db", db)
    assert result.exit_code == 0, result.output
    assert (
        "phiên bản lược đồ 0001 (cũ hơn bản vsla này (0006): chạy `vsla db upgrade`)"
        in result.stdout
    )
    assert (
        "phiên bản lược đồ 0001 -> 0006: đã nâng cấp" in run_vi("db", "upgrade", "--db", db).stdout
    )
    assert "đã mới nhất" in run_vi("db", "upgrade", "--db", db).stdout
    assert "phiên bản lược đồ 0006 (mới nhất)" in run_vi("db", "version", "--db", db).stdout
    checked = run_vi("db", "verify", "--db", db)
    assert checked.exit_code == 0, checked.output
    assert "mốc nợ quá hạn: mọi khoản vay khớp với sổ cái" in checked.stdout
    missing = run_vi("db", "verify", "--db", tmp_path / "nope.db")
    assert missing.exit_code == 1
    assert "không có cơ sở dữ liệu tại" in missing.stderr
