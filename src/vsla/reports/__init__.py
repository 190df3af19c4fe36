"""Reports: indicators computed over a whole store.

:mod:`vsla.reports.indicators` computes them with a handful of SQL aggregate queries (the
path to use, at any scale); :mod:`vsla.reports.reference` computes the same reports in plain
Python over records held in memory, as a check. Both hand their sums and counts to the pure
formulas of :mod:`vsla.domain.indicators`.
"""

from __future__ import annotations

from vsla.domain.indicators import (
    GalComparison,
    GalSide,
    GroupBreakdown,
    GroupIndicators,
    Indicator,
    MembersPolicy,
    ProgrammeLine,
    ProgrammeReport,
)
from vsla.reports.indicators import (
    gal_comparison,
    group_indicators,
    group_indicators_all,
    programme_indicators,
    programme_time_series,
)

__all__ = [
    "GalComparison",
    "GalSide",
    "GroupBreakdown",
    "GroupIndicators",
    "Indicator",
    "MembersPolicy",
    "ProgrammeLine",
    "ProgrammeReport",
    "gal_comparison",
    "group_indicators",
    "group_indicators_all",
    "programme_indicators",
    "programme_time_series",
]
