"""The programme export: everything needed to rebuild every figure, and its re-import.

:func:`export_programme` writes every programme, group, member and cycle with its
constitution and officers, every meeting with its attendance and the meeting input
reconstructed from its entries, every loan, reversal, write-off, member exit and share-out,
every ledger entry, referral, livelihood support and GAL session: one JSON document or one
XLSX workbook with a sheet per table.

:func:`import_programme` rebuilds it through the store's own operations, in the order they
happened (the ``seq`` column), in ONE transaction: the rebuilt ledger is then checked entry
by entry against the exported ``entries`` table, and any difference (or any rule the store
refuses) rolls everything back and is reported against the row that caused it.
"""

from __future__ import annotations

__all__ = [
    "FORMAT",
    "TABLES",
    "VERSION",
    "export_programme",
    "import_programme",
    "write_programme_template",
]

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from vsla.domain.activity import NewGalSession, NewLivelihoodSupport, NewReferral
from vsla.domain.arguments import checked_call
from vsla.domain.constitution import Constitution
from vsla.domain.entities import (
    Attendance,
    Cycle,
    ExitReason,
    NewGroup,
    NewMember,
    NewProgramme,
    OfficerRole,
    Targets,
)
from vsla.domain.ledger import EntryKind, EntryOrigin, LedgerEntry
from vsla.domain.meeting import (
    Expense,
    FinePaid,
    Income,
    LoanPurpose,
    LoanRequest,
    MeetingInput,
    Repayment,
    SocialFundGrant,
)
from vsla.errors import ImportErrors, InvalidInput, RowError, VslaError
from vsla.io.cells import Cell, CellError, is_blank, parse_date, parse_text
from vsla.io.pseudonymise import Pseudonymiser, pseudonymiser
from vsla.io.readers import Sheet, file_error, json_cell, read_json, read_workbook
from vsla.io.writers import write_tables
from vsla.store.store import Loan, MeetingRecord, Store
from vsla.store.transactions import one_snapshot

FORMAT = "vsla-programme"
VERSION = 1

TABLES: dict[str, tuple[str, ...]] = {
    "programmes": (
        "id",
        "name",
        "currency",
        "province",
        "period_start",
        "period_end",
        "target_groups",
        "target_gal_pilot_groups",
        "target_referral_rate",
        "target_livelihood_support_rate",
    ),
    "groups": (
        "id",
        "programme_id",
        "code",
        "name",
        "province",
        "district",
        "commune",
        "village",
        "established_on",
        "status",
        "gal_pilot_since",
    ),
    "members": (
        "id",
        "group_id",
        "number",
        "full_name",
        "sex",
        "birth_year",
        "ethnicity",
        "phone",
        "joined_on",
        "left_on",
        "exit_reason",
        "gal_champion_since",
    ),
    "cycles": (
        "id",
        "group_id",
        "number",
        "start_date",
        "end_date",
        "shared_out_on",
        "constitution",
    ),
    "officers": ("cycle_id", "member_id", "role"),
    "meetings": ("id", "cycle_id", "date", "number", "seq"),
    "attendance": ("meeting_id", "member_id", "status"),
    "meeting_items": (
        "meeting_id",
        "item",
        "member_id",
        "amount",
        "shares",
        "loan_id",
        "fine",
        "term_months",
        "purpose",
        "memo",
    ),
    "loans": (
        "id",
        "cycle_id",
        "member_id",
        "meeting_id",
        "disbursed_on",
        "principal",
        "interest_rate",
        "term_months",
        "method",
        "principal_schedule",
        "rounding",
        "purpose",
    ),
    "reversals": ("seq", "cycle_id", "entry_id", "reverses_entry_id", "date", "reason"),
    "write_offs": ("seq", "cycle_id", "entry_id", "loan_id", "date", "amount", "reason"),
    "exits": ("seq", "cycle_id", "member_id", "date", "reason", "payout"),
    "share_outs": ("seq", "cycle_id", "date", "total_payout"),
    "entries": (
        "id",
        "cycle_id",
        "meeting_id",
        "date",
        "kind",
        "amount",
        "shares",
        "member_id",
        "loan_id",
        "memo",
        "reverses_id",
        "origin",
    ),
    "referrals": (
        "id",
        "member_id",
        "institution",
        "service",
        "referred_on",
        "outcome",
        "outcome_on",
        "note",
    ),
    "livelihood_supports": ("id", "member_id", "kind", "provider", "received_on", "value", "note"),
    "gal_sessions": (
        "id",
        "group_id",
        "held_on",
        "tool",
        "women",
        "men",
        "reached_by_peer_sharing",
        "note",
    ),
}
"""Every table of the export and its columns, in order."""

