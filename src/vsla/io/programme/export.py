"""Writing a programme export: every record, and the events that rebuild the ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vsla.domain.arguments import checked_call
from vsla.domain.entities import (
    Cycle,
    ExitReason,
)
from vsla.domain.ledger import EntryKind, EntryOrigin, LedgerEntry, balances_from_totals
from vsla.errors import InvalidInput
from vsla.io.programme.tables import (
    FORMAT,
    TABLES,
    VERSION,
    TableRow,
)
from vsla.io.pseudonymise import Pseudonymiser, pseudonymiser
from vsla.io.writers import write_tables
from vsla.store.store import Loan, MeetingRecord, Store
from vsla.store.transactions import one_snapshot

# --------------------------------------------------------------------------------- export


_EVENT_OF_ORIGIN = {
    EntryOrigin.OPENING_CARRY: "opening",
    EntryOrigin.OPENING_POSITION: "openings",
    EntryOrigin.REVERSAL: "reversals",
    EntryOrigin.WRITE_OFF: "write_offs",
    EntryOrigin.EXIT_PAYOUT: "exits",
    EntryOrigin.NETTED_AT_EXIT: "exits",
    EntryOrigin.SHARE_OUT_PAYOUT: "share_outs",
    EntryOrigin.NETTED_AT_SHARE_OUT: "share_outs",
    EntryOrigin.REMAINDER_TRANSFER: "share_outs",
}
"""Which operation wrote an entry, by its origin; any other origin: a recorded meeting."""

_LAST = 1 << 62  # sorts an event with no entry (an empty share-out) after its date's others


def _recorded_order(
    events: Sequence[tuple[tuple[dt.date, int], str, TableRow]],
) -> Callable[[tuple[tuple[dt.date, int], str, TableRow]], tuple[int, int, dt.date, int]]:
    """The sort key of the events of a cycle, keyed (date, id of their first entry or 0):
    the order recorded. An event without entries goes just before the first event recorded
    on or after its date (a meeting of attendance only, keyed 0), or after its date's
    events (an empty share-out or exit, keyed ``_LAST``); among such events placed before
    one recorded event, by date, and on one date a meeting before an exit or share-out."""
    firsts = [(first, day) for (day, first), _, _ in events if 0 < first < _LAST]

    def key(
        event: tuple[tuple[dt.date, int], str, TableRow],
    ) -> tuple[int, int, dt.date, int]:
        day, first = event[0]
        if 0 < first < _LAST:
            return (first, 1, day, 0)
        if first == _LAST:  # after the events of its date
            return (min((i for i, d in firsts if d > day), default=_LAST), 0, day, 1)
        return (min((i for i, d in firsts if d >= day), default=_LAST), 0, day, 0)

    return key


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
        # Events are replayed in the order they were recorded: by the id of their first
        # entry (a write-off recorded before that date's meeting goes first; a meeting sent
        # late comes after the later meetings recorded before it, as it did).
        events: list[tuple[tuple[dt.date, int], str, TableRow]] = []
        regular: dict[int, list[LedgerEntry]] = defaultdict(list)
        exits: dict[tuple[int, dt.date], list[LedgerEntry]] = {}
        openings: dict[dt.date, list[LedgerEntry]] = {}
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
            elif event == "openings":
                openings.setdefault(e.date, []).append(e)
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
        # A member settled with nothing to pay or net (no shares, no loan) left no entry: the
        # exit is still an event, after that day's others (before it, the member would not
        # have taken part in them), so the rebuilt member is active until then.
        settled = {member_id for member_id, _ in exits}
        last_day = c.shared_out_on or c.end_date
        for leaver in self.store.members(c.group_id):
            left = leaver.left_on
            if left is None or leaver.id in settled or not c.start_date <= left <= last_day:
                continue
            balances = self.store.member_balances(c.id, left)
            held = next(b for b in balances if b.member_id == leaver.id)
            if held.shares or held.principal_outstanding:
                continue  # not settled by an exit (that would have written entries)
            events.append(
                (
                    (left, _LAST),
                    "exits",
                    {
                        "cycle_id": c.id,
                        "member_id": self.member(leaver.id),
                        "date": left,
                        "reason": ExitReason(leaver.exit_reason or ExitReason.OTHER).value,
                        "payout": 0,
                    },
                )
            )
        for on, group in openings.items():
            position = self.opening_position(c, on, group, loans)
            events.append(
                (
                    (on, group[0].id),
                    "openings",
                    {"cycle_id": c.id, "date": on, "position": position},
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
        events.sort(key=_recorded_order(events))
        for seq, (_, table, row) in enumerate(events, start=1):
            row["seq"] = seq
            if table != "meetings":
                t[table].append(row)

    def opening_position(
        self, c: Cycle, on: dt.date, entries: list[LedgerEntry], loans: dict[int, Loan]
    ) -> TableRow:
        """A cycle's opening position as it was written (vsla.domain.opening), read back
        from its entries in their order: each loan's payments one entry each, so that the
        position written again writes the same entries in the same order."""
        totals: dict[EntryKind, int] = defaultdict(int)
        shares: dict[int, int] = {}
        payouts: dict[int, int] = {}
        written: dict[int, TableRow] = {}
        for e in entries:
            totals[e.kind] += e.amount
            if e.kind is EntryKind.SHARE_PURCHASE and e.member_id is not None:
                shares[e.member_id] = e.shares
            elif e.kind is EntryKind.EXIT_PAYOUT and e.member_id is not None:
                payouts[e.member_id] = e.amount
            elif e.loan_id is not None:
                loan = loans[e.loan_id]
                row = written.setdefault(
                    e.loan_id,
                    {
                        "member_id": self.member(loan.member_id),
                        "principal": loan.terms.principal,
                        "disbursed_on": loan.terms.disbursed_on.isoformat(),
                        "term_months": loan.terms.term_months,
                        "purpose": loan.purpose.value,
                        "payments": [],
                        "principal_written_off": 0,
                        "interest_written_off": 0,
                        "written_off_on": None,
                        "client_id": loan.client_id,
                    },
                )
                day = (e.effective_on or e.date).isoformat()
                if e.kind is EntryKind.PRINCIPAL_REPAYMENT:
                    row["payments"].append({"on": day, "principal": e.amount})
                elif e.kind is EntryKind.INTEREST_PAYMENT:
                    row["payments"].append({"on": day, "interest": e.amount})
                elif e.kind is EntryKind.WRITE_OFF:
                    row["principal_written_off"], row["written_off_on"] = e.amount, day
                elif e.kind is EntryKind.INTEREST_WRITE_OFF:
                    row["interest_written_off"], row["written_off_on"] = e.amount, day
        value = c.constitution.share_value
        cash = balances_from_totals(totals, 0, value).loan_fund_cash
        return {
            "on": on.isoformat(),
            "loan_fund_cash": cash,
            "social_fund": totals[EntryKind.OPENING_SOCIAL_FUND],
            "interest": totals[EntryKind.INTEREST_PAYMENT],
            "fines": totals[EntryKind.FINE],
            "other_income": totals[EntryKind.OTHER_INCOME],
            "expenses": totals[EntryKind.EXPENSE],
            "carried_cash": totals[EntryKind.OPENING_LOAN_FUND],
            "members": [
                {"member_id": self.member(m), "shares": n, "exit_payout": payouts.get(m)}
                for m, n in shares.items()
            ],
            "loans": list(written.values()),
        }

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
