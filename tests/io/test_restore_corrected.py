"""Restoring a corrected programme from its export: the same figures.

The export's re-import (docs/export.md) replays every record through the store's own
operations. ``tests/io/test_programme.py`` runs it on a small hand-made programme with one
history of each kind. Here it runs on the corrected programme of the oracle tests
(``tests/store/test_money_oracle.py``, fixture ``corrected``): the demo's four groups,
then, at each open cycle's last meeting, share purchases and loan entries reversed and
loans written off; members joining halfway and one leaving; each group that shared out
starting its next cycle, with purchases of its first meeting reversed and an officer
leaving. That is where a replay can go wrong: a reversal restored before the entry it
undoes, a correction recorded on a meeting's day restored after that meeting, a late
joiner's absence, a second cycle's carry.

The source is SQLite or PostgreSQL; the restore goes to a new SQLite database (a server's
export restored on a laptop, the other way round from the usual). Ids are not compared:
the restore numbers rows in its own order. Everything a report shows is, with ids replaced
by what they stand for.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import vsla
from tests.io.test_programme import figures
from tests.store.test_money_oracle import corrected  # noqa: F401  (the fixture)
from vsla.io import ImportKind, export_programme, import_file
from vsla.reports import programme_indicators

_BY_LABEL = ["district", "sex", "ethnicity", "gal_status"]


def _report(store: vsla.Store, on: dt.date) -> dict[str, object]:
    """The programme report on ``on`` with every breakdown read by label (no ids)."""
    [programme] = store.programmes()
    report = programme_indicators(store, programme.id, on, breakdowns=_BY_LABEL)
    return report.model_dump(exclude={"programme_id", "by_group"})


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_a_corrected_programme_restores_to_the_same_figures(
    corrected: tuple[vsla.Store, dt.date, int],  # noqa: F811
    tmp_path: Path,
    suffix: str,
) -> None:
    store, last, corrections = corrected
    assert corrections >= 40  # the fixture did correct the programme (49 with seed 5)
    before = figures(store)
    reports = {on: _report(store, on) for on in (last - dt.timedelta(days=45), last)}
    path = tmp_path / f"programme{suffix}"
    export_programme(store, path)

    target = vsla.open(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        summary = import_file(target, ImportKind.PROGRAMME, path)
        after = figures(target)
        assert [k for k in before if before[k] != after.get(k)] == []
        assert after == before
        assert {on: _report(target, on) for on in reports} == reports
        # every reversal came back as a reversal of the same entry (entries compare by
        # position, so a reversal pointing elsewhere would differ above); count them too
        reversals = sum(
            1 for c in _cycles(target) for e in target.entries(c.id) if e.reverses_id is not None
        )
        assert reversals == sum(
            1 for c in _cycles(store) for e in store.entries(c.id) if e.reverses_id is not None
        )
        assert reversals > 0
        assert summary.per_table["entries"] == sum(len(store.entries(c.id)) for c in _cycles(store))
        assert target.verify_loan_marks() == []
        if suffix == ".json":  # exported again: the same rows, only the ids differ
            again = tmp_path / "again.json"
            export_programme(target, again)
            assert _without_ids(again) == _without_ids(path)
    finally:
        target.close()


def _without_ids(path: Path) -> dict[str, Counter[str]]:
    """Each table of a programme export as a multiset of its rows, every database id left
    out (``id`` and the references ``..._id``, not a record's ``client_id``): the restore
    numbers rows in its own order (group by group), so only the ids may differ."""
    document = json.loads(path.read_text("utf-8"))

    def row(r: dict[str, Any]) -> str:
        kept = {
            k: v for k, v in r.items() if k == "client_id" or not (k == "id" or k.endswith("_id"))
        }
        return json.dumps(kept, sort_keys=True, ensure_ascii=False)

    return {name: Counter(map(row, rows)) for name, rows in document["tables"].items()}


def _cycles(store: vsla.Store) -> list[vsla.Cycle]:
    return [c for g in store.groups() for c in store.cycles(g.id)]
