"""Writing tables: CSV (UTF-8 with a BOM, so Excel shows Vietnamese correctly), XLSX and
JSON, chosen by the file's suffix.

Values are written exactly: an ``int`` as a whole number, a :class:`~decimal.Decimal` as
its digits (text in CSV and JSON, never a float), a date as ISO ``yyyy-mm-dd`` (a date
cell in XLSX). A float is refused: it has no place in an accounting export.

**Spreadsheet (CSV) injection.** A spreadsheet opening a CSV file runs a cell that begins
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula. As
the OWASP guidance on CSV injection recommends, a *text* value that begins with one of
these characters is written with a single quote in front (``'=HYPERLINK(...)``), which
spreadsheets show as the text it is; numbers and dates are never changed. ``raw=True``
writes text exactly as stored, for programs that read the file (not for people who open
it in a spreadsheet). XLSX stores text as text (never a formula) and JSON is data, so
neither needs it.

**CSV for people, CSV for machines.** By default a CSV file is for machines: commas between
cells and a point before decimals (``0.208``), whatever the language. A spreadsheet with
Vietnamese settings reads ``0.208`` as 208 (the point is its thousands mark), so a CSV file
meant for people is written in their language's conventions (``csv_lang``): ``"vi"``, a
semicolon between cells and a comma before decimals (``0,208``, which Vietnamese settings
read as 0.208); ``"en"``, commas and points, as for machines. Whole numbers are written
without thousands marks and dates as ISO ``yyyy-mm-dd`` in every case: both are read the
same by every setting.
"""

from __future__ import annotations

__all__ = [
    "CSV_LANGS",
    "FORMULA_STARTS",
    "Table",
    "neutralise",
    "plain",
    "write_csv",
    "write_json",
    "write_tables",
    "write_xlsx",
]

import contextlib
import csv
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

from vsla.errors import InvalidInput
from vsla.io.readers import require_openpyxl

Table = tuple[str, Sequence[str], Sequence[Mapping[str, object]]]
"""A sheet to write: its name, its columns, its rows (dicts keyed by column)."""

Plain = str | int | Decimal | dt.date | bool | None

CSV_LANGS = {"vi": (";", ","), "en": (",", ".")}
"""The cell separator and decimal mark of a CSV file for people, by language."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a CSV cell as a formula (OWASP)."""


def neutralise(text: str) -> str:
    """Text as a CSV cell a spreadsheet shows and never runs: a single quote in front of a
    value that begins like a formula.

    ```pycon
    >>> neutralise("=1+2"), neutralise("@SUM(A1:A9)")
    ("'=1+2", "'@SUM(A1:A9)")
    >>> neutralise("-5 for the pens"), neutralise("Y Hoa")
    ("'-5 for the pens", 'Y Hoa')

    ```
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def plain(value: object) -> Plain:
    """A value reduced to what a table cell holds; floats are refused."""
    if isinstance(value, float):
        raise InvalidInput(
            f"a float ({value!r}) cannot be exported: money is an int of whole units and "
            "ratios are Decimal"
        )
    if isinstance(value, Enum):
        return plain(value.value)
    if value is None or isinstance(value, bool | int | str | Decimal | dt.date):
        return value
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(_jsonable(value), ensure_ascii=False)
    return str(value)


def _text(value: Plain, decimal_mark: str = ".") -> str:
    """A cell as CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", decimal_mark)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _jsonable(value: object) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    cell = plain(value)
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return cell


def write_csv(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, object]],
    *,
    raw: bool = False,
    csv_lang: str | None = None,
) -> None:
    """A CSV file; text that begins like a formula is neutralised unless ``raw``.
    ``csv_lang``: ``None`` for machines, ``"vi"`` or ``"en"`` for people (see the module)."""
    if csv_lang is not None and csv_lang not in CSV_LANGS:
        raise InvalidInput(f"csv_lang is one of {', '.join(CSV_LANGS)} or None, got {csv_lang!r}")
    separator, decimal_mark = CSV_LANGS[csv_lang] if csv_lang else (",", ".")

    def cell(value: object) -> str:
        text = _text(plain(value), decimal_mark)
        if raw or not isinstance(value, str):  # numbers, dates, enums: as they are
            return text
        return neutralise(text)

    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=separator)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(c)) for c in columns])


def write_json(path: Path, document: object) -> None:
    text = json.dumps(_jsonable(document), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


def write_xlsx(path: Path, tables: Sequence[Table]) -> None:
    """A workbook with one sheet per table: a bold header, dates as date cells."""
    require_openpyxl()
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, columns, rows in tables:
        ws = wb.create_sheet(title=name)
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=column)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in rows:
            cells = []
            for column in columns:
                value = plain(row.get(column))
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = WriteOnlyCell(ws, value=cast(Any, value))
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
                elif isinstance(value, dt.date):
                    cell.number_format = "dd/mm/yyyy"
                cells.append(cell)
            ws.append(cells)
    try:
        wb.save(path)
    except BaseException:
        # A failed save (a missing folder, no permission) leaves each sheet's row writer, a
        # generator, suspended; finished later by the garbage collector, it wrote to a closed
        # file, and its finaliser running inside ast.parse made CPython 3.11 raise
        # "AST constructor recursion depth mismatch" in another test. Finish them now.
        for sheet in wb.worksheets:
            with contextlib.suppress(Exception):
                if not sheet.closed:
                    sheet.close()
        raise


def write_tables(
    path: Path,
    tables: Sequence[Table],
    *,
    json_document: object = None,
    raw: bool = False,
    csv_lang: str | None = None,
) -> None:
    """One table to CSV, or any number of tables to XLSX; JSON writes ``json_document`` (or
    the first table's rows when it is ``None``). ``raw``: CSV text exactly as stored (see
    the module); ``csv_lang``: a CSV file for people of that language (see the module). A
    file that cannot be written (its folder is missing, no permission)
    raises :class:`~vsla.errors.InvalidInput`."""
    try:
        _write_tables(path, tables, json_document, raw, csv_lang)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InvalidInput(f"{path}: the file cannot be written ({reason})") from None


def _write_tables(
    path: Path, tables: Sequence[Table], json_document: object, raw: bool, csv_lang: str | None
) -> None:
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        if len(tables) != 1:
            raise InvalidInput(f"{path.name}: a CSV file holds one table; use .xlsx or .json")
        _, columns, rows = tables[0]
        write_csv(path, columns, rows, raw=raw, csv_lang=csv_lang)
    elif suffix == ".xlsx":
        write_xlsx(path, tables)
    elif suffix == ".json":
        if json_document is None:
            _, columns, rows = tables[0]
            json_document = [{c: row.get(c) for c in columns} for row in rows]
        write_json(path, json_document)
    else:
        raise InvalidInput(f"{path.name}: export writes .csv, .xlsx or .json, not {path.suffix!r}")
