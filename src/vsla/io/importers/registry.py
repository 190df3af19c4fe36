"""Importing groups and cycles: a district's groups registered, and their cycles started,
from a clerk's spreadsheet.

Groups name their programme by name or id; an import never creates a programme. A cycle
row holds the group's constitution, a blank cell taking the constitution's default, and
optionally its officers by member number. Every row is checked first; then all are
written in one transaction, and a rule the store enforces while writing (a cycle still
running) becomes that row's error, with nothing written.
"""

from __future__ import annotations

__all__ = ["import_cycles", "import_groups"]

import re
from collections.abc import Callable
from functools import partial

from vsla.domain.constitution import Constitution
from vsla.domain.entities import Group, NewGroup, OfficerRole, Programme
from vsla.errors import InvalidInput, VslaError
from vsla.io.importers.directory import Directory
from vsla.io.importers.sheet import InputRow, Problems, fold, model_field, show_date
from vsla.io.registry_columns import CYCLE_COLUMNS
from vsla.store.store import Store

_CONSTITUTION = tuple(c.name for c in CYCLE_COLUMNS if c.name in Constitution.model_fields)


def _write(
    store: Store, problems: Problems, jobs: list[tuple[InputRow, Callable[[], object]]]
) -> int:
    """Run each row's write in one transaction; a refusal becomes the row's error."""
    with store.transaction():
        for row, job in jobs:
            try:
                with store.transaction():
                    job()
            except VslaError as exc:
                column = _STORE_RULE_COLUMNS.get(exc.rule or "", "")
                problems.add(row.number, column, str(exc), exc.rule, group_code=row["group_code"])
        problems.raise_if_any()
    return len(jobs)


_STORE_RULE_COLUMNS = {
    "cycle_ends_after_start": "end_date",
    "one_running_cycle": "start_date",
    "cycle_starts_after_share_out": "start_date",
}


def _programme(
    row: InputRow, problems: Problems, programmes: list[Programme]
) -> tuple[bool, int | None]:
    """The row's programme id (``None``: no programme), and whether it was found."""
    known = ", ".join(f"{p.name} (#{p.id})" for p in programmes) or "none"
    given = row["programme"]
    if given is None:
        if len(programmes) > 1:
            problems.add(
                row.number,
                "programme",
                f"the database holds {len(programmes)} programmes: name one ({known})",
                "programme_needed",
                n=len(programmes),
                known=known,
            )
            return False, None
        return True, programmes[0].id if programmes else None
    by_id = {str(p.id): p for p in programmes}
    by_name = {fold(p.name): p for p in programmes}
    found = by_name.get(fold(given)) or by_id.get(given.lstrip("#").strip())
    if found is None:
        problems.add(
            row.number,
            "programme",
            f"no programme {given!r} (the programmes: {known}); a groups import never "
            "creates one: import the programme first (vsla import programme)",
            "unknown_programme",
            programme=given,
            known=known,
        )
        return False, None
    return True, found.id


