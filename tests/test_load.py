"""A smoke run of the load test (``make load``): a few seconds of every scenario on a dozen
groups; only its verification is checked here, no figure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="VSLA_TEST_POSTGRES_URL is not set")
def test_a_short_load_run_passes_its_verification() -> None:
    assert POSTGRES_URL
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--smoke", "--url", POSTGRES_URL],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "verification" in out
    assert "passed: every acknowledged write is there" in out, out
    for scenario in ("own-2", "shared-2", "kills", "stall"):
        assert f"== {scenario}:" in out


def test_the_load_test_runs_only_against_this_machine() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "load.py"),
            "--url",
            "postgresql+psycopg://postgres@db.example.org:5432/test",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "only against this machine" in done.stderr
