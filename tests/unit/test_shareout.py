"""Share-out and member exit (docs/share-out.md), with hand-computed values.

Every expected payout below can be checked with a pencil: multiply the member's shares by
the distributable cash, divide by the total shares, drop the fraction (and, with a cash
step, drop down to a multiple of the step).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vsla.domain.shareout import (
    ExitSettlement,
    ShareOutLine,
    ShareOutResult,
    exit_settlement,
    share_out,
)
from vsla.errors import NotFound, ShareOutRefused, VslaError

SHARE_VALUE = 10_000  # VND per share

# --------------------------------------------------------------------------- 20 members

# 20 members holding 20..60 shares each.
TWENTY_SHARES = [20, 22, 25, 27, 30, 32, 35, 38, 40, 42, 45, 47, 50, 52, 55, 57, 58, 60, 24, 36]
# total shares: 20+22+25+27+30 = 124; 32+35+38+40+42 = 187; 45+47+50+52+55 = 249;
#               57+58+60+24+36 = 235; 124 + 187 + 249 + 235 = 795
# savings: 795 × 10,000 = 7,950,000 VND
TWENTY_DISTRIBUTABLE = 9_412_345  # 795 does not divide it: 9,412,345 = 795 × 11,839 + 340


def twenty_members() -> dict[str, int]:
    return {f"M{i + 1:02d}": n for i, n in enumerate(TWENTY_SHARES)}


def test_twenty_members_with_a_remainder() -> None:
    result = share_out(twenty_members(), TWENTY_DISTRIBUTABLE, share_value=SHARE_VALUE)

    assert result.total_shares == 795
    # value per share = 9,412,345 / 795 = 1,882,469 / 159 (both divided by 5) = 11,839.43 (display)
    assert result.value_per_share_exact == Fraction(1_882_469, 159)
    assert result.value_per_share == Decimal("11839.43")

    # By hand:
    # M01, 20 shares: 20 × 9,412,345 = 188,246,900; 188,246,900 ÷ 795 = 236,788 rest 440
    #   (795 × 236,788 = 188,246,460; 188,246,900 − 188,246,460 = 440)   → 236,788
    # M09, 40 shares: 40 × 9,412,345 = 376,493,800; 795 × 473,577 = 376,493,715, rest 85
    #                                                                    → 473,577
    # M18, 60 shares: 60 × 9,412,345 = 564,740,700; 795 × 710,365 = 564,740,175, rest 525
    #                                                                    → 710,365
    # M03, 25 shares: 25 × 9,412,345 = 235,308,625; 795 × 295,985 = 235,308,075, rest 550
    #                                                                    → 295,985
    assert result.payout_of("M01") == 236_788
    assert result.payout_of("M09") == 473_577
    assert result.payout_of("M18") == 710_365
    assert result.payout_of("M03") == 295_985

    # Every payout: the same formula written out with integers.
    expected = [n * 9_412_345 // 795 for n in TWENTY_SHARES]
    assert [line.payout for line in result.lines] == expected
    assert expected == [
        236_788, 260_467, 295_985, 319_664, 355_182, 378_861, 414_379, 449_898, 473_577, 497_255,
        532_774, 556_453, 591_971, 615_650, 651_168, 674_847, 686_686, 710_365, 284_146, 426_219,
    ]  # fmt: skip
    # Σ payouts = 9,412,335, so the remainder is 9,412,345 − 9,412,335 = 10 VND (< 20 members).
    assert result.total_payout == 9_412_335
    assert result.remainder == 10
    assert result.total_payout + result.remainder == TWENTY_DISTRIBUTABLE

    # savings and returns of M01: 20 × 10,000 = 200,000; profit 236,788 − 200,000 = 36,788
    first = result.lines[0]
    assert (first.member, first.shares, first.savings, first.profit) == ("M01", 20, 200_000, 36_788)
    assert first.pct_return == Decimal("0.18394")  # 36,788 / 200,000
    assert first.owed == 0
    assert first.cash_paid == first.payout
    assert [line.member for line in result.lines] == list(twenty_members())  # input order


def test_twenty_members_with_a_cash_step() -> None:
    result = share_out(
        twenty_members(), TWENTY_DISTRIBUTABLE, share_value=SHARE_VALUE, cash_step=1_000
    )
    # M01: 236,788 → 236,000; M09: 473,577 → 473,000; M18: 710,365 → 710,000
    assert result.payout_of("M01") == 236_000
    assert result.payout_of("M09") == 473_000
    assert result.payout_of("M18") == 710_000
    assert [line.payout for line in result.lines] == [
        n * 9_412_345 // 795 // 1_000 * 1_000 for n in TWENTY_SHARES
    ]
    # Σ = 9,401,000 (each of the 20 payouts loses its last three digits);
    # remainder = 9,412,345 − 9,401,000 = 11,345 VND
    assert result.total_payout == 9_401_000
    assert result.remainder == 11_345


# --------------------------------------------------------------------------- the docs example

# docs/share-out.md, "A worked example": five members, 10,000 VND a share.
FIVE_SHARES = {"mai": 40, "huong": 35, "hang": 30, "tung": 25, "bloi": 20}
FIVE_NAMES = {
    "mai": "Nguyễn Thị Mai",
    "huong": "Y Hương",
    "hang": "Đinh Thị Hằng",
    "tung": "A Tùng",
    "bloi": "Y Blơi",
}
FIVE_DISTRIBUTABLE = 1_733_000


def test_five_members_as_in_the_docs() -> None:
    """The table of docs/share-out.md.

    total shares 40 + 35 + 30 + 25 + 20 = 150; savings 1,500,000; distributable 1,733,000.
    value per share 1,733,000 / 150 = 34,660 / 3 = 11,553.33...
      Mai   40 × 1,733,000 = 69,320,000 ÷ 150 = 462,133.33 → 462,133
      Hương 35 × 1,733,000 = 60,655,000 ÷ 150 = 404,366.66 → 404,366
      Hằng  30 × 1,733,000 = 51,990,000 ÷ 150 = 346,600    → 346,600
      Tùng  25 × 1,733,000 = 43,325,000 ÷ 150 = 288,833.33 → 288,833
      Blơi  20 × 1,733,000 = 34,660,000 ÷ 150 = 231,066.66 → 231,066
    Σ = 1,732,998; remainder 2.
    """
    result = share_out(FIVE_SHARES, FIVE_DISTRIBUTABLE, share_value=SHARE_VALUE)
    assert result.total_shares == 150
    assert result.value_per_share_exact == Fraction(34_660, 3)
    assert result.value_per_share == Decimal("11553.33")
    assert [line.payout for line in result.lines] == [462_133, 404_366, 346_600, 288_833, 231_066]
    assert [line.savings for line in result.lines] == [400_000, 350_000, 300_000, 250_000, 200_000]
    assert [line.profit for line in result.lines] == [62_133, 54_366, 46_600, 38_833, 31_066]
    assert result.total_payout == 1_732_998
    assert result.remainder == 2
    assert result.total_savings == 1_500_000
    assert result.total_profit == 232_998
    # Mai's return 62,133 / 400,000 = 0.1553325 (15.53 %)
    assert result.lines[0].pct_return == Decimal("0.1553325")


def test_five_members_with_a_cash_step_of_1000() -> None:
    """462,133 → 462,000; 404,366 → 404,000; 346,600 → 346,000; 288,833 → 288,000;
    231,066 → 231,000. Σ = 1,731,000; remainder 1,733,000 − 1,731,000 = 2,000."""
    result = share_out(FIVE_SHARES, FIVE_DISTRIBUTABLE, share_value=SHARE_VALUE, cash_step=1_000)
    assert [line.payout for line in result.lines] == [462_000, 404_000, 346_000, 288_000, 231_000]
    assert result.total_payout == 1_731_000
    assert result.remainder == 2_000
    assert result.cash_step == 1_000
    # The value per share does not depend on the cash step.
    assert result.value_per_share_exact == Fraction(34_660, 3)


def test_a_cash_step_of_500() -> None:
    # 3 members, 7 shares, 100,000 VND: 3 × 100,000 ÷ 7 = 42,857.14 → 42,857 → 42,500;
    # 2 × 100,000 ÷ 7 = 28,571.43 → 28,571 → 28,500 (twice). Σ = 99,500; remainder 500.
    result = share_out({"a": 3, "b": 2, "c": 2}, 100_000, share_value=10_000, cash_step=500)
    assert [line.payout for line in result.lines] == [42_500, 28_500, 28_500]
    assert result.remainder == 500


# --------------------------------------------------------------------------- netting a loan


def test_netting_an_outstanding_loan() -> None:
    """Y Blơi still owes 150,000 (principal 147,000 + interest 3,000).

    Her payout stays 231,066; she receives 231,066 − 150,000 = 81,066 in cash.
    The cash handed out is 1,732,998 − 150,000 = 1,582,998.
    """
    result = share_out(
        FIVE_SHARES, FIVE_DISTRIBUTABLE, share_value=SHARE_VALUE, owed={"bloi": 150_000}
    )
    bloi = result.lines[4]
    assert (bloi.payout, bloi.owed, bloi.cash_paid) == (231_066, 150_000, 81_066)
    assert bloi.profit == 31_066  # the return is on the payout, not on the cash
    assert result.payout_of("bloi") == 231_066
    assert [line.owed for line in result.lines] == [0, 0, 0, 0, 150_000]
    assert result.lines[0].cash_paid == 462_133
    assert result.total_owed == 150_000
    assert result.total_cash_paid == 1_582_998
    assert result.remainder == 2  # netting does not change the payouts or the remainder


def test_owing_exactly_the_payout_leaves_no_cash() -> None:
    result = share_out(
        FIVE_SHARES, FIVE_DISTRIBUTABLE, share_value=SHARE_VALUE, owed={"tung": 288_833}
    )
    assert result.lines[3].cash_paid == 0


def test_owing_more_than_the_payout_is_refused() -> None:
    with pytest.raises(ShareOutRefused, match=r"'bloi'.*250,000.*231,066") as info:
        share_out(FIVE_SHARES, FIVE_DISTRIBUTABLE, share_value=SHARE_VALUE, owed={"bloi": 250_000})
    message = str(info.value)
    assert "owes 250,000 VND" in message
    assert "payout of 231,066 VND" in message
    assert "18,934 VND" in message  # 250,000 − 231,066


def test_owing_more_than_a_stepped_payout_is_refused() -> None:
    # With a 1,000 step Blơi's payout is 231,000: owing 231,066 is now too much.
    with pytest.raises(ShareOutRefused, match=r"231,066 VND.*231,000 VND"):
        share_out(
            FIVE_SHARES,
            FIVE_DISTRIBUTABLE,
            share_value=SHARE_VALUE,
            cash_step=1_000,
            owed={"bloi": 231_066},
        )


def test_a_debtor_who_is_not_a_member_is_refused() -> None:
    with pytest.raises(ShareOutRefused, match=r"'lan'.*not in the share-out"):
        share_out(FIVE_SHARES, FIVE_DISTRIBUTABLE, share_value=SHARE_VALUE, owed={"lan": 1_000})


# --------------------------------------------------------------------------- refusals, edges


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"distributable": -1}, "distributable amount must be >= 0, got -1"),
        ({"cash_step": 0}, "cash step must be >= 1, got 0"),
        ({"share_value": 0}, "share value must be >= 1, got 0"),
        ({"shares": {"a": 2, "b": -1}}, "shares of member 'b' must be >= 0, got -1"),
        ({"shares": {"a": 0, "b": 0}}, "cannot share 5,000 VND: no member holds a share"),
        ({"shares": {}}, "no member holds a share"),
        ({"owed": {"a": -5}}, "amount owed by member 'a' must be >= 0"),
        ({"distributable": Decimal("5000.5")}, "must be a whole number.*Decimal"),
        ({"shares": {"a": True}}, "must be a whole number.*bool"),
        ({"shares": None}, "shares must map each member to a whole number, not NoneType"),
        ({"owed": [("a", 5)]}, "owed must map each member to a whole number, not list"),
    ],
)
def test_refusals(kwargs: dict[str, Any], pattern: str) -> None:
    args: dict[str, Any] = {
        "shares": {"a": 2, "b": 1},
        "distributable": 5_000,
        "share_value": 1_000,
        **kwargs,
    }
    with pytest.raises(ShareOutRefused, match=pattern):
        share_out(**args)


def test_refusal_is_a_library_error_and_a_value_error() -> None:
    with pytest.raises(VslaError):
        share_out({"a": 0}, 1, share_value=1)
    with pytest.raises(ValueError, match="no member holds a share"):
        share_out({"a": 0}, 1, share_value=1)


def test_nothing_to_share_and_no_shares() -> None:
    result = share_out({"a": 0, "b": 0}, 0, share_value=10_000)
    assert result.value_per_share_exact == 0
    assert result.value_per_share == Decimal("0.00")
    assert [line.payout for line in result.lines] == [0, 0]
    assert result.remainder == 0
    assert result.lines[0].pct_return is None


def test_a_member_without_shares_gets_nothing() -> None:
    result = share_out({"a": 3, "b": 0}, 31_000, share_value=10_000)
    # 3 × 31,000 ÷ 3 = 31,000
    assert [line.payout for line in result.lines] == [31_000, 0]
    assert result.lines[1].pct_return is None
    assert result.lines[1].savings == 0
    assert result.remainder == 0


def test_a_group_that_lost_money() -> None:
    # 10 shares of 10,000 = 100,000 saved, but only 95,000 to share (a write-off):
    # 6 × 95,000 ÷ 10 = 57,000; 4 × 95,000 ÷ 10 = 38,000
    result = share_out({"a": 6, "b": 4}, 95_000, share_value=10_000)
    assert [line.profit for line in result.lines] == [-3_000, -2_000]
    assert result.lines[0].pct_return == Decimal("-0.05")


def test_payout_of_an_unknown_member() -> None:
    result = share_out({"a": 1}, 10, share_value=10)
    with pytest.raises(NotFound, match="'z'"):
        result.payout_of("z")


def test_integer_member_keys_and_the_line_type() -> None:
    result: ShareOutResult[int] = share_out({101: 2, 102: 1}, 30_001, share_value=10_000)
    # 2 × 30,001 ÷ 3 = 20,000.67 → 20,000; 1 × 30,001 ÷ 3 = 10,000.33 → 10,000; remainder 1
    assert result.payout_of(101) == 20_000
    assert result.line_of(102) == ShareOutLine(102, 1, 10_000, 10_000)
    assert result.remainder == 1


def test_line_derives_its_fields() -> None:
    line = ShareOutLine("x", shares=5, savings=50_000, payout=56_000, owed=6_000)
    assert (line.cash_paid, line.profit, line.pct_return) == (50_000, 6_000, Decimal("0.12"))


def test_results_are_frozen() -> None:
    result = share_out({"a": 1}, 10, share_value=10)
    with pytest.raises(AttributeError):
        result.remainder = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.lines[0].payout = 5  # type: ignore[misc]


# --------------------------------------------------------------------------- member exit


def test_exit_without_profit_share() -> None:
    # 12 shares × 10,000 = 120,000 saved; owes 50,000 principal + 1,000 interest = 51,000.
    # cash = 120,000 − 51,000 = 69,000
    settlement = exit_settlement(12, 10_000, 51_000)
    assert settlement == ExitSettlement(
        savings=120_000, gross=120_000, owed=51_000, cash_paid=69_000, profit_share=0
    )


def test_exit_pro_rata() -> None:
    # projected value: (loan-fund cash 615,000 + loans 1,600,000) / 210 shares
    #                = 2,215,000 / 210 = 221,500 / 21 = 10,547.62 per share
    # 12 × 221,500 = 2,658,000; 2,658,000 ÷ 21 = 126,571 rest 9 → 126,571
    settlement = exit_settlement(
        12, 10_000, 51_000, projected_value_per_share=Fraction(2_215_000, 210)
    )
    assert settlement.savings == 120_000
    assert settlement.gross == 126_571
    assert settlement.profit_share == 6_571  # 126,571 − 120,000
    assert settlement.cash_paid == 75_571  # 126,571 − 51,000


def test_exit_pro_rata_with_a_cash_step() -> None:
    # 126,571 → 126,000 with a 1,000 step; cash 126,000 − 51,000 = 75,000
    settlement = exit_settlement(
        12, 10_000, 51_000, projected_value_per_share=Fraction(221_500, 21), cash_step=1_000
    )
    assert (settlement.gross, settlement.profit_share, settlement.cash_paid) == (
        126_000,
        6_000,
        75_000,
    )


def test_exit_pro_rata_after_a_loss_pays_below_savings() -> None:
    # The group lost money: a share is worth 9,500. 12 × 9,500 = 114,000 < 120,000 saved.
    # cash = 114,000 − 51,000 owed = 63,000 (the table of docs/share-out.md)
    settlement = exit_settlement(12, 10_000, 51_000, projected_value_per_share=Fraction(9_500))
    assert settlement.gross == 114_000
    assert settlement.profit_share == -6_000
    assert settlement.cash_paid == 63_000


def test_exit_owing_nothing_and_no_shares() -> None:
    assert exit_settlement(0, 10_000, 0) == ExitSettlement(0, 0, 0, 0, 0)


def test_exit_owing_more_than_the_savings_is_refused() -> None:
    # 5 × 10,000 = 50,000 saved, owes 60,000
    with pytest.raises(ShareOutRefused, match=r"owes 60,000 VND.*50,000 VND.*10,000 VND"):
        exit_settlement(5, 10_000, 60_000)


def test_exit_owing_more_than_the_pro_rata_value_is_refused() -> None:
    # 5 × 9,000 = 45,000 due; owes 50,000 (which the savings alone would have covered)
    with pytest.raises(ShareOutRefused, match=r"owes 50,000 VND.*45,000 VND"):
        exit_settlement(5, 10_000, 50_000, projected_value_per_share=Fraction(9_000))


@pytest.mark.parametrize(
    ("args", "kwargs", "pattern"),
    [
        ((-1, 10_000, 0), {}, "shares of the leaving member must be >= 0"),
        ((1, 0, 0), {}, "share value must be >= 1"),
        ((1, 10_000, -1), {}, "amount owed by the leaving member must be >= 0"),
        ((1, 10_000, 0), {"cash_step": 0}, "cash step must be >= 1"),
        ((1, 10_000, 0), {"projected_value_per_share": Fraction(-1)}, "must be >= 0"),
        ((1, 10_000, 0), {"projected_value_per_share": Decimal("1.5")}, "must be a Fraction"),
    ],
)
def test_exit_refusals(args: tuple[Any, ...], kwargs: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ShareOutRefused, match=pattern):
        exit_settlement(*args, **kwargs)


# --------------------------------------------------------------------------- the printed table


def _table_rows(text: str) -> list[str]:
    """The lines between the first and last rule of the table (header, members, total)."""
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if line and set(line) == {"-"}]
    return [line for line in lines[rules[0] + 1 : rules[-1]] if set(line) != {"-"}]


def test_to_text_in_english() -> None:
    result = share_out(FIVE_SHARES, FIVE_DISTRIBUTABLE, share_value=SHARE_VALUE)
    text = result.to_text(FIVE_NAMES)
    assert "Nguyễn Thị Mai" in text
    assert "Y Blơi" in text
    for figure in ["462,133 VND", "231,066 VND", "62,133 VND", "400,000 VND", "15.53 %"]:
        assert figure in text
    assert "Total shares:    150" in text
    assert "Distributable:   1,733,000 VND" in text
    assert "Value per share: 11,553.33 VND (exact 34660/3 = 1,733,000 VND / 150)" in text
    assert "Total paid out:  1,732,998 VND" in text
    assert "Remainder:       2 VND" in text
    rows = _table_rows(text)
    assert len(rows) == 7  # header, five members, total
    assert len({len(row) for row in rows}) == 1  # every column lines up
    assert rows[1].startswith("Nguyễn Thị Mai  ")
    assert rows[1].endswith("462,133 VND   62,133 VND   15.53 %")


def test_to_text_is_the_table_printed_in_the_docs() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "share-out.md"
    blocks = docs.read_text(encoding="utf-8").split("```")
    printed = next(block for block in blocks if block.startswith("\nShare-out ("))
    result = share_out(FIVE_SHARES, FIVE_DISTRIBUTABLE, share_value=SHARE_VALUE)
    assert result.to_text(FIVE_NAMES) == printed.lstrip("\n")


def test_to_text_in_vietnamese_with_netting() -> None:
    result = share_out(
        FIVE_SHARES,
        FIVE_DISTRIBUTABLE,
        share_value=SHARE_VALUE,
        cash_step=1_000,
        owed={"bloi": 150_000},
    )
    text = result.to_text(FIVE_NAMES, vietnamese=True)
    assert text.startswith("Chia quỹ cuối chu kỳ (mệnh giá cổ phần 10.000 ₫;")
    for figure in ["Đinh Thị Hằng", "462.000 ₫", "150.000 ₫", "81.000 ₫", "15,50 %", "Còn nợ"]:
        assert figure in text
    assert "Giá trị mỗi cổ phần: 11.553,33 ₫ (chính xác 34660/3 = 1.733.000 ₫ / 150)" in text
    assert "Số dư còn lại:       2.000 ₫" in text
    rows = _table_rows(text)
    assert len({len(row) for row in rows}) == 1
    assert rows[5].startswith("Y Blơi ")
    assert rows[5].endswith("150.000 ₫       81.000 ₫")


def test_to_text_without_names_and_decomposed_names_align() -> None:
    result = share_out(FIVE_SHARES, FIVE_DISTRIBUTABLE, share_value=SHARE_VALUE)
    plain = result.to_text()
    assert "mai " in plain
    assert "Total shares:" in plain
    decomposed = {k: unicodedata.normalize("NFD", v) for k, v in FIVE_NAMES.items()}
    text = result.to_text(decomposed)
    assert decomposed["mai"] in text  # the name is printed as given
    rows = _table_rows(text)
    widths = {sum(1 for c in row if not unicodedata.combining(c)) for row in rows}
    assert len(widths) == 1


# --------------------------------------------------------------------------- properties

members_shares = st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=40)
amounts = st.integers(min_value=0, max_value=10**12)
steps = st.one_of(st.sampled_from([1, 100, 500, 1_000, 5_000]), st.integers(1, 100_000))


def _run(counts: list[int], distributable: int, cash_step: int) -> ShareOutResult[int]:
    if sum(counts) == 0:
        distributable = 0
    return share_out(
        dict(enumerate(counts)), distributable, share_value=10_000, cash_step=cash_step
    )


@given(members_shares, amounts, steps)
def test_payouts_and_remainder_add_up(counts: list[int], distributable: int, step: int) -> None:
    result = _run(counts, distributable, step)
    assert result.total_payout == sum(line.payout for line in result.lines)
    assert result.total_payout + result.remainder == result.distributable
    holders = sum(1 for n in counts if n > 0)
    assert result.remainder >= 0
    if holders:
        assert result.remainder < step * holders
    else:
        assert result.remainder == 0


@given(members_shares, amounts)
def test_remainder_below_member_count_without_a_step(counts: list[int], distributable: int) -> None:
    result = _run(counts, distributable, 1)
    assert 0 <= result.remainder <= max(0, sum(1 for n in counts if n > 0) - 1)


@given(members_shares, amounts, steps)
def test_payouts_close_to_exact_value_and_multiples_of_step(
    counts: list[int], distributable: int, step: int
) -> None:
    result = _run(counts, distributable, step)
    for line in result.lines:
        exact = line.shares * result.value_per_share_exact
        assert 0 <= exact - line.payout < step
        assert abs(line.payout - exact) < step
        assert line.payout % step == 0
        assert line.savings == line.shares * 10_000
        assert line.profit == line.payout - line.savings


@given(members_shares, amounts, steps)
def test_more_shares_never_get_less(counts: list[int], distributable: int, step: int) -> None:
    result = _run(counts, distributable, step)
    ordered = sorted(result.lines, key=lambda line: (line.shares, line.payout))
    payouts = [line.payout for line in ordered]
    assert payouts == sorted(payouts)
    # equal shares, equal payouts
    by_shares: dict[int, set[int]] = {}
    for line in result.lines:
        by_shares.setdefault(line.shares, set()).add(line.payout)
    assert all(len(p) == 1 for p in by_shares.values())


@given(members_shares, amounts)
def test_display_value_is_the_exact_value_rounded(counts: list[int], distributable: int) -> None:
    result = _run(counts, distributable, 1)
    assert abs(Fraction(result.value_per_share) - result.value_per_share_exact) <= Fraction(1, 200)
    assert result.value_per_share.as_tuple().exponent == -2


@given(
    st.integers(0, 1_000),
    st.integers(1, 100_000),
    st.integers(0, 10**9),
    st.integers(1, 10**9),
    st.sampled_from([1, 500, 1_000]),
)
def test_exit_pro_rata_is_floor_of_value(
    shares: int, share_value: int, numerator: int, denominator: int, step: int
) -> None:
    value = Fraction(numerator, denominator)
    exact = shares * value
    gross = exact.numerator // exact.denominator // step * step
    owed = gross // 3
    settlement = exit_settlement(
        shares, share_value, owed, projected_value_per_share=value, cash_step=step
    )
    assert settlement.gross == gross
    assert 0 <= exact - settlement.gross < step
    assert settlement.cash_paid + settlement.owed == settlement.gross
    assert settlement.profit_share == settlement.gross - shares * share_value
