"""Reading LibreOffice's ``.ods`` and legacy Excel ``.xls`` workbooks, through
``python-calamine`` (the ``xlsx`` extra), a reader of xlsx, xls and ods files.

``.xlsx`` stays with openpyxl (:mod:`vsla.io.readers`), which also tells a formula with no
saved value from an empty cell; a workbook saved by LibreOffice or Excel always holds the
values of its formulas, and those are what calamine reads.
"""

from __future__ import annotations

__all__ = ["CALAMINE_SUFFIXES", "read_calamine"]

from pathlib import Path
from typing import Any

from vsla.io.cells import Cell, from_workbook
from vsla.io.readers import XLSX_HINT, Sheet, XlsxUnavailable, file_error, read_bytes, sheet_of

CALAMINE_SUFFIXES = (".ods", ".xls")
"""The workbook suffixes read by python-calamine."""


def _load(path: Path) -> Any:
    try:
        import python_calamine
    except ImportError as exc:
        raise XlsxUnavailable(
            f"reading {path.suffix} workbooks needs the optional python-calamine package: "
            f"{XLSX_HINT}, or save the file as .xlsx"
        ) from exc
    read_bytes(path)  # a missing or unreadable file: one error for the whole file
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise file_error(path.name, f"not a readable {path.suffix} workbook ({exc})") from None


def _rows(book: Any, name: str) -> list[tuple[Cell, ...]]:
    values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return [tuple(from_workbook(None if v == "" else v) for v in row) for row in values]


def read_calamine(path: Path, preferred: str) -> Sheet:
    """The data sheet of an ``.ods`` or ``.xls`` workbook: the sheet named ``preferred``, else
    the first sheet that is not the template's ``example`` or ``help`` sheet."""
    book = _load(path)
    names: list[str] = list(book.sheet_names)
    by_name = {n.casefold(): n for n in names}
    name = by_name.get(preferred.casefold())
    if name is None:
        candidates = [n for n in names if n.casefold() not in ("example", "help")]
        if not candidates:
            raise file_error(path.name, "the workbook has no data sheet")
        name = candidates[0]
    return sheet_of(path.name, _rows(book, name))
