"""The constitution of a cycle: the rules a group sets for itself (docs/constitution.md).

A :class:`Constitution` is frozen and validated on construction. Every choice the domain marks
as a **policy** is a field here with its documented default, never a hard-coded guess.
"""

from __future__ import annotations

__all__ = [
    "Constitution",
    "ExitProfitPolicy",
    "InterestMethod",
    "MeetingFrequency",
    "PaymentOrder",
    "PrincipalSchedule",
    "RemainderPolicy",
    "ShareOutLoanPolicy",
    "meeting_dates",
]

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from dateutil.rrule import MONTHLY, WEEKLY, rrule
from pydantic import Field, StrictInt, field_validator, model_validator

from vsla.domain.arguments import checked_call
from vsla.domain.base import Amount, Record, no_float
from vsla.domain.limits import MAX_AMOUNT, MAX_TERM_MONTHS
from vsla.domain.money import Rounding, format_money
from vsla.errors import InvalidConstitution, VslaError


class InterestMethod(StrEnum):
    """How the monthly service charge is computed (docs/loans.md)."""

    DECLINING = "declining"
    FLAT = "flat"
    UPFRONT = "upfront"


class PrincipalSchedule(StrEnum):
    """When principal is payable: all at the due date, or equal monthly instalments."""

    AT_DUE_DATE = "at_due_date"
    INSTALMENTS = "instalments"


class PaymentOrder(StrEnum):
    """Which part of a repayment is paid first."""

    INTEREST_FIRST = "interest_first"
    PRINCIPAL_FIRST = "principal_first"


