"""Reports as tables: rows, a pandas DataFrame with integer money, an escaped HTML view."""

from __future__ import annotations

from decimal import Decimal

import vsla
from vsla.domain.tabular import html_table


def test_share_out_rows_dataframe_and_html() -> None:
    """30.001 ₫ for 3 shares: 10.000,33 ₫ a share; 2 shares → 20.000 ₫, 1 → 10.000 ₫,
    remainder 1 ₫."""
    result = vsla.share_out({"Y <Hoa>": 2, "A Blưp": 1}, 30_001, share_value=10_000)
    rows = result.rows()
    assert [(r["member"], r["payout"], r["profit"]) for r in rows] == [
        ("Y <Hoa>", 20_000, 0),
        ("A Blưp", 10_000, 0),
    ]
    assert rows[0]["pct_return"] == Decimal(0)
    frame = result.to_dataframe()
    assert list(frame["payout"]) == [20_000, 10_000]
    assert str(frame["payout"].dtype) == "int64"
    page = result._repr_html_()
    assert "Y &lt;Hoa&gt;" in page
    assert '<td style="text-align:right">20.000</td>' in page


def test_html_table_shows_missing_ratios_and_flags() -> None:
    page = html_table([{"name": "referral_rate", "value": None, "met": False}])
    assert '<td style="text-align:left"></td>' in page
    assert "✗" in page
