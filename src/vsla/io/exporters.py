"""Exports for analysis: the ledger of every cycle, and any report's rows.

CSV, XLSX or JSON by the file's suffix. Amounts are whole đồng (ints), ratios are Decimal
written as text in CSV and JSON (never a float), dates are ISO ``yyyy-mm-dd``.
"""

from __future__ import annotations

__all__ = ["LEDGER_COLUMNS", "export_ledger", "export_rows"]

from collections.abc import Mapping, Sequence
from pathlib import Path

from vsla.domain.arguments import checked_call
from vsla.io.pseudonymise import Pseudonymiser, pseudonymiser
from vsla.io.writers import write_tables
from vsla.store.store import Store
from vsla.store.transactions import one_snapshot

LEDGER_COLUMNS = (
    "entry_id",
    "group_code",
    "cycle_number",
    "meeting_date",
    "meeting_number",
    "kind",
    "origin",
    "member_number",
    "amount",
    "shares",
    "loan_id",
    "memo",
    "reverses_entry_id",
    "loan_fund_change",
    "social_fund_change",
)

"""The ledger export's columns; a pseudonymised export has ``member_pseudonym`` in place
of ``member_number``."""


@checked_call
def export_ledger(
    store: Store,
    path: str | Path,
    *,
    programme_id: int | None = None,
    pseudonymise: bool = False,
    salt: str | None = None,
    raw: bool = False,
    csv_lang: str | None = None,
) -> int:
    """Write every entry of every cycle (of one programme's groups, or of all groups), in
    group, cycle and meeting order; return the number of entries written.

    In CSV, a memo that begins like a spreadsheet formula (``=``, ``+``, ``-``, ``@``) is
    written with a single quote in front, so that a spreadsheet shows it and never runs it;
    ``raw=True`` writes it exactly as stored, for programs (see :mod:`vsla.io.writers`).
    ``csv_lang="vi"`` writes a CSV file for people with Vietnamese settings (``;`` between
    cells, ``,`` before decimals); the default is for machines.

    ``loan_fund_change`` and ``social_fund_change`` are the entry's signed effect on each
    box, so that summing a column gives the cash in that box. ``pseudonymise=True`` puts
    each member's stable pseudonym in place of their number and removes free text from
    memos (see :mod:`vsla.io.pseudonymise`).
    """
    pseudo = pseudonymiser(pseudonymise, salt)
    member_column = "member_pseudonym" if pseudo else "member_number"
    columns = [member_column if c == "member_number" else c for c in LEDGER_COLUMNS]
    rows = _ledger_rows(store, programme_id, pseudo, member_column)
    write_tables(Path(path), [("ledger", columns, rows)], raw=raw, csv_lang=csv_lang)
    return len(rows)


@one_snapshot  # every group's entries from one committed state
def _ledger_rows(
    store: Store, programme_id: int | None, pseudo: Pseudonymiser | None, member_column: str
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for group in store.groups(programme_id):
        numbers = {m.id: m.number for m in store.members(group.id)}
        for cycle in store.cycles(group.id):
            for meeting in store.meetings(cycle.id):
                for e in meeting.entries:
                    member: object = None
                    if e.member_id is not None:
                        member = pseudo.member(e.member_id) if pseudo else numbers[e.member_id]
                    rows.append(
                        {
                            "entry_id": e.id,
                            "group_code": group.code,
                            "cycle_number": cycle.number,
                            "meeting_date": meeting.date,
                            "meeting_number": meeting.number,
                            "kind": e.kind.value,
                            "origin": e.origin.value,
                            member_column: member,
                            "amount": e.amount,
                            "shares": e.shares,
                            "loan_id": e.loan_id,
                            "memo": pseudo.entry_memo(e) if pseudo else e.memo,
                            "reverses_entry_id": e.reverses_id,
                            "loan_fund_change": e.loan_fund_delta,
                            "social_fund_change": e.social_fund_delta,
                        }
                    )
    return rows


@checked_call
def export_rows(
    rows: Sequence[Mapping[str, object]],
    path: str | Path,
    *,
    sheet: str = "rows",
    raw: bool = False,
    csv_lang: str | None = None,
) -> int:
    """Write a report's rows (dicts) to CSV, XLSX or JSON; return the number of rows.

    The columns are every key met, in the order first met. A Decimal is written as its
    digits (text in CSV and JSON, never a float), a date as ISO ``yyyy-mm-dd``, an enum as
    its value, ``None`` as an empty cell (``null`` in JSON). A float is refused. In CSV,
    text that begins like a spreadsheet formula gets a single quote in front unless
    ``raw=True`` (see :mod:`vsla.io.writers`). ``csv_lang="vi"`` writes a CSV file for
    people with Vietnamese settings: ``;`` between cells and ``0,208`` for the ratio 0.208,
    which such a spreadsheet reads as 0.208 (it reads ``0.208`` as 208).
    """
    columns: dict[str, None] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, None)
    write_tables(Path(path), [(sheet, list(columns), rows)], raw=raw, csv_lang=csv_lang)
    return len(rows)
