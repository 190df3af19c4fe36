"""The plans the demo draws before it writes anything: groups, members, meetings.

Members are indices and loans are keys here: their ids are known only once written.
"""

from __future__ import annotations

__all__ = ["Draft", "GroupLayout", "GroupPlan", "MemberPlan", "chance", "weighted"]

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from vsla.domain.activity import GalTool, Institution, ReferralOutcome, SupportKind
from vsla.domain.constitution import Constitution
from vsla.domain.entities import Attendance, ExitReason, OfficerRole, Sex
from vsla.domain.meeting import LoanPurpose


@dataclass(slots=True)
class Draft:
    """A meeting with members as indices and loans as keys (ids are known only once the
    loans are written)."""

    date: dt.date
    attendance: dict[int, Attendance] = field(default_factory=dict)
    contributions: dict[int, int] = field(default_factory=dict)
    shares: dict[int, int] = field(default_factory=dict)
    fines: list[tuple[int, str]] = field(default_factory=list)
    repayments: list[tuple[int, int]] = field(default_factory=list)  # (loan key, amount)
    grants: list[tuple[int, int, str]] = field(default_factory=list)
    expenses: list[tuple[int, str]] = field(default_factory=list)
    loans: list[tuple[int, int, int, int, LoanPurpose]] = field(default_factory=list)
    # (loan key, member, principal, term months, purpose)


@dataclass(slots=True)
class MemberPlan:
    full_name: str
    sex: Sex
    ethnicity: str
    birth_year: int
    phone: str | None
    reliability: int  # chance of attending a meeting, per mille
    preferred_shares: int
    champion_since: dt.date | None = None
    left_on: dt.date | None = None


@dataclass(slots=True)
class GroupLayout:
    index: int
    code: str
    district: str
    commune: str
    village: str
    start: dt.date
    gal_pilot: bool
    referral_rate: Decimal
    support_rate: Decimal
    write_off_here: bool


@dataclass(slots=True)
class GroupPlan:
    layout: GroupLayout
    name: str
    gal_pilot_since: dt.date | None
    members: list[MemberPlan]
    constitution: Constitution
    officers: dict[int, tuple[OfficerRole, ...]]
    start: dt.date
    end: dt.date
    meetings: list[Draft]
    exits: dict[int, list[tuple[int, ExitReason]]]  # meeting index -> leavers
    write_off: tuple[int, dt.date] | None  # (loan key, date)
    share_out_on: dt.date | None
    referrals: list[tuple[int, Institution, str, dt.date, ReferralOutcome, dt.date | None]]
    supports: list[tuple[int, SupportKind, str, dt.date, int]]
    gal_sessions: list[tuple[dt.date, GalTool, int, int, int]]


T = TypeVar("T")


def weighted(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    """One of the values, drawn with the integer weights given."""
    roll = rng.randrange(sum(w for _, w in pairs))
    for value, weight in pairs:
        if roll < weight:
            return value
        roll -= weight
    raise AssertionError("unreachable")


def chance(rng: random.Random, per_mille: int) -> bool:
    """True with probability ``per_mille`` / 1000 (integer draws: no float anywhere)."""
    return rng.randrange(1000) < per_mille
