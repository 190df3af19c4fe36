"""Share-out at the end of a cycle, and the settlement of a member who leaves (docs/share-out.md).

Everything here is exact integer arithmetic on whole units of money (``int``), with
:class:`~fractions.Fraction` for the value of one share. A :class:`~decimal.Decimal` appears
only as a display value or a ratio; no payout is ever computed from a rounded figure.

The formula, for member *i* holding ``shares_i`` of ``total_shares``::

    payout_i  = floor(shares_i * distributable / total_shares), then down to a multiple of
                cash_step  ==  (shares_i * distributable // total_shares) // cash_step * cash_step
    remainder = distributable - sum(payout_i)        (>= 0, stays with the group)

so ``sum(payout_i) + remainder == distributable`` exactly, for every input.

```pycon
>>> result = share_out({"Mai": 3, "Lan": 2, "Hoa": 2}, 80_000, share_value=10_000)
>>> [line.payout for line in result.lines]   # 3*80000//7, 2*80000//7, 2*80000//7
[34285, 22857, 22857]
>>> result.remainder                         # 80000 - 79999
1
>>> result.value_per_share_exact, result.value_per_share
(Fraction(80000, 7), Decimal('11428.57'))

```

This module does not touch the database: the caller gives the share counts, the
distributable cash and, under the ``net`` loan policy, what each borrower still owes.
See ``docs/share-out.md`` for a worked example that every member can check with a pencil.
"""

from __future__ import annotations

__all__ = [
    "ExitSettlement",
    "ShareOutLine",
    "ShareOutResult",
    "exit_settlement",
    "share_out",
]

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Generic, TypeVar

from vsla.domain.arguments import check_int
from vsla.domain.money import format_money, ratio
from vsla.domain.tabular import Tabular
from vsla.errors import InvalidShareOutInput, NotFound, ShareOutRefused

K = TypeVar("K", bound=Hashable)


# --------------------------------------------------------------------------- validation


def _whole(what: str, value: object, *, minimum: int) -> int:
    """``value`` as an ``int`` >= ``minimum``: a wrong type is
    :class:`~vsla.errors.InvalidShareOutInput` (the one argument check), a value below the
    minimum :class:`ShareOutRefused` saying why."""
    number = check_int(what, value, InvalidShareOutInput)
    if number < minimum:
        raise ShareOutRefused(f"{what} must be >= {minimum}, got {number}")
    return number


def _floor_to_step(amount: int, cash_step: int) -> int:
    """Round a whole amount down to a multiple of ``cash_step`` (integer arithmetic)."""
    return amount // cash_step * cash_step


# --------------------------------------------------------------------------- display


def decimal_places(value: Fraction, places: int) -> Decimal:
    """An exact fraction shown with ``places`` decimals, half away from zero, rounded once.

    ```pycon
    >>> decimal_places(Fraction(34660, 3), 2)
    Decimal('11553.33')
    >>> decimal_places(Fraction(-1, 8), 2)
    Decimal('-0.13')

    ```
    """
    scaled = abs(value) * 10**places
    units, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        units += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * units).scaleb(-places)


# --------------------------------------------------------------------------- share-out


@dataclass(frozen=True)
class ShareOutLine(Generic[K]):
    """One member's line of a share-out.

    ``cash_paid``, ``profit`` and ``pct_return`` are derived from the other fields, so a
    line is consistent by construction:

    ```pycon
    >>> line = ShareOutLine("Mai", shares=40, savings=400_000, payout=462_133, owed=50_000)
    >>> line.cash_paid, line.profit, line.pct_return
    (412133, 62133, Decimal('0.1553325'))

    ```

    Attributes:
        member: the member's key, as given to :func:`share_out`.
        shares: shares the member bought in the cycle.
        savings: ``shares * share_value``.
        payout: the member's share of the distributable cash (a multiple of the cash step).
        owed: what the member still owed and had netted against the payout (``net`` policy).
        cash_paid: ``payout - owed``: the cash handed to the member.
        profit: the member's return, ``payout - savings`` (negative if the group lost money).
        pct_return: ``profit / savings`` as a ratio (``0.155`` is 15.5 %); ``None`` when the
            member saved nothing.
    """

    member: K
    shares: int
    savings: int
    payout: int
    owed: int = 0
    cash_paid: int = field(init=False)
    profit: int = field(init=False)
    pct_return: Decimal | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cash_paid", self.payout - self.owed)
        object.__setattr__(self, "profit", self.payout - self.savings)
        object.__setattr__(self, "pct_return", ratio(self.profit, self.savings))


