"""docs/clerk-guide.md, run: every file it shows is written, every ``vsla`` command it gives
is run in order (in Vietnamese, the default), and every output it quotes is checked."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vsla.cli.main import app

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "clerk-guide.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)
FAILED = "lỗi; không có dữ liệu nào được nhập"


def _has_command(name: str) -> bool:
    return any(group.name == name for group in app.registered_groups) or any(
        command.name == name for command in app.registered_commands
    )


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_the_clerk_guide_runs_end_to_end_in_vietnamese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = GUIDE.read_text("utf-8")
    runner = CliRunner()
    env = {"VSLA_DB": "kontum.db", "COLUMNS": "100"}
    at, output, ran, checked = 0, "", [], 0
    blocks = list(BLOCK.finditer(text))
    for i, block in enumerate(blocks):
        before = text[at : block.start()]
        at = block.end()
        lang, body = block[1], block[2]
        # "It prints `...`" after a command: the command's output says exactly that
        for quoted in re.findall(r"It prints `([^`]+)`", before):
            assert _squash(quoted) in _squash(output), (quoted, output)
            checked += 1
        if lang == "csv":
            name = re.findall(r"`([\w.-]+\.csv)`", before)[-1]
            (tmp_path / name).write_text(body, "utf-8")
        elif lang == "text":
            got = [line.rstrip() for line in output.splitlines()]
            for line in body.splitlines():
                assert line.rstrip() in got, (line, output)
            checked += 1
        elif lang == "sh":
            for line in body.splitlines():
                if not line.startswith("vsla "):
                    continue
                args = shlex.split(line)[1:]
                if args[0] == "print" and not _has_command("print"):
                    continue  # printing arrives with the passbook and minutes work
                result = runner.invoke(app, args, env=env)
                output = result.output
                follows = blocks[i + 1][2] if i + 1 < len(blocks) else ""
                expected = 1 if FAILED in follows else 0
                assert result.exit_code == expected, (line, output)
                ran.append(args[0])
    assert {"programme", "template", "import", "group", "cycle", "members", "report"} <= set(ran)
    assert checked >= 5
    # what the guide leads to: the statement it shows, checked against the store
    import vsla

    with vsla.open(tmp_path / "kontum.db") as store:
        group = store.group("KT-DG-001")
        hoa = store.member_by_number(group.id, 1)
        cycle = store.current_cycle(group.id)
        balance = next(b for b in store.member_balances(cycle.id, None) if b.member_id == hoa.id)
        assert (balance.shares, balance.savings, balance.principal_outstanding) == (
            4,
            40_000,
            50_000,
        )
        assert [g.code for g in store.groups()] == ["KT-DG-001", "KT-DG-002", "KT-DG-003"]
        assert [p.name for p in store.programmes()] == ["Chương trình VSLA Kon Tum"]
