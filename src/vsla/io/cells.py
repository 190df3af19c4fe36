"""Reading one spreadsheet cell: text, whole numbers, amounts, dates and choices.

A cell arrives as text (from a CSV file, or a text cell of a workbook) or as a typed value
(an XLSX number or date cell). Each parser turns it into the value the domain wants, or
raises :class:`CellError` with a message a clerk can act on. No float survives reading: an
XLSX number cell becomes an ``int`` (when whole) or a :class:`~decimal.Decimal` (when not)
the moment it is read, see :func:`from_workbook`.
"""

from __future__ import annotations

__all__ = [
    "Cell",
    "CellError",
    "Choice",
    "Formula",
    "from_workbook",
    "is_blank",
    "nfc",
    "parse_amount",
    "parse_date",
    "parse_text",
    "parse_whole",
    "show",
]

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from vsla.domain.arguments import MAX_INT32
from vsla.domain.limits import amount_problem, date_problem


@dataclass(frozen=True, slots=True)
class Formula:
    """A workbook cell holding a formula with no saved value: a file written by a program
    (openpyxl, a script) and never opened and saved by a spreadsheet. Its value is unknown,
    so it is an error wherever it is read, never an empty cell."""

    text: str

    def __str__(self) -> str:
        return self.text

    def problem(self) -> str:
        """What the clerk is told."""
        return (
            f"the cell holds the formula {self.text} but no saved value (the file was "
            "written by a program): open the file in Excel or LibreOffice and save it, or "
            "type the value instead of the formula"
        )


Cell = str | int | Decimal | dt.date | dt.datetime | bool | Formula | None
"""A cell as read: text, a whole number, a decimal, a date, a date-time, a boolean, a
formula without a saved value, empty."""

E = TypeVar("E", bound=StrEnum)


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


def nfc(text: str) -> str:
    """Text in Unicode NFC, trimmed: 'Đắk Glei' typed two ways compares equal."""
    return unicodedata.normalize("NFC", text).strip()