@dataclass(frozen=True)
class ShareOutResult(Tabular, Generic[K]):
    """The whole share-out of a cycle: one line per member, in the order given, and totals.

    Attributes:
        lines: one :class:`ShareOutLine` per member, in the input order.
        distributable: the loan-fund cash shared out.
        total_shares: shares bought in the cycle by all members.
        value_per_share: ``distributable / total_shares`` shown with 2 decimals (display only).
        value_per_share_exact: the same value as an exact :class:`~fractions.Fraction`
            (``0`` when nobody holds a share and nothing is shared).
        total_payout: the sum of the payouts.
        remainder: ``distributable - total_payout``; stays with the group.
        cash_step: payouts are multiples of it.
        share_value: money per share in the cycle.
    """

    lines: tuple[ShareOutLine[K], ...]
    distributable: int
    total_shares: int
    value_per_share: Decimal
    value_per_share_exact: Fraction
    total_payout: int
    remainder: int
    cash_step: int
    share_value: int

    @property
    def total_savings(self) -> int:
        """Σ savings = ``total_shares * share_value``."""
        return sum(line.savings for line in self.lines)

    @property
    def total_profit(self) -> int:
        """Σ profit = ``total_payout - total_savings``."""
        return sum(line.profit for line in self.lines)

    @property
    def total_owed(self) -> int:
        """Σ amounts owed and netted against payouts."""
        return sum(line.owed for line in self.lines)

    @property
    def total_cash_paid(self) -> int:
        """Σ cash handed out = ``total_payout - total_owed``."""
        return sum(line.cash_paid for line in self.lines)

    def line_of(self, member: K) -> ShareOutLine[K]:
        """The line of ``member``; :class:`~vsla.errors.NotFound` if they have none."""
        for line in self.lines:
            if line.member == member:
                return line
        raise NotFound(f"member {member!r} has no line in this share-out")

    def payout_of(self, member: K) -> int:
        """The payout of ``member`` (before netting what they owe).

        ```pycon
        >>> share_out({"Mai": 3, "Lan": 2}, 50_000, share_value=10_000).payout_of("Lan")
        20000

        ```
        """
        return self.line_of(member).payout

    def rows(self) -> list[dict[str, Any]]:
        """One row per member: the share-out sheet as data (money in whole units)."""
        return [
            {
                "member": line.member,
                "shares": line.shares,
                "savings": line.savings,
                "payout": line.payout,
                "profit": line.profit,
                "pct_return": line.pct_return,
                "owed": line.owed,
                "cash_paid": line.cash_paid,
            }
            for line in self.lines
        ]

    def to_text(self, names: Mapping[K, str] | None = None, vietnamese: bool = False) -> str:
        """A fixed-width table a facilitator can read aloud, with its totals and checks.

        The same as :func:`vsla.reports.shareout_text.share_out_text` (its columns and
        footer are described there): the layout is presentation, kept out of the domain.

        Args:
            names: display names by member key; a key without a name is shown as ``str(key)``.
            vietnamese: Vietnamese labels and number format.
        """
        from vsla.reports.shareout_text import share_out_text

        return share_out_text(self, names, vietnamese)


