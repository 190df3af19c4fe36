"""Amounts a thousand times too small: what a spreadsheet's language settings do to them.

With Vietnamese settings a spreadsheet reads the text ``2,000`` as the number 2 (the comma
is its decimal mark), with English settings it reads ``2.000`` as 2; either way the cell
holds a whole number, legal, a thousand times too small. :func:`check_amounts` catches it:

- an amount below :data:`MIN_AMOUNT` (``min_amount``), the smallest sum a group handles,
  is refused;
- a fine that differs from the constitution's fine of that name is a warning, and an error
  when it is ``slip_ratio`` times smaller or more (2 where the constitution says 2.000);
- an amount ``slip_ratio`` times (:data:`SLIP_RATIO`) smaller than what the group usually
  records in that column (the median of its ledger and of the file) is a warning.
"""

from __future__ import annotations

__all__ = ["MIN_AMOUNT", "SLIP_RATIO", "check_amounts"]

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence

from vsla.domain.entities import Cycle, Group
from vsla.domain.ledger import EntryKind, EntryOrigin
from vsla.domain.limits import show_amount
from vsla.errors import InvalidInput
from vsla.io.cells import parse_amount
from vsla.io.importers.directory import Directory
from vsla.io.importers.sheet import InputRow, Problems, fold
from vsla.io.templates import Column, ImportKind
from vsla.store.store import Store

MIN_AMOUNT = 100
"""The smallest amount (đồng) a group handles: below it an amount is refused. 100 đồng is
the smallest note still in use; an interest payment of 1 % on a 10.000 ₫ loan is 100 ₫.
Every thousand-fold slip of a sum below 100.000 ₫ (``2,000`` read as 2) falls below it."""

SLIP_RATIO = 100
"""An amount this many times smaller than the usual one looks like a thousand-fold slip.
100, not 1000, so that a slip is caught even when the usual amounts vary tenfold."""

_KINDS: dict[str, EntryKind] = {
    "social_fund": EntryKind.SOCIAL_CONTRIBUTION,
    "fine_amount": EntryKind.FINE,
    "grant_amount": EntryKind.SOCIAL_GRANT,
    "loan_principal": EntryKind.LOAN_DISBURSEMENT,
    "income_amount": EntryKind.OTHER_INCOME,
    "expense_amount": EntryKind.EXPENSE,
}
"""The ledger entries that hold the history of an amount column of the meetings import."""

_MIN_HISTORY = 3
"""Amounts needed (ledger and file together) before a median is trusted."""


def _cycle(directory: Directory, group: Group, day: dt.date | None) -> Cycle | None:
    cycles = directory.cycles(group)
    for cycle in cycles:
        if day is not None and cycle.start_date <= day <= cycle.end_date:
            return cycle
    return cycles[-1] if cycles else None


def _history(
    store: Store, kind: ImportKind, group: Group, directory: Directory
) -> dict[str, list[int]]:
    """The amounts the group recorded before, by column."""
    out: dict[str, list[int]] = defaultdict(list)
    if kind is ImportKind.MEETINGS:
        columns = {k: c for c, k in _KINDS.items()}
        for cycle in directory.cycles(group):
            for e in store.entries(cycle.id):
                column = columns.get(e.kind)
                if column and e.amount > 0 and e.origin is EntryOrigin.MEETING:
                    out[column].append(e.amount)
    elif kind is ImportKind.LIVELIHOOD:
        out["value"] = [s.value for s in store.livelihood_supports(group_id=group.id) if s.value]
    return out


def check_amounts(
    store: Store,
    kind: ImportKind,
    columns: Sequence[Column],
    rows: Sequence[InputRow],
    problems: Problems,
    *,
    min_amount: int | None = MIN_AMOUNT,
    slip_ratio: int | None = SLIP_RATIO,
) -> None:
    """Refuse amounts below ``min_amount`` and fines a thousandfold below the constitution's;
    warn of other fines that differ from it and of amounts ``slip_ratio`` times below the
    group's usual ones. ``None`` turns a check off."""
    if min_amount is not None and min_amount < 0:
        raise InvalidInput(f"min_amount is an amount >= 0 or None, got {min_amount}")
    if slip_ratio is not None and slip_ratio < 2:
        raise InvalidInput(f"slip_ratio is a whole number >= 2 or None, got {slip_ratio}")
    amounts = [c.name for c in columns if c.parse is parse_amount]
    directory = Directory(store)
    in_file: dict[tuple[int, str], list[int]] = defaultdict(list)
    seen: list[tuple[InputRow, Group, str, int]] = []
    for row in rows:
        code = row["group_code"]
        group = directory.group(code) if isinstance(code, str) else None
        for name in amounts:
            value = row[name]
            if not isinstance(value, int) or value == 0 or name in row.bad:
                continue
            if min_amount is not None and value < min_amount:
                problems.add(
                    row.number,
                    name,
                    f"{show_amount(value)} is below the smallest amount a group handles "
                    f"({show_amount(min_amount)}): a spreadsheet with Vietnamese settings reads "
                    "'2,000' as 2, one with English settings reads '2.000' as 2; type the "
                    "amount again in a column formatted as text (or lower min_amount if it is "
                    "right)",
                )
                row.bad.add(name)
                row.values[name] = None
                continue
            if group is not None:
                in_file[group.id, name].append(value)
                seen.append((row, group, name, value))
    history: dict[int, dict[str, list[int]]] = {}
    for row, group, name, value in seen:
        if name == "fine_amount" and _fine_slip(directory, row, group, value, problems, slip_ratio):
            continue
        if slip_ratio is None:
            continue
        if group.id not in history:
            history[group.id] = _history(store, kind, group, directory)
        pool = history[group.id].get(name, []) + in_file[group.id, name]
        if len(pool) < _MIN_HISTORY:
            continue
        usual = int(statistics.median(pool))
        if value * slip_ratio <= usual:
            problems.warn(
                row.number,
                name,
                f"{show_amount(value)} is {usual // value} times smaller than group "
                f"{group.code}'s usual {name} ({show_amount(usual)}, the median of its "
                "ledger and this file): a thousand-fold slip ('2,000' read as 2)? check it",
            )


def _fine_slip(
    directory: Directory,
    row: InputRow,
    group: Group,
    value: int,
    problems: Problems,
    slip_ratio: int | None,
) -> bool:
    """Compare a fine with the constitution's; ``True`` when it was reported."""
    cycle = _cycle(directory, group, row["date"])
    name = row["fine_name"]
    if cycle is None or not isinstance(name, str):
        return False
    fines = {fold(k): (k, v) for k, v in cycle.constitution.fines.items()}
    if fold(name) not in fines:
        return False  # an unknown fine: the meetings importer reports it
    fine, due = fines[fold(name)]
    if value == due:
        return True
    said = (
        f"the fine {fine!r} is {show_amount(value)} but the constitution of group {group.code} "
        f"says {show_amount(due)}"
    )
    if slip_ratio is not None and value * slip_ratio <= due:
        problems.add(
            row.number,
            "fine_amount",
            f"{said}: a thousand-fold slip (a spreadsheet reading '2,000' as 2)? type "
            "the amount again in a column formatted as text, or leave it blank for the "
            "constitution's amount",
        )
        row.bad.add("fine_amount")
        row.values["fine_amount"] = None
    else:
        problems.warn(row.number, "fine_amount", f"{said}: imported as given; check it")
    return True
