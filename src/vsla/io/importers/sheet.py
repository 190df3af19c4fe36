"""The sheet handling every import shares: headers, rows, and row errors collected in full.

:func:`parse_sheet` maps the header to the template's columns (a missing or unknown column
stops the import at once), then reads every row's cells with the columns' parsers. Every
problem goes to :class:`Problems` (beancount-style: all of a file's errors are collected,
then reported together, sorted by row and column) rather than stopping at the first.
"""

from __future__ import annotations

__all__ = [
    "InputRow",
    "Problems",
    "RowWarning",
    "fold",
    "header_name",
    "model_field",
    "parse_sheet",
    "show_date",
]

import datetime as dt
import difflib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from vsla.domain.limits import show_amount
from vsla.errors import ImportErrors, RowError
from vsla.io.cells import Cell, CellError, Formula, is_blank, nfc, parse_amount, parse_text
from vsla.io.language import column_key, format_help
from vsla.io.readers import Sheet
from vsla.io.templates import Column
from vsla.words import Lang


def show_date(d: dt.date) -> str:
    """A date as the clerk types it: day/month/year."""
    return d.strftime("%d/%m/%Y")


def model_field(exc: BaseException, columns: Collection[str]) -> str:
    """The column a model's refusal (a :class:`~vsla.errors.VslaError` raised from pydantic's
    ``ValidationError``) is first about, when it names one of ``columns``; else ``""``.

    The field is the error's location, or, for a rule of the whole record (text with a NUL
    character, a date out of range), the field its message starts with."""
    cause = exc.__cause__
    if not isinstance(cause, ValidationError) or not cause.errors():
        return ""
    first = cause.errors()[0]
    loc = first["loc"]
    if loc:
        field = str(loc[0])
    else:
        message = str(first["msg"]).removeprefix("Value error, ")
        field = re.split(r"[\s:]", message, maxsplit=1)[0]
    return field if field in columns else ""


def fold(text: str) -> str:
    """Text as compared for duplicates and names: NFC, case-folded, single spaces."""
    return " ".join(nfc(text).casefold().split())


@dataclass(frozen=True, slots=True)
class RowWarning:
    """Something legal but unlikely in one row of an imported file (an amount above the
    plausibility threshold): the import goes on and returns it in
    :attr:`~vsla.io.ImportSummary.warnings`."""

    source: str
    row: int
    column: str
    message: str
    rule: str | None = field(default=None, compare=False)
    facts: Mapping[str, object] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.source}, row {self.row}, column {self.column!r}: {self.message}"


class Problems:
    """InputRow errors of one file, reported sorted by row and then by column; and the
    warnings, which stop nothing."""

    def __init__(self, source: str, columns: Sequence[str] = ()) -> None:
        self.source = source
        self.order = {name: i for i, name in enumerate(columns)}
        self.items: list[RowError] = []
        self.warnings: list[RowWarning] = []

    def add(
        self,
        row: int,
        column: str,
        message: str,
        rule: str | None = None,
        **facts: object,
    ) -> None:
        """Record a row error: ``message`` in English; ``rule`` and ``facts`` for saying it
        in Vietnamese (the catalogue's ``row.<rule>`` text, filled in with the facts)."""
        self.items.append(RowError(self.source, row, column, message, rule, facts))

    def warn(
        self, row: int, column: str, message: str, rule: str | None = None, **facts: object
    ) -> None:
        self.warnings.append(RowWarning(self.source, row, column, message, rule, facts))

    def sorted_warnings(self) -> tuple[RowWarning, ...]:
        return tuple(sorted(self.warnings, key=lambda e: (e.row, self.order.get(e.column, -1))))

    def __bool__(self) -> bool:
        return bool(self.items)

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: (e.row, self.order.get(e.column, -1)))

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportErrors(self.sorted())


@dataclass(slots=True)
class InputRow:
    """One data row: its number as a spreadsheet shows it, its cells, its parsed values."""

    number: int
    raw: tuple[str, ...]
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    def __getitem__(self, column: str) -> Any:
        return self.values.get(column)