def share_out(
    shares: Mapping[K, int],
    distributable: int,
    *,
    share_value: int,
    cash_step: int = 1,
    owed: Mapping[K, int] | None = None,
) -> ShareOutResult[K]:
    """Share ``distributable`` among members in proportion to their shares.

    Each payout is ``floor(shares_i * distributable / total_shares)`` rounded down to a
    multiple of ``cash_step``, in integer arithmetic; what is left over is the
    ``remainder`` (``sum(payouts) + remainder == distributable`` exactly). Under the ``net``
    loan policy, ``owed`` gives what a borrower still owes (principal and interest due);
    it is subtracted from their cash, never from their payout.

    ```pycon
    >>> r = share_out({"A": 40, "B": 35, "C": 30, "D": 25, "E": 20}, 1_733_000,
    ...               share_value=10_000, cash_step=1_000, owed={"E": 150_000})
    >>> [line.payout for line in r.lines], r.remainder
    ([462000, 404000, 346000, 288000, 231000], 2000)
    >>> r.lines[4].cash_paid    # 231,000 - 150,000
    81000

    ```

    Args:
        shares: shares bought in the cycle, by member key (ints >= 0), in display order.
        distributable: the loan-fund cash to share (an int >= 0), after loans are settled.
        share_value: money per share (int >= 1), for savings and returns.
        cash_step: payouts are rounded down to a multiple of it (int >= 1).
        owed: what each borrower still owes, netted against their payout (``net`` policy).
            Every key must be a member in ``shares``; missing members owe 0.

    Raises:
        ShareOutRefused: a negative or non-integer amount or share count, a cash step < 1,
            cash to share but no shares, a debtor who is not in ``shares``, or a member who
            owes more than their payout (the message names the member and both amounts).
    """
    distributable = _whole("the distributable amount", distributable, minimum=0)
    share_value = _whole("the share value", share_value, minimum=1)
    cash_step = _whole("the cash step", cash_step, minimum=1)
    for what, given in (("shares", shares), ("owed", owed)):
        if not isinstance(given, Mapping) and not (what == "owed" and given is None):
            raise ShareOutRefused(
                f"{what} must map each member to a whole number, not "
                f"{type(given).__name__} {given!r}"
            )
    counts = {
        member: _whole(f"the shares of member {member!r}", n, minimum=0)
        for member, n in shares.items()
    }
    debts: dict[K, int] = {}
    for member, amount in (owed or {}).items():
        if member not in counts:
            raise ShareOutRefused(
                f"member {member!r} owes {format_money(amount, vietnamese=False)} "
                "but is not in the share-out"
            )
        debts[member] = _whole(f"the amount owed by member {member!r}", amount, minimum=0)

    total_shares = sum(counts.values())
    if total_shares == 0:
        if distributable > 0:
            raise ShareOutRefused(
                f"cannot share {format_money(distributable, vietnamese=False)}: "
                "no member holds a share"
            )
        value_exact = Fraction(0)
    else:
        value_exact = Fraction(distributable, total_shares)

    lines: list[ShareOutLine[K]] = []
    for member, n in counts.items():
        payout = _floor_to_step(n * distributable // total_shares if n else 0, cash_step)
        debt = debts.get(member, 0)
        if debt > payout:
            raise ShareOutRefused(
                f"member {member!r} owes {format_money(debt, vietnamese=False)}, more than "
                f"their payout of {format_money(payout, vietnamese=False)}: settle the "
                f"difference of {format_money(debt - payout, vietnamese=False)} first"
            )
        lines.append(ShareOutLine(member, n, n * share_value, payout, debt))

    total_payout = sum(line.payout for line in lines)
    return ShareOutResult(
        lines=tuple(lines),
        distributable=distributable,
        total_shares=total_shares,
        value_per_share=decimal_places(value_exact, 2),
        value_per_share_exact=value_exact,
        total_payout=total_payout,
        remainder=distributable - total_payout,
        cash_step=cash_step,
        share_value=share_value,
    )


# --------------------------------------------------------------------------- member exit


@dataclass(frozen=True)
class ExitSettlement:
    """What a member who leaves mid-cycle is paid.

    Attributes:
        savings: ``shares * share_value``.
        gross: what the member is entitled to before netting: their savings (policy
            ``none``) or ``floor(shares * projected_value_per_share)`` (policy ``pro_rata``),
            rounded down to a multiple of the cash step.
        owed: loan principal and interest due, netted against ``gross``.
        cash_paid: ``gross - owed``: the cash handed to the member.
        profit_share: ``gross - savings`` (0 under policy ``none`` unless the cash step cut
            the savings; negative under ``pro_rata`` if the group has lost money).
    """

    savings: int
    gross: int
    owed: int
    cash_paid: int
    profit_share: int


def exit_settlement(
    shares: int,
    share_value: int,
    owed: int,
    *,
    projected_value_per_share: Fraction | None = None,
    cash_step: int = 1,
) -> ExitSettlement:
    """Settle a member who leaves the group before the share-out.

    Without ``projected_value_per_share`` (policy ``none``, the default) the member gets
    their savings back; with it (policy ``pro_rata``) they get
    ``floor(shares * projected_value_per_share)`` instead, which is *below* their savings
    when the group has lost money. That entitlement is rounded down to a multiple of
    ``cash_step``, then what they owe is netted against it.

    ```pycon
    >>> exit_settlement(12, 10_000, 51_000)                   # 120,000 - 51,000
    ExitSettlement(savings=120000, gross=120000, owed=51000, cash_paid=69000, profit_share=0)
    >>> exit_settlement(12, 10_000, 51_000,                   # 12 * 221500/21 = 126,571.43
    ...                 projected_value_per_share=Fraction(221_500, 21))
    ExitSettlement(savings=120000, gross=126571, owed=51000, cash_paid=75571, profit_share=6571)

    ```

    Args:
        shares: shares the member bought in the cycle (int >= 0).
        share_value: money per share (int >= 1).
        owed: loan principal plus interest due on the exit date (int >= 0).
        projected_value_per_share: the value of one share so far, e.g. (loan-fund cash +
            loans outstanding) / shares; ``None`` for no profit share.
        cash_step: the entitlement is rounded down to a multiple of it (int >= 1).

    Raises:
        ShareOutRefused: a negative or non-integer amount, a cash step < 1, a negative or
            non-rational projected value, or ``owed > gross`` (the message names both).
    """
    shares = _whole("the shares of the leaving member", shares, minimum=0)
    share_value = _whole("the share value", share_value, minimum=1)
    owed = _whole("the amount owed by the leaving member", owed, minimum=0)
    cash_step = _whole("the cash step", cash_step, minimum=1)
    savings = shares * share_value
    if projected_value_per_share is None:
        entitled = savings
    else:
        value = projected_value_per_share
        if isinstance(value, bool) or not isinstance(value, Fraction | int):
            raise ShareOutRefused(
                "the projected value per share must be a Fraction, "
                f"not {type(value).__name__} {value!r}"
            )
        value = Fraction(value)
        if value < 0:
            raise ShareOutRefused(f"the projected value per share must be >= 0, got {value}")
        entitled = shares * value.numerator // value.denominator
    gross = _floor_to_step(entitled, cash_step)
    if owed > gross:
        raise ShareOutRefused(
            f"the leaving member owes {format_money(owed, vietnamese=False)}, more than "
            f"the {format_money(gross, vietnamese=False)} due to them: settle the "
            f"difference of {format_money(owed - gross, vietnamese=False)} first"
        )
    return ExitSettlement(
        savings=savings,
        gross=gross,
        owed=owed,
        cash_paid=gross - owed,
        profit_share=gross - savings,
    )
