"""What a report covers (:class:`Scope`) and where it gets its facts (:class:`FactSource`).

Two fact sources exist: SQL aggregate queries (:class:`~vsla.reports.indicators.sql.SqlFacts`)
and plain Python over records held in memory (:class:`~vsla.reports.reference.MemoryFacts`).
"""

from __future__ import annotations

__all__ = ["FactSource", "Scope"]

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from vsla.domain.entities import Group, Programme
from vsla.domain.indicators import GalFacts, GroupFacts, MembersPolicy, MoneyFacts, ProgrammeFacts


@dataclass(frozen=True, slots=True)
class Scope:
    """Which groups a report covers: a programme, a district, a group (each optional), and
    only groups established on or before ``established_by`` when it is given."""

    programme_id: int | None = None
    district: str | None = None
    group_id: int | None = None
    established_by: dt.date | None = None

    def includes(self, group: Group) -> bool:
        """The same test the SQL path applies in its ``WHERE`` clauses."""
        return (
            (self.programme_id is None or group.programme_id == self.programme_id)
            and (self.district is None or group.district == self.district)
            and (self.group_id is None or group.id == self.group_id)
            and (self.established_by is None or group.established_on <= self.established_by)
        )


class FactSource(Protocol):
    """Where the reports get their facts: SQL aggregates here, plain Python in
    :mod:`vsla.reports.reference`."""

    def programme(self, programme_id: int) -> Programme: ...

    def groups(self, scope: Scope) -> list[Group]: ...

    def group_facts(
        self, groups: Sequence[Group], on: dt.date, scope: Scope
    ) -> list[GroupFacts]: ...

    def population(
        self,
        groups: Sequence[Group],
        on: dt.date,
        scope: Scope,
        policy: MembersPolicy,
        period: tuple[dt.date, dt.date],
    ) -> ProgrammeFacts: ...

    def gal_activity(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> GalFacts: ...

    def money(self, groups: Sequence[Group], on: dt.date, scope: Scope) -> MoneyFacts: ...
