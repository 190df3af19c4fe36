"""Charts for notebooks and reports (matplotlib: ``pip install "vsla[plot]"``).

Each function draws on the ``ax`` it is given (or a new figure) and returns the axes, so a
notebook shows it and a script can ``ax.figure.savefig("chart.png")``. Values are passed to
matplotlib as the library holds them (``int`` đồng, ``Decimal`` ratios): nothing is
rounded or turned into a float here.
"""

from __future__ import annotations

__all__ = ["plot_cycle", "plot_gal_comparison", "plot_targets_by_district"]

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from vsla.domain.indicators import GalComparison, Indicator, ProgrammeReport
from vsla.domain.ledger import Balances

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_MET, _NOT_MET, _TARGET = "#2e7d32", "#ef6c00", "#37474f"
RateFigure = Literal["referral_rate", "linked_rate", "livelihood_support_rate"]


def _axes(ax: Axes | None, size: tuple[int, int] = (9, 4)) -> Axes:
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('charts need matplotlib: pip install "vsla[plot]"') from exc
    _, new = plt.subplots(figsize=size)
    return new


def _pct(indicator: Indicator) -> Decimal:
    return Decimal(0) if indicator.value is None else indicator.value * 100


def _array(values: Sequence[Any]) -> Any:
    """Values as matplotlib takes them (a numpy object array), kept exact: Decimal, date."""
    import numpy as np

    return np.asarray(values, dtype=object)


def plot_targets_by_district(
    report: ProgrammeReport, figure: RateFigure = "referral_rate", *, ax: Axes | None = None
) -> Axes:
    """One bar per district: the figure in %, green where it meets the target, orange where
    it does not, and the target as a line (15 % in Kon Tum's plan)."""
    ax = _axes(ax)
    lines = report.by_district
    values = [_pct(getattr(line, figure)) for line in lines]
    target = getattr(report, figure).target
    colours = [_MET if target is not None and v >= target * 100 else _NOT_MET for v in values]
    ax.bar([line.label for line in lines], _array(values), color=colours)
    if target is not None:
        ax.axhline(
            _array([target * 100])[0],
            color=_TARGET,
            linestyle="--",
            label=f"target {target * 100} %",
        )
        ax.legend(loc="upper right")
    ax.set_ylabel("% of members")
    ax.set_title(f"{figure.replace('_', ' ')} by district, {report.on.isoformat()}")
    ax.tick_params(axis="x", labelrotation=30)
    return ax


_GAL_FIGURES = (
    ("women_share_of_officers", "officers"),
    ("women_share_of_loans", "loans"),
    ("women_share_of_loan_value", "loan value"),
    ("women_attendance_rate", "attendance"),
    ("referral_rate", "referred"),
    ("livelihood_support_rate", "livelihood"),
)


def plot_gal_comparison(comparison: GalComparison, *, ax: Axes | None = None) -> Axes:
    """GAL pilot groups beside the other groups: women's share of officers, of loans and of
    loan value, women's attendance, referral and livelihood support rates, in %."""
    ax = _axes(ax)
    positions = [5 * i for i in range(len(_GAL_FIGURES))]  # two bars of width 2 each
    for side, shift, colour, label in (
        (comparison.pilot, -1, _MET, f"GAL pilots ({comparison.pilot.groups})"),
        (comparison.other, 1, _TARGET, f"other groups ({comparison.other.groups})"),
    ):
        ax.bar(
            [p + shift for p in positions],
            _array([_pct(getattr(side, name)) for name, _ in _GAL_FIGURES]),
            width=2,
            color=colour,
            label=label,
        )
    ax.set_xticks(positions, [label for _, label in _GAL_FIGURES])
    ax.set_ylabel("%")
    ax.set_title(f"GAL pilots and other groups, {comparison.on.isoformat()}")
    ax.legend()
    return ax


def plot_cycle(history: Sequence[tuple[dt.date, Balances]], *, ax: Axes | None = None) -> Axes:
    """Savings, loan fund cash, loans outstanding and the social fund over a cycle, from
    :meth:`vsla.Store.balance_history` (đồng)."""
    ax = _axes(ax)
    days = [day for day, _ in history]
    series: tuple[tuple[str, Any], ...] = (
        ("savings", lambda b: b.savings),
        ("loan fund cash", lambda b: b.loan_fund_cash),
        ("loans outstanding", lambda b: b.loans_outstanding),
        ("social fund", lambda b: b.social_fund_cash),
    )
    for label, pick in series:
        ax.plot(_array(days), [pick(b) for _, b in history], label=label, marker=".")
    ax.set_ylabel("đồng")
    ax.yaxis.set_major_formatter(lambda value, _pos: f"{int(value):,}".replace(",", "."))
    ax.set_title("The group's money over the cycle")
    ax.legend()
    ax.figure.autofmt_xdate()
    return ax
