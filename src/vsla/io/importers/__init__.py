"""Importing a clerk's file: groups, cycles, members, meetings, referrals, livelihood
support, opening positions, programme.

Every import runs in two steps. First the whole file is read and checked, row by row, and
every problem is collected (beancount-style): a missing column, a bad date, a negative
amount, an unknown group or member, a duplicate row, a rule of the constitution broken.
If there is any, :class:`~vsla.errors.ImportErrors` lists them all and nothing is written.
Otherwise the records are written in ONE transaction; a rule the store enforces while
writing (a loan above the limit, a box going below zero) becomes a row error pointing at
the row that caused it, and the transaction is rolled back: nothing is written.
"""

from __future__ import annotations

__all__ = ["ImportSummary", "RowWarning", "import_file"]

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vsla.domain.arguments import checked_call
from vsla.domain.limits import PLAUSIBLE_AMOUNT, show_amount
from vsla.errors import InvalidInput
from vsla.io.cells import nfc
from vsla.io.importers.activity import import_livelihood, import_referrals
from vsla.io.importers.meetings import import_meetings
from vsla.io.importers.members import import_members
from vsla.io.importers.opening import import_opening
from vsla.io.importers.registry import import_cycles, import_groups
from vsla.io.importers.sheet import InputRow, Problems, RowWarning, parse_sheet
from vsla.io.importers.sheetchecks import check_sheet
from vsla.io.importers.slips import MIN_AMOUNT, SLIP_RATIO, check_amounts
from vsla.io.readers import read_sheet
from vsla.io.templates import COLUMNS, ImportKind, import_kind
from vsla.store.store import Store
from vsla.words import Lang


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import wrote.

    ``rows_read``: data rows read (the header and blank rows not counted);
    ``records_created``: rows written to the database, all tables together;
    ``per_table``: the same, table by table (``members``, ``meetings``, ``entries``, ...);
    ``warnings``: what was imported but looks unlikely (an amount above the import's
    ``warn_above``, a fine unlike the constitution's, a phone given its 0 back), by row and
    column.
    """

    kind: ImportKind
    source: str
    rows_read: int
    records_created: int
    per_table: Mapping[str, int]
    warnings: tuple[RowWarning, ...] = ()

    def text(self, lang: Lang | str = Lang.EN) -> str:
        """The summary in ``lang``: ``"vi"`` or ``"en"`` (the same as ``str()``)."""
        from vsla.io.language import as_lang, summary_text

        return summary_text(
            self.source,
            self.rows_read,
            self.records_created,
            self.per_table,
            len(self.warnings),
            as_lang(lang),
        )

    def __str__(self) -> str:
        tables = ", ".join(f"{n} {t}" for t, n in self.per_table.items() if n)
        warned = f"; {len(self.warnings)} warning(s)" if self.warnings else ""
        return (
            f"{self.source}: {self.rows_read} row(s) read, {self.records_created} record(s) "
            f"created ({tables or 'none'}){warned}"
        )


_IMPORTERS: dict[ImportKind, Callable[[Store, list[InputRow], Problems], dict[str, int]]] = {
    ImportKind.MEMBERS: import_members,
    ImportKind.MEETINGS: import_meetings,
    ImportKind.REFERRALS: import_referrals,
    ImportKind.LIVELIHOOD: import_livelihood,
    ImportKind.GROUPS: import_groups,
    ImportKind.CYCLES: import_cycles,
    ImportKind.OPENING: import_opening,
}


@checked_call
def import_file(
    store: Store,
    kind: ImportKind | str,
    path: str | Path,
    *,
    group_code: str | None = None,
    warn_above: int | None = PLAUSIBLE_AMOUNT,
    min_amount: int | None = MIN_AMOUNT,
    slip_ratio: int | None = SLIP_RATIO,
    today: dt.date | None = None,
) -> ImportSummary:
    """Import a CSV or XLSX file of ``kind`` (or a programme export, JSON or XLSX).

    ``group_code``: the group every row is for; the file's ``group_code`` column may then be
    left out (rows naming another group are errors).

    ``warn_above``: an amount above it (default :data:`~vsla.domain.limits.PLAUSIBLE_AMOUNT`,
    100.000.000 ₫) is imported but reported in :attr:`ImportSummary.warnings`; ``None``
    warns of nothing. Above :data:`~vsla.domain.limits.MAX_AMOUNT` an amount is an error.

    What a spreadsheet's language settings do to a file is caught
    (:mod:`~vsla.io.importers.sheetchecks`, :mod:`~vsla.io.importers.slips`): an amount
    below ``min_amount`` (default :data:`~vsla.io.importers.slips.MIN_AMOUNT`, 100 ₫) is an
    error; one ``slip_ratio`` times (default 100) below the group's usual amount is a
    warning, a fine that far below the constitution's an error; a date after ``today``
    (default: the real date) of something that has happened is an error. ``None`` turns
    the amount checks off.

    Raises :class:`~vsla.errors.ImportErrors` listing every row error of the file, with
    nothing written, when anything is wrong.
    """
    kind = import_kind(kind)
    path = Path(path)
    if warn_above is not None and warn_above < 0:
        raise InvalidInput(f"warn_above is an amount >= 0, got {show_amount(warn_above)}")
    if kind is ImportKind.PROGRAMME:
        if group_code is not None:
            raise InvalidInput("group_code does not apply to a programme import")
        from vsla.io.programme import import_programme

        rows_read, counts = import_programme(store, path)
        return ImportSummary(kind, path.name, rows_read, sum(counts.values()), counts)
    if group_code is not None:
        group_code = nfc(group_code)
    columns = COLUMNS[kind]
    sheet = read_sheet(path, kind.value)
    problems = Problems(sheet.source, [c.name for c in columns])
    rows = parse_sheet(sheet, columns, problems, group_code, warn_above)
    check_sheet(sheet, columns, rows, problems, today or dt.date.today())
    check_amounts(
        store, kind, columns, rows, problems, min_amount=min_amount, slip_ratio=slip_ratio
    )
    counts = _IMPORTERS[kind](store, rows, problems)
    return ImportSummary(
        kind,
        sheet.source,
        len(sheet.rows),
        sum(counts.values()),
        counts,
        problems.sorted_warnings(),
    )