_EVENT_TABLES = ("meetings", "reversals", "write_offs", "exits", "share_outs")

_REDACTED = "not exported"

TableRow = dict[str, Any]
"""One row of an exported table: column name -> value."""
P = ParamSpec("P")
T = TypeVar("T")

# --------------------------------------------------------------------------------- export


_EVENT_OF_ORIGIN = {
    EntryOrigin.OPENING_CARRY: "opening",
    EntryOrigin.REVERSAL: "reversals",
    EntryOrigin.WRITE_OFF: "write_offs",
    EntryOrigin.EXIT_PAYOUT: "exits",
    EntryOrigin.NETTED_AT_EXIT: "exits",
    EntryOrigin.SHARE_OUT_PAYOUT: "share_outs",
    EntryOrigin.NETTED_AT_SHARE_OUT: "share_outs",
    EntryOrigin.REMAINDER_TRANSFER: "share_outs",
}
"""Which operation wrote an entry, by its origin; any other origin: a recorded meeting."""

_WRITE_OFF_KINDS = (EntryKind.WRITE_OFF.value, EntryKind.INTEREST_WRITE_OFF.value)
_LAST = 1 << 62  # sorts an event with no entry (an empty share-out) after its date's others


def _event_of(entry: LedgerEntry) -> str:
    """Which operation wrote an entry: a recorded meeting or one of the other operations."""
    return _EVENT_OF_ORIGIN.get(entry.origin, "meetings")


