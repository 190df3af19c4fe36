"""A smoke test of the benchmarks at a trivial size: they run; nothing is timed here."""

from __future__ import annotations

import pytest
from benchmarks import run as bench


def test_the_benchmarks_run_at_a_trivial_size() -> None:
    lines: list[str] = []
    measures = bench.run([1, 2], {"sqlite": bench.sqlite_store}, sample=1, report=lines.append)
    assert {m.what for m in measures} == {
        "record_meetings (batch)",
        "record_meeting x1",
        "generate",
        "group_indicators_all",
        "programme_indicators",
    }
    assert {m.groups for m in measures if m.what == "generate"} == {1, 2}
    assert all(m.ratio is not None for m in measures)
    batch = [m for m in measures if m.what.startswith("record_meeting")]
    assert len({m.units for m in batch}) == 1  # the same meetings both ways
    assert set(bench.batch_speedups(measures)) == {"sqlite"}
    assert "group_indicators_all" in bench.table(measures)
    assert lines


def test_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--sizes", "1", "--sample", "1", "--sqlite-only"]) == 0
    out = capsys.readouterr().out
    assert "x baseline" in out
    assert "record_meetings in batches is" in out
