"""Money: integers of the currency's minor unit, and the one place where rounding happens.

An amount is an ``int`` of the minor unit (whole dong for VND). Divisions go through
:class:`~decimal.Decimal` or exact integer arithmetic and are rounded here, once, with an
explicit :class:`Rounding` policy. No float is ever involved.
"""

from __future__ import annotations

__all__ = [
    "Rounding",
    "divide",
    "format_money",
    "ratio",
    "round_to_step",
    "to_unit",
]

from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from vsla.domain.arguments import checked_call
from vsla.errors import InvalidInput


class Rounding(StrEnum):
    """How an exact amount becomes a whole number of minor units (a **policy**)."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"  # towards minus infinity (floor)

    @property
    def _decimal_mode(self) -> str:
        return {
            Rounding.HALF_UP: ROUND_HALF_UP,
            Rounding.HALF_EVEN: ROUND_HALF_EVEN,
            Rounding.DOWN: ROUND_FLOOR,
        }[self]


def _exact(value: int | Decimal | Fraction) -> Fraction:
    if isinstance(value, bool):
        raise InvalidInput("a bool is not an amount")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(f"amount must be finite, got {value}")
        return Fraction(value)
    raise InvalidInput(f"money must be int, Decimal or Fraction, never {type(value).__name__}")


@checked_call
def to_unit(
    value: int | Decimal | Fraction, rounding: Rounding = Rounding.HALF_UP, step: int = 1
) -> int:
    """Round an exact amount to a whole multiple of ``step`` minor units.

    This is the single rounding point of the library.

    ```pycon
    >>> to_unit(Decimal("20000.5"))
    20001
    >>> to_unit(Fraction(2, 3))
    1
    >>> to_unit(Decimal("1499"), step=1000)
    1000
    >>> to_unit(Decimal("1500"), step=1000)
    2000
    >>> to_unit(Decimal("1999"), rounding=Rounding.DOWN, step=1000)
    1000

    ```
    """
    if step < 1:
        raise InvalidInput(f"step must be a positive whole amount, got {step}")
    q = _exact(value) / step
    floor = q.numerator // q.denominator
    rest = q - floor
    if rounding is Rounding.DOWN or rest == 0:
        units = floor
    elif rest > Fraction(1, 2):
        units = floor + 1
    elif rest < Fraction(1, 2):
        units = floor
    elif rounding is Rounding.HALF_UP:
        units = floor + 1
    else:  # HALF_EVEN on an exact half
        units = floor if floor % 2 == 0 else floor + 1
    return units * step


def round_to_step(amount: int, step: int) -> int:
    """Round a whole amount down to a multiple of ``step`` (payouts in a cash step).

    ```pycon
    >>> round_to_step(123_456, 1_000)
    123000

    ```
    """
    return to_unit(amount, Rounding.DOWN, step)


def divide(numerator: int, denominator: int, rounding: Rounding = Rounding.HALF_UP) -> int:
    """``numerator / denominator`` rounded once to a whole amount, exactly."""
    if denominator == 0:
        raise ZeroDivisionError("division of an amount by zero")
    return to_unit(Fraction(numerator, denominator), rounding)


def ratio(numerator: int | Decimal, denominator: int | Decimal, places: int = 28) -> Decimal | None:
    """A ratio as an exact-as-possible :class:`Decimal`, or ``None`` when the denominator is 0.

    Ratios (0.15 for 15 %) are reported as ``Decimal``; an undefined ratio is ``None``, never
    0, so a group with no members does not show "0 % referred".
    """
    if denominator == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = places
        return Decimal(numerator) / Decimal(denominator)


@checked_call
def format_money(amount: int, currency: str = "VND", *, vietnamese: bool = True) -> str:
    """Format a whole amount the Vietnamese way: ``1.234.567 ₫`` (or ``1,234,567 VND``).

    ```pycon
    >>> format_money(1234567)
    '1.234.567 ₫'
    >>> format_money(-5000, vietnamese=False)
    '-5,000 VND'

    ```
    """
    grouped = f"{abs(amount):,}"
    sign = "-" if amount < 0 else ""
    if vietnamese:
        symbol = "₫" if currency == "VND" else currency
        return f"{sign}{grouped.replace(',', '.')} {symbol}"
    return f"{sign}{grouped} {currency}"
