"""Splitting a repayment between interest and principal, from the loan's position on the
day it is paid (:func:`vsla.domain.loanbook.position`): interest due first, then principal, or
principal first, by the constitution's payment order."""

from __future__ import annotations

__all__ = ["Allocation", "allocate_payment", "split_payment"]

import datetime as dt  # noqa: F401  (the name the doctests use)
from dataclasses import dataclass
from decimal import Decimal  # noqa: F401  (the name the doctests use)

from vsla.domain.arguments import check_int, checked_call
from vsla.domain.constitution import PaymentOrder
from vsla.domain.loanbook import LoanDues, LoanPosition, position  # noqa: F401
from vsla.domain.loans import LoanTerms  # noqa: F401
from vsla.domain.money import format_money
from vsla.errors import RepaymentExceedsDue


@dataclass(frozen=True)
class Allocation:
    """How one repayment is split between interest and principal.

    ```pycon
    >>> Allocation(interest=40_000, principal=60_000)
    Allocation(interest=40000, principal=60000)

    ```
    """

    interest: int
    principal: int


@checked_call
def allocate_payment(
    pos: LoanPosition,
    amount: int,
    order: PaymentOrder = PaymentOrder.INTEREST_FIRST,
    *,
    who: str = "",
) -> Allocation:
    """Split a repayment made on ``pos.on`` into interest and principal.

    Interest due first, then principal (or principal first, by policy). Any rest beyond both
    (only possible when settling a ``flat`` loan early) is the rest of the term's interest.
    The amount must be > 0 and at most ``pos.settlement_amount`` (= ``amount_due`` except for
    that case), else :class:`~vsla.errors.RepaymentExceedsDue`; ``who`` prefixes its message.

    ```pycon
    >>> t = LoanTerms(principal=1_000_000, interest_rate=Decimal("0.02"), term_months=3,
    ...               disbursed_on=dt.date(2024, 1, 10))
    >>> allocate_payment(position(t, [], dt.date(2024, 2, 15)), 100_000)
    Allocation(interest=40000, principal=60000)

    ```
    """
    check_int("repayment", amount)
    return split_payment(pos, amount, order, who)


def split_payment(
    pos: LoanPosition | LoanDues, amount: int, order: PaymentOrder, who: str = ""
) -> Allocation:
    """:func:`allocate_payment` for the library's own callers, whose arguments are typed
    values already (the meeting planner splits a repayment from the loan's
    :class:`~vsla.domain.loanbook.LoanDues`)."""
    prefix = f"{who}: " if who else ""
    if amount <= 0:
        raise RepaymentExceedsDue(
            f"{prefix}a repayment must be more than 0, got {format_money(amount)}"
        )
    if amount > pos.settlement_amount:
        parts = (
            f"interest due {format_money(pos.interest_due)} + principal outstanding "
            f"{format_money(pos.principal_outstanding)}"
        )
        rest = pos.settlement_amount - pos.amount_due
        if rest:
            parts += f" + {format_money(rest)} interest for the rest of the flat term"
        raise RepaymentExceedsDue(
            f"{prefix}repayment of {format_money(amount)} exceeds the "
            f"{format_money(pos.settlement_amount)} due on "
            f"{pos.on.isoformat()} ({parts}); a repayment may not exceed what is due"
        )
    if order is PaymentOrder.PRINCIPAL_FIRST:
        principal = min(amount, pos.principal_outstanding)
        return Allocation(interest=amount - principal, principal=principal)
    interest = min(amount, pos.interest_due)
    principal = min(amount - interest, pos.principal_outstanding)
    return Allocation(interest=amount - principal, principal=principal)
