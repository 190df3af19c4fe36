"""The public surface of ``vsla``: ``__all__`` is exactly what the package offers."""

from __future__ import annotations

import builtins
import types

import vsla


def test_all_is_sorted_and_complete() -> None:
    assert len(vsla.__all__) == len(set(vsla.__all__))  # (ruff's RUF022 keeps it sorted)
    assert all(hasattr(vsla, name) for name in vsla.__all__)
    public = {
        name
        for name in dir(vsla)
        if not name.startswith("_") and not isinstance(getattr(vsla, name), types.ModuleType)
    }
    assert public == set(vsla.__all__) - {"__version__"}  # nothing accidental (`annotations`)


def test_open_is_the_store_opener_and_the_builtin_is_left_alone() -> None:
    from vsla import open as opener

    assert opener is vsla.open is vsla.open_store
    assert "open" not in vars(vsla)  # served by the module's __getattr__, not a global
    assert builtins.open is open
