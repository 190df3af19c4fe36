"""What a spreadsheet program does to a clerk's data, caught before anything is imported.

A sheet typed in Vietnamese and opened or saved by LibreOffice, Excel or WPS with other
language settings can change it silently (docs/import-export.md, "Spreadsheet programs and
language settings"). These checks run on every sheet import, after the cells are read:

- **'?' in place of letters** (:func:`check_question_marks`): a CSV saved in a character set
  without Vietnamese letters; one error for the whole file, like a file that is not UTF-8.
- **day and month swapped** (:func:`check_swapped_dates`): a date column that mixes date
  cells with dd/mm/yyyy text a month-first program could not read (``14/04/2025``): its
  date cells were read month first (``07/04/2025`` became 4 July); each is refused.
- **two-digit years** (:func:`collapse_two_digit_years`): one error for the column, not one
  per row.
- **dates in the future** (:func:`check_future_dates`) for what has happened: joining,
  leaving, meetings, referrals, support.
- **phone numbers without their leading 0** (:func:`restore_phone_zeros`): a number cell
  turned ``0912345678`` into ``912345678``; the 0 of a Vietnamese number is put back, with a
  warning.
"""

from __future__ import annotations

__all__ = [
    "HAPPENED",
    "TEXT_OF_PEOPLE_AND_PLACES",
    "check_future_dates",
    "check_question_marks",
    "check_sheet",
    "check_swapped_dates",
    "collapse_two_digit_years",
    "restore_phone_zeros",
]

import datetime as dt
import re
from collections.abc import Sequence

from vsla.errors import RowError
from vsla.io.cells import Cell, nfc, parse_date
from vsla.io.importers.sheet import InputRow, Problems, header_name, show_date
from vsla.io.readers import SAVE_AS_UTF8, Sheet, file_error
from vsla.io.templates import Column

HAPPENED = frozenset(
    {
        "joined_on",
        "left_on",
        "gal_champion_since",
        "date",
        "repayment_loan_date",
        "referred_on",
        "outcome_on",
        "received_on",
    }
)
"""Date columns of things that have happened: a date after ``today`` is refused."""

TEXT_OF_PEOPLE_AND_PLACES = frozenset(
    {"full_name", "ethnicity", "provider", "name", "village", "commune", "district", "province"}
)
"""Text columns where a ``?`` is never real: it stands for a letter a character set lost."""

TWO_DIGIT_YEAR = "write the year with four digits"
"""The words of the cell error for ``21/04/25`` (:func:`vsla.io.cells.parse_date`)."""

_DMY_TEXT = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*")


def _positions(sheet: Sheet) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, raw in enumerate(sheet.header):
        positions.setdefault(header_name(raw), i)
    return positions


def _cell(cells: tuple[Cell, ...], at: int) -> Cell:
    return cells[at] if at < len(cells) else None


def check_question_marks(sheet: Sheet) -> None:
    """Refuse a file whose names, ethnicities or places hold ``?``: the letters a character
    set without Vietnamese lost (``Đặng Thị Hương`` saved as ``?·ng Th? H??ng``). One error
    for the whole file, with the first such cell."""
    columns = [
        (name, at) for name, at in _positions(sheet).items() if name in TEXT_OF_PEOPLE_AND_PLACES
    ]
    found = [
        (row, name, cell)
        for row, cells in sheet.rows
        for name, at in columns
        if isinstance(cell := _cell(cells, at), str) and "?" in cell
    ]
    if found:
        row, name, cell = found[0]
        raise file_error(
            sheet.source,
            f"{len(found)} cell(s) hold '?' where letters were (first: row {row}, column "
            f"{name!r}: {nfc(cell)!r}): the file was saved in a character set without "
            f"Vietnamese letters, which turned them into '?'; {SAVE_AS_UTF8}",
        )


def _date_columns(columns: Sequence[Column]) -> list[str]:
    return [c.name for c in columns if c.parse is parse_date]


