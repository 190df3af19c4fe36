"""The columns of the groups and cycles templates: registering groups and starting their
cycles from a spreadsheet, every rule of the constitution a column with its default."""

from __future__ import annotations

__all__ = [
    "CYCLE_COLUMNS",
    "CYCLE_EXAMPLES",
    "GROUP_COLUMNS",
    "GROUP_EXAMPLES",
    "parse_fines",
    "parse_officers",
    "parse_rate",
]

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from vsla.domain.constitution import (
    Constitution,
    ExitProfitPolicy,
    InterestMethod,
    MeetingFrequency,
    PaymentOrder,
    PrincipalSchedule,
    RemainderPolicy,
    ShareOutLoanPolicy,
)
from vsla.domain.entities import OfficerRole
from vsla.domain.money import Rounding
from vsla.io.cells import Cell, CellError, Choice, parse_amount, parse_date, parse_text, show
from vsla.io.cells import parse_whole as _whole
from vsla.io.columns import Column

_TEXT = "text"
_WHOLE = "whole number"
_AMOUNT = "amount in đồng: 12000, 12.000 or 12,000"
_DATE = "date: dd/mm/yyyy (or yyyy-mm-dd, or a date cell)"
_DECIMAL = "a number: 3, 2.5 or 2,5"
_RATE = "per month: 2%, 2 % or 0.02"


