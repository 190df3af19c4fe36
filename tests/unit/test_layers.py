"""The layers of the tree, and which way imports run: towards the domain, never out of it.

``domain`` (pure calculations) ← ``words`` (the catalogue of texts) ← ``store`` (SQLAlchemy)
← ``io`` ← ``reports`` ← ``demo`` ← ``cli``. A module may import from its own layer and the
layers before it, never from a later one; ``domain`` and ``words`` import no SQLAlchemy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import vsla

ORDER = ("domain", "words", "store", "io", "reports", "demo", "cli")
ROOT = Path(vsla.__file__).parent

# (importing module, imported module): the imports that point outwards, on purpose.
ALLOWED = {
    # ShareOutResult.to_text() and LoanStatement.to_text() are public shortcuts to layouts
    # kept in reports; the import happens only when they are called.
    ("domain/shareout.py", "vsla.reports.shareout_text"),
    ("store/loans.py", "vsla.reports.statement_text"),
}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "vsla" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ORDER else None


def test_imports_point_towards_the_domain() -> None:
    wrong: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        layer = rel.parts[0] if len(rel.parts) > 1 else None
        if layer not in ORDER:
            continue
        for module in _imports(path):
            target = _layer_of(module)
            outwards = target is not None and ORDER.index(target) > ORDER.index(layer)
            if outwards and (rel.as_posix(), module) not in ALLOWED:
                wrong.append(f"{rel.as_posix()} ({layer}) imports {module} ({target})")
            if layer in ("domain", "words") and module.split(".")[0] == "sqlalchemy":
                wrong.append(f"{rel.as_posix()} ({layer}) imports {module}")
    assert wrong == []


def test_the_allowed_exceptions_still_exist() -> None:
    """An exception that no longer happens is removed from the list, so it cannot hide a
    new one."""
    for rel, module in ALLOWED:
        assert module in _imports(ROOT / rel), (rel, module)


def test_every_module_is_in_a_layer() -> None:
    top = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert top == set(ORDER)