def check_swapped_dates(
    sheet: Sheet, columns: Sequence[Column], rows: Sequence[InputRow], problems: Problems
) -> None:
    """Refuse every date cell of a column that also holds dd/mm/yyyy text with a day above
    12: a program with month-first (English (US)) settings read the text it could, such as
    ``07/04/2025``, as 4 July, and left the rest (``14/04/2025``) as text.

    Such a program makes only date cells whose day and month are both 12 or less; a column
    with any other date cell was not read month first and is left alone, and so is a date
    whose day and month are equal (the same date either way)."""
    positions = _positions(sheet)
    by_number = {row.number: row for row in rows}
    for name in _date_columns(columns):
        at = positions.get(name)
        if at is None:
            continue
        dates: list[tuple[int, dt.date]] = []
        day_first: tuple[int, str] | None = None
        for number, cells in sheet.rows:
            cell = _cell(cells, at)
            if isinstance(cell, dt.date):
                day = cell.date() if isinstance(cell, dt.datetime) else cell
                dates.append((number, day))
            elif isinstance(cell, str) and (m := _DMY_TEXT.fullmatch(cell)) and int(m[1]) > 12:
                day_first = day_first or (number, nfc(cell))
        # a date cell with a day above 12 was read day first: the program is not month-first
        if not dates or day_first is None or any(day.day > 12 for _, day in dates):
            continue
        for number, day in dates:
            if number not in by_number or day.day == day.month:
                continue  # a duplicate row (reported already), or the same date either way
            meant = (
                f" (typed as {day.month:02d}/{day.day:02d}/{day.year}, meaning "
                f"{show_date(dt.date(day.year, day.day, day.month))}?)"
            )
            problems.add(
                number,
                name,
                f"the date cell {show_date(day)}{meant} is probably day and month swapped: "
                f"other cells of this column are still text ({day_first[1]!r} in row "
                f"{day_first[0]}), as when a program with month-first (English (US)) "
                "settings opens a dd/mm/yyyy CSV file; open the CSV again with the language "
                "Vietnamese or English (UK) (or format the column as text) and save it as "
                ".xlsx, or type the dates again",
            )
            by_number[number].bad.add(name)
            by_number[number].values[name] = None


def collapse_two_digit_years(problems: Problems, columns: Sequence[Column]) -> None:
    """One error per column for dates with a two-digit year (``21/04/25``, what a spreadsheet
    saves to CSV in its short date format), at the first such row, instead of one per row."""
    for name in _date_columns(columns):
        hits = [e for e in problems.items if e.column == name and TWO_DIGIT_YEAR in e.message]
        if not hits:
            continue
        problems.items = [e for e in problems.items if e not in hits]
        first = min(hits, key=lambda e: e.row)
        rows = sorted(e.row for e in hits)
        where = f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]} to {rows[-1]}"
        example = first.message.split(":", 1)[0]
        problems.items.append(
            RowError(
                first.source,
                first.row,
                name,
                f"{len(hits)} date(s) of this column ({where}, first {example}) have a "
                "two-digit year: the spreadsheet saved its short date format to CSV; save "
                "the sheet as .xlsx (or .ods) and import that, or format the column as "
                "dd/mm/yyyy (four-digit year) before saving as CSV",
            )
        )


def check_future_dates(rows: Sequence[InputRow], problems: Problems, today: dt.date) -> None:
    """Refuse a date after ``today`` in a column of something that has happened."""
    for row in rows:
        for name in sorted(HAPPENED & row.values.keys(), key=str):
            day = row[name]
            if isinstance(day, dt.date) and day > today and name not in row.bad:
                problems.add(
                    row.number,
                    name,
                    f"{show_date(day)} is in the future (today is {show_date(today)}): "
                    "it records something that has happened; are the day and month, or the "
                    "year, mistyped?",
                )
                row.bad.add(name)
                row.values[name] = None


_MOBILE = re.compile(r"[35789]\d{8}")  # 09x xxx xxxx without its 0
_LANDLINE = re.compile(r"2\d{9}")  # 02xx xxx xxxx without its 0


def restore_phone_zeros(rows: Sequence[InputRow], problems: Problems) -> None:
    """Put back the leading 0 a number cell dropped from a Vietnamese phone number
    (``912345678`` → ``0912345678``; a landline ``2603123456`` → ``02603123456``), with a
    warning; warn of any other phone made only of digits that no number starts with."""
    for row in rows:
        phone = row["phone"]
        if not isinstance(phone, str) or "phone" in row.bad:
            continue
        digits = re.sub(r"[\s.\-]", "", phone)
        if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
            row.values["phone"] = "0" + digits
            problems.warn(
                row.number,
                "phone",
                f"{phone} lost its leading 0 (the spreadsheet stored it as a number): "
                f"imported as 0{digits}; format the column as text to keep it",
            )
        elif digits.isdigit() and not digits.startswith(("0", "84")):
            problems.warn(
                row.number,
                "phone",
                f"{phone} does not start with 0 or 84: if the spreadsheet dropped a leading "
                "0, correct the number (format the column as text to keep it)",
            )


def check_sheet(
    sheet: Sheet,
    columns: Sequence[Column],
    rows: Sequence[InputRow],
    problems: Problems,
    today: dt.date,
) -> None:
    """Every check of this module, on a sheet read by
    :func:`~vsla.io.importers.sheet.parse_sheet`."""
    check_question_marks(sheet)
    collapse_two_digit_years(problems, columns)
    check_swapped_dates(sheet, columns, rows, problems)
    check_future_dates(rows, problems, today)
    if any(c.name == "phone" for c in columns):
        restore_phone_zeros(rows, problems)
