"""The README example and every script in examples/ run, and print what the README says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def _run(script: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_readme_shows_the_example_exactly_as_it_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = (ROOT / "examples" / "readme_example.py").read_text(encoding="utf-8").rstrip("\n")
    assert f"```python\n{code}\n```" in readme
    printed = re.search(r"It prints:\n\n```text\n(.*?)\n```", readme, re.S)
    assert printed is not None
    assert _run(ROOT / "examples" / "readme_example.py").rstrip("\n") == printed.group(1)


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script: Path) -> None:
    assert _run(script)


def test_example_notebook_runs_top_to_bottom(tmp_path: Path) -> None:
    """The example notebook executes with a real Jupyter kernel, headless."""
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "examples" / "kontum_programme.ipynb"
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env={"MPLBACKEND": "Agg"})
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "referral_rate" in printed
    assert "₫" in printed  # the share-out sheet
