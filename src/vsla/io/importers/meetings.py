"""Importing meetings: one row per member (or group income and expenses) per meeting date.

Rows of one date of one group make one meeting, recorded in date order with the store's
own rules; a refusal of the store is blamed on the row and column it is about.
"""

from __future__ import annotations

__all__ = [
    "GROUP_COLUMNS",
    "MEMBER_COLUMNS",
    "ONCE_PER_MEETING",
    "ZERO_IS_NOTHING",
    "import_meetings",
]

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from vsla.domain.entities import Attendance, Cycle, Group, Member
from vsla.domain.ledger import EntryKind
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
from vsla.errors import (
    VslaError,
)
from vsla.io.importers.directory import Directory, who
from vsla.io.importers.sheet import InputRow, Problems, fold, show_date
from vsla.store.store import Store

MEMBER_COLUMNS = (
    "attendance",
    "shares",
    "social_fund",
    "fine_name",
    "fine_amount",
    "repayment_amount",
    "repayment_loan_date",
    "grant_amount",
    "loan_principal",
    "loan_term_months",
    "loan_purpose",
)
GROUP_COLUMNS = ("income_amount", "expense_amount")
ZERO_IS_NOTHING = (
    "social_fund",
    "repayment_amount",
    "grant_amount",
    "loan_principal",
    "income_amount",
    "expense_amount",
)
ONCE_PER_MEETING = ("attendance", "shares", "social_fund")


@dataclass(slots=True)
class _Line:
    row: InputRow
    group: Group
    cycle: Cycle
    date: dt.date
    member: Member | None
    fine: str | None = None