def _number(value: Cell) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise CellError(f"{show(value)} is not a number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # 2,5: the Vietnamese decimal comma
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(f"{show(value)} is not a number") from None
    else:
        raise CellError(f"{show(value)} is not a number")
    if not number.is_finite() or number < 0:
        raise CellError(f"{show(value)} is not a number >= 0")
    return number


def parse_rate(value: Cell) -> Decimal:
    """A monthly interest rate: ``2%`` (or ``2 %``) is ``0.02``; so is ``0.02``.

    A bare number of 1 or more is read as a percentage too (``2`` is 2 %/month): no group
    charges 200 % a month.
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        return _number(value.strip()[:-1]) / 100
    number = _number(value)
    return number / 100 if number >= 1 else number


def _split_pair(part: str) -> tuple[str, str, str]:
    found = re.split(r"([:=])", part, maxsplit=1)
    if len(found) != 3:
        return part, "", ""
    return found[0], found[1], found[2]


def parse_fines(value: Cell) -> dict[str, int]:
    """The constitution's fines: ``absence: 5000; late: 1000`` (``=`` also separates)."""
    fines: dict[str, int] = {}
    for part in re.split(r"[;\n]", parse_text(value)):
        if not part.strip():
            continue
        name, sep, amount = _split_pair(part)
        if not sep or not name.strip():
            raise CellError(f"{show(part.strip())}: write each fine as name: amount; name: amount")
        if name.strip() in fines:
            raise CellError(f"the fine {name.strip()!r} is named twice")
        fines[name.strip()] = parse_amount(amount)
    return fines


ROLE = Choice(
    OfficerRole,
    {
        OfficerRole.CHAIR: ("chủ tịch", "tổ trưởng"),
        OfficerRole.SECRETARY: ("thư ký",),
        OfficerRole.BOX_KEEPER: ("thủ quỹ", "giữ hòm"),
        OfficerRole.MONEY_COUNTER: ("người đếm tiền", "đếm tiền"),
        OfficerRole.KEY_HOLDER: ("giữ chìa khóa", "giữ khóa"),
    },
)


def parse_officers(value: Cell) -> dict[int, tuple[OfficerRole, ...]]:
    """The cycle's officers by member number: ``1: chair; 2: box_keeper; 3: key_holder``."""
    officers: dict[int, tuple[OfficerRole, ...]] = {}
    for part in re.split(r"[;\n]", parse_text(value)):
        if not part.strip():
            continue
        number, sep, role = _split_pair(part)
        if not sep:
            raise CellError(
                f"{show(part.strip())}: write each officer as member number: role "
                "(1: chair; 2: box_keeper)"
            )
        member = _whole(number.strip())
        if member < 1:
            raise CellError("member numbers start at 1")
        officers[member] = (*officers.get(member, ()), ROLE(role.strip()))
    return officers


_CHOICES: dict[str, Choice[Any]] = {
    "interest_method": Choice(
        InterestMethod,
        {
            InterestMethod.DECLINING: ("dư nợ giảm dần",),
            InterestMethod.FLAT: ("dư nợ ban đầu", "cố định"),
            InterestMethod.UPFRONT: ("trả trước", "thu trước"),
        },
    ),
    "principal_schedule": Choice(
        PrincipalSchedule,
        {
            PrincipalSchedule.AT_DUE_DATE: ("cuối kỳ", "khi đến hạn"),
            PrincipalSchedule.INSTALMENTS: ("trả dần", "hằng tháng"),
        },
    ),
    "payment_order": Choice(
        PaymentOrder,
        {
            PaymentOrder.INTEREST_FIRST: ("lãi trước",),
            PaymentOrder.PRINCIPAL_FIRST: ("gốc trước",),
        },
    ),
    "meeting_frequency": Choice(
        MeetingFrequency,
        {
            MeetingFrequency.WEEKLY: ("hằng tuần", "tuần"),
            MeetingFrequency.FORTNIGHTLY: ("hai tuần", "2 tuần"),
            MeetingFrequency.MONTHLY: ("hằng tháng", "tháng"),
        },
    ),
    "rounding": Choice(
        Rounding,
        {
            Rounding.HALF_UP: ("làm tròn",),
            Rounding.HALF_EVEN: ("làm tròn chẵn",),
            Rounding.DOWN: ("làm tròn xuống",),
        },
    ),
    "share_out_loans": Choice(
        ShareOutLoanPolicy,
        {
            ShareOutLoanPolicy.REFUSE: ("từ chối", "không chia"),
            ShareOutLoanPolicy.NET: ("trừ nợ", "khấu trừ"),
        },
    ),
    "remainder": Choice(
        RemainderPolicy,
        {
            RemainderPolicy.CARRY: ("chuyển kỳ sau", "giữ lại"),
            RemainderPolicy.SOCIAL_FUND: ("quỹ xã hội",),
        },
    ),
    "exit_profit_share": Choice(
        ExitProfitPolicy,
        {
            ExitProfitPolicy.NONE: ("không",),
            ExitProfitPolicy.PRO_RATA: ("theo tỷ lệ",),
        },
    ),
}

_PARSE: dict[str, tuple[Any, str]] = {
    "share_value": (parse_amount, _AMOUNT),
    "min_shares_per_meeting": (_whole, _WHOLE),
    "max_shares_per_meeting": (_whole, _WHOLE),
    "social_fund_contribution": (parse_amount, _AMOUNT),
    "interest_rate": (parse_rate, _RATE),
    "max_loan_multiple": (_number, _DECIMAL),
    "max_term_months": (_whole, _WHOLE),
    "fines": (parse_fines, "name: amount; name: amount (absence: 5000; late: 1000)"),
    "cash_step": (parse_amount, _AMOUNT),
}

_MEANING: dict[str, str] = {
    "share_value": "money per share, fixed for the cycle",
    "min_shares_per_meeting": "fewest shares a present member buys at a meeting",
    "max_shares_per_meeting": "most shares a member buys at a meeting",
    "social_fund_contribution": "each member's social fund payment per meeting; 0: no fund",
    "interest_rate": "service charge on loans, per month",
    "interest_method": "how the monthly charge is computed",
    "principal_schedule": "when principal is paid: all at the due date, or each month",
    "payment_order": "which part of a repayment is paid first",
    "max_loan_multiple": "a loan is at most this many times the member's savings",
    "max_term_months": "the longest loan term, in months",
    "meeting_frequency": "how often the group meets",
    "fines": "the fines the group charges, by name",
    "rounding": "how amounts are rounded",
    "cash_step": "share-out payouts are rounded down to a multiple of it",
    "share_out_loans": "at share-out: refuse while loans are unpaid, or net them off",
    "remainder": "where the share-out remainder goes",
    "exit_profit_share": "what a member leaving mid-cycle gets beyond their savings",
}


def _shown(value: object) -> str:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return "none" if not value else "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _constitution_columns() -> tuple[Column, ...]:
    columns: list[Column] = []
    for name, info in Constitution.model_fields.items():
        required = info.is_required()
        default = "" if required else _shown(info.get_default(call_default_factory=True))
        if name in _CHOICES:
            choice = _CHOICES[name]
            parse, fmt = choice, f"one of: {choice.describe()}"
        else:
            parse, fmt = _PARSE[name]
        columns.append(Column(name, parse, fmt, required, _MEANING[name], default))
    return tuple(columns)


GROUP_CODE = Column(
    "group_code",
    parse_text,
    _TEXT,
    True,
    "the group's code, as registered (the column may be left out when the import names the group)",
)

GROUP_COLUMNS: tuple[Column, ...] = (
    Column("group_code", parse_text, _TEXT, True, "the new group's code, unique"),
    Column("name", parse_text, _TEXT, True, "the group's name"),
    Column("province", parse_text, _TEXT, False, "province", "Kon Tum"),
    Column("district", parse_text, _TEXT, False, "district"),
    Column("commune", parse_text, _TEXT, False, "commune"),
    Column("village", parse_text, _TEXT, False, "village"),
    Column("established_on", parse_date, _DATE, True, "the day the group was established"),
    Column(
        "gal_pilot_since",
        parse_date,
        _DATE,
        False,
        "the day the group became a GAL pilot; blank: not a pilot",
    ),
    Column(
        "programme",
        parse_text,
        "a programme's name or its id number",
        False,
        "the programme the group belongs to, as registered (never created by this import)",
        "the database's only programme",
    ),
)

CYCLE_COLUMNS: tuple[Column, ...] = (
    GROUP_CODE,
    Column("start_date", parse_date, _DATE, True, "the cycle's first day (its first meeting)"),
    Column("end_date", parse_date, _DATE, True, "the cycle's last day (its share-out)"),
    *_constitution_columns(),
    Column(
        "officers",
        parse_officers,
        "member number: role; ... (1: chair; 2: box_keeper); roles: " + ROLE.describe(),
        False,
        "the cycle's officers, by member number (the members must be imported first)",
    ),
)

GROUP_EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "group_code": "KT-DG-001",
        "name": "Tổ tiết kiệm thôn Đăk Nhoong",
        "district": "Đắk Glei",
        "commune": "Đắk Nhoong",
        "village": "Đăk Nhoong",
        "established_on": "02/01/2024",
        "gal_pilot_since": "02/01/2024",
        "programme": "Kon Tum VSLA",
    },
)
CYCLE_EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "group_code": "KT-DG-001",
        "start_date": "08/01/2024",
        "end_date": "30/12/2024",
        "share_value": "10.000",
        "social_fund_contribution": "2.000",
        "interest_rate": "2%",
        "fines": "absence: 5.000; late: 1.000",
        "officers": "1: chair; 2: box_keeper",
    },
)
