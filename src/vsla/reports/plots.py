"""Charts for notebooks and reports (matplotlib: ``pip install "vsla[plot]"``).

Each function draws on the ``ax`` it is given (or a new figure) and returns the axes, so a
notebook shows it and a script can ``ax.figure.savefig("chart.png")``. Values are passed to
matplotlib as the library holds them (``int`` đồng, ``Decimal`` ratios): nothing is
rounded or turned into a float here. Every colour has a legend entry; ``lang="vi"`` writes
titles, axes and legends in Vietnamese (the words are in :mod:`vsla.words.charts`).
"""

from __future__ import annotations

__all__ = ["plot_cycle", "plot_gal_comparison", "plot_targets_by_district"]

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from vsla.domain.entities import Cycle, Group
from vsla.domain.indicators import GalComparison, Indicator, ProgrammeReport
from vsla.domain.ledger import Balances
from vsla.words import Lang, word

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


def _percent_text(value: Decimal, lang: Lang) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if lang is Lang.VI else text


def plot_targets_by_district(
    report: ProgrammeReport,
    figure: RateFigure = "referral_rate",
    *,
    lang: Lang | str = Lang.EN,
    ax: Axes | None = None,
) -> Axes:
    """One bar per district: the figure in %, green where it meets the target, orange where
    it does not, and the target as a line (15 % in Kon Tum's plan); the legend names all
    three."""
    lang = Lang(lang)
    ax = _axes(ax)
    lines = report.by_district
    values = [_pct(getattr(line, figure)) for line in lines]
    target = getattr(report, figure).target
    met = [target is not None and v >= target * 100 for v in values]
    ax.bar(
        [line.label for line in lines],
        _array(values),
        color=[_MET if m else _NOT_MET for m in met],
    )
    if target is not None:
        from matplotlib.patches import Patch

        line = ax.axhline(
            _array([target * 100])[0],
            color=_TARGET,
            linestyle="--",
            label=word("chart_target", lang, target=_percent_text(target * 100, lang)),
        )
        ax.legend(
            handles=[
                Patch(color=_MET, label=word("chart_met", lang)),
                Patch(color=_NOT_MET, label=word("chart_not_met", lang)),
                line,
            ],
            loc="upper right",
        )
    ax.set_ylabel(word("chart_pct_members", lang))
    ax.set_title(
        word("chart_by_district", lang, figure=word(figure, lang), on=report.on.isoformat())
    )
    ax.tick_params(axis="x", labelrotation=30)
    return ax


_GAL_FIGURES = (
    ("women_share_of_officers", "chart_gal_officers"),
    ("women_share_of_loans", "chart_gal_loans"),
    ("women_share_of_loan_value", "chart_gal_loan_value"),
    ("women_attendance_rate", "chart_gal_attendance"),
    ("referral_rate", "chart_gal_referred"),
    ("livelihood_support_rate", "chart_gal_livelihood"),
)


def plot_gal_comparison(
    comparison: GalComparison, *, lang: Lang | str = Lang.EN, ax: Axes | None = None
) -> Axes:
    """GAL pilot groups beside the other groups: women's share of officers, of loans and of
    loan value, women's attendance, referral and livelihood support rates, in %."""
    lang = Lang(lang)
    ax = _axes(ax)
    positions = [5 * i for i in range(len(_GAL_FIGURES))]  # two bars of width 2 each
    for side, shift, colour, label in (
        (comparison.pilot, -1, _MET, word("chart_gal_pilots", lang, n=comparison.pilot.groups)),
        (comparison.other, 1, _TARGET, word("chart_gal_others", lang, n=comparison.other.groups)),
    ):
        ax.bar(
            [p + shift for p in positions],
            _array([_pct(getattr(side, name)) for name, _ in _GAL_FIGURES]),
            width=2,
            color=colour,
            label=label,
        )
    ax.set_xticks(positions, [word(key, lang) for _, key in _GAL_FIGURES])
    ax.set_ylabel("%")
    ax.set_title(word("chart_gal_title", lang, on=comparison.on.isoformat()))
    ax.legend()
    return ax


def plot_cycle(
    history: Sequence[tuple[dt.date, Balances]],
    *,
    group: Group | None = None,
    cycle: Cycle | None = None,
    lang: Lang | str = Lang.EN,
    ax: Axes | None = None,
) -> Axes:
    """Savings, loan fund cash, loans outstanding and the social fund over a cycle, from
    :meth:`vsla.Store.balance_history` (đồng).

    With ``group`` and ``cycle`` the title names the group (code and name) and the cycle;
    a cycle that is shared out gets a dashed vertical line on its share-out day, in the
    legend, where savings and cash fall as they are paid out to the members.
    """
    lang = Lang(lang)
    ax = _axes(ax)
    days = [day for day, _ in history]
    series: tuple[tuple[str, Any], ...] = (
        ("chart_savings", lambda b: b.savings),
        ("chart_loan_fund_cash", lambda b: b.loan_fund_cash),
        ("chart_loans_outstanding", lambda b: b.loans_outstanding),
        ("chart_social_fund", lambda b: b.social_fund_cash),
    )
    for key, pick in series:
        ax.plot(_array(days), [pick(b) for _, b in history], label=word(key, lang), marker=".")
    if cycle is not None and cycle.shared_out_on is not None:
        ax.axvline(
            _array([cycle.shared_out_on])[0],
            color=_TARGET,
            linestyle="--",
            label=word("chart_share_out", lang, on=cycle.shared_out_on.isoformat()),
        )
    ax.set_ylabel(word("chart_dong", lang))
    thousands = "." if lang is Lang.VI else ","
    ax.yaxis.set_major_formatter(lambda value, _pos: f"{int(value):,}".replace(",", thousands))
    title = word("chart_cycle_title", lang)
    if group is not None:
        number = "?" if cycle is None else cycle.number
        of = word("chart_cycle_of", lang, code=group.code, name=group.name, number=number)
        title = f"{of}\n{title}"
    ax.set_title(title)
    ax.legend()
    ax.figure.autofmt_xdate()
    return ax