def header_name(text: str) -> str:
    """A header cell as a column name: ``Group code`` is ``group_code``."""
    return re.sub(r"[\s\-]+", "_", nfc(text).casefold())


def parse_sheet(
    sheet: Sheet,
    columns: Sequence[Column],
    problems: Problems,
    group_code: str | None,
    warn_above: int | None = None,
) -> list[InputRow]:
    """Check the header, then read every row's cells; cell problems go to ``problems``.

    A row identical to an earlier one is reported once, as a duplicate, and dropped. An
    amount above ``warn_above`` is a warning (``None``: no warnings).

    A header problem (missing or unknown column) stops the import at once: the rows cannot
    be read without knowing which column is which.
    """
    known = {c.name: c for c in columns}
    positions: dict[str, int] = {}
    for i, raw in enumerate(sheet.header):
        name = header_name(raw)
        if not name:
            continue
        name = column_key(raw) or name  # a Vietnamese header (Mã tổ) names its column
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "the columns are " + ", ".join(known)
            problems.add(1, raw, f"unknown column {raw!r}; {hint}", "unknown_column", header=raw)
        elif name in positions:
            problems.add(1, name, "the column appears twice", "column_twice")
        else:
            positions[name] = i
    for column in columns:
        if column.name in positions or not column.required:
            continue
        if column.name == "group_code" and group_code is not None:
            continue
        problems.add(1, column.name, "missing column (the template requires it)", "missing_column")
    problems.raise_if_any()

    rows: list[InputRow] = []
    width = len(sheet.header)
    first: dict[tuple[str, ...], int] = {}
    for number, cells in sheet.rows:
        row = InputRow(number, tuple(parse_text(c) for c in cells), {})
        key = tuple(fold(c) for c in row.raw)
        while key and not key[-1]:
            key = key[:-1]
        if key in first:
            # a copy-paste mistake, or the same transaction typed twice: one error for it
            problems.add(
                number,
                "",
                f"duplicate row: the same as row {first[key]}",
                "duplicate_row",
                first=first[key],
            )
            continue
        first[key] = number
        for i in range(width, len(cells)):
            if not is_blank(cells[i]):
                problems.add(
                    number,
                    "",
                    f"cell {i + 1} of the row has a value but no header",
                    "cell_without_header",
                    cell=i + 1,
                )
                break
        for column in columns:
            at = positions.get(column.name)
            cell: Cell = cells[at] if at is not None and at < len(cells) else None
            if isinstance(cell, Formula):
                problems.add(number, column.name, cell.problem(), "formula_cell")
                row.bad.add(column.name)
                row.values[column.name] = None
                continue
            if is_blank(cell):
                row.values[column.name] = None
                if column.name == "group_code" and group_code is not None:
                    row.values[column.name] = group_code
                elif column.required:
                    problems.add(
                        number, column.name, "is empty; a value is required", "required_cell"
                    )
                    row.bad.add(column.name)
                continue
            try:
                value = row.values[column.name] = column.parse(cell)
            except CellError as exc:
                problems.add(
                    number,
                    column.name,
                    str(exc),
                    "bad_cell",
                    value=parse_text(cell),
                    expected=format_help(column, Lang.VI),
                )
                row.bad.add(column.name)
                row.values[column.name] = None
                continue
            if (
                warn_above is not None
                and column.parse is parse_amount
                and isinstance(value, int)
                and value > warn_above
            ):
                problems.warn(
                    number,
                    column.name,
                    f"{show_amount(value)} is accepted but unusually large for a savings group "
                    f"(above {show_amount(warn_above)}): check the amount",
                    "amount_unusual",
                    amount=show_amount(value),
                    limit=show_amount(warn_above),
                )
        if group_code is not None and row["group_code"] not in (None, group_code):
            problems.add(
                number,
                "group_code",
                f"the row is for group {row['group_code']!r} but this import is for group "
                f"{group_code!r}",
                "other_group",
                group_code=row["group_code"],
                import_group=group_code,
            )
            row.bad.add("group_code")
        rows.append(row)
    return rows
