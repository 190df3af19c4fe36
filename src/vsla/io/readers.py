"""Reading a file into sheets of cells: CSV (any of the encodings a clerk's computer
produces), XLSX workbooks, and JSON programme exports.

A problem with the whole file (not UTF-8, not a workbook, mangled text) is reported as ONE
:class:`~vsla.errors.RowError` with row 0, never as garbage names in every row.
"""

from __future__ import annotations

__all__ = [
    "SAVE_AS_UTF8",
    "Sheet",
    "XlsxUnavailable",
    "decode",
    "file_error",
    "read_csv",
    "read_json",
    "read_sheet",
    "read_workbook",
    "require_openpyxl",
    "sheet_of",
]

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from vsla.errors import ImportErrors, InvalidInput, RowError, VslaError
from vsla.io.cells import Cell, Formula, from_workbook, nfc

XLSX_HINT = "install vsla[xlsx] (pip install 'vsla[xlsx]')"


class XlsxUnavailable(VslaError, ImportError):
    """Reading or writing ``.xlsx`` needs openpyxl, the optional ``xlsx`` extra."""


def require_openpyxl() -> None:
    """Raise :class:`XlsxUnavailable` with the install hint when openpyxl is missing."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise XlsxUnavailable(
            f"reading and writing .xlsx files needs the optional openpyxl package: {XLSX_HINT}"
        ) from exc


@dataclass(frozen=True, slots=True)
class Sheet:
    """A table as read: the header (row 1) and the non-blank rows below it.

    ``rows`` pairs each row with its number as a spreadsheet shows it (the header is row 1).
    """

    source: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


def file_error(source: str, message: str) -> ImportErrors:
    """The single error of a file that cannot be read at all (row 0: the whole file)."""
    return ImportErrors([RowError(source, 0, "", message)])


SAVE_AS_UTF8 = (
    "save it again as UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)'; LibreOffice: "
    "character set 'Unicode (UTF-8)') and import it again"
)


def decode(data: bytes, source: str) -> str:
    """The text of a file: UTF-8 (with or without BOM) or UTF-16 (with or without BOM).

    Anything else, typically a Windows code page (Windows-1258 for Vietnamese, Windows-1252),
    is refused with one error that says so, rather than read as garbage.
    """
    if data.startswith(b"PK\x03\x04"):
        raise file_error(
            source, "this is an Excel workbook, not a CSV text file: give it the suffix .xlsx"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif b"\x00" in data[:4096]:
        head = data[:4096]
        odd_nuls = head[1::2].count(0)
        even_nuls = head[0::2].count(0)
        encoding = "utf-16-le" if odd_nuls >= even_nuls else "utf-16-be"
    else:
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding.startswith("utf-16"):
            raise file_error(
                source,
                f"the file looks like UTF-16 text but cannot be read as such; {SAVE_AS_UTF8}",
            ) from None
        line = data[: exc.start].count(b"\n") + 1
        raise file_error(
            source,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line}): "
            "it was probably saved in a Windows code page (Windows-1258 or Windows-1252); "
            f"{SAVE_AS_UTF8}",
        ) from None


def _as_windows_bytes(text: str) -> bytes | None:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                return None
            out.append(ord(ch))
    return bytes(out)


def unmangle(text: str) -> str | None:
    """What ``text`` was before UTF-8 was read as Windows-1252 ('Äáº¯k' -> 'Đắk'), or
    ``None`` when it does not look mangled."""
    if text.isascii():
        return None
    raw = _as_windows_bytes(text)
    if raw is None:
        return None
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return fixed if fixed != text else None


def _check_mangled(sheet: Sheet) -> None:
    for row, cells in sheet.rows:
        for cell in cells:
            if isinstance(cell, str) and (fixed := unmangle(cell)) is not None:
                raise file_error(
                    sheet.source,
                    f"the text is mangled: UTF-8 was read as Windows-1252 and saved again "
                    f"(row {row}: {nfc(cell)!r} is probably {nfc(fixed)!r}); export the "
                    "data again from the original file as UTF-8",
                )


def _blank_row(cells: tuple[Cell, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def sheet_of(source: str, rows: list[tuple[Cell, ...]]) -> Sheet:
    """A table from its rows of cells: the header, the non-blank rows numbered as a
    spreadsheet shows them, mangled text refused."""
    if not rows or _blank_row(rows[0]):
        raise file_error(source, "the file is empty: the first row must be the header")
    header = tuple(nfc(str(c)) if c is not None else "" for c in rows[0])
    body = tuple((n, cells) for n, cells in enumerate(rows[1:], start=2) if not _blank_row(cells))
    sheet = Sheet(source, header, body)
    _check_mangled(sheet)
    return sheet


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a file that cannot be read is one error for the whole file."""
    try:
        return path.read_bytes()
    except (OSError, ValueError) as exc:  # missing, a directory, no permission, a NUL
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise file_error(path.name, f"the file cannot be read ({reason})") from None


