"""One group or one cycle at a time (``vsla group add``, ``vsla cycle start``): a one-row
sheet through the same checks and writes as a file's import."""

from __future__ import annotations

__all__ = ["import_records"]

from collections.abc import Mapping, Sequence

from vsla.io.importers.registry import import_cycles, import_groups
from vsla.io.importers.sheet import Problems, parse_sheet
from vsla.io.readers import Sheet
from vsla.io.templates import COLUMNS, ImportKind
from vsla.store.store import Store

_IMPORTERS = {ImportKind.GROUPS: import_groups, ImportKind.CYCLES: import_cycles}


def import_records(
    store: Store, kind: ImportKind, records: Sequence[Mapping[str, str]], source: str
) -> dict[str, int]:
    """Import ``records`` (column name → text as a clerk types it) as if they were the rows
    of a ``kind`` file named ``source``; raises :class:`~vsla.errors.ImportErrors`."""
    columns = COLUMNS[kind]
    header = tuple(c.name for c in columns)
    rows = tuple(
        (number, tuple(record.get(name) or None for name in header))
        for number, record in enumerate(records, start=2)
    )
    sheet = Sheet(source, header, rows)
    problems = Problems(source, header)
    parsed = parse_sheet(sheet, columns, problems, None)
    return _IMPORTERS[kind](store, parsed, problems)