class MeetingFrequency(StrEnum):
    """How often a group meets in a cycle: weekly, fortnightly or monthly."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class ShareOutLoanPolicy(StrEnum):
    """At share-out: refuse while loans are outstanding, or net them against payouts."""

    REFUSE = "refuse"
    NET = "net"


class RemainderPolicy(StrEnum):
    """Where the share-out remainder goes: kept as opening cash, or to the social fund."""

    CARRY = "carry"
    SOCIAL_FUND = "social_fund"


class ExitProfitPolicy(StrEnum):
    """What a member who leaves mid-cycle receives beyond their savings."""

    NONE = "none"
    PRO_RATA = "pro_rata"


class Constitution(Record):
    """The rules of one cycle. Frozen: a cycle's rules do not change while it runs.

    ```pycon
    >>> c = Constitution(share_value=20_000, interest_rate=Decimal("0.02"))
    >>> c.max_shares_per_meeting, c.interest_method.value, c.max_term_months
    (5, 'declining', 3)

    ```
    """

    error_class: ClassVar[type[VslaError]] = InvalidConstitution

    share_value: Amount = Field(description="Money per share, in minor units. Fixed.")
    min_shares_per_meeting: StrictInt = 1
    max_shares_per_meeting: StrictInt = 5
    social_fund_contribution: Amount = Field(
        0, description="Fixed amount per member per meeting; 0 switches the fund off."
    )
    interest_rate: Decimal = Field(description="Per month, as a fraction: 0.02 is 2 %/month.")
    interest_method: InterestMethod = InterestMethod.DECLINING
    principal_schedule: PrincipalSchedule = PrincipalSchedule.AT_DUE_DATE
    payment_order: PaymentOrder = PaymentOrder.INTEREST_FIRST
    max_loan_multiple: Decimal = Decimal(3)
    max_term_months: StrictInt = 3
    meeting_frequency: MeetingFrequency = MeetingFrequency.WEEKLY
    fines: dict[str, Amount] = Field(default_factory=dict)
    rounding: Rounding = Rounding.HALF_UP
    cash_step: Amount = Field(1, description="Payouts are rounded down to a multiple of it.")
    share_out_loans: ShareOutLoanPolicy = ShareOutLoanPolicy.REFUSE
    remainder: RemainderPolicy = RemainderPolicy.CARRY
    exit_profit_share: ExitProfitPolicy = ExitProfitPolicy.NONE

    @field_validator("interest_rate", "max_loan_multiple", mode="before")
    @classmethod
    def _refuse_float(cls, value: Any) -> Any:
        return no_float(value)

    @model_validator(mode="after")
    def _check(self) -> Constitution:
        problems: list[str] = []
        if self.share_value <= 0:
            problems.append(f"share_value must be > 0, got {self.share_value}")
        if self.min_shares_per_meeting < 0:
            problems.append(
                f"min_shares_per_meeting must be >= 0, got {self.min_shares_per_meeting}"
            )
        if self.max_shares_per_meeting < 1:
            problems.append(
                f"max_shares_per_meeting must be >= 1, got {self.max_shares_per_meeting}"
            )
        if self.min_shares_per_meeting > self.max_shares_per_meeting:
            problems.append(
                f"min_shares_per_meeting ({self.min_shares_per_meeting}) exceeds "
                f"max_shares_per_meeting ({self.max_shares_per_meeting})"
            )
        if self.social_fund_contribution < 0:
            problems.append(
                f"social_fund_contribution must be >= 0, got {self.social_fund_contribution}"
            )
        if not self.interest_rate.is_finite() or self.interest_rate < 0:
            problems.append(f"interest_rate must be >= 0, got {self.interest_rate}")
        elif len(str(self.interest_rate)) > 32:
            problems.append(f"interest_rate has too many digits, got {self.interest_rate}")
        elif self.interest_rate >= 1:
            problems.append(
                f"interest_rate is per month as a fraction (0.02 = 2 %), got {self.interest_rate}"
            )
        if not self.max_loan_multiple.is_finite() or self.max_loan_multiple < 0:
            problems.append(f"max_loan_multiple must be >= 0, got {self.max_loan_multiple}")
        if not 1 <= self.max_term_months <= MAX_TERM_MONTHS:
            problems.append(
                f"max_term_months must be from 1 to {MAX_TERM_MONTHS} (vsla.MAX_TERM_MONTHS), "
                f"got {self.max_term_months}"
            )
        most = self.share_value * self.max_shares_per_meeting
        if self.share_value > 0 and self.max_shares_per_meeting > 0 and most > MAX_AMOUNT:
            problems.append(
                f"share_value {format_money(self.share_value)} × max_shares_per_meeting "
                f"{self.max_shares_per_meeting} = {format_money(most)}, the largest purchase "
                f"at one meeting, is above the ceiling of one amount, "
                f"{format_money(MAX_AMOUNT)} (vsla.MAX_AMOUNT)"
            )
        for name, amount in self.fines.items():
            if not name.strip():
                problems.append("a fine needs a name")
            if amount <= 0:
                problems.append(f"fine {name!r} must be > 0, got {amount}")
        if self.cash_step < 1:
            problems.append(f"cash_step must be >= 1, got {self.cash_step}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@checked_call
def meeting_dates(start: dt.date, end: dt.date, frequency: MeetingFrequency) -> list[dt.date]:
    """The planned meeting dates of a cycle from ``start`` to ``end`` inclusive.

    Monthly meetings keep the start's day of month and are clipped at month end (a cycle
    starting on 31 January meets on 29 February in a leap year, then on 31 March).

    ```pycon
    >>> days = meeting_dates(dt.date(2024, 1, 31), dt.date(2024, 4, 30), MeetingFrequency.MONTHLY)
    >>> [d.isoformat() for d in days]
    ['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']

    ```
    """
    if end < start:
        return []
    begin = dt.datetime.combine(start, dt.time())
    until = dt.datetime.combine(end, dt.time())
    if frequency is MeetingFrequency.MONTHLY:
        rule = rrule(MONTHLY, dtstart=begin, until=until, bymonthday=(start.day, -1))
        # keep, per month, the start's day or the last day when the month is shorter
        by_month: dict[tuple[int, int], dt.date] = {}
        for moment in rule:
            day = moment.date()
            key = (day.year, day.month)
            if key not in by_month or (by_month[key].day != start.day and day.day == start.day):
                by_month[key] = day
        return sorted(by_month.values())
    interval = 1 if frequency is MeetingFrequency.WEEKLY else 2
    return [m.date() for m in rrule(WEEKLY, interval=interval, dtstart=begin, until=until)]
