"""The share-out sheet as text: the fixed-width table a facilitator reads aloud.

The figures come from :func:`vsla.domain.shareout.share_out`; this module only lays them
out, in English or in Vietnamese (labels and number format). ``ShareOutResult.to_text``
calls :func:`share_out_text`; ``docs/share-out.md`` prints a whole sheet and explains it.
"""

from __future__ import annotations

__all__ = ["share_out_text"]

import unicodedata
from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from vsla.domain.money import format_money
from vsla.domain.shareout import ShareOutResult, decimal_places

K = TypeVar("K", bound=Hashable)


def _format_decimal(value: Decimal, *, vietnamese: bool) -> str:
    text = f"{value:,.2f}"
    if vietnamese:  # 1,234.56 -> 1.234,56
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _format_percent(profit: int, savings: int, *, vietnamese: bool) -> str:
    if savings == 0:
        return "-"
    shown = decimal_places(Fraction(100 * profit, savings), 2)
    return _format_decimal(shown, vietnamese=vietnamese) + " %"


def _width(text: str) -> int:
    """Columns taken by ``text``: code points, not counting combining marks.

    A Vietnamese name typed in decomposed form (``e`` + combining circumflex + combining
    acute) then takes as many columns as the same name in precomposed form.
    """
    return sum(1 for char in text if not unicodedata.combining(char))


def _pad(text: str, width: int, *, left: bool) -> str:
    fill = " " * max(0, width - _width(text))
    return text + fill if left else fill + text


_LABELS = {
    False: {
        "title": "Share-out",
        "share_value": "share value",
        "cash_step": "payouts rounded down to a multiple of",
        "member": "Member",
        "shares": "Shares",
        "savings": "Savings",
        "payout": "Payout",
        "profit": "Profit",
        "pct": "% return",
        "owed": "Owed",
        "cash_paid": "Cash paid",
        "total": "Total",
        "total_shares": "Total shares",
        "distributable": "Distributable",
        "value_per_share": "Value per share",
        "exact": "exact",
        "total_payout": "Total paid out",
        "remainder": "Remainder",
    },
    True: {
        "title": "Chia quỹ cuối chu kỳ",
        "share_value": "mệnh giá cổ phần",
        "cash_step": "tiền chia làm tròn xuống bội số của",
        "member": "Thành viên",
        "shares": "Cổ phần",
        "savings": "Tiết kiệm",
        "payout": "Được chia",
        "profit": "Lãi",
        "pct": "% lãi",
        "owed": "Còn nợ",
        "cash_paid": "Nhận tiền mặt",
        "total": "Tổng",
        "total_shares": "Tổng số cổ phần",
        "distributable": "Quỹ được chia",
        "value_per_share": "Giá trị mỗi cổ phần",
        "exact": "chính xác",
        "total_payout": "Tổng tiền đã chia",
        "remainder": "Số dư còn lại",
    },
}


def share_out_text(
    result: ShareOutResult[K], names: Mapping[K, str] | None = None, vietnamese: bool = False
) -> str:
    """A fixed-width table a facilitator can read aloud, with its totals and checks.

    Columns: member, shares, savings, payout, profit, % return; when anyone's loan was
    netted, also owed and cash paid. Footer: total shares, distributable, value per
    share (2 decimals and exact fraction), total paid out, remainder. Money is formatted
    with :func:`~vsla.domain.money.format_money` (``1,234 VND`` or ``1.234 ₫``).

    Args:
        result: the share-out, from :func:`~vsla.domain.shareout.share_out` or the store.
        names: display names by member key; a key without a name is shown as ``str(key)``.
        vietnamese: Vietnamese labels and number format.
    """
    vi = vietnamese
    label = _LABELS[vi]

    def money(amount: int) -> str:
        return format_money(amount, vietnamese=vi)

    def name_of(member: K) -> str:
        if names is not None and member in names:
            return names[member]
        return str(member)

    netting = any(line.owed for line in result.lines)
    header = [label[k] for k in ("member", "shares", "savings", "payout", "profit", "pct")]
    if netting:
        header += [label["owed"], label["cash_paid"]]

    rows: list[list[str]] = []
    for line in result.lines:
        row = [
            name_of(line.member),
            f"{line.shares:,}".replace(",", "." if vi else ","),
            money(line.savings),
            money(line.payout),
            money(line.profit),
            _format_percent(line.profit, line.savings, vietnamese=vi),
        ]
        if netting:
            row += [money(line.owed), money(line.cash_paid)]
        rows.append(row)
    total_row = [
        label["total"],
        f"{result.total_shares:,}".replace(",", "." if vi else ","),
        money(result.total_savings),
        money(result.total_payout),
        money(result.total_profit),
        _format_percent(result.total_profit, result.total_savings, vietnamese=vi),
    ]
    if netting:
        total_row += [money(result.total_owed), money(result.total_cash_paid)]

    widths = [max(_width(row[c]) for row in [header, *rows, total_row]) for c in range(len(header))]

    def render(row: list[str]) -> str:
        cells = [_pad(cell, widths[c], left=(c == 0)) for c, cell in enumerate(row)]
        return "  ".join(cells).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    title = f"{label['title']} ({label['share_value']} {money(result.share_value)}"
    if result.cash_step > 1:
        title += f"; {label['cash_step']} {money(result.cash_step)}"
    title += ")"

    exact = result.value_per_share_exact
    exact_text = str(exact.numerator) if exact.denominator == 1 else str(exact)
    value_text = (
        f"{_format_decimal(result.value_per_share, vietnamese=vi)} "
        f"{'₫' if vi else 'VND'} ({label['exact']} {exact_text} = "
        f"{money(result.distributable)} / {result.total_shares})"
    )
    footer = [
        (label["total_shares"], f"{result.total_shares:,}".replace(",", "." if vi else ",")),
        (label["distributable"], money(result.distributable)),
        (label["value_per_share"], value_text),
        (label["total_payout"], money(result.total_payout)),
        (label["remainder"], money(result.remainder)),
    ]
    label_width = max(_width(name) for name, _ in footer) + 1
    lines = [title, rule, render(header), rule, *(render(r) for r in rows), rule]
    lines += [render(total_row), rule]
    lines += [_pad(name + ":", label_width, left=True) + " " + text for name, text in footer]
    return "\n".join(lines) + "\n"
