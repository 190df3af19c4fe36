"""What a notebook user sees: reports as DataFrames and HTML, and charts that render to PNG
without a display. The figures drawn are checked against the reports they come from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import vsla
from vsla.demo import generate
from vsla.reports.plots import plot_cycle, plot_gal_comparison, plot_targets_by_district

matplotlib.use("Agg")  # no display: render to files only

PNG = b"\x89PNG\r\n\x1a\n"


def _heights(ax: Axes) -> list[Decimal]:
    """The bars' heights, back as Decimals (matplotlib draws in binary floating point)."""
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    return [Decimal(str(bar.get_height())) for bar in bars]


def _save(ax: Axes, path: Path) -> bytes:
    figure = ax.get_figure()
    assert isinstance(figure, Figure)
    figure.savefig(path)
    return path.read_bytes()[:8]


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[vsla.Store, vsla.demo.DemoSummary]]:
    store = vsla.open(":memory:")
    summary = generate(store, groups=12, seed=7)
    yield store, summary
    store.close()


def test_programme_report_as_dataframe_and_html(
    demo: tuple[vsla.Store, vsla.demo.DemoSummary],
) -> None:
    store, summary = demo
    report = vsla.programme_indicators(store, summary.programme_id, summary.as_of)
    frame = report.to_dataframe()
    assert len(frame) == len(report.rows())
    first = frame.iloc[0]
    assert first["members"] == report.members
    page = report._repr_html_()
    assert page.startswith('<table class="vsla">')
    assert "ProgrammeReport" in page
    gal = vsla.gal_comparison(store, summary.programme_id, summary.as_of)
    assert list(gal.to_dataframe().columns)[:3] == ["figure", "pilot", "other"]


def test_targets_by_district_chart(
    demo: tuple[vsla.Store, vsla.demo.DemoSummary], tmp_path: Path
) -> None:
    store, summary = demo
    report = vsla.programme_indicators(store, summary.programme_id, summary.as_of)
    ax = plot_targets_by_district(report, "referral_rate")
    heights = _heights(ax)
    expected = [
        Decimal(0) if line.referral_rate.value is None else line.referral_rate.value * 100
        for line in report.by_district
    ]
    assert len(heights) == len(expected) == len(report.by_district) > 1
    for drawn, exact in zip(heights, expected, strict=True):
        assert abs(drawn - exact) < Decimal("1e-9")
    [target_line] = ax.get_lines()
    assert Decimal(str(np.asarray(target_line.get_ydata())[0])) == Decimal(15)
    assert _save(ax, tmp_path / "targets.png") == PNG


def test_gal_comparison_chart(
    demo: tuple[vsla.Store, vsla.demo.DemoSummary], tmp_path: Path
) -> None:
    store, summary = demo
    gal = vsla.gal_comparison(store, summary.programme_id, summary.as_of)
    ax = plot_gal_comparison(gal)
    assert len(ax.patches) == 12  # 6 figures × (pilots, others)
    value = gal.pilot.women_share_of_officers.value
    assert value is not None
    assert abs(_heights(ax)[0] - value * 100) < Decimal("1e-9")
    assert _save(ax, tmp_path / "gal.png") == PNG


def test_cycle_chart(demo: tuple[vsla.Store, vsla.demo.DemoSummary], tmp_path: Path) -> None:
    store, _ = demo
    group = store.groups()[0]
    cycle = store.current_cycle(group.id)
    history = store.balance_history(cycle.id)
    ax = plot_cycle(history)
    savings = ax.get_lines()[0]
    assert savings.get_label() == "savings"
    assert np.asarray(savings.get_ydata()).tolist() == [b.savings for _, b in history]
    assert np.asarray(savings.get_xdata()).tolist() == [day for day, _ in history]
    assert isinstance(history[0][0], dt.date)
    assert _save(ax, tmp_path / "cycle.png") == PNG
