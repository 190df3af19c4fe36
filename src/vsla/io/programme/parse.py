"""Reading a programme export (JSON or XLSX) into checked records, every problem at once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from vsla.domain.arguments import MAX_INT, MIN_INT
from vsla.domain.limits import MAX_TOTAL, amount_problem, show_amount, term_problem
from vsla.errors import RowError
from vsla.io.cells import Cell, CellError, Formula, is_blank, parse_date, parse_text
from vsla.io.programme.tables import (
    _EVENT_TABLES,
    _OPTIONAL_TABLES,
    FORMAT,
    TABLES,
    VERSION,
)
from vsla.io.readers import Sheet, file_error, json_cell, read_json, read_workbook
from vsla.store.store import Store

# --------------------------------------------------------------------------------- import

_DATES = {
    "period_start",
    "period_end",
    "established_on",
    "gal_pilot_since",
    "joined_on",
    "left_on",
    "gal_champion_since",
    "start_date",
    "end_date",
    "shared_out_on",
    "date",
    "disbursed_on",
    "referred_on",
    "outcome_on",
    "received_on",
    "held_on",
}
_TEXTS = {
    "name",
    "currency",
    "province",
    "code",
    "district",
    "commune",
    "village",
    "status",
    "full_name",
    "sex",
    "ethnicity",
    "phone",
    "exit_reason",
    "role",
    "item",
    "fine",
    "purpose",
    "memo",
    "method",
    "principal_schedule",
    "rounding",
    "reason",
    "kind",
    "origin",
    "institution",
    "service",
    "outcome",
    "note",
    "provider",
    "tool",
    "interest_rate",
    "target_referral_rate",
    "target_livelihood_support_rate",
}
_KEYS = {"member_id"}  # a member: an id, or a pseudonym
_REQUIRED: dict[str, tuple[str, ...]] = {
    "programmes": ("id", "name", "period_start", "period_end"),
    "groups": ("id", "code", "name", "established_on"),
    "members": ("id", "group_id", "full_name", "sex", "joined_on"),
    "cycles": ("id", "group_id", "number", "start_date", "end_date", "constitution"),
    "officers": ("cycle_id", "member_id", "role"),
    "meetings": ("id", "cycle_id", "date"),
    "attendance": ("meeting_id", "member_id", "status"),
    "meeting_items": ("meeting_id", "item", "amount"),
    "loans": ("id", "cycle_id", "member_id", "principal", "term_months"),
    "reversals": ("seq", "cycle_id", "reverses_entry_id", "date"),
    "write_offs": ("seq", "cycle_id", "loan_id", "date"),
    "exits": ("seq", "cycle_id", "member_id", "date"),
    "share_outs": ("seq", "cycle_id", "date"),
    "openings": ("seq", "cycle_id", "date", "position"),
    "entries": ("id", "cycle_id", "date", "kind", "amount"),
    "referrals": ("member_id", "institution", "service", "referred_on"),
    "livelihood_supports": ("member_id", "kind", "received_on"),
    "gal_sessions": ("group_id", "held_on", "tool"),
}
_REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "groups": (("programme_id", "programmes"),),
    "members": (("group_id", "groups"),),
    "cycles": (("group_id", "groups"),),
    "officers": (("cycle_id", "cycles"), ("member_id", "members")),
    "meetings": (("cycle_id", "cycles"),),
    "attendance": (("meeting_id", "meetings"), ("member_id", "members")),
    "meeting_items": (("meeting_id", "meetings"), ("member_id", "members"), ("loan_id", "loans")),
    "loans": (("cycle_id", "cycles"), ("member_id", "members")),
    "reversals": (("cycle_id", "cycles"),),
    "write_offs": (("cycle_id", "cycles"), ("loan_id", "loans")),
    "exits": (("cycle_id", "cycles"), ("member_id", "members")),
    "share_outs": (("cycle_id", "cycles"),),
    "openings": (("cycle_id", "cycles"),),
    "entries": (("cycle_id", "cycles"), ("member_id", "members"), ("loan_id", "loans")),
    "referrals": (("member_id", "members"),),
    "livelihood_supports": (("member_id", "members"),),
    "gal_sessions": (("group_id", "groups"),),
}


def _integer(value: Cell) -> int:
    if isinstance(value, bool | dt.date):
        raise CellError(f"{value!r} is not a whole number")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise CellError(f"{value} is not a whole number")
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise CellError(f"{value!r} is not a whole number") from None
    assert isinstance(value, int)
    return value


_AMOUNTS = {("meeting_items", "amount"), ("loans", "principal"), ("livelihood_supports", "value")}
"""Amounts a caller gave (at most :data:`~vsla.domain.limits.MAX_AMOUNT`); the other
money columns hold what vsla computed, signed, at most :data:`~vsla.domain.limits.MAX_TOTAL`."""
_TOTALS = {
    ("entries", "amount"),
    ("write_offs", "amount"),
    ("exits", "payout"),
    ("share_outs", "total_payout"),
}


def _amount(value: Cell) -> int:
    amount = _integer(value)
    if (problem := amount_problem(amount)) is not None:
        raise CellError(problem)
    return amount


def _signed_total(value: Cell) -> int:
    amount = _integer(value)
    if abs(amount) > MAX_TOTAL:
        raise CellError(
            f"{show_amount(amount)} is beyond the ceiling of a total, {show_amount(MAX_TOTAL)} "
            "(vsla.MAX_TOTAL)"
        )
    return amount


def _term(value: Cell) -> int:
    months = _integer(value)
    if (problem := term_problem(months)) is not None:
        raise CellError(problem)
    return months


def _whole(value: Cell) -> int:
    number = _integer(value)
    if not MIN_INT <= number <= MAX_INT:
        raise CellError(f"{number} is out of range (a 64-bit integer)")
    return number


def _key(value: Cell) -> str:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(_integer(value))
    return parse_text(value)


def _json(value: Cell) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CellError(f"not valid JSON ({exc.msg})") from None
    raise CellError("expected a JSON object")


def _bool(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    return parse_text(value).casefold() in ("true", "yes", "1")


def _parser(table: str, column: str) -> Callable[[Cell], Any]:
    if column in _KEYS or (table == "members" and column == "id"):
        return _key
    if column in _DATES:
        return parse_date
    if column in _TEXTS:
        return parse_text
    if column in ("constitution", "position"):
        return _json
    if (table, column) in _AMOUNTS:
        return _amount
    if (table, column) in _TOTALS:
        return _signed_total
    if column == "term_months":
        return _term
    return _whole


@dataclass(slots=True)
class _Rec:
    table: str
    row: int
    v: dict[str, Any]

    def __getitem__(self, column: str) -> Any:
        return self.v.get(column)


class _Tables:
    """The tables of an export, parsed; every problem goes to ``errors``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[RowError] = []
        self.recs: dict[str, list[_Rec]] = {t: [] for t in TABLES}
        self.rows_read = 0

    def source(self, table: str) -> str:
        return f"{self.name} [{table}]"

    def error(self, table: str, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(self.source(table), row, column, message))

    def add_table(
        self, table: str, header: Sequence[str], rows: Sequence[tuple[int, Sequence[Cell]]]
    ) -> None:
        positions = {parse_text(h): i for i, h in enumerate(header)}
        missing = [c for c in TABLES[table] if c not in positions]
        for column in missing:
            self.error(table, 1, column, "missing column")
        if missing:
            return
        required = set(_REQUIRED.get(table, ()))
        for number, cells in rows:
            self.rows_read += 1
            values: dict[str, Any] = {}
            for column in TABLES[table]:
                i = positions[column]
                cell = cells[i] if i < len(cells) else None
                if isinstance(cell, Formula):
                    self.error(table, number, column, cell.problem())
                    values[column] = None
                    continue
                if is_blank(cell):
                    values[column] = None
                    if column in required:
                        self.error(table, number, column, "is empty; a value is required")
                    continue
                try:
                    values[column] = _parser(table, column)(cell)
                except CellError as exc:
                    self.error(table, number, column, str(exc))
                    values[column] = None
            self.recs[table].append(_Rec(table, number, values))