class _Exporter:
    def __init__(self, store: Store, pseudo: Pseudonymiser | None) -> None:
        self.store = store
        self.pseudo = pseudo
        self.tables: dict[str, list[TableRow]] = {name: [] for name in TABLES}

    def member(self, member_id: int | None) -> int | str | None:
        if member_id is None or self.pseudo is None:
            return member_id
        return self.pseudo.member(member_id)

    def memo(self, kind: EntryKind, memo: str) -> str:
        return memo if self.pseudo is None else self.pseudo.memo(kind, memo)

    def free_text(self, text: str) -> str:
        return text if self.pseudo is None else ""

    def run(self) -> dict[str, list[TableRow]]:
        t = self.tables
        for p in self.store.programmes():
            t["programmes"].append(
                {
                    "id": p.id,
                    "name": p.name,
                    "currency": p.currency,
                    "province": p.province,
                    "period_start": p.period_start,
                    "period_end": p.period_end,
                    "target_groups": p.targets.groups,
                    "target_gal_pilot_groups": p.targets.gal_pilot_groups,
                    "target_referral_rate": str(p.targets.referral_rate),
                    "target_livelihood_support_rate": str(p.targets.livelihood_support_rate),
                }
            )
        for g in self.store.groups():
            t["groups"].append(g.model_dump(include=set(TABLES["groups"])))
            for m in self.store.members(g.id):
                t["members"].append(
                    {
                        **m.model_dump(include=set(TABLES["members"])),
                        "id": self.member(m.id),
                        "number": None if self.pseudo else m.number,
                        "full_name": self.pseudo.member(m.id) if self.pseudo else m.full_name,
                        "phone": None if self.pseudo else m.phone,
                    }
                )
            for c in self.store.cycles(g.id):
                self.cycle(c)
        for r in self.store.referrals():
            t["referrals"].append(
                {
                    **r.model_dump(),
                    "member_id": self.member(r.member_id),
                    "note": self.free_text(r.note),
                }
            )
        for s in self.store.livelihood_supports():
            t["livelihood_supports"].append(
                {
                    **s.model_dump(),
                    "member_id": self.member(s.member_id),
                    "provider": self.free_text(s.provider),
                    "note": self.free_text(s.note),
                }
            )
        for gal in self.store.gal_sessions():
            t["gal_sessions"].append({**gal.model_dump(), "note": self.free_text(gal.note)})
        return t

    def cycle(self, c: Cycle) -> None:
        t = self.tables
        t["cycles"].append(
            {
                "id": c.id,
                "group_id": c.group_id,
                "number": c.number,
                "start_date": c.start_date,
                "end_date": c.end_date,
                "shared_out_on": c.shared_out_on,
                "constitution": c.constitution.model_dump(mode="json"),
            }
        )
        for member_id, roles in c.officers.items():
            for role in roles:
                t["officers"].append(
                    {"cycle_id": c.id, "member_id": self.member(member_id), "role": role.value}
                )
        meetings = self.store.meetings(c.id)
        loans = {loan.id: loan for loan in self.store.loans(c.id)}
        for loan in loans.values():
            terms = loan.terms
            t["loans"].append(
                {
                    "id": loan.id,
                    "cycle_id": c.id,
                    "member_id": self.member(loan.member_id),
                    "meeting_id": loan.meeting_id,
                    "disbursed_on": terms.disbursed_on,
                    "principal": terms.principal,
                    "interest_rate": str(terms.interest_rate),
                    "term_months": terms.term_months,
                    "method": terms.method.value,
                    "principal_schedule": terms.principal_schedule.value,
                    "rounding": terms.rounding.value,
                    "purpose": loan.purpose.value,
                }
            )
        entries = sorted((e for m in meetings for e in m.entries), key=lambda e: e.id)
        for e in entries:
            t["entries"].append(
                {
                    "id": e.id,
                    "cycle_id": c.id,
                    "meeting_id": e.meeting_id,
                    "date": e.date,
                    "kind": e.kind.value,
                    "amount": e.amount,
                    "shares": e.shares,
                    "member_id": self.member(e.member_id),
                    "loan_id": e.loan_id,
                    "memo": e.memo if self.pseudo is None else self.pseudo.entry_memo(e),
                    "reverses_id": e.reverses_id,
                    "origin": e.origin.value,
                }
            )
        # Events are replayed in the order they were recorded: by date, then by the id of
        # their first entry (a write-off recorded before that date's meeting goes first).
        events: list[tuple[tuple[dt.date, int], str, TableRow]] = []
        regular: dict[int, list[LedgerEntry]] = defaultdict(list)
        exits: dict[tuple[int, dt.date], list[LedgerEntry]] = {}
        last_write_off: LedgerEntry | None = None
        for e in entries:
            event = _event_of(e)
            if event == "meetings":
                regular[e.meeting_id].append(e)
            elif event == "reversals":
                assert e.reverses_id is not None
                events.append(
                    (
                        (e.date, e.id),
                        "reversals",
                        {
                            "cycle_id": c.id,
                            "entry_id": e.id,
                            "reverses_entry_id": e.reverses_id,
                            "date": e.date,
                            "reason": self.free_text(e.memo),
                        },
                    )
                )
            elif event == "write_offs":
                previous, last_write_off = last_write_off, e
                if (
                    previous is not None
                    and (previous.meeting_id, previous.loan_id) == (e.meeting_id, e.loan_id)
                    and previous.kind is not e.kind
                ):
                    continue  # the interest part of the same write-off
                events.append(
                    (
                        (e.date, e.id),
                        "write_offs",
                        {
                            "cycle_id": c.id,
                            "entry_id": e.id,
                            "loan_id": e.loan_id,
                            "date": e.date,
                            "amount": e.amount if e.kind is EntryKind.WRITE_OFF else 0,
                            "reason": self.free_text(e.memo),
                        },
                    )
                )
            elif event == "exits":
                assert e.member_id is not None
                exits.setdefault((e.member_id, e.date), []).append(e)
        for (member_id, on), group in exits.items():
            payout = [e for e in group if e.kind is EntryKind.EXIT_PAYOUT]
            reason = self.store.member(member_id).exit_reason or ExitReason.OTHER
            events.append(
                (
                    (on, group[0].id),
                    "exits",
                    {
                        "cycle_id": c.id,
                        "member_id": self.member(member_id),
                        "date": on,
                        "reason": ExitReason(reason).value,
                        "payout": sum(e.amount for e in payout),
                    },
                )
            )
        if c.shared_out_on is not None:
            closing = [e for e in entries if _event_of(e) == "share_outs"]
            payouts = [e.amount for e in closing if e.kind is EntryKind.SHARE_OUT_PAYOUT]
            events.append(
                (
                    (c.shared_out_on, closing[0].id if closing else _LAST),
                    "share_outs",
                    {"cycle_id": c.id, "date": c.shared_out_on, "total_payout": sum(payouts)},
                )
            )
        recorded: dict[int, TableRow] = {}
        for m in meetings:
            row: TableRow = {
                "id": m.id,
                "cycle_id": c.id,
                "date": m.date,
                "number": m.number,
                "seq": None,
            }
            t["meetings"].append(row)
            mine = regular.get(m.id, [])
            if m.attendance or mine or not m.entries:
                recorded[m.id] = row
                events.append(((m.date, mine[0].id if mine else 0), "meetings", row))
                self.meeting(m, mine, loans)
        events.sort(key=lambda ev: ev[0])
        for seq, (_, table, row) in enumerate(events, start=1):
            row["seq"] = seq
            if table != "meetings":
                t[table].append(row)

    def meeting(self, m: MeetingRecord, entries: list[LedgerEntry], loans: dict[int, Loan]) -> None:
        t = self.tables
        for member_id, status in m.attendance.items():
            t["attendance"].append(
                {"meeting_id": m.id, "member_id": self.member(member_id), "status": status.value}
            )
        items: list[TableRow] = []
        repayments: dict[int, TableRow] = {}

        def item(name: str, e: LedgerEntry, **more: Any) -> TableRow:
            row: TableRow = {
                "meeting_id": m.id,
                "item": name,
                "member_id": self.member(e.member_id),
                "amount": e.amount,
                **more,
            }
            items.append(row)
            return row

        for e in entries:
            kind = e.kind
            if kind is EntryKind.SOCIAL_CONTRIBUTION:
                item("social_fund", e)
            elif kind is EntryKind.SHARE_PURCHASE:
                item("shares", e, shares=e.shares)
            elif kind is EntryKind.FINE:
                item("fine", e, fine=e.memo)
            elif kind is EntryKind.OTHER_INCOME:
                item("income", e, memo=self.memo(kind, e.memo))
            elif kind is EntryKind.EXPENSE:
                item("expense", e, memo=self.memo(kind, e.memo))
            elif kind is EntryKind.SOCIAL_GRANT:
                item("grant", e, memo=self.memo(kind, e.memo))
            elif kind is EntryKind.LOAN_DISBURSEMENT:
                assert e.loan_id is not None
                loan = loans[e.loan_id]
                item(
                    "loan",
                    e,
                    loan_id=loan.id,
                    term_months=loan.terms.term_months,
                    purpose=loan.purpose.value,
                )
            elif e.origin is EntryOrigin.UPFRONT_INTEREST:
                continue  # paid with the disbursement: part of the loan item
            elif kind in (EntryKind.INTEREST_PAYMENT, EntryKind.PRINCIPAL_REPAYMENT):
                assert e.loan_id is not None
                if e.loan_id in repayments:
                    repayments[e.loan_id]["amount"] += e.amount
                else:
                    repayments[e.loan_id] = item("repayment", e, loan_id=e.loan_id)
            else:  # pragma: no cover - every kind a meeting writes is handled above
                raise InvalidInput(f"entry #{e.id} ({kind.value}) cannot be exported")
        t["meeting_items"].extend(items)


