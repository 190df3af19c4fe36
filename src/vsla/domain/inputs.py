"""What happened at a meeting, as an app or an import gives it: the inputs the planner
checks (:class:`MeetingInput` and its parts). Members and loans are named by id."""

from __future__ import annotations

__all__ = [
    "Expense",
    "FinePaid",
    "Income",
    "LoanPurpose",
    "LoanRequest",
    "MeetingInput",
    "Repayment",
    "SocialFundGrant",
]

import datetime as dt

from pydantic import Field, StrictInt, model_validator

from vsla.domain.base import Amount, Record
from vsla.domain.entities import Attendance
from vsla.domain.limits import MAX_TERM_MONTHS
from vsla.domain.loanstate import LoanPurpose


class FinePaid(Record):
    """A fine named in the constitution; ``amount`` defaults to the constitution's."""

    member_id: int
    fine: str
    amount: Amount | None = None


class Income(Record):
    amount: Amount = Field(gt=0)
    memo: str = ""


class Expense(Record):
    amount: Amount = Field(gt=0)
    memo: str = ""


class Repayment(Record):
    """A repayment of one loan, named by its ``loan_id`` or by the ``ref`` it was made with."""

    loan_id: int | None = Field(default=None, gt=0)
    loan_ref: str | None = None
    amount: Amount = Field(gt=0)

    @model_validator(mode="after")
    def _one_loan(self) -> Repayment:
        if (self.loan_id is None) == (self.loan_ref is None):
            raise ValueError("name the loan repaid by loan_id or by loan_ref (exactly one)")
        return self

    @property
    def loan(self) -> str:
        return f"#{self.loan_id}" if self.loan_id is not None else f"ref {self.loan_ref!r}"


class SocialFundGrant(Record):
    member_id: int
    amount: Amount = Field(gt=0)
    reason: str = ""


class LoanRequest(Record):
    """A new loan. ``ref`` is the caller's own reference for it (a data-entry app's id, a
    row of an import), unique in the cycle: a later repayment, even one recorded in the same
    batch before the store has given the loan its id, can name it with ``loan_ref``."""

    member_id: int
    principal: Amount = Field(gt=0)
    term_months: StrictInt = Field(ge=1, le=MAX_TERM_MONTHS)
    purpose: LoanPurpose = LoanPurpose.OTHER
    ref: str | None = Field(None, min_length=1, max_length=64)


class MeetingInput(Record):
    """Everything that happened at one meeting. Members are referred to by id.

    ``social_fund_contributions`` maps a member to what they paid: the constitution's
    contribution, or a whole multiple of it (a member catching up on missed meetings).
    ``share_purchases`` maps a member to the number of shares bought; the [min, max] rule
    applies to the members listed there.
    """

    date: dt.date
    attendance: dict[int, Attendance] = Field(default_factory=dict)
    social_fund_contributions: dict[int, Amount] = Field(default_factory=dict)
    share_purchases: dict[int, StrictInt] = Field(default_factory=dict)
    fines: list[FinePaid] = Field(default_factory=list)
    other_income: list[Income] = Field(default_factory=list)
    repayments: list[Repayment] = Field(default_factory=list)
    social_fund_grants: list[SocialFundGrant] = Field(default_factory=list)
    expenses: list[Expense] = Field(default_factory=list)
    loans: list[LoanRequest] = Field(default_factory=list)
