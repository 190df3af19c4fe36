"""Importing a clerk's file: members, meetings, referrals, livelihood support, programme.

Every import runs in two steps. First the whole file is read and checked, row by row, and
every problem is collected (beancount-style): a missing column, a bad date, a negative
amount, an unknown group or member, a duplicate row, a rule of the constitution broken.
If there is any, :class:`~vsla.errors.ImportErrors` lists them all and nothing is written.
Otherwise the records are written in ONE transaction; a rule the store enforces while
writing (a loan above the limit, a box going below zero) becomes a row error pointing at
the row that caused it, and the transaction is rolled back: nothing is written.
"""

from __future__ import annotations

__all__ = ["ImportSummary", "import_file"]

import datetime as dt
import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from vsla.domain.activity import NewLivelihoodSupport, NewReferral, ReferralOutcome
from vsla.domain.arguments import checked_call
from vsla.domain.entities import Attendance, Cycle, Group, Member, NewMember
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
    BoxWouldGoNegative,
    CycleClosed,
    DateOutsideCycle,
    ImportErrors,
    InvalidInput,
    LoanLimitExceeded,
    MemberNotActive,
    NotFound,
    RepaymentExceedsDue,
    RowError,
    SharesOutOfRange,
    VslaError,
)
from vsla.io.cells import Cell, CellError, is_blank, nfc, parse_text
from vsla.io.readers import Sheet, read_sheet
from vsla.io.templates import COLUMNS, Column, ImportKind, import_kind
from vsla.store.store import Store

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import wrote.

    ``rows_read``: data rows read (the header and blank rows not counted);
    ``records_created``: rows written to the database, all tables together;
    ``per_table``: the same, table by table (``members``, ``meetings``, ``entries``, ...).
    """

    kind: ImportKind
    source: str
    rows_read: int
    records_created: int
    per_table: Mapping[str, int]

    def __str__(self) -> str:
        tables = ", ".join(f"{n} {t}" for t, n in self.per_table.items() if n)
        return (
            f"{self.source}: {self.rows_read} row(s) read, {self.records_created} record(s) "
            f"created ({tables or 'none'})"
        )


def _date(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def _fold(text: str) -> str:
    return " ".join(nfc(text).casefold().split())


class Problems:
    """Row errors of one file, reported sorted by row and then by column."""

    def __init__(self, source: str, columns: Sequence[str] = ()) -> None:
        self.source = source
        self.order = {name: i for i, name in enumerate(columns)}
        self.items: list[RowError] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append(RowError(self.source, row, column, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: (e.row, self.order.get(e.column, -1)))

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportErrors(self.sorted())


@dataclass(slots=True)
class InputRow:
    """One data row of an imported file: its number as a spreadsheet shows it, its cells,
    its parsed values."""

    number: int
    raw: tuple[str, ...]
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    def __getitem__(self, column: str) -> Any:
        return self.values.get(column)


def _header_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", nfc(text).casefold())


def parse_sheet(
    sheet: Sheet, columns: Sequence[Column], problems: Problems, group_code: str | None
) -> list[InputRow]:
    """Check the header, then read every row's cells; cell problems go to ``problems``.

    A row identical to an earlier one is reported once, as a duplicate, and dropped.

    A header problem (missing or unknown column) stops the import at once: the rows cannot
    be read without knowing which column is which.
    """
    known = {c.name: c for c in columns}
    positions: dict[str, int] = {}
    for i, raw in enumerate(sheet.header):
        name = _header_name(raw)
        if not name:
            continue
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "the columns are " + ", ".join(known)
            problems.add(1, raw, f"unknown column {raw!r}; {hint}")
        elif name in positions:
            problems.add(1, name, "the column appears twice")
        else:
            positions[name] = i
    for column in columns:
        if column.name in positions or not column.required:
            continue
        if column.name == "group_code" and group_code is not None:
            continue
        problems.add(1, column.name, "missing column (the template requires it)")
    problems.raise_if_any()

    rows: list[InputRow] = []
    width = len(sheet.header)
    first: dict[tuple[str, ...], int] = {}
    for number, cells in sheet.rows:
        row = InputRow(number, tuple(parse_text(c) for c in cells), {})
        key = tuple(_fold(c) for c in row.raw)
        while key and not key[-1]:
            key = key[:-1]
        if key in first:
            # a copy-paste mistake, or the same transaction typed twice: one error for it
            problems.add(number, "", f"duplicate row: the same as row {first[key]}")
            continue
        first[key] = number
        for i in range(width, len(cells)):
            if not is_blank(cells[i]):
                problems.add(number, "", f"cell {i + 1} of the row has a value but no header")
                break
        for column in columns:
            at = positions.get(column.name)
            cell: Cell = cells[at] if at is not None and at < len(cells) else None
            if is_blank(cell):
                row.values[column.name] = None
                if column.name == "group_code" and group_code is not None:
                    row.values[column.name] = group_code
                elif column.required:
                    problems.add(number, column.name, "is empty; a value is required")
                    row.bad.add(column.name)
                continue
            try:
                row.values[column.name] = column.parse(cell)
            except CellError as exc:
                problems.add(number, column.name, str(exc))
                row.bad.add(column.name)
                row.values[column.name] = None
        if group_code is not None and row["group_code"] not in (None, group_code):
            problems.add(
                number,
                "group_code",
                f"the row is for group {row['group_code']!r} but this import is for group "
                f"{group_code!r}",
            )
            row.bad.add("group_code")
        rows.append(row)
    return rows


class Directory:
    """Groups by code and members by number, read once from the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._groups: dict[str, Group | None] = {}
        self._members: dict[int, dict[int, Member]] = {}
        self._cycles: dict[int, list[Cycle]] = {}
        self._all: dict[str, Group] | None = None

    def group(self, code: str) -> Group | None:
        if code not in self._groups:
            try:
                self._groups[code] = self.store.group(code)
            except NotFound:
                if self._all is None:
                    self._all = {_fold(g.code): g for g in self.store.groups()}
                self._groups[code] = self._all.get(_fold(code))
        return self._groups[code]

    def members(self, group: Group) -> dict[int, Member]:
        if group.id not in self._members:
            self._members[group.id] = {m.number: m for m in self.store.members(group.id)}
        return self._members[group.id]

    def cycles(self, group: Group) -> list[Cycle]:
        if group.id not in self._cycles:
            self._cycles[group.id] = self.store.cycles(group.id)
        return self._cycles[group.id]

    def resolve(self, row: InputRow, problems: Problems) -> tuple[Group, Member | None] | None:
        """The row's group and (if it names one) member, or ``None`` after an error."""
        if "group_code" in row.bad or row["group_code"] is None:
            return None
        group = self.group(row["group_code"])
        if group is None:
            problems.add(row.number, "group_code", f"unknown group {row['group_code']!r}")
            return None
        number = row["member_number"]
        if number is None:
            return group, None
        member = self.members(group).get(number)
        if member is None:
            problems.add(
                row.number,
                "member_number",
                f"group {group.code} has no member number {number}",
            )
            return None
        return group, member