def import_groups(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    """Check every row of a groups file, then register them all (or raise every error)."""
    directory = Directory(store)
    programmes = store.programmes()
    first: dict[str, int] = {}
    new: list[tuple[InputRow, NewGroup]] = []
    for row in rows:
        ok = not row.bad
        code = row["group_code"]
        if code is not None and "group_code" not in row.bad:
            existing = directory.group(code)
            if existing is not None:
                problems.add(
                    row.number,
                    "group_code",
                    f"group code {code} is already used by {existing.name!r}",
                    "group_code_taken",
                    group_code=code,
                    name=existing.name,
                )
                ok = False
            elif fold(code) in first:
                problems.add(
                    row.number,
                    "group_code",
                    f"group code {code} is already in row {first[fold(code)]}",
                    "group_code_twice",
                    group_code=code,
                    first=first[fold(code)],
                )
                ok = False
            else:
                first[fold(code)] = row.number
        found, programme_id = _programme(row, problems, programmes)
        pilot, established = row["gal_pilot_since"], row["established_on"]
        if pilot is not None and established is not None and pilot < established:
            problems.add(
                row.number,
                "gal_pilot_since",
                f"GAL pilot from {show_date(pilot)}, before group {code} was established "
                f"({show_date(established)})",
                "pilot_before_established",
                gal_pilot_since=show_date(pilot),
                established_on=show_date(established),
            )
            ok = False
        if not (ok and found):
            continue
        values = {
            name: row[name]
            for name in ("province", "district", "commune", "village")
            if row[name] is not None
        }
        try:
            new.append(
                (
                    row,
                    NewGroup(
                        code=code,
                        name=row["name"],
                        programme_id=programme_id,
                        established_on=established,
                        gal_pilot_since=pilot,
                        **values,
                    ),
                )
            )
        except InvalidInput as exc:
            problems.add(row.number, model_field(exc, row.values), str(exc))
    problems.raise_if_any()
    jobs: list[tuple[InputRow, Callable[[], object]]] = [
        (row, partial(store.add_group, group)) for row, group in new
    ]
    return {"groups": _write(store, problems, jobs)}


def import_cycles(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    """Check every row of a cycles file, then start them all (or raise every error)."""
    directory = Directory(store)
    first: dict[int, int] = {}
    jobs: list[tuple[InputRow, Callable[[], object]]] = []
    officer_count = 0
    for row in rows:
        resolved = directory.resolve(_no_member(row), problems)
        if resolved is None:
            continue
        group = resolved[0]
        ok = not row.bad
        if group.id in first:
            problems.add(
                row.number,
                "group_code",
                f"group {group.code} already starts a cycle in row {first[group.id]}: one "
                "import starts one cycle of a group",
                "group_twice",
                group_code=group.code,
                first=first[group.id],
            )
            ok = False
        first.setdefault(group.id, row.number)
        start, end = row["start_date"], row["end_date"]
        if start is not None and start < group.established_on:
            problems.add(
                row.number,
                "start_date",
                f"the cycle cannot start on {show_date(start)}, before group {group.code} "
                f"was established ({show_date(group.established_on)})",
                "cycle_before_established",
                group_code=group.code,
                start_date=show_date(start),
                established_on=show_date(group.established_on),
            )
            ok = False
        officers = _officers(row, group, directory, problems)
        if officers is None:
            ok = False
        rules = _constitution(row, problems)
        if rules is None or not ok or officers is None:
            continue
        officer_count += sum(len(roles) for roles in officers.values())
        jobs.append(
            (
                row,
                partial(
                    store.start_cycle,
                    group.id,
                    start=start,
                    end=end,
                    constitution=rules,
                    officers=officers,
                ),
            )
        )
    problems.raise_if_any()
    return {"cycles": _write(store, problems, jobs), "officers": officer_count}


def _no_member(row: InputRow) -> InputRow:
    """The row as :meth:`Directory.resolve` reads it: a cycle row names no member."""
    return InputRow(row.number, row.raw, {**row.values, "member_number": None}, row.bad)


def _officers(
    row: InputRow, group: Group, directory: Directory, problems: Problems
) -> dict[int, tuple[OfficerRole, ...]] | None:
    given: dict[int, tuple[OfficerRole, ...]] = row["officers"] or {}
    members = directory.members(group)
    officers: dict[int, tuple[OfficerRole, ...]] = {}
    ok = True
    for number, roles in given.items():
        member = members.get(number)
        if member is None:
            problems.add(
                row.number,
                "officers",
                f"group {group.code} has no member number {number}",
                "unknown_member",
                group_code=group.code,
                member_number=number,
            )
            ok = False
            continue
        officers[member.id] = roles
    return officers if ok else None


def _constitution(row: InputRow, problems: Problems) -> Constitution | None:
    if any(name in row.bad for name in _CONSTITUTION):
        return None
    values = {name: row[name] for name in _CONSTITUTION if row[name] is not None}
    try:
        return Constitution.model_validate(values)
    except InvalidInput as exc:
        detail = re.sub(r"^(invalid Constitution: )+", "", str(exc))
        problems.add(
            row.number,
            model_field(exc, _CONSTITUTION) or _first_named(detail),
            detail,
            "constitution",
            detail=detail,
        )
        return None


def _first_named(detail: str) -> str:
    """The first constitution column a refusal's text names, or ``""``."""
    at = {name: detail.find(name) for name in _CONSTITUTION if name in detail}
    return min(at, key=lambda name: at[name]) if at else ""