def read_csv(path: Path) -> Sheet:
    """A CSV file: comma, semicolon or tab separated (guessed from the header)."""
    source = path.name
    text = decode(read_bytes(path), source)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows: list[tuple[Cell, ...]] = [
        tuple(cells) for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    ]
    return sheet_of(source, rows)


@dataclass(frozen=True, slots=True)
class _Workbook:
    """A workbook as written (formulas as formulas) and, when it holds formulas, the same
    workbook with the values a spreadsheet saved for them."""

    written: Any
    saved: Any | None

    @property
    def worksheets(self) -> list[Any]:
        return list(self.written.worksheets)

    def rows(self, ws: Any) -> list[tuple[Cell, ...]]:
        """The sheet's cells made safe; a formula with no saved value is a :class:`Formula`,
        never an empty cell (openpyxl reads it as ``None``)."""
        saved = self.saved[ws.title] if self.saved is not None else None
        out: list[tuple[Cell, ...]] = []
        for row in ws.iter_rows(min_row=1):
            cells: list[Cell] = []
            for cell in row:
                if cell.data_type != "f":
                    cells.append(from_workbook(cell.value))
                    continue
                value = None if saved is None else saved[cell.coordinate].value
                text = (
                    cell.value if isinstance(cell.value, str) else getattr(cell.value, "text", "")
                )
                cells.append(Formula(str(text or "=…")) if value is None else from_workbook(value))
            out.append(tuple(cells))
        return out


def _load_workbook(path: Path) -> _Workbook:
    require_openpyxl()
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    read_bytes(path)  # a missing or unreadable file: one error for the whole file
    try:
        written = load_workbook(path, data_only=False)
        formulas = any(
            cell.data_type == "f"
            for ws in written.worksheets
            for row in ws.iter_rows()
            for cell in row
        )
        # only a workbook with formulas is read twice: once more for their saved values
        return _Workbook(written, load_workbook(path, data_only=True) if formulas else None)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise file_error(path.name, f"not a readable .xlsx workbook ({exc})") from None


def read_workbook(path: Path) -> dict[str, Sheet]:
    """Every sheet of a workbook by name (sheet names as given, cells made safe)."""
    wb = _load_workbook(path)
    out: dict[str, Sheet] = {}
    for ws in wb.worksheets:
        rows = wb.rows(ws)
        if rows and not _blank_row(rows[0]):
            out[ws.title] = sheet_of(f"{path.name} [{ws.title}]", rows)
    return out


def read_xlsx(path: Path, preferred: str) -> Sheet:
    """The data sheet of a workbook: the sheet named ``preferred`` if there is one, else the
    first sheet that is not the template's ``example`` or ``help`` sheet."""
    wb = _load_workbook(path)
    by_name = {ws.title.casefold(): ws for ws in wb.worksheets}
    ws = by_name.get(preferred.casefold())
    if ws is None:
        candidates = [w for w in wb.worksheets if w.title.casefold() not in ("example", "help")]
        if not candidates:
            raise file_error(path.name, "the workbook has no data sheet")
        ws = candidates[0]
    return sheet_of(path.name, wb.rows(ws))


def read_sheet(path: Path, preferred: str) -> Sheet:
    """A CSV file or the data sheet of an XLSX, ODS or XLS workbook, by suffix."""
    suffix = path.suffix.casefold()
    if suffix == ".csv" or suffix in (".txt", ".tsv"):
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx(path, preferred)
    if suffix in (".ods", ".xls"):
        from vsla.io.ods import read_calamine

        return read_calamine(path, preferred)
    raise InvalidInput(
        f"{path.name}: import reads .csv, .xlsx, .ods and .xls files, not {path.suffix!r}"
    )


def read_json(path: Path) -> Any:
    """A JSON document; numbers with a fraction are read as Decimal, never float."""
    text = decode(read_bytes(path), path.name)
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise file_error(
            path.name, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def json_cell(value: object) -> Cell:
    """A JSON value as a cell (objects and lists become JSON text)."""
    if value is None or isinstance(value, bool | int | str | Decimal):
        return value
    if isinstance(value, dt.date):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
