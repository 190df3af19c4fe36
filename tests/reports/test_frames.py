"""DataFrames that behave for analysis, HTML that reads as a person expects, and charts whose
every colour is in the legend, in either language."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

import vsla
from vsla.demo import generate
from vsla.domain.tabular import ColumnKind
from vsla.reports.plots import plot_cycle, plot_gal_comparison, plot_targets_by_district

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[vsla.Store, vsla.demo.DemoSummary]]:
    store = vsla.open(":memory:")
    summary = generate(store, groups=12, seed=7)
    yield store, summary
    store.close()


def test_share_out_frame_has_integer_money_and_float_ratios() -> None:
    """3 shares of 10.000 ₫ = 30.000 ₫ saved; 34.500 ₫ to share: 11.500 ₫ a share.
    A (2 shares): payout 23.000, profit 3.000, return 3.000 / 20.000 = 15 %.
    B (1 share): payout 11.500, profit 1.500, return 1.500 / 10.000 = 15 %."""
    result = vsla.share_out({"A": 2, "B": 1}, 34_500, share_value=10_000)
    frame = result.to_dataframe()
    assert frame["payout"].tolist() == [23_000, 11_500]
    assert str(frame["payout"].dtype) == "int64"
    assert str(frame["shares"].dtype) == "int64"
    assert str(frame["pct_return"].dtype) == "float64"
    assert frame["pct_return"].tolist() == [0.15, 0.15]
    assert frame["payout"].sum() == 34_500  # integer sums stay exact
    assert result.rows()[0]["pct_return"] == Decimal("0.15")  # the exact value stays
    page = result._repr_html_()
    assert page.count(">15,0 %</td>") == 2
    assert ">23.000</td>" in page


def test_group_frame_dtypes_counts_never_float(
    demo: tuple[vsla.Store, vsla.demo.DemoSummary],
) -> None:
    store, summary = demo
    report = vsla.group_indicators(store, store.groups()[0].id, summary.as_of)
    frame = report.to_dataframe()
    kinds = report.column_kinds()
    for column, kind in kinds.items():
        dtype = str(frame[column].dtype)
        if kind is ColumnKind.WHOLE:
            assert dtype in ("int64", "Int64"), (column, dtype)
        elif kind in (ColumnKind.RATIO, ColumnKind.AMOUNT):
            assert dtype == "float64", (column, dtype)
        elif kind is ColumnKind.DATE:
            assert dtype.startswith("datetime64"), (column, dtype)
    # money and counts are whole numbers even in breakdown rows where they are missing
    for column in ("savings", "members", "loans", "meetings", "shares", "net_income"):
        assert kinds[column] is ColumnKind.WHOLE
    # PAR is a ratio even when no loan is at risk anywhere (every value undefined)
    assert kinds["par_30"] is ColumnKind.RATIO
    assert kinds["savings_per_member"] is ColumnKind.AMOUNT
    main = frame.iloc[0]
    assert main["savings"] == report.savings
    assert report.attendance_rate.value is not None
    assert main["attendance_rate"] == float(report.attendance_rate.value)
    # analysis works as on any frame
    described = frame.describe()
    assert "savings" in described.columns
    assert "attendance_rate" in described.columns
    assert frame.groupby("dimension")["members"].sum().dtype.kind == "i"
    assert frame["attendance_rate"].round(2).notna().any()


def test_programme_frame_groupby_district_and_html_percentages(
    demo: tuple[vsla.Store, vsla.demo.DemoSummary],
) -> None:
    store, summary = demo
    report = vsla.programme_indicators(store, summary.programme_id, summary.as_of)
    frame = report.to_dataframe()
    districts = frame[frame["dimension"] == "district"].set_index("key")
    for line in report.by_district:
        assert districts.loc[line.key, "members"] == line.members
        assert line.referral_rate.value is not None
        drawn = float(districts.loc[line.key, "referral_rate"])  # type: ignore[arg-type]
        assert math.isclose(drawn, line.referral_rate.value)
    assert str(frame["members"].dtype) == "int64"
    assert str(frame["groups_active"].dtype) == "Int64"  # missing on the lines by sex
    assert str(frame["referral_rate"].dtype) == "float64"
    assert str(frame["referral_rate_met"].dtype) == "bool"
    rate = report.referral_rate.value
    assert rate is not None
    shown = f"{(rate * 100).quantize(Decimal('0.1'))}".replace(".", ",") + " %"
    assert f">{shown}</td>" in report._repr_html_()


def test_programme_money_columns_are_whole_dong_and_ratios(
    demo: tuple[vsla.Store, vsla.demo.DemoSummary],
) -> None:
    """The money of the programme report: amounts and counts whole (``Int64`` where the
    lines by sex have none), PAR and returns ``float64`` even where undefined; a groupby by
    district sums to the report's own total, to the đồng."""
    store, summary = demo
    report = vsla.programme_indicators(store, summary.programme_id, summary.as_of)
    frame = report.to_dataframe()
    for name in ("members_saving", "savings", "loans_active", "loans_outstanding", "at_risk_30"):
        assert str(frame[name].dtype) == "int64", name
    for name in ("loan_fund_cash", "social_fund_cash", "interest_earned", "net_income"):
        assert str(frame[name].dtype) == "Int64", name  # None on the lines by sex
    for name in ("par_1", "par_30", "loan_fund_utilization", "return_on_savings"):
        assert str(frame[name].dtype) == "float64", name
    districts = frame[frame["dimension"] == "district"]
    assert int(districts["savings"].sum()) == report.savings
    assert int(districts["loans_outstanding"].sum()) == report.loans_outstanding
    assert int(districts["social_fund_cash"].sum()) == report.social_fund_cash
    by_sex = frame[frame["dimension"] == "sex"]
    assert by_sex["loan_fund_cash"].isna().all()
    assert int(by_sex["savings"].sum()) == report.savings
    assert report.declared_kinds()["savings_per_member"] is ColumnKind.AMOUNT
    assert report.declared_kinds()["par_30"] is ColumnKind.RATIO