def from_workbook(value: object) -> Cell:
    """A value read by openpyxl, made safe: a float becomes ``int`` or ``Decimal`` here."""
    if value is None or isinstance(value, bool | int | str | Decimal | dt.date):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        return Decimal(repr(value))
    return str(value)


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value: Cell) -> str:
    """A cell as the clerk typed it, for messages."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return repr(nfc(value)) if isinstance(value, str) else str(value)


def parse_text(value: Cell) -> str:
    """Any cell as text, NFC, trimmed (a date cell becomes ISO ``yyyy-mm-dd``)."""
    if isinstance(value, str):
        return nfc(value)
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_DIGITS = re.compile(r"[+-]?\d+")


def parse_whole(value: Cell) -> int:
    """A whole number from 0 to 2.147.483.647 (shares, months, a member number, a year)."""
    if isinstance(value, Formula):
        raise CellError(value.problem())
    original = value
    if isinstance(value, bool | dt.date):
        raise CellError(f"{show(value)} is not a whole number")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise CellError(f"{value} is not a whole number")
        value = int(value)
    if isinstance(value, str):
        text = nfc(value)
        if not _DIGITS.fullmatch(text):
            raise CellError(f"{show(value)} is not a whole number")
        value = int(text)
    if value is None:
        raise CellError("is empty")
    if value < 0:
        raise CellError(f"{show(original)} is negative")
    if value > MAX_INT32:
        raise CellError(f"{show(original)} is too large (at most {MAX_INT32:,})".replace(",", "."))
    return value


# 12000 | 12.000 | 12,000 | 12 000 | 1.234.567 | 12.000,00 | 12,000.00 | 12.00 ; sign first
_AMOUNT = re.compile(
    r"""(?P<sign>[+-]?)
    (?:
        (?P<plain>\d+)(?:[.,](?P<pf>\d{1,2}))?                  # 12000 or 12000.00
      | (?P<dots>\d{1,3}(?:\.\d{3})+)(?:,(?P<df>\d{1,2}))?      # 12.000 or 12.000,00
      | (?P<commas>\d{1,3}(?:,\d{3})+)(?:\.(?P<cf>\d{1,2}))?    # 12,000 or 12,000.00
      | (?P<spaces>\d{1,3}(?:\ \d{3})+)(?:[.,](?P<sf>\d{1,2}))? # 12 000
    )""",
    re.VERBOSE,
)
_CURRENCY = re.compile(r"\s*(?:₫|đ|đồng|vnd|vnđ|dong)\.?$", re.IGNORECASE)


def parse_amount(value: Cell) -> int:
    """An amount of money in whole đồng, >= 0.

    Text may group thousands with dots (the Vietnamese way), commas or spaces and may end
    with ``đ``/``₫``/``VND``: ``12.000``, ``12,000``, ``12 000 đ`` and ``12000`` are all
    12000. A decimal part is accepted only when it is zero (``12.000,00``); a part of three
    digits after one mark is a thousands group. A number cell must be whole. An amount is at
    most :data:`~vsla.domain.limits.MAX_AMOUNT` (10¹² đồng).
    """
    if isinstance(value, Formula):
        raise CellError(value.problem())
    original = value
    if isinstance(value, bool | dt.date):
        raise CellError(f"{show(value)} is not an amount")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise CellError(f"{value} is not a whole number of đồng")
        value = int(value)
    if isinstance(value, str):
        text = _CURRENCY.sub("", nfc(value).replace("\u00a0", " ").replace("\u202f", " "))
        match = _AMOUNT.fullmatch(text.strip())
        if match is None:
            raise CellError(
                f"{show(value)} is not an amount (write it like 12000, 12.000 or 12,000)"
            )
        fraction = match["pf"] or match["df"] or match["cf"] or match["sf"] or ""
        if fraction.strip("0"):
            raise CellError(f"{show(value)} is not a whole number of đồng")
        digits = match["plain"] or match["dots"] or match["commas"] or match["spaces"]
        number = int(re.sub(r"[^\d]", "", digits))
        value = -number if match["sign"] == "-" else number
    if value is None:
        raise CellError("is empty")
    if value < 0:
        raise CellError(f"{show(original)} is negative; amounts are written without a sign")
    if (problem := amount_problem(value)) is not None:
        raise CellError(problem)
    return value


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")


def parse_date(value: Cell) -> dt.date:
    """A date: ``dd/mm/yyyy`` (also ``d/m/yyyy``, with ``-`` or ``.``), ISO ``yyyy-mm-dd``,
    or a date cell of a workbook, from 1900 to 2100 (:mod:`vsla.domain.limits`)."""
    return _in_range(_parse_date(value))


def _in_range(day: dt.date) -> dt.date:
    if (problem := date_problem(day)) is not None:
        raise CellError(problem)
    return day


def _parse_date(value: Cell) -> dt.date:
    if isinstance(value, Formula):
        raise CellError(value.problem())
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise CellError(f"{show(value)} has a time of day; give the date only")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise CellError(
            f"{show(value)} is a number, not a date: type the date as dd/mm/yyyy "
            "or format the cell as a date"
        )
    text = nfc(value)
    if (m := _ISO.fullmatch(text)) is not None:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif (m := _DMY.fullmatch(text)) is not None:
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) != 4:
            raise CellError(f"{show(value)}: write the year with four digits (dd/mm/yyyy)")
    else:
        raise CellError(f"{show(value)} is not a date (write it as dd/mm/yyyy)")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"{show(value)} is not a valid date (dates are day/month/year)") from None


def _fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: 'Có Mặt' -> 'co mat', 'Đắk' -> 'dak'."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("_", " ").replace("-", " ").split())


class Choice(Generic[E]):
    """One value of an enum, by its value, its name or a Vietnamese/English label.

    Matching ignores case, diacritics, spaces, hyphens and underscores, so ``"Có mặt"``,
    ``"co mat"`` and ``"CÓ MẶT"`` are the same label.
    """

    def __init__(self, enum: type[E], labels: Mapping[E, Iterable[str]]) -> None:
        self.enum = enum
        self.labels = {member: tuple(labels.get(member, ())) for member in enum}
        self._lookup: dict[str, E] = {}
        for member in enum:
            for label in (member.value, member.name, *self.labels[member]):
                self._lookup[_fold(label)] = member

    def __call__(self, value: Cell) -> E:
        found = self._lookup.get(_fold(parse_text(value)))
        if found is None:
            raise CellError(f"{show(value)} is not one of: {self.describe()}")
        return found

    def describe(self) -> str:
        """``present, represented, absent (also: có mặt, ủy quyền, vắng)``."""
        values = ", ".join(m.value for m in self.enum)
        extra = [label for m in self.enum for label in self.labels[m][:2]]
        return f"{values} (also: {', '.join(extra)})" if extra else values
