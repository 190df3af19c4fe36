"""Words of charts: titles, axes and legends of :mod:`vsla.reports.plots`."""

from __future__ import annotations

__all__ = ["WORDS"]

from vsla.words.lang import Lang

WORDS: dict[str, dict[Lang, str]] = {
    "chart_by_district": {
        Lang.VI: "{figure} theo huyện, ngày {on}",
        Lang.EN: "{figure} by district, {on}",
    },
    "chart_pct_members": {Lang.VI: "% thành viên", Lang.EN: "% of members"},
    "chart_target": {Lang.VI: "mục tiêu {target} %", Lang.EN: "target {target} %"},
    "chart_met": {Lang.VI: "đạt mục tiêu", Lang.EN: "target met"},
    "chart_not_met": {Lang.VI: "chưa đạt mục tiêu", Lang.EN: "below target"},
    "chart_gal_title": {
        Lang.VI: "Tổ thí điểm GAL và tổ khác, ngày {on}",
        Lang.EN: "GAL pilots and other groups, {on}",
    },
    "chart_gal_pilots": {Lang.VI: "tổ thí điểm GAL ({n})", Lang.EN: "GAL pilots ({n})"},
    "chart_gal_others": {Lang.VI: "tổ khác ({n})", Lang.EN: "other groups ({n})"},
    "chart_gal_officers": {Lang.VI: "nữ cán bộ tổ", Lang.EN: "officers"},
    "chart_gal_loans": {Lang.VI: "khoản vay của nữ", Lang.EN: "loans"},
    "chart_gal_loan_value": {Lang.VI: "giá trị vay của nữ", Lang.EN: "loan value"},
    "chart_gal_attendance": {Lang.VI: "nữ tham dự họp", Lang.EN: "attendance"},
    "chart_gal_referred": {Lang.VI: "được giới thiệu", Lang.EN: "referred"},
    "chart_gal_livelihood": {Lang.VI: "hỗ trợ sinh kế", Lang.EN: "livelihood"},
    "chart_cycle_title": {
        Lang.VI: "Tiền của tổ trong chu kỳ",
        Lang.EN: "The group's money over the cycle",
    },
    "chart_cycle_of": {
        Lang.VI: "{code} {name}, chu kỳ {number}",
        Lang.EN: "{code} {name}, cycle {number}",
    },
    "chart_dong": {Lang.VI: "đồng", Lang.EN: "đồng"},
    "chart_savings": {Lang.VI: "tiết kiệm", Lang.EN: "savings"},
    "chart_loan_fund_cash": {Lang.VI: "tiền mặt quỹ cho vay", Lang.EN: "loan fund cash"},
    "chart_loans_outstanding": {Lang.VI: "dư nợ", Lang.EN: "loans outstanding"},
    "chart_social_fund": {Lang.VI: "quỹ xã hội", Lang.EN: "social fund"},
    "chart_share_out": {Lang.VI: "chia quỹ ngày {on}", Lang.EN: "share-out on {on}"},
}
