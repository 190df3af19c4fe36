"""Every figure of a database, as plain JSON values: what an upgrade must keep.

``figures(store)`` reads balances (on a date and at the end), member balances, share-outs,
balance histories and group indicators of every group and cycle, through the public API
only, so that the same function runs on an old release and on this one. The figures the
released vsla 0.1 computed on ``data/v0_1_demo.sql`` are kept in
``data/v0_1_figures.json``; regenerate them with that release's source first on the path:

    PYTHONPATH=<vsla-0.1 checkout>/src python tests/store/figures.py > data/v0_1_figures.json
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import sqlite3
import sys
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

DUMP = Path(__file__).with_name("data") / "v0_1_demo.sql"
FIXTURE = Path(__file__).with_name("data") / "v0_1_figures.json"
AS_OF = dt.date(2025, 4, 7)  # the demo's last meeting
MID = dt.date(2024, 9, 2)  # both cycles running, loans out


def plain(value: Any) -> Any:
    """A JSON value for a figure: dataclasses and models as dicts, numbers exact as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return plain(value.model_dump())
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Decimal | Fraction | dt.date):
        return str(value)
    raise TypeError(f"no plain form for {type(value).__name__}")


def figures(store: Any) -> dict[str, Any]:
    """Balances, member balances, share-outs and indicators of every group and cycle."""
    from vsla.reports import group_indicators

    out: dict[str, Any] = {}
    for group in store.groups():
        for cycle in store.cycles(group.id):
            key = f"{group.code}/{cycle.number}"
            out[key] = {
                "balances": [store.balances(cycle.id, on) for on in (MID, None)],
                "members": store.member_balances(cycle.id, MID),
                "share_out": store.share_out_result(cycle.id),
                "history": store.balance_history(cycle.id),
            }
        for on in (MID, AS_OF):
            out[f"{group.code}@{on}"] = group_indicators(store, group.id, on)
    result: dict[str, Any] = plain(out)
    return result


def covered(expected: Any, actual: Any) -> Any:
    """``actual`` cut down to what ``expected`` has: fields a later release added (a new
    balance, a new indicator) are not figures the old one computed."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: covered(expected[k], v) for k, v in actual.items() if k in expected}
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [covered(e, a) for e, a in zip(expected, actual, strict=True)]
    return actual


def main() -> None:  # pragma: no cover - run by hand against an old release
    from sqlalchemy import create_engine

    from vsla.store.store import Store

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v0_1.db"
        conn = sqlite3.connect(path)
        conn.executescript(DUMP.read_text(encoding="utf-8"))
        conn.close()
        store = Store(create_engine(f"sqlite:///{path}"))  # read as it is, not upgraded
        json.dump(figures(store), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
        store.close()


if __name__ == "__main__":  # pragma: no cover
    main()