@one_snapshot  # every table from one committed state
def _export_tables(store: Store, pseudo: Pseudonymiser | None) -> dict[str, list[TableRow]]:
    return _Exporter(store, pseudo).run()


def _write(path: Path, tables: dict[str, list[TableRow]], pseudonymised: bool) -> None:
    suffix = path.suffix.casefold()
    if suffix not in (".json", ".xlsx"):
        raise InvalidInput(
            f"{path.name}: a programme export has many tables: write it as .json or .xlsx"
        )
    about: list[TableRow] = [
        {"key": "format", "value": FORMAT},
        {"key": "version", "value": VERSION},
        {"key": "pseudonymised", "value": pseudonymised},
    ]
    sheets: list[tuple[str, Sequence[str], Sequence[TableRow]]] = [
        ("about", ("key", "value"), about)
    ]
    sheets += [(name, TABLES[name], tables[name]) for name in TABLES]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "pseudonymised": pseudonymised,
        "tables": {
            name: [{c: row.get(c) for c in TABLES[name]} for row in tables[name]] for name in TABLES
        },
    }
    write_tables(path, sheets, json_document=document)


@checked_call
def export_programme(
    store: Store, path: str | Path, *, pseudonymise: bool = False, salt: str | None = None
) -> None:
    """Write everything in the store, as JSON or as an XLSX workbook (by suffix).

    ``pseudonymise=True`` replaces members by stable pseudonyms (HMAC-SHA256 of their id
    with ``salt`` or ``$VSLA_PSEUDONYM_SALT``) and leaves out names, phone numbers, member
    numbers and free text (notes, memos, reasons); the figures stay exact and the file can
    still be imported.
    """
    pseudo = pseudonymiser(pseudonymise, salt)
    _write(Path(path), _export_tables(store, pseudo), pseudo is not None)


