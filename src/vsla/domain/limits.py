"""The bounds of what vsla accepts: amounts, totals, dates and loan terms, in one place.

Every model, importer and the constitution checks its values against these constants and
nothing else; ``docs/reliability.md`` (*Ceilings*) gives the same reasoning for people.

**One amount: at most** :data:`MAX_AMOUNT` **= 10¹² đồng** (1.000.000.000.000 ₫, about
40 million US dollars). A share value, a fine, a contribution, a loan's principal, a
repayment, a grant, an income or expense, a livelihood support's value: each is at most
this. A savings group's largest amounts are a few million đồng, so the ceiling is a
million times anything real, yet it keeps every product the library forms in 64 bits
(a share value times the shares bought at one meeting is itself held to the ceiling).

**Any total of a cycle: at most** :data:`MAX_TOTAL` **= 10¹³ đồng.** The planner refuses
an operation that would bring a cycle's sum of one entry kind (all shares bought, all
interest paid, ...) or either box above it. Every sum the databases form is a sum within
one cycle (per kind, per member, per loan: the SQL groups by cycle), so it stays below
10¹³, a millionth of 2⁶³ − 1 ≈ 9.2 × 10¹⁸. Sums over many cycles (a programme's
dashboard) are formed in Python, over one running cycle per group: even a cycle's total
assets, at most 3 × 10¹³, summed over 100.000 groups (every village of Viet Nam) all at
the ceiling is 3 × 10¹⁸, still below 2⁶³ (a column of a pandas DataFrame is 64-bit too).

**Dates: from** :data:`FIRST_DATE` **(1900-01-01) to** :data:`LAST_DATE`
**(2100-12-31).** Birth years have the same range. A loan's term is at most
:data:`MAX_TERM_MONTHS` (120 months, ten years), so the latest due date, 2110-12-31, and
every month boundary the loan functions compute stay far from the calendar's end (year
9999), and a loan's history is at most a few thousand months long.

**Plausible amounts:** :data:`PLAUSIBLE_AMOUNT` (100.000.000 ₫, a hundred million đồng)
is the default threshold above which an import *warns* (the amount is legal, only
unlikely for a savings group); ``vsla.io.import_file(..., warn_above=...)`` changes it.
"""

from __future__ import annotations

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_AMOUNT",
    "MAX_TERM_MONTHS",
    "MAX_TOTAL",
    "PLAUSIBLE_AMOUNT",
    "amount_problem",
    "date_problem",
    "show_amount",
    "term_problem",
]

import datetime as dt

MAX_AMOUNT = 10**12
"""The largest single amount, in minor units (whole đồng): 1.000.000.000.000 ₫."""

MAX_TOTAL = 10**13
"""The largest total of one entry kind in one cycle, and of either box: 10¹³ ₫."""

PLAUSIBLE_AMOUNT = 100_000_000
"""The default threshold of the importers' plausibility warnings: 100.000.000 ₫."""

FIRST_DATE = dt.date(1900, 1, 1)
"""The earliest date vsla accepts."""

LAST_DATE = dt.date(2100, 12, 31)
"""The latest date vsla accepts."""

MAX_TERM_MONTHS = 120
"""The longest loan term, and the largest ``max_term_months`` of a constitution."""


def show_amount(amount: int) -> str:
    """An amount as :func:`~vsla.domain.money.format_money` writes it (``1.000.000 ₫``), for
    any int: the amounts refused here may lie beyond the 64 bits ``format_money`` takes."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} ₫".replace(",", ".")


def amount_problem(amount: int, *, minimum: int = 0) -> str | None:
    """Why ``amount`` is not an amount vsla accepts (below ``minimum`` or above
    :data:`MAX_AMOUNT`), or ``None``.

    ```pycon
    >>> amount_problem(10**15)[:58]
    '1.000.000.000.000.000 ₫ is above the ceiling of one amount'
    >>> amount_problem(0, minimum=1)
    '0 ₫ is below the minimum of 1 ₫'

    ```
    """
    if amount < minimum:
        return f"{show_amount(amount)} is below the minimum of {show_amount(minimum)}"
    if amount > MAX_AMOUNT:
        return (
            f"{show_amount(amount)} is above the ceiling of one amount, "
            f"{show_amount(MAX_AMOUNT)} (vsla.MAX_AMOUNT)"
        )
    return None


def date_problem(day: dt.date) -> str | None:
    """Why ``day`` is outside the dates vsla accepts, or ``None``."""
    if not FIRST_DATE <= day <= LAST_DATE:
        return (
            f"{day.isoformat()} is outside the dates vsla accepts "
            f"({FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()})"
        )
    return None


def term_problem(months: int) -> str | None:
    """Why ``months`` is not a loan term vsla accepts (1 to :data:`MAX_TERM_MONTHS`)."""
    if not 1 <= months <= MAX_TERM_MONTHS:
        return (
            f"{months} months is not a loan term vsla accepts "
            f"(1 to {MAX_TERM_MONTHS} months, vsla.MAX_TERM_MONTHS)"
        )
    return None
