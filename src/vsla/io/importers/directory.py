"""What the importers look up in the store (groups, members, cycles) and how they write."""

from __future__ import annotations

__all__ = ["Directory", "who", "write_checked"]

from collections.abc import Callable
from typing import TypeVar

from vsla.domain.entities import Cycle, Group, Member
from vsla.errors import ImportErrors, NotFound, VslaError
from vsla.io.importers.sheet import InputRow, Problems, fold
from vsla.store.store import Store

T = TypeVar("T")
R = TypeVar("R")


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
                    self._all = {fold(g.code): g for g in self.store.groups()}
                self._groups[code] = self._all.get(fold(code))
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
            problems.add(
                row.number,
                "group_code",
                f"unknown group {row['group_code']!r}",
                "unknown_group",
                group_code=row["group_code"],
            )
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
                "unknown_member",
                group_code=group.code,
                member_number=number,
            )
            return None
        return group, member


def write_checked(problems: Problems, add: Callable[[list[T]], list[R]], new: list[T]) -> list[R]:
    """Write checked records in one call of the store (one transaction). A refusal the
    checks did not foresee (another clerk writing at the same moment) is reported for the
    whole file."""
    try:
        return add(new)
    except VslaError as exc:
        problems.add(0, "", str(exc))
        raise ImportErrors(problems.sorted()) from exc


def who(member: Member) -> str:
    return f"{member.full_name} (number {member.number})"
