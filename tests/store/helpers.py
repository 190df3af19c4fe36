"""Small builders for store tests: one group of named members with a running cycle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import vsla

START = dt.date(2024, 1, 8)
END = dt.date(2024, 12, 30)


@dataclass
class World:
    store: vsla.Store
    group: vsla.Group
    cycle: vsla.Cycle
    m: dict[str, vsla.Member]

    def meet(self, day: dt.date, **kwargs: Any) -> vsla.MeetingRecord:
        return self.store.record_meeting(self.cycle.id, vsla.MeetingInput(date=day, **kwargs))

    def id(self, name: str) -> int:
        return self.m[name].id


def constitution(**overrides: Any) -> vsla.Constitution:
    base: dict[str, Any] = {
        "share_value": 10_000,
        "social_fund_contribution": 2_000,
        "interest_rate": Decimal("0.02"),
        "fines": {"absence": 5_000, "late": 1_000},
    }
    base.update(overrides)
    return vsla.Constitution(**base)


def build(
    store: vsla.Store,
    names: tuple[str, ...] = ("Y Hoa", "A Blưp", "Y Nhí", "Đinh Thị Lệ"),
    code: str = "KT-DG-001",
    **rules: Any,
) -> World:
    group = store.add_group(
        vsla.NewGroup(
            code=code,
            name="Tổ tiết kiệm thôn Đăk Nhoong",
            district="Đắk Glei",
            established_on=START,
        )
    )
    members = store.add_members(
        [
            vsla.NewMember(
                group_id=group.id,
                full_name=name,
                sex=vsla.Sex.MALE if name.startswith("A ") else vsla.Sex.FEMALE,
                ethnicity="Xơ Đăng",
                joined_on=START,
            )
            for name in names
        ]
    )
    cycle = store.start_cycle(group.id, start=START, end=END, constitution=constitution(**rules))
    return World(store, group, cycle, {m.full_name: m for m in members})