def write_programme_template(path: Path) -> None:
    """An empty programme file: every table with its columns and no rows."""
    _write(path, {name: [] for name in TABLES}, False)


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
    if column == "constitution":
        return _json
    return _integer


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


class _Failed(Exception):
    def __init__(self, rec: _Rec, column: str, message: str) -> None:
        super().__init__(message)
        self.rec, self.column, self.message = rec, column, message


def _shape(e: LedgerEntry | _Rec) -> tuple[Any, ...]:
    if isinstance(e, LedgerEntry):
        return (e.date, e.kind.value, e.amount, e.shares)
    return (e["date"], e["kind"], e["amount"], e["shares"] or 0)


class _Rebuilder:
    """Replays the export into a store bound to one transaction."""

    def __init__(self, parsed: _Tables, store: Store) -> None:
        self.p = parsed
        self.s = store
        self.members: dict[str, int] = {}
        self.loans: dict[int, int] = {}
        self.entries: dict[int, int] = {}
        self.counts: dict[str, int] = defaultdict(int)
        recs = parsed.recs
        self.items: dict[int, list[_Rec]] = defaultdict(list)
        for rec in recs["meeting_items"]:
            self.items[rec["meeting_id"]].append(rec)
        self.attendance: dict[int, list[_Rec]] = defaultdict(list)
        for rec in recs["attendance"]:
            self.attendance[rec["meeting_id"]].append(rec)
        self.by_cycle: dict[str, dict[int, list[_Rec]]] = {
            t: defaultdict(list) for t in (*_EVENT_TABLES, "entries", "officers", "loans")
        }
        for t, by in self.by_cycle.items():
            for rec in recs[t]:
                by[rec["cycle_id"]].append(rec)

    def run(self) -> dict[str, int]:
        recs = self.p.recs
        programmes: dict[int, int] = {}
        for rec in recs["programmes"]:
            targets = Targets(
                groups=rec["target_groups"] if rec["target_groups"] is not None else 91,
                gal_pilot_groups=rec["target_gal_pilot_groups"]
                if rec["target_gal_pilot_groups"] is not None
                else 55,
                referral_rate=Decimal(rec["target_referral_rate"] or "0.15"),
                livelihood_support_rate=Decimal(rec["target_livelihood_support_rate"] or "0.15"),
            )
            new = NewProgramme(
                name=rec["name"],
                currency=rec["currency"] or "VND",
                province=rec["province"] or "",
                period_start=rec["period_start"],
                period_end=rec["period_end"],
                targets=targets,
            )
            programmes[rec["id"]] = self._do(rec, self.s.add_programme, new).id
        self.counts["programmes"] = len(programmes)
        groups: dict[int, int] = {}
        for rec in recs["groups"]:
            new_group = self._build(
                rec,
                NewGroup,
                code=rec["code"],
                name=rec["name"],
                programme_id=programmes.get(rec["programme_id"]),
                province=rec["province"] or "",
                district=rec["district"] or "",
                commune=rec["commune"] or "",
                village=rec["village"] or "",
                established_on=rec["established_on"],
                status=rec["status"] or "active",
                gal_pilot_since=rec["gal_pilot_since"],
            )
            groups[rec["id"]] = self._do(rec, self.s.add_group, new_group).id
        self.counts["groups"] = len(groups)
        leaving = {rec["member_id"] for rec in recs["exits"]}
        new_members = []
        ordered = sorted(
            recs["members"],
            key=lambda r: (r["group_id"], r["number"] is None, r["number"] or 0, r.row),
        )
        for rec in ordered:
            exits = rec["id"] in leaving
            new_members.append(
                self._build(
                    rec,
                    NewMember,
                    group_id=groups[rec["group_id"]],
                    full_name=rec["full_name"],
                    number=rec["number"],
                    sex=rec["sex"],
                    birth_year=rec["birth_year"],
                    ethnicity=rec["ethnicity"] or "",
                    phone=rec["phone"],
                    joined_on=rec["joined_on"],
                    left_on=None if exits else rec["left_on"],
                    exit_reason=None if exits else rec["exit_reason"],
                    gal_champion_since=rec["gal_champion_since"],
                )
            )
        first = ordered[0] if ordered else None
        created = self._do(first, self.s.add_members, new_members) if first else []
        for rec, member in zip(ordered, created, strict=True):
            self.members[rec["id"]] = member.id
        self.counts["members"] = len(created)
        cycles = sorted(recs["cycles"], key=lambda r: (r["group_id"], r["number"]))
        for rec in cycles:
            self.cycle(rec, groups[rec["group_id"]])
        referrals = [
            self._build(
                rec,
                NewReferral,
                member_id=self.members[rec["member_id"]],
                institution=rec["institution"],
                service=rec["service"],
                referred_on=rec["referred_on"],
                outcome=rec["outcome"] or "pending",
                outcome_on=rec["outcome_on"],
                note=rec["note"] or "",
            )
            for rec in recs["referrals"]
        ]
        if referrals:
            self._do(recs["referrals"][0], self.s.add_referrals, referrals)
        self.counts["referrals"] = len(referrals)
        supports = [
            self._build(
                rec,
                NewLivelihoodSupport,
                member_id=self.members[rec["member_id"]],
                kind=rec["kind"],
                provider=rec["provider"] or "",
                received_on=rec["received_on"],
                value=rec["value"] or 0,
                note=rec["note"] or "",
            )
            for rec in recs["livelihood_supports"]
        ]
        if supports:
            self._do(recs["livelihood_supports"][0], self.s.add_livelihood_supports, supports)
        self.counts["livelihood_supports"] = len(supports)
        for rec in recs["gal_sessions"]:
            session = self._build(
                rec,
                NewGalSession,
                group_id=groups[rec["group_id"]],
                held_on=rec["held_on"],
                tool=rec["tool"],
                women=rec["women"] or 0,
                men=rec["men"] or 0,
                reached_by_peer_sharing=rec["reached_by_peer_sharing"] or 0,
                note=rec["note"] or "",
            )
            self._do(rec, self.s.add_gal_session, session)
            self.counts["gal_sessions"] += 1
        return dict(self.counts)

    @staticmethod
    def _build(rec: _Rec, cls: Callable[..., Any], **values: Any) -> Any:
        try:
            return cls(**values)
        except (VslaError, ValueError) as exc:
            raise _Failed(rec, "", str(exc)) from exc

    @staticmethod
    def _do(rec: _Rec, action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return action(*args, **kwargs)
        except VslaError as exc:
            raise _Failed(rec, "", str(exc)) from exc

    def member(self, rec: _Rec, column: str = "member_id") -> int:
        key = rec[column]
        if key not in self.members:
            raise _Failed(rec, column, f"no member has the id {key}")
        return self.members[key]

    def loan(self, rec: _Rec, column: str = "loan_id") -> int:
        old = rec[column]
        if old not in self.loans:
            raise _Failed(rec, column, f"loan {old} is not disbursed before this row")
        return self.loans[old]

    def cycle(self, rec: _Rec, group_id: int) -> None:
        cid = rec["id"]
        constitution = self._build(rec, Constitution.model_validate, obj=rec["constitution"])
        officers: dict[int, list[OfficerRole]] = defaultdict(list)
        for o in self.by_cycle["officers"][cid]:
            officers[self.member(o)].append(self._build(o, OfficerRole, value=o["role"]))
        cycle = self._do(
            rec,
            self.s.start_cycle,
            group_id,
            start=rec["start_date"],
            end=rec["end_date"],
            constitution=constitution,
            officers=officers,
        )
        self.counts["cycles"] += 1
        self.counts["officers"] += sum(len(r) for r in officers.values())
        old = sorted(self.by_cycle["entries"][cid], key=lambda r: r["id"])
        done = 0
        last_id = 0

        def check(event: _Rec, produced: Sequence[LedgerEntry]) -> None:
            nonlocal done, last_id
            expected = old[done : done + len(produced)]
            if len(expected) != len(produced):
                raise _Failed(
                    event,
                    "",
                    f"rebuilding wrote {len(produced)} entries where the export has "
                    f"{len(expected)}",
                )
            for was, new in zip(expected, produced, strict=True):
                self.match(event, was, new)
            done += len(produced)
            last_id = max([last_id, *(e.id for e in produced)])
            self.counts["entries"] += len(produced)

        def tail() -> list[LedgerEntry]:
            return [e for e in self.s.entries(cycle.id) if e.id > last_id]

        check(rec, tail())  # the opening entries carried from the previous cycle
        reversed_ids: set[int] = set()
        events = sorted(
            (ev for t in _EVENT_TABLES for ev in self.by_cycle[t][cid] if ev["seq"] is not None),
            key=lambda ev: ev["seq"],
        )
        for ev in events:
            if ev.table == "meetings":
                meeting = self.meeting_input(ev)
                try:
                    record = self.s.record_meeting(cycle.id, meeting)
                except VslaError as exc:
                    raise _Failed(ev, "", str(exc)) from exc
                check(ev, record.entries)
                continue
            if ev.table == "reversals":
                old_id = ev["reverses_entry_id"]
                if old_id not in self.entries:
                    raise _Failed(ev, "reverses_entry_id", f"entry {old_id} is not rebuilt yet")
                if self.entries[old_id] in reversed_ids:
                    continue  # reversed with the entry of the row before (one correction)
                self._do(
                    ev,
                    self.s.reverse_entry,
                    self.entries[old_id],
                    on=ev["date"],
                    reason=ev["reason"] or _REDACTED,
                )
                produced = tail()
                reversed_ids.update(e.reverses_id for e in produced if e.reverses_id)
                check(ev, produced)
            elif ev.table == "write_offs":
                self._do(
                    ev,
                    self.s.write_off,
                    self.loan(ev),
                    on=ev["date"],
                    reason=ev["reason"] or _REDACTED,
                )
                check(ev, tail())
            elif ev.table == "exits":
                reason = self._build(ev, ExitReason, value=ev["reason"] or "other")
                self._do(
                    ev, self.s.settle_member_exit, self.member(ev), on=ev["date"], reason=reason
                )
                check(ev, tail())
            else:
                self._do(ev, self.s.share_out, cycle.id, on=ev["date"])
                check(ev, tail())
        if done != len(old):
            raise _Failed(
                rec, "", f"{len(old) - done} exported entries of this cycle were not rebuilt"
            )
        self.check_cycle(rec, cycle.id)

    def check_cycle(self, rec: _Rec, cycle_id: int) -> None:
        meetings = self.s.meetings(cycle_id)
        exported = [m for m in self.p.recs["meetings"] if m["cycle_id"] == rec["id"]]
        if len(meetings) != len(exported):
            raise _Failed(
                rec, "", f"rebuilt {len(meetings)} meetings where the export has {len(exported)}"
            )
        self.counts["meetings"] += len(meetings)
        self.counts["attendance"] += sum(len(m.attendance) for m in meetings)
        new_loans = {loan.id: loan for loan in self.s.loans(cycle_id)}
        self.counts["loans"] += len(new_loans)
        for old in self.by_cycle["loans"][rec["id"]]:
            new = new_loans.get(self.loans.get(old["id"], -1))
            if new is None:
                raise _Failed(old, "id", "this loan was not rebuilt")
            t = new.terms
            got = (
                t.disbursed_on,
                t.principal,
                str(t.interest_rate),
                t.term_months,
                t.method.value,
                t.principal_schedule.value,
                t.rounding.value,
                new.purpose.value,
            )
            want = tuple(
                old[c]
                for c in (
                    "disbursed_on",
                    "principal",
                    "interest_rate",
                    "term_months",
                    "method",
                    "principal_schedule",
                    "rounding",
                    "purpose",
                )
            )
            if got != want:
                raise _Failed(old, "", f"the rebuilt loan differs: {got} instead of {want}")

    def match(self, event: _Rec, was: _Rec, new: LedgerEntry) -> None:
        problems = []
        if _shape(was) != _shape(new):
            problems.append(f"{_shape(new)} instead of {_shape(was)}")
        member = None if was["member_id"] is None else self.members.get(was["member_id"])
        if member != new.member_id:
            problems.append("another member")
        if was["loan_id"] is not None:
            if was["loan_id"] not in self.loans:
                self.loans[was["loan_id"]] = new.loan_id if new.loan_id is not None else -1
            if self.loans[was["loan_id"]] != new.loan_id:
                problems.append("another loan")
        elif new.loan_id is not None:
            problems.append("a loan where there was none")
        reverses = None if was["reverses_id"] is None else self.entries.get(was["reverses_id"])
        if reverses != new.reverses_id:
            problems.append("reverses another entry")
        if was["origin"] is not None and was["origin"] != new.origin.value:
            problems.append(f"origin {new.origin.value!r} instead of {was['origin']!r}")
        free_text = was["reverses_id"] is not None or was["kind"] in _WRITE_OFF_KINDS
        if not free_text and (was["memo"] or "") != new.memo:  # memo-check: a faithful copy
            problems.append(f"memo {new.memo!r} instead of {was['memo']!r}")
        if problems:
            raise _Failed(
                event,
                "",
                f"the rebuilt ledger differs from the export at entry {was['id']} "
                f"(entries row {was.row}): " + "; ".join(problems),
            )
        self.entries[was["id"]] = new.id

    def meeting_input(self, ev: _Rec) -> MeetingInput:
        mid = ev["id"]
        attendance: dict[int, Attendance] = {}
        for a in self.attendance[mid]:
            attendance[self.member(a)] = self._build(a, Attendance, value=a["status"])
        values: dict[str, Any] = {
            "date": ev["date"],
            "attendance": attendance,
            "social_fund_contributions": {},
            "share_purchases": {},
            "fines": [],
            "other_income": [],
            "repayments": [],
            "social_fund_grants": [],
            "expenses": [],
            "loans": [],
        }
        for it in self.items[mid]:
            kind, amount, memo = it["item"], it["amount"], it["memo"] or ""
            if kind == "social_fund":
                values["social_fund_contributions"][self.member(it)] = amount
            elif kind == "shares":
                values["share_purchases"][self.member(it)] = it["shares"]
            elif kind == "fine":
                values["fines"].append(
                    self._build(
                        it, FinePaid, member_id=self.member(it), fine=it["fine"], amount=amount
                    )
                )
            elif kind == "income":
                values["other_income"].append(self._build(it, Income, amount=amount, memo=memo))
            elif kind == "expense":
                values["expenses"].append(self._build(it, Expense, amount=amount, memo=memo))
            elif kind == "grant":
                values["social_fund_grants"].append(
                    self._build(
                        it, SocialFundGrant, member_id=self.member(it), amount=amount, reason=memo
                    )
                )
            elif kind == "repayment":
                values["repayments"].append(
                    self._build(it, Repayment, loan_id=self.loan(it), amount=amount)
                )
            elif kind == "loan":
                values["loans"].append(
                    self._build(
                        it,
                        LoanRequest,
                        member_id=self.member(it),
                        principal=amount,
                        term_months=it["term_months"],
                        purpose=it["purpose"] or LoanPurpose.OTHER.value,
                    )
                )
            else:
                raise _Failed(it, "item", f"unknown item {kind!r}")
        meeting: MeetingInput = self._build(ev, MeetingInput, **values)
        return meeting


def import_programme(store: Store, path: Path) -> tuple[int, dict[str, int]]:
    """Rebuild a programme export into ``store``, all or nothing; the rows read and the
    records created per table."""
    suffix = path.suffix.casefold()
    if suffix == ".json":
        parsed, _ = _read_json(path)
    elif suffix == ".xlsx":
        parsed, _ = _read_xlsx(path)
    else:
        raise InvalidInput(f"{path.name}: a programme export is a .json or .xlsx file")
    if not parsed.errors:
        _check_references(parsed, store)
    if parsed.errors:
        raise ImportErrors(parsed.errors)
    try:
        with store.transaction():
            counts = _Rebuilder(parsed, store).run()
    except _Failed as failed:
        source = parsed.source(failed.rec.table)
        raise ImportErrors(
            [RowError(source, failed.rec.row, failed.column, failed.message)]
        ) from None
    order = [t for t in TABLES if t in counts] + [t for t in counts if t not in TABLES]
    return parsed.rows_read, {t: counts[t] for t in order}
