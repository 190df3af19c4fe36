"""Importing members: numbers given or assigned in turn, and the same person never twice."""

from __future__ import annotations

__all__ = ["import_members"]

import datetime as dt

from vsla.domain.entities import NewMember, member_problems
from vsla.errors import InvalidInput
from vsla.io.importers.directory import Directory, write_checked
from vsla.io.importers.sheet import InputRow, Problems, fold, model_field, show_date
from vsla.store.store import Store

_DATE_RULES = {
    "exit_reason": "exit_needs_left_on",
    "left_on": "left_before_joined",
    "joined_on": "joined_before_established",
}
"""The rule each of :func:`~vsla.domain.entities.member_problems`'s fields stands for."""


def import_members(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    """Check every row of a members file, then write them all (or raise every error)."""
    directory = Directory(store)
    next_number: dict[int, int] = {}
    taken: dict[int, dict[int, str]] = {}
    known: dict[int, dict[tuple[str, int | None, dt.date], tuple[int | None, str]]] = {}
    sent: dict[int, dict[str, int]] = {}  # client id -> number, of a group's members
    stored: set[int] = set()
    new: list[NewMember] = []
    for row in rows:
        if "group_code" in row.bad or row["group_code"] is None:
            continue
        group = directory.group(row["group_code"])
        if group is None:
            problems.add(
                row.number,
                "group_code",
                f"unknown group {row['group_code']!r}",
                "unknown_group",
                group_code=row["group_code"],
            )
            continue
        if group.id not in next_number:
            existing = directory.members(group)
            next_number[group.id] = max(existing, default=0) + 1
            taken[group.id] = {n: f"{m.full_name}, already a member" for n, m in existing.items()}
            known[group.id] = {
                (fold(m.full_name), m.birth_year, m.joined_on): (m.number, "member")
                for m in existing.values()
            }
            sent[group.id] = {m.client_id: n for n, m in existing.items() if m.client_id}
            stored.update(m.id for m in existing.values())
        again = row["client_id"] is not None and row["client_id"] in sent[group.id]
        ok = not row.bad
        # the rules NewMember and the store follow, each reported at its column
        for field, message in member_problems(
            row["joined_on"], row["left_on"], row["exit_reason"], group=group, show=show_date
        ):
            if field == "exit_reason" and "left_on" in row.bad:
                continue  # left_on is given but unreadable: reported already
            problems.add(
                row.number,
                field,
                message,
                _DATE_RULES[field],
                group_code=group.code,
                joined_on=show_date(row["joined_on"]) if row["joined_on"] else "",
                left_on=show_date(row["left_on"]) if row["left_on"] else "",
                established_on=show_date(group.established_on),
            )
            ok = False
        number = row["member_number"]
        if again:  # sent before: the store returns that member, or names what differs
            number = sent[group.id][row["client_id"]] if number is None else number
        elif "member_number" not in row.bad:
            automatic = number is None
            if automatic:
                number = next_number[group.id]
            holder = taken[group.id].get(number)
            if holder is not None:
                problems.add(
                    row.number,
                    "member_number",
                    f"number {number} of group {group.code} is already taken ({holder})",
                    "member_number_taken",
                    group_code=group.code,
                    member_number=number,
                )
                ok = False
            else:
                taken[group.id][number] = f"row {row.number}" + (
                    ", numbered automatically" if automatic else ""
                )
                next_number[group.id] = max(next_number[group.id], number + 1)
        if not row.bad and not again:
            key = (fold(row["full_name"]), row["birth_year"], row["joined_on"])
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
                    f"{show_date(row['joined_on'])}) {where}; give a member_number if this is "
                    "another person",
                    "same_person",
                    full_name=row["full_name"],
                    group_code=group.code,
                    birth_year=row["birth_year"] or "?",
                    joined_on=show_date(row["joined_on"]),
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
                    client_id=row["client_id"],
                )
            )
        except InvalidInput as exc:  # what no cell check foresaw: at its column if it names one
            problems.add(row.number, model_field(exc, row.values), str(exc))
    problems.raise_if_any()
    written = write_checked(problems, store.add_members, new)
    return {"members": len({m.id for m in written} - stored)}