class _LineError(Exception):
    def __init__(self, line: _Line, column: str, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _fine_name(cycle: Cycle, name: str) -> str | None:
    fines = cycle.constitution.fines
    if name in fines:
        return name
    matches = [f for f in fines if fold(f) == fold(name)]
    return matches[0] if len(matches) == 1 else None


def _check_meeting_row(line: _Line, problems: Problems) -> bool:
    """The checks one row allows on its own; ``False`` when the row cannot be used."""
    row, rules, code = line.row, line.cycle.constitution, line.group.code
    n = row.number
    ok = not row.bad

    def bad(column: str, message: str, rule: str | None = None, **facts: object) -> None:
        nonlocal ok
        problems.add(n, column, message, rule, group_code=code, **facts)
        ok = False

    for column in ZERO_IS_NOTHING:
        if row[column] == 0:
            row.values[column] = None
    if line.member is None:
        for column in MEMBER_COLUMNS:
            if row[column] is not None:
                bad(
                    column,
                    "needs a member_number (a row without a member holds only "
                    "income_amount, expense_amount and memo)",
                    "needs_member",
                )
    else:
        for column in GROUP_COLUMNS:
            if row[column] is not None:
                bad(column, "goes on a row of its own, without a member_number", "group_row")
        if not line.member.is_active(line.date):
            m = line.member
            bad(
                "member_number",
                f"{who(m)} is not active on {show_date(line.date)} (joined {show_date(m.joined_on)}"
                + (f", left {show_date(m.left_on)})" if m.left_on else ")"),
                "member_active",
                member_number=m.number,
                date=show_date(line.date),
            )
    if (
        row["loan_principal"] is not None
        and row["loan_term_months"] is None
        and "loan_term_months" not in row.bad
    ):
        bad("loan_term_months", "a loan needs its term in months", "loan_needs_term")
    if row["loan_principal"] is None and "loan_principal" not in row.bad:
        for column in ("loan_term_months", "loan_purpose"):
            if row[column] is not None:
                bad(column, "is given but there is no loan_principal", "needs_loan")
    if row["loan_term_months"] is not None and row["loan_term_months"] > rules.max_term_months:
        bad(
            "loan_term_months",
            f"{row['loan_term_months']} months is above the maximum term of "
            f"{rules.max_term_months} months in the constitution of group {code}",
            "max_term_months",
            months=row["loan_term_months"],
            most=rules.max_term_months,
        )
    if row["loan_term_months"] == 0:
        bad("loan_term_months", "a loan's term is at least 1 month", "term_at_least_one")
    if row["fine_name"] is None:
        if row["fine_amount"] is not None and "fine_name" not in row.bad:
            bad("fine_name", "fine_amount is given but no fine_name", "fine_needs_name")
    else:
        line.fine = _fine_name(line.cycle, row["fine_name"])
        if line.fine is None:
            known = ", ".join(sorted(rules.fines)) or "none"
            bad(
                "fine_name",
                f"{row['fine_name']!r} is not a fine of the constitution of group {code} "
                f"(its fines: {known})",
                "fine_in_constitution",
                fine=row["fine_name"],
                known=known,
            )
        if row["fine_amount"] == 0:
            bad("fine_amount", "a fine is more than 0", "fine_positive")
    if (
        row["repayment_loan_date"] is not None
        and row["repayment_amount"] is None
        and "repayment_amount" not in row.bad
    ):
        bad(
            "repayment_amount",
            "repayment_loan_date is given but no repayment_amount",
            "repayment_needs_amount",
        )
    shares = row["shares"]
    low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
    # 0 shares is left to the planner: it is no purchase for a member absent on any row
    if shares and not low <= shares <= high:
        bad(
            "shares",
            f"{shares} share(s): the constitution of group {code} allows {low} to {high} "
            "per meeting",
            "shares_per_meeting",
            shares=shares,
            low=low,
            high=high,
        )
    unit = rules.social_fund_contribution
    if row["social_fund"] is not None:
        if unit == 0:
            bad(
                "social_fund", f"group {code} has no social fund (contribution 0)", "no_social_fund"
            )
        elif row["social_fund"] % unit:
            bad(
                "social_fund",
                f"{row['social_fund']} is not a multiple of the contribution of {unit}",
                "social_fund_contribution",
                amount=row["social_fund"],
                unit=unit,
            )
    return ok


def _resolve_loan(line: _Line, store: Store, cycle_id: int) -> int:
    """The loan a repayment row pays: by disbursement date, or the only unpaid one."""
    member = line.member
    assert member is not None
    on = line.date
    mine = store.loans(cycle_id, member_id=member.id, include_cancelled=False)
    positions = {loan.id: store.loan_position(loan.id, on) for loan in mine}
    wanted: dt.date | None = line.row["repayment_loan_date"]
    if wanted is not None:
        mine = [loan for loan in mine if loan.terms.disbursed_on == wanted]
        if not mine:
            raise _LineError(
                line,
                "repayment_loan_date",
                f"{who(member)} has no loan disbursed on {show_date(wanted)}",
            )
    unpaid = [loan for loan in mine if not positions[loan.id].settled]
    if len(mine) == 1:
        return mine[0].id
    if len(unpaid) == 1:
        return unpaid[0].id
    if not unpaid:
        raise _LineError(
            line, "repayment_amount", f"{who(member)} has no unpaid loan on {show_date(on)}"
        )
    dates = ", ".join(show_date(loan.terms.disbursed_on) for loan in unpaid)
    raise _LineError(
        line,
        "repayment_loan_date",
        f"{who(member)} has {len(unpaid)} unpaid loans (disbursed {dates}): give the "
        "disbursement date of the loan repaid",
    )


def _meeting_input(date: dt.date, lines: list[_Line], store: Store, cycle_id: int) -> MeetingInput:
    attendance: dict[int, Attendance] = {}
    for line in lines:
        if line.member is not None and line.row["attendance"] is not None:
            attendance[line.member.id] = line.row["attendance"]
    contributions: dict[int, int] = {}
    shares: dict[int, int] = {}
    fines: list[FinePaid] = []
    income: list[Income] = []
    repayments: list[Repayment] = []
    grants: list[SocialFundGrant] = []
    expenses: list[Expense] = []
    loans: list[LoanRequest] = []
    for line in lines:
        row, member = line.row, line.member
        memo = row["memo"] or ""
        if member is None:
            if row["income_amount"]:
                income.append(Income(amount=row["income_amount"], memo=memo))
            if row["expense_amount"]:
                expenses.append(Expense(amount=row["expense_amount"], memo=memo))
            continue
        if row["social_fund"]:
            contributions[member.id] = row["social_fund"]
        n = row["shares"]
        if n is not None and not (n == 0 and attendance.get(member.id) is Attendance.ABSENT):
            shares[member.id] = n
        if line.fine is not None:
            fines.append(FinePaid(member_id=member.id, fine=line.fine, amount=row["fine_amount"]))
        if row["repayment_amount"]:
            repayments.append(
                Repayment(
                    loan_id=_resolve_loan(line, store, cycle_id),
                    amount=row["repayment_amount"],
                )
            )
        if row["grant_amount"]:
            grants.append(
                SocialFundGrant(member_id=member.id, amount=row["grant_amount"], reason=memo)
            )
        if row["loan_principal"]:
            loans.append(
                LoanRequest(
                    member_id=member.id,
                    principal=row["loan_principal"],
                    term_months=row["loan_term_months"],
                    purpose=row["loan_purpose"] or LoanPurpose.OTHER,
                )
            )
    client_ids = {line.row["client_id"] for line in lines} - {None}
    if len(client_ids) > 1:
        line = next(ln for ln in lines if ln.row["client_id"] is not None)
        raise _LineError(
            line,
            "client_id",
            f"the rows of the meeting of {show_date(date)} give {len(client_ids)} client ids: "
            "a meeting has one",
        )
    return MeetingInput(
        date=date,
        client_id=next(iter(client_ids), None),
        attendance=attendance,
        social_fund_contributions=contributions,
        share_purchases=shares,
        fines=fines,
        other_income=income,
        repayments=repayments,
        social_fund_grants=grants,
        expenses=expenses,
        loans=loans,
    )


_COLUMN_OF_FIELD = {
    "attendance": "attendance",
    "social_fund_contributions": "social_fund",
    "share_purchases": "shares",
    "fines": "fine_name",
    "fines.fine": "fine_name",
    "fines.amount": "fine_amount",
    "other_income": "income_amount",
    "repayments": "repayment_amount",
    "social_fund_grants": "grant_amount",
    "expenses": "expense_amount",
    "loans": "loan_principal",
    "loans.principal": "loan_principal",
    "loans.term_months": "loan_term_months",
    "date": "date",
}
"""The column of the meetings sheet that holds each field of a meeting's input."""

_ABOUT_THE_MEMBER = {"member_active", "member_of_group"}


def _blame(exc: VslaError, lines: list[_Line]) -> tuple[_Line, str]:
    """The row and column a store error is about, from the facts the error carries: its
    field (which column) and its member's number (which row)."""
    if exc.rule in _ABOUT_THE_MEMBER:
        column = "member_number"
    else:
        column = _COLUMN_OF_FIELD.get(exc.field or "", "")

    def about(line: _Line) -> bool:
        return (
            exc.member_number is not None
            and line.member is not None
            and line.member.number == exc.member_number
        )

    def filled(line: _Line) -> bool:
        return bool(column) and line.row[column] is not None

    for test in (
        lambda line: about(line) and filled(line),
        about,
        filled,
    ):
        for line in lines:
            if test(line):
                return line, column
    return lines[0], column


def import_meetings(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    """Check every row of a meetings file, then record its meetings in one transaction."""
    directory = Directory(store)
    last_meeting: dict[int, dt.date | None] = {}
    known: set[int] = set()  # meetings recorded before: one sent again is not counted
    # meetings with a client id: the store recognises one sent again, or records a late one
    sent = {(r["group_code"], r["date"]) for r in rows if r["client_id"] is not None}
    lines: list[_Line] = []
    once: dict[tuple[int, dt.date, int, str], int] = {}
    loans_in_file: set[tuple[int, int, dt.date]] = set()
    for row in rows:
        found = directory.resolve(row, problems)
        if found is None or row["date"] is None:
            continue
        group, member = found
        cycles = directory.cycles(group)
        if not cycles or cycles[-1].is_closed:
            problems.add(
                row.number,
                "group_code",
                f"group {group.code} has no running cycle: start its cycle before importing "
                "its meetings",
                "no_running_cycle",
                group_code=group.code,
            )
            continue
        cycle = cycles[-1]
        date: dt.date = row["date"]
        if not cycle.start_date <= date <= cycle.end_date:
            problems.add(
                row.number,
                "date",
                f"{show_date(date)} is outside cycle {cycle.number} of group {group.code} "
                f"({show_date(cycle.start_date)} to {show_date(cycle.end_date)})",
                "date_in_cycle",
                group_code=group.code,
                date=show_date(date),
                start=show_date(cycle.start_date),
                end=show_date(cycle.end_date),
            )
            continue
        if cycle.id not in last_meeting:
            recorded = store.meetings(cycle.id)
            last_meeting[cycle.id] = max((m.date for m in recorded), default=None)
            known.update(m.id for m in recorded)
        last = last_meeting[cycle.id]
        if last is not None and date <= last and (row["group_code"], date) not in sent:
            problems.add(
                row.number,
                "date",
                f"group {group.code} already has meetings recorded up to {show_date(last)}: a "
                f"meeting on {show_date(date)} cannot be added (each meeting is imported once, "
                "in date order)",
                "date_order",
                group_code=group.code,
                date=show_date(date),
                last=show_date(last),
            )
            continue
        line = _Line(row, group, cycle, date, member)
        if not _check_meeting_row(line, problems):
            continue
        if member is not None:
            for column in ONCE_PER_MEETING:
                if row[column] is None:
                    continue
                key = (group.id, date, member.id, column)
                if key in once:
                    problems.add(
                        row.number,
                        column,
                        f"already given for member {member.number} at this meeting in row "
                        f"{once[key]}",
                        "given_twice",
                        member_number=member.number,
                        first=once[key],
                    )
                else:
                    once[key] = row.number
            if row["repayment_amount"] is not None:
                key = (group.id, date, member.id, f"repay {row['repayment_loan_date']}")
                if key in once:
                    problems.add(
                        row.number,
                        "repayment_amount",
                        f"member {member.number} already repays this loan at this meeting in "
                        f"row {once[key]}: one repayment per loan per meeting",
                        "one_repayment_per_loan",
                        member_number=member.number,
                        first=once[key],
                    )
                else:
                    once[key] = row.number
            if row["loan_principal"] is not None:
                loans_in_file.add((group.id, member.id, date))
        lines.append(line)

    disbursed: dict[int, set[tuple[int, dt.date]]] = {}
    for line in lines:
        wanted = line.row["repayment_loan_date"]
        if wanted is None or line.member is None:
            continue
        cid = line.cycle.id
        if cid not in disbursed:
            disbursed[cid] = {(ln.member_id, ln.terms.disbursed_on) for ln in store.loans(cid)}
        in_file = (line.group.id, line.member.id, wanted) in loans_in_file and wanted < line.date
        if (line.member.id, wanted) not in disbursed[cid] and not in_file:
            problems.add(
                line.row.number,
                "repayment_loan_date",
                f"{who(line.member)} has no loan disbursed on {show_date(wanted)}",
            )
    problems.raise_if_any()

    by_group: dict[int, dict[dt.date, list[_Line]]] = defaultdict(lambda: defaultdict(list))
    cycle_of: dict[int, Cycle] = {}
    for line in lines:
        by_group[line.group.id][line.date].append(line)
        cycle_of[line.group.id] = line.cycle
    counts = {"meetings": 0, "attendance": 0, "entries": 0, "loans": 0}
    with store.transaction():
        for group_id, meetings in by_group.items():
            cycle_id = cycle_of[group_id].id
            for date in sorted(meetings):
                group_lines = meetings[date]
                try:
                    meeting = _meeting_input(date, group_lines, store, cycle_id)
                    record = store.record_meeting(cycle_id, meeting)
                except _LineError as exc:
                    problems.add(exc.line.row.number, exc.column, exc.message)
                    break
                except VslaError as exc:
                    line, column = _blame(exc, group_lines)
                    problems.add(
                        line.row.number,
                        column,
                        str(exc),
                        exc.rule,
                        group_code=exc.group_code,
                        member_number=exc.member_number,
                    )
                    break
                if record.id in known:
                    continue
                counts["meetings"] += 1
                counts["attendance"] += len(record.attendance)
                counts["entries"] += len(record.entries)
                counts["loans"] += sum(
                    1 for e in record.entries if e.kind is EntryKind.LOAN_DISBURSEMENT
                )
        problems.raise_if_any()  # inside the transaction: raising rolls it all back
    return counts
