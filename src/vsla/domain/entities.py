"""Programmes, groups, members and cycles as frozen values.

Each ``New…`` class is what a caller gives to create a thing; the class without the prefix is
what the library gives back, the same fields plus the ``id`` the store assigned.
"""

from __future__ import annotations

__all__ = [
    "Attendance",
    "Cycle",
    "ExitReason",
    "Group",
    "GroupStatus",
    "Member",
    "NewGroup",
    "NewMember",
    "NewProgramme",
    "OfficerRole",
    "Programme",
    "Sex",
    "Targets",
    "member_problems",
]

import datetime as dt
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field, StrictInt, field_validator, model_validator

from vsla.domain.base import Record, no_float
from vsla.domain.constitution import Constitution
from vsla.domain.limits import FIRST_DATE, LAST_DATE
from vsla.domain.sync import ClientId

KON_TUM_DISTRICTS = (
    "Kon Tum",
    "Đắk Glei",
    "Ngọc Hồi",
    "Đắk Tô",
    "Kon Plông",
    "Kon Rẫy",
    "Đắk Hà",
    "Sa Thầy",
    "Tu Mơ Rông",
    "Ia H'Drai",
)


def _nfc(value: Any) -> Any:
    """Text is stored in Unicode NFC so 'Đắk Glei' typed two ways compares equal."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


class Sex(StrEnum):
    """A member's sex as recorded: ``F`` (female) or ``M`` (male)."""

    FEMALE = "F"
    MALE = "M"


class GroupStatus(StrEnum):
    """A group's life: active, graduated (runs on its own) or dissolved."""

    ACTIVE = "active"
    GRADUATED = "graduated"
    DISSOLVED = "dissolved"


class OfficerRole(StrEnum):
    """The officers a cycle elects: chair, secretary, box keeper, money counters and key
    holders (docs/glossary.md)."""

    CHAIR = "chair"
    SECRETARY = "secretary"
    BOX_KEEPER = "box_keeper"
    MONEY_COUNTER = "money_counter"
    KEY_HOLDER = "key_holder"


class ExitReason(StrEnum):
    """Why a member left the group (recorded with ``left_on``)."""

    MOVED = "moved"
    VOLUNTARY = "voluntary"
    EXPELLED = "expelled"
    DECEASED = "deceased"
    OTHER = "other"


class Attendance(StrEnum):
    """How a member attended a meeting: present, represented (someone else came for them and
    bought their shares; whether that counts as present is a report option), or absent."""

    PRESENT = "present"
    REPRESENTED = "represented"
    ABSENT = "absent"


class Targets(Record):
    """The plan's targets; the defaults are Kon Tum's Project 8 plan (docs/indicators.md)."""

    groups: StrictInt = 91
    gal_pilot_groups: StrictInt = 55
    referral_rate: Decimal = Decimal("0.15")
    livelihood_support_rate: Decimal = Decimal("0.15")

    @field_validator("referral_rate", "livelihood_support_rate", mode="before")
    @classmethod
    def _refuse_float(cls, value: Any) -> Any:
        return no_float(value)


class NewProgramme(Record):
    """A programme to add (:meth:`vsla.Store.add_programme`): its name, province, period and
    targets (the defaults are Kon Tum's 2021-2025 plan)."""

    name: str = Field(min_length=1)
    currency: str = Field("VND", min_length=1, max_length=3)
    province: str = "Kon Tum"
    period_start: dt.date = dt.date(2021, 1, 1)
    period_end: dt.date = dt.date(2025, 12, 31)
    targets: Targets = Field(default_factory=Targets)

    _nfc_text = field_validator("name", "province", mode="before")(_nfc)

    @model_validator(mode="after")
    def _period(self) -> NewProgramme:
        if self.period_end < self.period_start:
            raise ValueError(f"period ends ({self.period_end}) before it starts")
        return self


class Programme(NewProgramme):
    """A stored programme: a :class:`NewProgramme` with its ``id``."""

    id: int


class NewGroup(Record):
    """A group to add (:meth:`vsla.Store.add_group`): a code unique in the database, a name,
    where it is (district, commune, village), when it was established, its status, and the
    day its GAL pilot began (``gal_pilot_since``), if it is one."""

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    programme_id: int | None = None
    province: str = "Kon Tum"
    district: str = ""
    commune: str = ""
    village: str = ""
    established_on: dt.date
    status: GroupStatus = GroupStatus.ACTIVE
    gal_pilot_since: dt.date | None = Field(
        None, description="GAL pilot start date; the group counts as a pilot from that day."
    )
    client_id: ClientId | None = Field(None, description="the app's own id (docs/sync.md)")

    _nfc_text = field_validator(
        "code", "name", "province", "district", "commune", "village", mode="before"
    )(_nfc)

    def is_gal_pilot(self, on: dt.date) -> bool:
        return self.gal_pilot_since is not None and self.gal_pilot_since <= on

    def before_established(
        self, day: dt.date, show: Callable[[dt.date], str] = dt.date.isoformat
    ) -> str | None:
        """Why something of the group dated ``day`` (a member joining, a cycle starting)
        cannot be: it is before the group was established. ``None`` when it can."""
        if day < self.established_on:
            return (
                f"{show(day)} is before group {self.code} was established "
                f"({show(self.established_on)})"
            )
        return None