def _write(problems: Problems, add: Callable[[list[T]], list[R]], new: list[T]) -> list[R]:
    """Write checked records in one call of the store (one transaction). A refusal the
    checks did not foresee (another clerk writing at the same moment) is reported for the
    whole file."""
    try:
        return add(new)
    except VslaError as exc:
        problems.add(0, "", str(exc))
        raise ImportErrors(problems.sorted()) from exc


def _who(member: Member) -> str:
    return f"{member.full_name} (number {member.number})"


# -------------------------------------------------------------------------------- members


def _import_members(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    directory = Directory(store)
    next_number: dict[int, int] = {}
    taken: dict[int, dict[int, str]] = {}
    known: dict[int, dict[tuple[str, int | None, dt.date], tuple[int | None, str]]] = {}
    new: list[NewMember] = []
    for row in rows:
        if "group_code" in row.bad or row["group_code"] is None:
            continue
        group = directory.group(row["group_code"])
        if group is None:
            problems.add(row.number, "group_code", f"unknown group {row['group_code']!r}")
            continue
        if group.id not in next_number:
            existing = directory.members(group)
            next_number[group.id] = max(existing, default=0) + 1
            taken[group.id] = {n: f"{m.full_name}, already a member" for n, m in existing.items()}
            known[group.id] = {
                (_fold(m.full_name), m.birth_year, m.joined_on): (m.number, "member")
                for m in existing.values()
            }
        ok = not row.bad
        if row["exit_reason"] is not None and row["left_on"] is None and "left_on" not in row.bad:
            problems.add(
                row.number, "exit_reason", "an exit reason needs the day the member left (left_on)"
            )
            ok = False
        if row["left_on"] and row["joined_on"] and row["left_on"] < row["joined_on"]:
            problems.add(
                row.number,
                "left_on",
                f"{_date(row['left_on'])} is before the day the member joined "
                f"({_date(row['joined_on'])})",
            )
            ok = False
        number = row["member_number"]
        if "member_number" not in row.bad:
            automatic = number is None
            if automatic:
                number = next_number[group.id]
            holder = taken[group.id].get(number)
            if holder is not None:
                problems.add(
                    row.number,
                    "member_number",
                    f"number {number} of group {group.code} is already taken ({holder})",
                )
                ok = False
            else:
                taken[group.id][number] = f"row {row.number}" + (
                    ", numbered automatically" if automatic else ""
                )
                next_number[group.id] = max(next_number[group.id], number + 1)
        if not row.bad:
            key = (_fold(row["full_name"]), row["birth_year"], row["joined_on"])
            seen = known[group.id].get(key)
            if seen is not None and (row["member_number"] is None or seen[0] == number):
                where = (
                    f"is already member number {seen[0]} of group {group.code}"
                    if seen[1] == "member"
                    else f"is already in {seen[1]}"
                )
                problems.add(
                    row.number,
                    "full_name",
                    f"{row['full_name']} (born {row['birth_year'] or '?'}, joined "
                    f"{_date(row['joined_on'])}) {where}; give a member_number if this is "
                    "another person",
                )
                ok = False
            else:
                known[group.id][key] = (row["member_number"], f"row {row.number}")
        if not ok:
            continue
        try:
            new.append(
                NewMember(
                    group_id=group.id,
                    full_name=row["full_name"],
                    number=number,
                    sex=row["sex"],
                    birth_year=row["birth_year"],
                    ethnicity=row["ethnicity"] or "",
                    phone=row["phone"] or None,
                    joined_on=row["joined_on"],
                    left_on=row["left_on"],
                    exit_reason=row["exit_reason"],
                    gal_champion_since=row["gal_champion_since"],
                )
            )
        except InvalidInput as exc:
            problems.add(row.number, "", str(exc))
    problems.raise_if_any()
    return {"members": len(_write(problems, store.add_members, new))}


# ----------------------------------------------------------------------- referrals, support


def _import_referrals(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    directory = Directory(store)
    recorded: dict[int, dict[tuple[Any, ...], str]] = {}
    new: list[NewReferral] = []
    for row in rows:
        found = directory.resolve(row, problems)
        if found is None:
            continue
        group, member = found
        if member is None:
            continue
        ok = not row.bad
        outcome = row["outcome"] or ReferralOutcome.PENDING
        referred, outcome_on = row["referred_on"], row["outcome_on"]
        if "outcome" not in row.bad and "outcome_on" not in row.bad:
            if outcome is not ReferralOutcome.PENDING and outcome_on is None:
                problems.add(
                    row.number, "outcome_on", f"the outcome {outcome.value!r} needs its date"
                )
                ok = False
            elif outcome is ReferralOutcome.PENDING and outcome_on is not None:
                problems.add(
                    row.number,
                    "outcome_on",
                    "a pending referral has no outcome date: give the outcome too",
                )
                ok = False
            elif outcome_on and referred and outcome_on < referred:
                problems.add(
                    row.number,
                    "outcome_on",
                    f"{_date(outcome_on)} is before the referral ({_date(referred)})",
                )
                ok = False
        if referred and member.joined_on > referred:
            problems.add(
                row.number,
                "referred_on",
                f"{_who(member)} joined the group on {_date(member.joined_on)}, "
                "after this referral",
            )
            ok = False
        if group.id not in recorded:
            recorded[group.id] = {
                (r.member_id, r.institution, _fold(r.service), r.referred_on): (
                    f"is already recorded (referral #{r.id})"
                )
                for r in store.referrals(group_id=group.id)
            }
        if ok:
            key = (member.id, row["institution"], _fold(row["service"]), referred)
            if key in recorded[group.id]:
                problems.add(row.number, "", f"this referral {recorded[group.id][key]}")
                continue
            recorded[group.id][key] = f"is the same as row {row.number}"
            new.append(
                NewReferral(
                    member_id=member.id,
                    institution=row["institution"],
                    service=row["service"],
                    referred_on=referred,
                    outcome=outcome,
                    outcome_on=outcome_on,
                    note=row["note"] or "",
                )
            )
    problems.raise_if_any()
    return {"referrals": len(_write(problems, store.add_referrals, new))}


def _import_livelihood(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    directory = Directory(store)
    recorded: dict[int, dict[tuple[Any, ...], str]] = {}
    new: list[NewLivelihoodSupport] = []
    for row in rows:
        found = directory.resolve(row, problems)
        if found is None:
            continue
        group, member = found
        if member is None:
            continue
        ok = not row.bad
        received = row["received_on"]
        if received and member.joined_on > received:
            problems.add(
                row.number,
                "received_on",
                f"{_who(member)} joined the group on {_date(member.joined_on)}, after this support",
            )
            ok = False
        if group.id not in recorded:
            recorded[group.id] = {
                (s.member_id, s.kind, _fold(s.provider), s.received_on): (
                    f"is already recorded (support #{s.id})"
                )
                for s in store.livelihood_supports(group_id=group.id)
            }
        if ok:
            key = (member.id, row["kind"], _fold(row["provider"] or ""), received)
            if key in recorded[group.id]:
                problems.add(row.number, "", f"this support {recorded[group.id][key]}")
                continue
            recorded[group.id][key] = f"is the same as row {row.number}"
            new.append(
                NewLivelihoodSupport(
                    member_id=member.id,
                    kind=row["kind"],
                    provider=row["provider"] or "",
                    received_on=received,
                    value=row["value"] or 0,
                    note=row["note"] or "",
                )
            )
    problems.raise_if_any()
    return {"livelihood_supports": len(_write(problems, store.add_livelihood_supports, new))}


# -------------------------------------------------------------------------------- meetings

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
    matches = [f for f in fines if _fold(f) == _fold(name)]
    return matches[0] if len(matches) == 1 else None


def _check_meeting_row(line: _Line, problems: Problems) -> bool:
    """The checks one row allows on its own; ``False`` when the row cannot be used."""
    row, rules, code = line.row, line.cycle.constitution, line.group.code
    n = row.number
    ok = not row.bad

    def bad(column: str, message: str) -> None:
        nonlocal ok
        problems.add(n, column, message)
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
                )
    else:
        for column in GROUP_COLUMNS:
            if row[column] is not None:
                bad(column, "goes on a row of its own, without a member_number")
        if not line.member.is_active(line.date):
            m = line.member
            bad(
                "member_number",
                f"{_who(m)} is not active on {_date(line.date)} (joined {_date(m.joined_on)}"
                + (f", left {_date(m.left_on)})" if m.left_on else ")"),
            )
    if (
        row["loan_principal"] is not None
        and row["loan_term_months"] is None
        and "loan_term_months" not in row.bad
    ):
        bad("loan_term_months", "a loan needs its term in months")
    if row["loan_principal"] is None and "loan_principal" not in row.bad:
        for column in ("loan_term_months", "loan_purpose"):
            if row[column] is not None:
                bad(column, "is given but there is no loan_principal")
    if row["loan_term_months"] is not None and row["loan_term_months"] > rules.max_term_months:
        bad(
            "loan_term_months",
            f"{row['loan_term_months']} months is above the maximum term of "
            f"{rules.max_term_months} months in the constitution of group {code}",
        )
    if row["loan_term_months"] == 0:
        bad("loan_term_months", "a loan's term is at least 1 month")
    if row["fine_name"] is None:
        if row["fine_amount"] is not None and "fine_name" not in row.bad:
            bad("fine_name", "fine_amount is given but no fine_name")
    else:
        line.fine = _fine_name(line.cycle, row["fine_name"])
        if line.fine is None:
            known = ", ".join(sorted(rules.fines)) or "none"
            bad(
                "fine_name",
                f"{row['fine_name']!r} is not a fine of the constitution of group {code} "
                f"(its fines: {known})",
            )
        if row["fine_amount"] == 0:
            bad("fine_amount", "a fine is more than 0")
    if (
        row["repayment_loan_date"] is not None
        and row["repayment_amount"] is None
        and "repayment_amount" not in row.bad
    ):
        bad("repayment_amount", "repayment_loan_date is given but no repayment_amount")
    shares = row["shares"]
    low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
    # 0 shares is left to the planner: it is no purchase for a member absent on any row
    if shares and not low <= shares <= high:
        bad(
            "shares",
            f"{shares} share(s): the constitution of group {code} allows {low} to {high} "
            "per meeting",
        )
    unit = rules.social_fund_contribution
    if row["social_fund"] is not None:
        if unit == 0:
            bad("social_fund", f"group {code} has no social fund (contribution 0)")
        elif row["social_fund"] % unit:
            bad(
                "social_fund",
                f"{row['social_fund']} is not a multiple of the contribution of {unit}",
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
                f"{_who(member)} has no loan disbursed on {_date(wanted)}",
            )
    unpaid = [loan for loan in mine if not positions[loan.id].settled]
    if len(mine) == 1:
        return mine[0].id
    if len(unpaid) == 1:
        return unpaid[0].id
    if not unpaid:
        raise _LineError(
            line, "repayment_amount", f"{_who(member)} has no unpaid loan on {_date(on)}"
        )
    dates = ", ".join(_date(loan.terms.disbursed_on) for loan in unpaid)
    raise _LineError(
        line,
        "repayment_loan_date",
        f"{_who(member)} has {len(unpaid)} unpaid loans (disbursed {dates}): give the "
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
    return MeetingInput(
        date=date,
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


_MEMBER_IN_MESSAGE = re.compile(r"\(#(\d+)\)")


def _blame(exc: VslaError, lines: list[_Line]) -> tuple[_Line, str]:
    """The row and column a store error is about, as near as the message tells."""
    text = str(exc)
    column = ""
    if isinstance(exc, SharesOutOfRange):
        column = "shares"
    elif isinstance(exc, LoanLimitExceeded):
        column = "loan_term_months" if "maximum term" in text else "loan_principal"
    elif isinstance(exc, RepaymentExceedsDue):
        column = "repayment_amount"
    elif isinstance(exc, MemberNotActive | NotFound):
        column = "member_number"
    elif isinstance(exc, DateOutsideCycle | CycleClosed):
        column = "date"
    elif isinstance(exc, BoxWouldGoNegative):
        for words, col in (
            ("loan disbursement", "loan_principal"),
            ("social grant", "grant_amount"),
            ("expense", "expense_amount"),
        ):
            if f": {words} of " in text:
                column = col
                break
    elif "social fund" in text:
        column = "social_fund"
    elif "fine" in text:
        column = "fine_amount" if "positive" in text else "fine_name"
    elif "repaid twice" in text:
        column = "repayment_amount"
    ids = {int(m) for m in _MEMBER_IN_MESSAGE.findall(text)}

    def about(line: _Line) -> bool:
        return line.member is not None and line.member.id in ids

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


def _import_meetings(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    directory = Directory(store)
    last_meeting: dict[int, dt.date | None] = {}
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
            )
            continue
        cycle = cycles[-1]
        date: dt.date = row["date"]
        if not cycle.start_date <= date <= cycle.end_date:
            problems.add(
                row.number,
                "date",
                f"{_date(date)} is outside cycle {cycle.number} of group {group.code} "
                f"({_date(cycle.start_date)} to {_date(cycle.end_date)})",
            )
            continue
        if cycle.id not in last_meeting:
            last_meeting[cycle.id] = max((m.date for m in store.meetings(cycle.id)), default=None)
        last = last_meeting[cycle.id]
        if last is not None and date <= last:
            problems.add(
                row.number,
                "date",
                f"group {group.code} already has meetings recorded up to {_date(last)}: a "
                f"meeting on {_date(date)} cannot be added (each meeting is imported once, "
                "in date order)",
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
                f"{_who(line.member)} has no loan disbursed on {_date(wanted)}",
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
                    problems.add(line.row.number, column, str(exc))
                    break
                counts["meetings"] += 1
                counts["attendance"] += len(record.attendance)
                counts["entries"] += len(record.entries)
                counts["loans"] += sum(
                    1 for e in record.entries if e.kind is EntryKind.LOAN_DISBURSEMENT
                )
        problems.raise_if_any()  # inside the transaction: raising rolls it all back
    return counts


# -------------------------------------------------------------------------------- entry point

_IMPORTERS: dict[ImportKind, Callable[[Store, list[InputRow], Problems], dict[str, int]]] = {
    ImportKind.MEMBERS: _import_members,
    ImportKind.MEETINGS: _import_meetings,
    ImportKind.REFERRALS: _import_referrals,
    ImportKind.LIVELIHOOD: _import_livelihood,
}


@checked_call
def import_file(
    store: Store,
    kind: ImportKind | str,
    path: str | Path,
    *,
    group_code: str | None = None,
) -> ImportSummary:
    """Import a CSV or XLSX file of ``kind`` (or a programme export, JSON or XLSX).

    ``group_code``: the group every row is for; the file's ``group_code`` column may then be
    left out (rows naming another group are errors).

    Raises :class:`~vsla.errors.ImportErrors` listing every row error of the file, with
    nothing written, when anything is wrong.
    """
    kind = import_kind(kind)
    path = Path(path)
    if kind is ImportKind.PROGRAMME:
        if group_code is not None:
            raise InvalidInput("group_code does not apply to a programme import")
        from vsla.io.programme import import_programme

        rows_read, counts = import_programme(store, path)
        return ImportSummary(kind, path.name, rows_read, sum(counts.values()), counts)
    if group_code is not None:
        group_code = nfc(group_code)
    columns = COLUMNS[kind]
    sheet = read_sheet(path, kind.value)
    problems = Problems(sheet.source, [c.name for c in columns])
    rows = parse_sheet(sheet, columns, problems, group_code)
    counts = _IMPORTERS[kind](store, rows, problems)
    return ImportSummary(kind, sheet.source, len(sheet.rows), sum(counts.values()), counts)
