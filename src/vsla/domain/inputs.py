"""What happened at a meeting, as an app or an import gives it: the inputs the planner
checks (:class:`MeetingInput` and its parts). Members and loans are named by id."""

from __future__ import annotations

__all__ = [
    "CycleEvent",
    "ExitInput",
    "Expense",
    "FinePaid",
    "Income",
    "LoanPurpose",
    "LoanRequest",
    "MeetingInput",
    "Repayment",
    "ShareOutInput",
    "SocialFundGrant",
    "WriteOffInput",
]

import datetime as dt
from typing import Any, ClassVar, Self

from pydantic import Field, StrictInt, model_validator

from vsla.domain.base import Amount, Record
from vsla.domain.entities import Attendance, ExitReason
from vsla.domain.limits import MAX_TERM_MONTHS
from vsla.domain.loanstate import LoanPurpose
from vsla.domain.sync import ClientId


class FinePaid(Record):
    """A fine named in the constitution; ``amount`` defaults to the constitution's."""

    member_id: int
    fine: str
    amount: Amount | None = None


class Income(Record):
    """Other income of the group at a meeting (for example a donation), into the loan fund."""

    amount: Amount = Field(gt=0)
    memo: str = ""


class Expense(Record):
    """An expense of the group at a meeting (for example a new padlock), out of the loan fund."""

    amount: Amount = Field(gt=0)
    memo: str = ""


class _NamesALoan(Record):
    """An input that names one loan, by its ``loan_id`` or by the client id it was made with
    (``loan_ref``): exactly one of the two."""

    _done: ClassVar[str] = "named"  # what is done to the loan, for the error

    loan_id: int | None = Field(default=None, gt=0)
    loan_ref: str | None = None

    @model_validator(mode="after")
    def _one_loan(self) -> Self:
        if (self.loan_id is None) == (self.loan_ref is None):
            raise ValueError(f"name the loan {self._done} by loan_id or by loan_ref (exactly one)")
        return self

    @property
    def loan(self) -> str:
        return f"#{self.loan_id}" if self.loan_id is not None else f"ref {self.loan_ref!r}"


class Repayment(_NamesALoan):
    """A repayment of one loan, named by its ``loan_id`` or by the client id (``ref``) it was
    made with (``loan_ref``). ``client_id`` is the app's own id for the repayment
    (docs/sync.md)."""

    _done: ClassVar[str] = "repaid"

    amount: Amount = Field(gt=0)
    client_id: ClientId | None = None


class SocialFundGrant(Record):
    """A grant from the social fund to a member at a meeting (help after an illness, a
    funeral), with its reason."""

    member_id: int
    amount: Amount = Field(gt=0)
    reason: str = ""


class LoanRequest(Record):
    """A new loan. ``client_id`` is the caller's own id for it (a data-entry app's id, a
    row of an import), unique among the loans of the programme (docs/sync.md): a later
    repayment, even one recorded in the same batch before the store has given the loan its
    id, can name it with ``loan_ref``. ``ref`` is another name for ``client_id`` (the name
    of the first releases): give either; both then hold the same value."""

    member_id: int
    principal: Amount = Field(gt=0)
    term_months: StrictInt = Field(ge=1, le=MAX_TERM_MONTHS)
    purpose: LoanPurpose = LoanPurpose.OTHER
    ref: str | None = Field(None, min_length=1, max_length=64)
    client_id: ClientId | None = None

    @model_validator(mode="before")
    @classmethod
    def _ref_is_the_client_id(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        ref, client_id = data.get("ref"), data.get("client_id")
        if ref is not None and client_id is None:
            return {**data, "client_id": ref}
        if client_id is not None and ref is None:
            return {**data, "ref": client_id}
        if ref != client_id:
            raise ValueError(
                f"ref ({ref!r}) is another name for client_id ({client_id!r}): give one of "
                "them, or the same value in both"
            )
        return data


class MeetingInput(Record):
    """Everything that happened at one meeting. Members are referred to by id.

    ``social_fund_contributions`` maps a member to what they paid: the constitution's
    contribution, or a whole multiple of it (a member catching up on missed meetings).
    ``share_purchases`` maps a member to the number of shares bought; the [min, max] rule
    applies to the members listed there. ``client_id`` is the app's own id for the meeting:
    a meeting sent again with it is recognised (docs/sync.md).
    """

    date: dt.date
    client_id: ClientId | None = None
    attendance: dict[int, Attendance] = Field(default_factory=dict)
    social_fund_contributions: dict[int, Amount] = Field(default_factory=dict)
    share_purchases: dict[int, StrictInt] = Field(default_factory=dict)
    fines: list[FinePaid] = Field(default_factory=list)
    other_income: list[Income] = Field(default_factory=list)
    repayments: list[Repayment] = Field(default_factory=list)
    social_fund_grants: list[SocialFundGrant] = Field(default_factory=list)
    expenses: list[Expense] = Field(default_factory=list)
    loans: list[LoanRequest] = Field(default_factory=list)


class ExitInput(Record):
    """A member leaving mid-cycle, as one event of a cycle's import
    (:meth:`vsla.Store.import_cycle`): settled as :meth:`vsla.Store.settle_member_exit`
    settles it (savings back less what they owe; inactive from ``on``)."""

    member_id: int
    on: dt.date
    reason: ExitReason = ExitReason.VOLUNTARY


class WriteOffInput(_NamesALoan):
    """A loan written off, as one event of a cycle's import: what it still owes leaves the
    books, as :meth:`vsla.Store.write_off` does. The loan is named by ``loan_id``, or by
    the client id it was made with (``loan_ref``), which also names a loan made earlier in
    the same import."""

    _done: ClassVar[str] = "written off"

    on: dt.date
    reason: str


class ShareOutInput(Record):
    """The share-out that closes the cycle, as the last event of a cycle's import: as
    :meth:`vsla.Store.share_out` records it."""

    on: dt.date


CycleEvent = MeetingInput | ExitInput | WriteOffInput | ShareOutInput
"""One event of a cycle's import (:meth:`vsla.Store.import_cycle`), in the order they
happened: a meeting, a member's exit, a write-off or the share-out."""