class Group(NewGroup):
    """A stored group: a :class:`NewGroup` with its ``id``."""

    id: int


class NewMember(Record):
    """A member to add (:meth:`vsla.Store.add_member`): the group, full name, number within
    the group (the next free one when ``None``), sex, birth year, ethnicity, phone, the day
    they joined and, once they leave, the day and the reason."""

    group_id: int
    full_name: str = Field(min_length=1)
    number: StrictInt | None = Field(
        None, ge=1, description="Member number within the group; the next free one if None."
    )
    sex: Sex
    birth_year: StrictInt | None = None
    ethnicity: str = ""
    phone: str | None = Field(None, max_length=32)
    joined_on: dt.date
    left_on: dt.date | None = None
    exit_reason: ExitReason | None = None
    gal_champion_since: dt.date | None = None
    client_id: ClientId | None = Field(None, description="the app's own id (docs/sync.md)")

    _nfc_text = field_validator("full_name", "ethnicity", mode="before")(_nfc)

    @model_validator(mode="after")
    def _dates(self) -> NewMember:
        problems = member_problems(self.joined_on, self.left_on, self.exit_reason)
        if self.birth_year is not None and not FIRST_DATE.year <= self.birth_year <= LAST_DATE.year:
            problems.append(("birth_year", f"{self.birth_year} is not a plausible birth year"))
        if problems:
            raise ValueError("; ".join(f"{field}: {message}" for field, message in problems))
        return self

    def group_problems(self, group: NewGroup) -> list[tuple[str, str]]:
        """The member's rules that need their group, as ``(field, message)``: nobody joins a
        group before it was established. The store and the members importer both ask."""
        return member_problems(self.joined_on, self.left_on, self.exit_reason, group=group)

    def is_active(self, on: dt.date) -> bool:
        """Active from the day they join until the day before they leave."""
        return self.joined_on <= on and (self.left_on is None or on < self.left_on)


def member_problems(
    joined_on: dt.date | None,
    left_on: dt.date | None = None,
    exit_reason: ExitReason | None = None,
    *,
    group: NewGroup | None = None,
    show: Callable[[dt.date], str] = dt.date.isoformat,
) -> list[tuple[str, str]]:
    """The rules of a member's dates, as ``(field, message)`` pairs (none when they hold):
    an exit reason needs ``left_on``; nobody leaves before joining; with ``group``, nobody
    joins before the group was established.

    :class:`NewMember` refuses what breaks them, and the members importer reports each at
    its row and column, so the API and a file follow the one set of rules. ``show`` writes
    the dates (ISO by default; the importer writes them as a clerk types them).

    ```pycon
    >>> member_problems(dt.date(2024, 1, 8), exit_reason=ExitReason.MOVED)
    [('exit_reason', 'an exit reason needs the day the member left (left_on)')]

    ```
    """
    problems: list[tuple[str, str]] = []
    if exit_reason is not None and left_on is None:
        problems.append(("exit_reason", "an exit reason needs the day the member left (left_on)"))
    if left_on is not None and joined_on is not None and left_on < joined_on:
        problems.append(
            ("left_on", f"{show(left_on)} is before the day the member joined ({show(joined_on)})")
        )
    problem = (
        None if group is None or joined_on is None else group.before_established(joined_on, show)
    )
    if problem is not None:
        problems.append(("joined_on", problem))
    return problems


class Member(NewMember):
    """A stored member: a :class:`NewMember` with its ``id`` and its ``number``."""

    id: int
    number: StrictInt

    def label(self) -> str:
        """The member as messages name them: their name and their number in the group
        (never the database id): ``"A Blưp (no. 2)"``."""
        return f"{self.full_name} (no. {self.number})"


class Cycle(Record):
    """One cycle of a group: its dates, its frozen constitution, its officers."""

    id: int
    group_id: int
    number: StrictInt
    start_date: dt.date
    end_date: dt.date
    constitution: Constitution
    officers: dict[int, tuple[OfficerRole, ...]] = Field(default_factory=dict)
    previous_cycle_id: int | None = None
    shared_out_on: dt.date | None = None
    client_id: ClientId | None = None

    @property
    def is_closed(self) -> bool:
        return self.shared_out_on is not None