def _read_json(path: Path) -> tuple[_Tables, bool]:
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise file_error(path.name, f"not a vsla programme export (expected format {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise file_error(
            path.name, f"export version {doc.get('version')!r} is not supported (only {VERSION})"
        )
    parsed = _Tables(path.name)
    tables = doc.get("tables")
    if not isinstance(tables, dict):
        raise file_error(path.name, "the export has no 'tables'")
    for table, columns in TABLES.items():
        rows = tables.get(table)
        if rows is None and table in _OPTIONAL_TABLES:
            rows = []
        if rows is None:
            parsed.error(table, 0, "", f"the table {table!r} is missing")
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            parsed.error(table, 0, "", "a table is a list of objects")
            continue
        cells = [(i, [json_cell(r.get(c)) for c in columns]) for i, r in enumerate(rows, start=2)]
        parsed.add_table(table, columns, cells)
    return parsed, bool(doc.get("pseudonymised"))


def _read_xlsx(path: Path) -> tuple[_Tables, bool]:
    sheets: dict[str, Sheet] = read_workbook(path)
    about = sheets.get("about")
    meta = {parse_text(r[0]): r[1] for _, r in about.rows if len(r) > 1} if about else {}
    if meta.get("format") != FORMAT:
        raise file_error(path.name, f"not a vsla programme export (expected format {FORMAT!r})")
    if meta.get("version") != VERSION:
        raise file_error(
            path.name, f"export version {meta.get('version')!r} is not supported (only {VERSION})"
        )
    parsed = _Tables(path.name)
    for table in TABLES:
        sheet = sheets.get(table)
        if sheet is None and table in _OPTIONAL_TABLES:
            continue
        if sheet is None:
            parsed.error(table, 0, "", f"the sheet {table!r} is missing")
            continue
        parsed.add_table(table, sheet.header, sheet.rows)
    return parsed, _bool(meta.get("pseudonymised"))


def _check_references(parsed: _Tables, store: Store) -> None:
    ids: dict[str, set[Any]] = {
        t: {r["id"] for r in recs if r["id"] is not None}
        for t, recs in parsed.recs.items()
        if "id" in TABLES[t]
    }
    for table, refs in _REFERENCES.items():
        for rec in parsed.recs[table]:
            for column, target in refs:
                value = rec[column]
                if value is not None and value not in ids[target]:
                    parsed.error(table, rec.row, column, f"no {target} row has the id {value}")
    existing = {g.code for g in store.groups()}
    for rec in parsed.recs["groups"]:
        if rec["code"] in existing:
            parsed.error(
                "groups", rec.row, "code", f"group {rec['code']} is already in the database"
            )
    for table in _EVENT_TABLES:
        seen: dict[tuple[Any, Any], int] = {}
        for rec in parsed.recs[table]:
            key = (rec["cycle_id"], rec["seq"])
            if rec["seq"] is not None and key in seen:
                parsed.error(table, rec.row, "seq", f"seq {rec['seq']} is used twice in the cycle")
            seen[key] = rec.row