def test_gal_frame_keeps_counts_whole_and_html_shows_amounts_as_money(
    demo: tuple[vsla.Store, vsla.demo.DemoSummary],
) -> None:
    store, summary = demo
    gal = vsla.gal_comparison(store, summary.programme_id, summary.as_of)
    frame = gal.to_dataframe().set_index("figure")
    assert isinstance(frame.loc["members", "pilot"], int)
    assert frame.loc["members", "pilot"] == gal.pilot.members
    assert isinstance(frame.loc["referral_rate", "pilot"], float)
    page = gal._repr_html_()
    per_woman = gal.pilot.savings_per_woman.value
    assert per_woman is not None
    whole = int(per_woman.quantize(Decimal(1)))
    assert f">{whole:,}</td>".replace(",", ".") in page  # money, not a percentage


def _legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def _legend_colours(ax: Axes) -> set[str]:
    legend = ax.get_legend()
    assert legend is not None
    colours = set()
    for handle in legend.legend_handles:
        assert handle is not None
        face = getattr(handle, "get_facecolor", None)
        colour = face() if face is not None else handle.get_color()  # type: ignore[attr-defined]
        colours.add(to_hex(colour))
    return colours


def test_every_bar_colour_is_in_the_legend_in_vietnamese(
    demo: tuple[vsla.Store, vsla.demo.DemoSummary],
) -> None:
    store, summary = demo
    report = vsla.programme_indicators(store, summary.programme_id, summary.as_of)
    ax = plot_targets_by_district(report, "referral_rate", lang="vi")
    bar_colours = {to_hex(p.get_facecolor()) for p in ax.patches}
    assert bar_colours <= _legend_colours(ax)
    assert _legend_texts(ax) == ["đạt mục tiêu", "chưa đạt mục tiêu", "mục tiêu 15 %"]
    assert ax.get_title().startswith("Thành viên được giới thiệu")
    assert ax.get_ylabel() == "% thành viên"
    gal = plot_gal_comparison(vsla.gal_comparison(store, summary.programme_id, summary.as_of))
    assert {to_hex(p.get_facecolor()) for p in gal.patches} <= _legend_colours(gal)


def test_cycle_chart_names_the_group_and_shows_the_share_out(
    demo: tuple[vsla.Store, vsla.demo.DemoSummary],
) -> None:
    store, _ = demo
    group, cycle = next(
        (g, c) for g in store.groups() for c in store.cycles(g.id) if c.shared_out_on is not None
    )
    assert cycle.shared_out_on is not None
    ax = plot_cycle(store.balance_history(cycle.id), group=group, cycle=cycle, lang="vi")
    assert f"{group.code} {group.name}, chu kỳ {cycle.number}" in ax.get_title()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == [
        "tiết kiệm",
        "tiền mặt quỹ cho vay",
        "dư nợ",
        "quỹ xã hội",
        f"chia quỹ ngày {cycle.shared_out_on.isoformat()}",
    ]
    [marker] = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert np.asarray(marker.get_xdata()).tolist() == [cycle.shared_out_on] * 2
    assert _legend_texts(ax) == labels
