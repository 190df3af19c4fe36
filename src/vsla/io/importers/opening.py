"""Importing opening positions: a paper group's figures on the day it joins mid-cycle.

Per group, one row of the group's figures (no ``member_number``: the boxes and the income
so far), one row per member (``shares``, and ``exit_payout`` for a member who left) and one
row per loan (``loan_principal`` and the rest). The group's running cycle must have
nothing recorded yet. Each group's rows become one
:class:`~vsla.domain.opening.OpeningPosition`, checked by the store's own planner: every
problem of every group is reported, each on the row (and column) it is about, and nothing
is written unless the whole file is right.
"""

from __future__ import annotations

__all__ = ["import_opening"]

import datetime as dt
import re

from vsla.domain.entities import Cycle, Group
from vsla.domain.opening import OpeningLoan, OpeningMember, OpeningPosition
from vsla.errors import InvalidInput, InvalidOpeningPosition, VslaError
from vsla.io.importers.directory import Directory
from vsla.io.importers.sheet import InputRow, Problems, show_date
from vsla.store.store import Store

_GROUP_FIGURES = (
    "loan_fund_cash",
    "social_fund",
    "interest",
    "fines",
    "other_income",
    "expenses",
    "carried_cash",
)
_LOAN = (
    "loan_principal",
    "loan_disbursed_on",
    "loan_term_months",
    "loan_purpose",
    "principal_repaid",
    "interest_paid",
    "repaid_on",
    "principal_written_off",
    "interest_written_off",
    "written_off_on",
    "loan_client_id",
)
_MEMBER = ("shares", "exit_payout")

# a problem's field (vsla.domain.opening) -> the column of its row
_COLUMN = {
    "member_id": "member_number",
    "principal": "loan_principal",
    "disbursed_on": "loan_disbursed_on",
    "term_months": "loan_term_months",
    "payments": "repaid_on",
    "client_id": "loan_client_id",
    "on": "date",
}
_FIELD = re.compile(r"(members|loans)\[(\d+)\](?:\.(\w+))?")


class _Group:
    """The rows of one group."""

    def __init__(self, group: Group) -> None:
        self.group = group
        self.figures: list[InputRow] = []
        self.members: list[InputRow] = []
        self.loans: list[InputRow] = []
        self.member_ids: dict[int, int] = {}  # row number -> member id


def _blame(problem: VslaError, rows: _Group) -> tuple[InputRow, str]:
    """The row and column an opening problem is about, from its ``field``."""
    found = _FIELD.fullmatch(problem.field or "")
    if found is None:
        field = problem.field or ""
        return rows.figures[0], _COLUMN.get(field, field)
    table, index, name = found.groups()
    row = (rows.members if table == "members" else rows.loans)[int(index)]
    if name is None:
        return row, "member_number"
    return row, _COLUMN.get(name, name)


def import_opening(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    """Check every row of an opening-position file, then write every group's position in
    one transaction (or raise every error)."""
    directory = Directory(store)
    groups: dict[int, _Group] = {}
    dates: dict[int, tuple[dt.date, int]] = {}
    for row in rows:
        found = directory.resolve(row, problems)
        if found is None:
            continue
        group, member = found
        mine = groups.setdefault(group.id, _Group(group))
        if row["date"] is not None:
            first = dates.setdefault(group.id, (row["date"], row.number))
            if first[0] != row["date"]:
                problems.add(
                    row.number,
                    "date",
                    f"{show_date(row['date'])} is not the opening date given in row {first[1]} "
                    f"({show_date(first[0])}): a group has one opening date",
                )
        loan = any(row[c] is not None for c in _LOAN)
        if member is None:
            for column in (*_MEMBER, *_LOAN):
                if row[column] is not None:
                    problems.add(row.number, column, "needs a member_number")
            mine.figures.append(row)
            continue
        mine.member_ids[row.number] = member.id
        for column in _GROUP_FIGURES:
            if row[column] is not None:
                problems.add(row.number, column, "goes on the group's row, without a member_number")
        if loan:
            for column in _MEMBER:
                if row[column] is not None:
                    problems.add(row.number, column, "goes on the member's own row, not a loan's")
            for column in ("loan_principal", "loan_disbursed_on", "loan_term_months"):
                if row[column] is None and column not in row.bad:
                    problems.add(row.number, column, "a loan row needs it")
            mine.loans.append(row)
        else:
            mine.members.append(row)
    positions: list[tuple[_Group, Cycle, OpeningPosition]] = []
    for mine in groups.values():
        group = mine.group
        if len(mine.figures) != 1:
            where = mine.figures[1] if mine.figures else (mine.members + mine.loans)[0]
            problems.add(
                where.number,
                "member_number",
                f"group {group.code} needs exactly one row of its figures (a row without a "
                f"member_number); it has {len(mine.figures)}",
            )
            continue
        cycles = directory.cycles(group)
        if not cycles or cycles[-1].is_closed:
            problems.add(
                mine.figures[0].number,
                "group_code",
                f"group {group.code} has no running cycle: start its cycle, then import its "
                "opening position",
            )
            continue
        if any(r.bad for r in (*mine.figures, *mine.members, *mine.loans)):
            continue
        position = _position(mine, problems)
        if position is not None:
            positions.append((mine, cycles[-1], position))
    problems.raise_if_any()
    counts = {"meetings": 0, "entries": 0, "loans": 0}
    with store.transaction():
        for mine, cycle, position in positions:
            try:
                record = store.record_opening(cycle.id, position)
            except InvalidOpeningPosition as exc:
                for problem in exc.problems or (exc,):
                    row, column = _blame(problem, mine)
                    problems.add(row.number, column, str(problem))
                continue
            except VslaError as exc:
                problems.add(mine.figures[0].number, "", str(exc))
                continue
            counts["meetings"] += 1
            counts["entries"] += len(record.entries)
            counts["loans"] += len(position.loans)
        problems.raise_if_any()  # inside the transaction: raising rolls it all back
    return counts


def _position(mine: _Group, problems: Problems) -> OpeningPosition | None:
    """The group's rows as an opening position, or ``None`` after a row error."""
    figures = mine.figures[0]
    try:
        members = [
            OpeningMember(
                member_id=mine.member_ids[r.number],
                shares=r["shares"] or 0,
                exit_payout=r["exit_payout"],
            )
            for r in mine.members
        ]
        loans = []
        for r in mine.loans:
            try:
                loans.append(
                    OpeningLoan(
                        member_id=mine.member_ids[r.number],
                        principal=r["loan_principal"],
                        disbursed_on=r["loan_disbursed_on"],
                        term_months=r["loan_term_months"],
                        purpose=r["loan_purpose"] or "other",
                        principal_repaid=r["principal_repaid"] or 0,
                        interest_paid=r["interest_paid"] or 0,
                        repaid_on=r["repaid_on"],
                        principal_written_off=r["principal_written_off"] or 0,
                        interest_written_off=r["interest_written_off"] or 0,
                        written_off_on=r["written_off_on"],
                        client_id=r["loan_client_id"],
                    )
                )
            except InvalidInput as exc:
                problems.add(r.number, "", str(exc))
        return OpeningPosition(
            on=figures["date"],
            loan_fund_cash=figures["loan_fund_cash"] or 0,
            **{c: figures[c] or 0 for c in _GROUP_FIGURES if c != "loan_fund_cash"},
            members=members,
            loans=loans,
        )
    except InvalidInput as exc:
        problems.add(figures.number, "", str(exc))
        return None
