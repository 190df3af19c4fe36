"""A memo is words only: no code of the library decides anything on a memo's text.

The meaning of an entry is its kind and its origin (``EntryOrigin``). This test reads every
module of ``src/vsla`` and fails on any use of a memo (``x.memo`` or a name ``memo``) that
inspects its text: a comparison or membership test, a lookup by it, a string method that
looks into it (``startswith``, ``split``, ...), a regular expression over it, or a truth
test. Copying a memo (into a row, a keyword, a formatted message) is fine, and so is
checking that a copy is faithful (a line marked ``# memo-check: a faithful copy``: the
programme import compares each rebuilt memo with the exported one). The one exception is
migration 0003, which moved the old memos' meaning into the origin column.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "vsla"
ALLOWED = {"store/migrations/versions/0003_entry_origin.py"}
LOOKING = {
    "startswith",
    "endswith",
    "removeprefix",
    "removesuffix",
    "split",
    "rsplit",
    "partition",
    "find",
    "index",
    "count",
    "lower",
    "upper",
    "casefold",
    "__eq__",
    "__contains__",
}


def _is_memo(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "memo") or (
        isinstance(node, ast.Name) and node.id == "memo"
    )


def decisions(tree: ast.AST) -> list[int]:
    """Line numbers where a memo's text is inspected."""
    parents: dict[ast.AST, ast.AST] = {}
    for above in ast.walk(tree):
        for child in ast.iter_child_nodes(above):
            parents[child] = above
    found: list[int] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.expr) or not _is_memo(node):
            continue
        parent = parents.get(node)
        looked = (
            isinstance(parent, ast.Compare)
            or (isinstance(parent, ast.Attribute) and parent.attr in LOOKING)
            or (isinstance(parent, ast.Subscript) and parent.slice is node)
            or (
                isinstance(parent, ast.If | ast.IfExp | ast.While | ast.Assert)
                and parent.test is node
            )
            or isinstance(parent, ast.BoolOp | ast.UnaryOp)
            or (
                isinstance(parent, ast.Call)
                and isinstance(parent.func, ast.Attribute)
                and isinstance(parent.func.value, ast.Name)
                and parent.func.value.id == "re"
            )
        )
        if looked:
            found.append(node.lineno)
    return sorted(found)


def test_no_code_decides_on_a_memo() -> None:
    # in a process of its own: after the tests before it (fuzzed imports, Hypothesis, which
    # change the recursion limit), CPython 3.11's AST depth check can fail in this one
    # with "AST constructor recursion depth mismatch"
    code = "import json, sys; from tests.reliability.test_memo_is_words import _offenders; "
    code += "print(json.dumps(_offenders()))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=SRC.parents[1],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == []


def _offenders() -> list[str]:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name in ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for line in decisions(ast.parse(text)):
            if "# memo-check: a faithful copy" not in lines[line - 1]:
                offenders.append(f"{name}:{line}")
    return offenders


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scan itself: each way of deciding on a memo is caught, copying it is not."""
    caught = """
if e.memo == "upfront": pass
x = e.memo in SYSTEM
y = e.memo.startswith("reverses #")
z = table[e.memo]
w = re.fullmatch(r"exit: .*", memo)
v = 1 if memo else 0
"""
    assert decisions(ast.parse(caught)) == [2, 3, 4, 5, 6, 7]
    copied = """
row = {"memo": e.memo}
entry = PlannedEntry(kind, amount, memo=reason)
text = f"{e.memo}"
"""
    assert decisions(ast.parse(copied)) == []
