"""The API reference is complete: every public name has a docstring and its own entry in
docs/reference.md under the name users import (``vsla.Store``, not the module behind it),
and the project's docs and code point at nothing outside the repository."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import griffe
import pytest

import vsla
import vsla.demo
import vsla.io
import vsla.reports.plots

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
ENTRIES = set(re.findall(r"^::: ([\w.]+)$", REFERENCE, flags=re.M))
MODULES = {"vsla.io": vsla.io, "vsla.reports.plots": vsla.reports.plots, "vsla.demo": vsla.demo}


@pytest.fixture(scope="module")
def package() -> griffe.Module:
    """The package as the docs' generator (mkdocstrings, through griffe) reads it: from the
    source, without importing it."""
    loaded = griffe.load("vsla", search_paths=[str(ROOT / "src")], resolve_aliases=True)
    assert isinstance(loaded, griffe.Module)
    return loaded


def _documented(package: griffe.Module, path: str) -> Any:
    """The object the reference renders for ``path`` (an alias followed to its target; an
    attribute bound to another object, like ``vsla.open = open_store``, to that object)."""
    found: Any = package[path.removeprefix("vsla.")] if path != "vsla" else package
    if found.is_alias:
        found = found.final_target
    if found.is_attribute and found.docstring is None and found.value is not None:
        found = _documented(package, f"{found.parent.path}.{found.value}")
    return found


def _docstring(obj: Any) -> str:
    return "" if obj.docstring is None else obj.docstring.value.strip()


@pytest.mark.parametrize("name", sorted(set(vsla.__all__) - {"__version__"}))
def test_every_public_name_has_an_entry_and_a_docstring(name: str, package: griffe.Module) -> None:
    assert f"vsla.{name}" in ENTRIES, f"docs/reference.md has no '::: vsla.{name}'"
    assert _docstring(_documented(package, f"vsla.{name}")), f"vsla.{name} has no docstring"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_the_io_plots_and_demo_modules_are_documented_whole(
    module: str, package: griffe.Module
) -> None:
    assert module in ENTRIES
    for name in MODULES[module].__all__:
        assert _docstring(_documented(package, f"{module}.{name}")), f"{module}.{name}"


def test_every_public_store_method_has_a_docstring(package: griffe.Module) -> None:
    store = _documented(package, "vsla.Store")
    members = {
        name: member.final_target if member.is_alias else member
        for name, member in store.all_members.items()
        if not name.startswith("_")
    }
    public = {name: member for name, member in members.items() if member.is_function}
    runtime = {
        name
        for name in dir(vsla.Store)
        if not name.startswith("_") and callable(getattr(vsla.Store, name))
    }
    assert runtime <= set(public), runtime - set(public)
    missing = sorted(name for name, member in public.items() if not _docstring(member))
    assert missing == []


def test_the_reference_shows_the_store_with_its_inherited_methods() -> None:
    block = REFERENCE.split("::: vsla.Store\n", 1)[1].split(":::", 1)[0]
    assert "inherited_members: true" in block


@pytest.mark.parametrize("folder", ["docs", "src", "examples", "benchmarks", "tools", "README.md"])
def test_nothing_points_outside_the_repository(folder: str) -> None:
    """The docs stand alone: no link or path to files beside the repository."""
    outside = re.compile(r"\.\./shared|shared/domain\.md|\bstyle\.md\b|/work/")
    path = ROOT / folder
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*") if p.suffix in (".md", ".py", ".ipynb", ".yml"))
    )
    hits = [
        f"{f.relative_to(ROOT)}:{n}"
        for f in files
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line)
    ]
    assert hits == []
