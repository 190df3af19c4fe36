"""A synthetic, deterministic Kon Tum programme for demos, tutorials and benchmarks.

:func:`generate` builds one programme (the Project 8 targets: 91 groups, 55 GAL pilots,
15 % referral, 15 % livelihood support) with ``groups`` savings groups spread over the ten
districts of Kon Tum, their members, one cycle of fortnightly meetings per group, loans and
repayments, member exits, a write-off, share-outs, referrals to formal finance, livelihood
support and GAL sessions. Everything is drawn from ``random.Random`` objects seeded from
``seed``: the same arguments give the same database content, row for row.

Every figure goes through the library's own recording paths (``Store.record_meetings``,
``settle_member_exit``, ``write_off``, ``share_out``, ``add_referrals``, ...), so the data
obey every rule a real group's data obey. The generator plans each cycle in memory first,
tracking both boxes, every member's shares and every loan with the pure loan functions
(:func:`vsla.position`, :func:`vsla.allocate_payment`), so each planned meeting is valid;
a meeting the store refuses is a bug of the generator, and it is raised, never swallowed.

The timeline (``docs/demo.md``): cycles start on ``start`` plus 0 to 25 whole weeks, one
group after another, and last 26 fortnightly meetings (350 days). ``as_of`` (default:
:func:`default_as_of`, 15 months after ``start``) is the report date: no meeting is
recorded after it. A cycle whose last meeting falls on or before ``as_of`` is shared out
at that meeting (about 60 % of the groups); the others are mid-cycle on ``as_of``, with
loans outstanding and some of them overdue. ``as_of`` falls on a meeting day of half the
groups, so the report date of ``vsla report`` (the latest meeting) is ``as_of`` itself.

>>> import vsla
>>> from vsla.demo import generate
>>> store = vsla.open(":memory:")
>>> summary = generate(store, groups=2, seed=7)
>>> summary.groups, summary.as_of.isoformat()
(2, '2025-04-07')
>>> summary.written_off
1
"""

from __future__ import annotations

__all__ = [
    "DISTRICT_CODES",
    "DemoSummary",
    "default_as_of",
    "gal_pilot_count",
    "generate",
]

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from vsla.domain.activity import (
    GalTool,
    Institution,
    NewGalSession,
    NewLivelihoodSupport,
    NewReferral,
    ReferralOutcome,
    SupportKind,
)
from vsla.domain.constitution import (
    Constitution,
    InterestMethod,
    MeetingFrequency,
    meeting_dates,
)
from vsla.domain.entities import (
    KON_TUM_DISTRICTS,
    Attendance,
    ExitReason,
    NewGroup,
    NewMember,
    NewProgramme,
    OfficerRole,
    Sex,
)
from vsla.domain.ledger import EntryKind
from vsla.domain.loans import LoanPayment, LoanPosition, LoanTerms, allocate_payment, due_date
from vsla.domain.loans import position as loan_position
from vsla.domain.meeting import (
    Expense,
    FinePaid,
    LoanPurpose,
    LoanRequest,
    MeetingInput,
    Repayment,
    SocialFundGrant,
)
from vsla.errors import InvalidInput
from vsla.store import tables as t
from vsla.store.store import MeetingRecord, Store

# ------------------------------------------------------------------------------ reference data

DISTRICT_CODES: dict[str, str] = {
    "Kon Tum": "TP",
    "Đắk Glei": "DG",
    "Ngọc Hồi": "NH",
    "Đắk Tô": "DT",
    "Kon Plông": "KP",
    "Kon Rẫy": "KR",
    "Đắk Hà": "DH",
    "Sa Thầy": "ST",
    "Tu Mơ Rông": "TMR",
    "Ia H'Drai": "IHD",
}
"""The short code of each district, used in group codes (``KT-DG-001``)."""

# How 91 groups are spread over the districts; other sizes keep the proportions.
_DISTRICT_WEIGHTS: dict[str, int] = {
    "Kon Tum": 6,
    "Đắk Glei": 12,
    "Ngọc Hồi": 9,
    "Đắk Tô": 8,
    "Kon Plông": 11,
    "Kon Rẫy": 8,
    "Đắk Hà": 8,
    "Sa Thầy": 10,
    "Tu Mơ Rông": 13,
    "Ia H'Drai": 6,
}

_COMMUNES: dict[str, tuple[str, ...]] = {
    "Kon Tum": ("Đăk Blà", "Ngọk Bay", "Hòa Bình", "Chư Hreng", "Kroong", "Vinh Quang"),
    "Đắk Glei": ("Đắk Nhoong", "Đắk Pék", "Đắk Choong", "Mường Hoong", "Ngọc Linh", "Xốp"),
    "Ngọc Hồi": ("Bờ Y", "Sa Loong", "Đắk Dục", "Đắk Nông", "Đắk Ang", "Đắk Kan"),
    "Đắk Tô": ("Diên Bình", "Pô Kô", "Tân Cảnh", "Kon Đào", "Văn Lem", "Ngọk Tụ"),
    "Kon Plông": ("Măng Cành", "Hiếu", "Pờ Ê", "Đắk Long", "Ngọk Tem", "Măng Bút"),
    "Kon Rẫy": ("Đắk Ruồng", "Đắk Tờ Re", "Tân Lập", "Đắk Kôi", "Đắk Pne"),
    "Đắk Hà": ("Đắk Mar", "Hà Mòn", "Ngọk Wang", "Đắk La", "Đắk Ui", "Ngọk Réo"),
    "Sa Thầy": ("Mô Rai", "Ya Xiêr", "Sa Sơn", "Rơ Kơi", "Ya Ly", "Hơ Moong"),
    "Tu Mơ Rông": ("Đắk Hà", "Tê Xăng", "Măng Ri", "Ngọk Lây", "Đắk Sao", "Văn Xuôi"),
    "Ia H'Drai": ("Ia Tơi", "Ia Dom", "Ia Đal"),
}

_VILLAGES = (
    "Kon Jri",
    "Đăk Wơk",
    "Plei Rơ Wăk",
    "Kon Rlong",
    "Đăk Lấp",
    "Măng Rương",
    "Kon Hia",
    "Tu Rét",
    "Đăk Xía",
    "Pa Cheng",
    "Long Zôn",
    "Đăk Book",
    "Kon Tu Ma",
    "Làng Mới",
    "Xốp Dùi",
    "Ba Tu",
    "Kon Bdeh",
    "Đăk Đoát",
    "Tà Pao",
    "Plei Kần",
    "Kon Klor",
    "Đăk Năng",
    "Tê Pheo",
    "Ngọc Hoàng",
)

# Ethnic groups living in each district, with weights.
_ETHNIC_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    "Kon Tum": (("Ba Na", 45), ("Kinh", 35), ("Gia Rai", 10), ("Xơ Đăng", 10)),
    "Đắk Glei": (("Giẻ Triêng", 55), ("Xơ Đăng", 35), ("Kinh", 10)),
    "Ngọc Hồi": (("Giẻ Triêng", 40), ("Kinh", 35), ("Brâu", 15), ("Xơ Đăng", 10)),
    "Đắk Tô": (("Xơ Đăng", 60), ("Kinh", 30), ("Ba Na", 10)),
    "Kon Plông": (("Xơ Đăng", 75), ("Kinh", 15), ("Ba Na", 10)),
    "Kon Rẫy": (("Ba Na", 45), ("Xơ Đăng", 35), ("Kinh", 20)),
    "Đắk Hà": (("Xơ Đăng", 40), ("Kinh", 40), ("Ba Na", 20)),
    "Sa Thầy": (("Gia Rai", 45), ("Kinh", 30), ("Rơ Măm", 15), ("Xơ Đăng", 10)),
    "Tu Mơ Rông": (("Xơ Đăng", 90), ("Kinh", 10)),
    "Ia H'Drai": (("Kinh", 60), ("Gia Rai", 30), ("Xơ Đăng", 10)),
}

_GIVEN_F = (
    "Hoa", "Nhí", "Hơn", "Lan", "Thu", "Dung", "Mai", "Hiền", "Nga", "Bích", "Hằng", "Lệ",
    "Xuân", "Tơ", "Nhung", "Hlin", "Kim", "Bôn", "Pri", "Rin", "Ngơ", "Sương", "Loan", "Thủy",
    "Liên", "Đào", "Hlen", "Khuyên", "Ngọc", "Dên", "Nhàn", "Hươn", "Blích", "Yêu",
)  # fmt: skip
_GIVEN_M = (
    "Blưp", "Thuân", "Hơi", "Đông", "Phiên", "Ring", "Rưn", "Kră", "Hoan", "Giang", "Dũng",
    "Khâm", "Thăm", "Nhơ", "Bah", "Lưu", "Vân", "Dương", "Tuấn", "Rớt", "Chiến", "Hùng",
    "Tăng", "Ních", "Kơ", "Luân", "Brưu", "Hyin", "Thưa",
)  # fmt: skip
_JARAI_FAMILY = ("Rơ Châm", "Ksor", "Siu", "Nay", "Rơ Mah", "Kpă", "Rah Lan", "Puih")
_JARAI_F = ("Nhi", "Blon", "Lan", "Hiền", "Mai", "Nga", "Thương", "Duyên", "Mlưn", "Yên", "Jơi")
_JARAI_M = ("Blưn", "Hyin", "Tơ", "Kơk", "Thoa", "Djuih", "Khăm", "Ly", "Dol", "Nhiên")
_KINH_FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Đinh",
)  # fmt: skip
_KINH_F = (
    "Hạnh", "Lan", "Hương", "Hoa", "Mai", "Thu", "Hà", "Nhung", "Liên", "Oanh", "Phượng",
    "Thảo", "Trang", "Yến", "Hồng", "Loan",
)  # fmt: skip
_KINH_M = ("Lâm", "Hùng", "Dũng", "Tuấn", "Nam", "Sơn", "Hải", "Bình", "Cường", "Thắng", "Phúc")
_KINH_MIDDLE_M = ("Văn", "Văn", "Văn", "Đức", "Hữu", "Quang", "Minh")

_PHONE_PREFIXES = ("086", "096", "097", "098", "032", "033", "035", "038", "088", "091", "094")

_LOAN_PURPOSES: tuple[tuple[LoanPurpose, int], ...] = (
    (LoanPurpose.LIVESTOCK, 30),
    (LoanPurpose.CROPS, 30),
    (LoanPurpose.TRADE, 12),
    (LoanPurpose.HANDICRAFT, 5),
    (LoanPurpose.EDUCATION, 8),
    (LoanPurpose.HEALTH, 8),
    (LoanPurpose.HOUSEHOLD, 7),
)

_INSTITUTIONS: tuple[tuple[Institution, int, tuple[str, ...]], ...] = (
    (Institution.VBSP, 35, ("vay hộ nghèo", "vay hộ cận nghèo", "vay nước sạch")),
    (Institution.AGRIBANK, 18, ("mở tài khoản tiết kiệm", "vay sản xuất")),
    (Institution.PEOPLES_CREDIT_FUND, 8, ("gửi tiết kiệm", "vay tiêu dùng")),
    (Institution.COMMERCIAL_BANK, 5, ("mở tài khoản thanh toán",)),
    (Institution.MICROFINANCE_INSTITUTION, 10, ("vay vốn vi mô",)),
    (Institution.INSURER, 12, ("bảo hiểm y tế", "bảo hiểm vi mô")),
    (Institution.MOBILE_MONEY, 12, ("ví Viettel Money", "ví VNPT Money")),
)

_SUPPORTS: tuple[tuple[SupportKind, int, tuple[str, ...], tuple[int, int]], ...] = (
    (SupportKind.TRAINING, 35, ("Hội LHPN tỉnh Kon Tum", "Trạm khuyến nông huyện"), (0, 0)),
    (SupportKind.INPUTS, 25, ("Dự án 8", "UBND xã"), (500_000, 3_000_000)),
    (SupportKind.MARKET_LINKAGE, 10, ("Hợp tác xã nông nghiệp", "Hội LHPN huyện"), (0, 0)),
    (SupportKind.TECHNOLOGY_4_0, 8, ("Dự án 8", "Đoàn thanh niên xã"), (0, 500_000)),
    (SupportKind.GRANT, 10, ("Dự án 8",), (1_000_000, 5_000_000)),
    (SupportKind.TECHNICAL_ADVICE, 12, ("Trạm khuyến nông huyện",), (0, 0)),
)

_GAL_TOOLS = (
    GalTool.VISION_JOURNEY,
    GalTool.GENDER_BALANCE_TREE,
    GalTool.CHALLENGE_ACTION_TREE,
    GalTool.EMPOWERMENT_LEADERSHIP_MAP,
    GalTool.OTHER,
)

# Rate multipliers spread over the districts (mean 1): some above the target, some below.
_SPREAD = tuple(
    Decimal(x) for x in ("0.6", "0.7", "0.8", "0.9", "1", "1", "1.1", "1.2", "1.3", "1.4")
)
_RATES = tuple(Decimal(x) for x in ("0.015", "0.02", "0.02", "0.025", "0.03"))  # per month
_REFERRAL_BASE = Decimal("0.16")
_SUPPORT_BASE = Decimal("0.145")

MEETINGS_PER_CYCLE = 26
"""Fortnightly meetings in a demo cycle (350 days from the first to the last)."""


def default_as_of(start: dt.date) -> dt.date:
    """The default report date: 65 weeks (15 months) after ``start``, a meeting day.

    >>> default_as_of(dt.date(2024, 1, 8))
    datetime.date(2025, 4, 7)
    """
    return start + dt.timedelta(weeks=65)


def gal_pilot_count(groups: int) -> int:
    """GAL pilots in a demo of ``groups`` groups: 55 of 91, rounded half up.

    >>> gal_pilot_count(91), gal_pilot_count(6), gal_pilot_count(10_000)
    (55, 4, 6044)
    """
    return (groups * 55 * 2 + 91) // (91 * 2)


# ------------------------------------------------------------------------------ summary


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What :func:`generate` wrote."""

    programme_id: int
    groups: int
    gal_pilots: int
    members: int
    meetings: int
    loans: int
    entries: int
    referrals: int
    supports: int
    gal_sessions: int
    shared_out: int
    exits: int
    written_off: int
    record_calls: int
    as_of: dt.date


# ------------------------------------------------------------------------------ plans


class _Behaviour(Enum):
    """How a borrower repays."""

    ON_TIME = "on time"  # interest at each month end, principal at the due date
    EARLY = "early"  # all of it before the due date
    LATE = "late"  # interest on time, principal a few meetings after the due date
    DEFAULT = "default"  # pays months after the due date (or at the share-out), or never


@dataclass(slots=True)
class _Loan:
    key: int
    member: int
    terms: LoanTerms
    behaviour: _Behaviour
    pay_at: tuple[int, ...]  # meeting index of the last meeting before each month end
    early_at: int | None
    late_at: int | None
    payments: list[LoanPayment] = field(default_factory=list)
    settled: bool = False
    to_write_off: bool = False

    def position(self, on: dt.date) -> LoanPosition:
        return loan_position(self.terms, self.payments, on)


@dataclass(slots=True)
class _Draft:
    """A meeting with members as indices and loans as keys (ids are known only once the
    loans are written)."""

    date: dt.date
    attendance: dict[int, Attendance] = field(default_factory=dict)
    contributions: dict[int, int] = field(default_factory=dict)
    shares: dict[int, int] = field(default_factory=dict)
    fines: list[tuple[int, str]] = field(default_factory=list)
    repayments: list[tuple[int, int]] = field(default_factory=list)  # (loan key, amount)
    grants: list[tuple[int, int, str]] = field(default_factory=list)
    expenses: list[tuple[int, str]] = field(default_factory=list)
    loans: list[tuple[int, int, int, int, LoanPurpose]] = field(default_factory=list)
    # (loan key, member, principal, term months, purpose)


@dataclass(slots=True)
class _MemberPlan:
    full_name: str
    sex: Sex
    ethnicity: str
    birth_year: int
    phone: str | None
    reliability: int  # chance of attending a meeting, per mille
    preferred_shares: int
    champion_since: dt.date | None = None
    left_on: dt.date | None = None


@dataclass(slots=True)
class _GroupLayout:
    index: int
    code: str
    district: str
    commune: str
    village: str
    start: dt.date
    gal_pilot: bool
    referral_rate: Decimal
    support_rate: Decimal
    write_off_here: bool


@dataclass(slots=True)
class _GroupPlan:
    layout: _GroupLayout
    name: str
    gal_pilot_since: dt.date | None
    members: list[_MemberPlan]
    constitution: Constitution
    officers: dict[int, tuple[OfficerRole, ...]]
    start: dt.date
    end: dt.date
    meetings: list[_Draft]
    exits: dict[int, list[tuple[int, ExitReason]]]  # meeting index -> leavers
    write_off: tuple[int, dt.date] | None  # (loan key, date)
    share_out_on: dt.date | None
    referrals: list[tuple[int, Institution, str, dt.date, ReferralOutcome, dt.date | None]]
    supports: list[tuple[int, SupportKind, str, dt.date, int]]
    gal_sessions: list[tuple[dt.date, GalTool, int, int, int]]


T = TypeVar("T")


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    """One of the values, drawn with the integer weights given."""
    roll = rng.randrange(sum(w for _, w in pairs))
    for value, weight in pairs:
        if roll < weight:
            return value
        roll -= weight
    raise AssertionError("unreachable")


def _chance(rng: random.Random, per_mille: int) -> bool:
    """True with probability ``per_mille`` / 1000 (integer draws: no float anywhere)."""
    return rng.randrange(1000) < per_mille


def _allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``total`` over the keys in proportion to ``weights`` (largest remainder)."""
    whole = sum(weights.values())
    counts = {k: total * w // whole for k, w in weights.items()}
    rest = sorted(weights, key=lambda k: (-(total * weights[k] % whole), list(weights).index(k)))
    for k in rest[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def _layout(
    rng: random.Random, groups: int, start: dt.date, as_of: dt.date, prefix: str = "KT"
) -> list[_GroupLayout]:
    """Where each group is, when its cycle starts, and whether it is a GAL pilot."""
    counts = _allocate(groups, _DISTRICT_WEIGHTS)
    offsets = [i * 26 // groups for i in range(groups)]  # weeks, spread evenly over 6 months
    rng.shuffle(offsets)
    pilots = set(rng.sample(range(groups), gal_pilot_count(groups)))
    referral_spread = list(_SPREAD)
    support_spread = list(_SPREAD)
    rng.shuffle(referral_spread)
    rng.shuffle(support_spread)
    districts = list(KON_TUM_DISTRICTS)
    out: list[_GroupLayout] = []
    for d, district in enumerate(districts):
        for n in range(1, counts[district] + 1):
            i = len(out)
            out.append(
                _GroupLayout(
                    index=i,
                    code=f"{prefix}-{DISTRICT_CODES[district]}-{n:03d}",
                    district=district,
                    commune=rng.choice(_COMMUNES[district]),
                    village=rng.choice(_VILLAGES),
                    start=start + dt.timedelta(weeks=offsets[i]),
                    gal_pilot=i in pilots,
                    referral_rate=_REFERRAL_BASE * referral_spread[d],
                    support_rate=_SUPPORT_BASE * support_spread[d],
                    write_off_here=False,
                )
            )
    # exactly one loan is written off, in the group that started first
    first = min(range(len(out)), key=lambda i: (out[i].start, i))
    if out and out[first].start <= as_of:
        out[first].write_off_here = True
    return out


def _name(rng: random.Random, ethnicity: str, sex: Sex) -> str:
    female = sex is Sex.FEMALE
    if ethnicity == "Kinh" or _chance(rng, 120):
        family = rng.choice(_KINH_FAMILY if ethnicity == "Kinh" else ("Đinh", "Hồ", "A Lăng"))
        middle = "Thị" if female else rng.choice(_KINH_MIDDLE_M)
        given = rng.choice(_KINH_F if female else _KINH_M)
        return f"{family} {middle} {given}"
    if ethnicity in ("Gia Rai", "Rơ Măm") and _chance(rng, 800):
        family = rng.choice(_JARAI_FAMILY)
        if female:
            return f"{family} H'{rng.choice(_JARAI_F)}"
        return f"{family} {rng.choice(_JARAI_M)}"
    return f"{'Y' if female else 'A'} {rng.choice(_GIVEN_F if female else _GIVEN_M)}"


def _members(rng: random.Random, layout: _GroupLayout) -> list[_MemberPlan]:
    n = 15 + rng.randint(0, 8) + rng.randint(0, 7)  # 15 to 30, mostly about 22
    mix = _ETHNIC_MIX[layout.district]
    main = _weighted(rng, mix)
    women = 1000 if _chance(rng, 300) else rng.randint(550, 850)  # per mille
    out: list[_MemberPlan] = []
    names: set[str] = set()
    for _ in range(n):
        sex = Sex.FEMALE if _chance(rng, women) else Sex.MALE
        ethnicity = main if _chance(rng, 800) else _weighted(rng, mix)
        name = _name(rng, ethnicity, sex)
        for _retry in range(5):  # avoid two members of one group with the same name
            if name not in names:
                break
            name = _name(rng, ethnicity, sex)
        names.add(name)
        phone = None
        if _chance(rng, 450):
            phone = rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
        out.append(
            _MemberPlan(
                full_name=name,
                sex=sex,
                ethnicity=ethnicity,
                birth_year=1962 + rng.randint(0, 21) + rng.randint(0, 22),
                phone=phone,
                reliability=rng.randint(720, 980),
                preferred_shares=0,
            )
        )
    if all(m.sex is Sex.MALE for m in out):  # a VSLA without women is not plausible
        out[0].sex = Sex.FEMALE
        out[0].full_name = _name(rng, out[0].ethnicity, Sex.FEMALE)
    return out


def _constitution(rng: random.Random, frequency: MeetingFrequency) -> Constitution:
    return Constitution(
        share_value=rng.choice((10_000, 10_000, 20_000, 20_000, 25_000, 30_000, 40_000, 50_000)),
        min_shares_per_meeting=0 if _chance(rng, 200) else 1,
        max_shares_per_meeting=rng.choice((5, 5, 5, 4, 10)),
        social_fund_contribution=rng.choice((0, 2_000, 5_000, 5_000, 10_000)),
        interest_rate=rng.choice(_RATES),
        interest_method=InterestMethod.FLAT if _chance(rng, 200) else InterestMethod.DECLINING,
        meeting_frequency=frequency,
        fines={"absence": rng.choice((5_000, 10_000)), "late": rng.choice((1_000, 2_000))},
        cash_step=1_000 if _chance(rng, 300) else 1,
    )


def _officers(rng: random.Random, members: list[_MemberPlan]) -> dict[int, tuple[OfficerRole, ...]]:
    order = list(range(len(members)))
    rng.shuffle(order)
    order.sort(key=lambda i: members[i].sex is not Sex.FEMALE and _chance(rng, 700))
    roles = (
        OfficerRole.CHAIR,
        OfficerRole.SECRETARY,
        OfficerRole.BOX_KEEPER,
        OfficerRole.MONEY_COUNTER,
        OfficerRole.MONEY_COUNTER,
        OfficerRole.KEY_HOLDER,
        OfficerRole.KEY_HOLDER,
        OfficerRole.KEY_HOLDER,
    )
    return {order[i]: (role,) for i, role in enumerate(roles)}


class _Cycle:
    """Plans the meetings of one cycle, tracking both boxes like the store does."""

    def __init__(
        self,
        rng: random.Random,
        members: list[_MemberPlan],
        rules: Constitution,
        dates: list[dt.date],
        last: int,
        completes: bool,
        officers: set[int],
        write_off: bool,
        exits_wanted: int,
    ) -> None:
        self.rng = rng
        self.members = members
        self.rules = rules
        self.dates = dates
        self.last = last  # index of the last meeting recorded
        self.completes = completes  # the cycle is shared out at meeting ``last``
        self.officers = officers
        self.cash = 0
        self.social = 0
        self.shares = [0] * len(members)
        self.fines_due: dict[int, int] = {}
        self.missed = [0] * len(members)
        self.loans: dict[int, _Loan] = {}
        self.write_off_wanted = write_off
        self.write_off_key: int | None = None
        self.demand = rng.randint(150, 300)  # chance of asking for a loan, per mille
        exit_slots = list(range(6, max(7, min(last, 20))))
        self.exit_at = set(rng.sample(exit_slots, min(exits_wanted, len(exit_slots))))
        self.exits: dict[int, list[tuple[int, ExitReason]]] = {}
        for m in members:
            low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
            m.preferred_shares = (
                rng.randint(max(low, 1), high) + rng.randint(max(low, 1), high)
            ) // 2

    def active(self, member: int, on: dt.date) -> bool:
        left = self.members[member].left_on
        return left is None or on < left

    def run(self) -> list[_Draft]:
        drafts = []
        for i in range(self.last + 1):
            drafts.append(self.meeting(i))
            if i in self.exit_at and not (self.completes and i == self.last):
                self.leave(i)
        return drafts

    def meeting(self, i: int) -> _Draft:
        rng, rules, on = self.rng, self.rules, self.dates[i]
        draft = _Draft(date=on)
        present: list[int] = []
        for m, member in enumerate(self.members):
            if not self.active(m, on):
                continue
            roll = rng.randrange(1000)
            if roll < member.reliability:
                status = Attendance.PRESENT
            elif roll < member.reliability + (1000 - member.reliability) * 2 // 5:
                status = Attendance.REPRESENTED
            else:
                status = Attendance.ABSENT
            draft.attendance[m] = status
            if status is Attendance.ABSENT:
                self.missed[m] += 1
                if _chance(rng, 700):
                    self.fines_due[m] = self.fines_due.get(m, 0) + 1
                continue
            present.append(m)
            unit = rules.social_fund_contribution
            if unit:
                times = 1 + (min(self.missed[m], 2) if _chance(rng, 500) else 0)
                draft.contributions[m] = unit * times
                self.social += unit * times
            self.missed[m] = 0
            low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
            n = min(high, max(low, member.preferred_shares + rng.choice((-1, 0, 0, 0, 1))))
            if n:
                draft.shares[m] = n
                self.shares[m] += n
                self.cash += n * rules.share_value
            for _ in range(self.fines_due.pop(m, 0)):
                draft.fines.append((m, "absence"))
                self.cash += rules.fines["absence"]
            if status is Attendance.PRESENT and _chance(rng, 40):
                draft.fines.append((m, "late"))
                self.cash += rules.fines["late"]
        self.repay(i, draft)
        if self.social and _chance(rng, 50) and present:
            amount = min(rng.choice((100_000, 200_000, 300_000, 500_000)), self.social)
            amount -= amount % 10_000
            if amount >= 50_000:
                reason = rng.choice(("ốm đau", "tang lễ", "thiên tai", "sinh con"))
                draft.grants.append((rng.choice(present), amount, reason))
                self.social -= amount
        if i % 6 == 5 and _chance(rng, 600):
            amount = rng.randrange(20_000, 65_000, 5_000)
            if amount <= self.cash:
                draft.expenses.append((amount, "văn phòng phẩm"))
                self.cash -= amount
        self.lend(i, draft, present)
        return draft

    def repay(self, i: int, draft: _Draft) -> None:
        on = self.dates[i]
        final = self.completes and i == self.last
        for loan in self.loans.values():
            if loan.settled or loan.to_write_off:
                continue
            b = loan.behaviour
            if final or i in (loan.early_at, loan.late_at):
                in_full = True  # settles (at the latest at the share-out meeting)
            elif i == loan.pay_at[-1] and b in (_Behaviour.ON_TIME, _Behaviour.EARLY):
                in_full = True  # on the due date
            elif i in loan.pay_at:  # the last meeting before a month end: that month's charge
                if b is _Behaviour.DEFAULT:
                    pays = i == loan.pay_at[0] and _chance(self.rng, 500)
                else:
                    pays = b is not _Behaviour.LATE or _chance(self.rng, 800)
                if not pays:
                    continue
                in_full = False
            else:
                continue
            pos = loan.position(on)
            amount = pos.settlement_amount if in_full else pos.interest_due
            if amount <= 0:
                continue
            split = allocate_payment(pos, amount, self.rules.payment_order)
            loan.payments.append(
                LoanPayment(on=on, principal=split.principal, interest=split.interest)
            )
            draft.repayments.append((loan.key, amount))
            self.cash += amount
            loan.settled = amount == pos.settlement_amount

    def lend(self, i: int, draft: _Draft, present: list[int]) -> None:
        rng, rules, on = self.rng, self.rules, self.dates[i]
        if i == 0 or (self.completes and i == self.last):
            return
        busy = {
            loan.member for loan in self.loans.values() if not loan.settled or loan.to_write_off
        }
        force = self.write_off_wanted and self.write_off_key is None and i >= 4
        for m in present:
            if m in busy or self.cash < 50_000:
                continue
            if not (force or _chance(rng, self.demand)):
                continue
            savings = self.shares[m] * rules.share_value
            wanted = max(100_000, savings * rng.randint(8, 30) // 10)  # 0.8 to 3 × savings
            limit = int(rules.max_loan_multiple * savings)
            principal = min(wanted, limit, self.cash)
            principal -= principal % (50_000 if principal >= 500_000 else 10_000)
            if principal < 50_000:
                continue
            term = self.term(i)
            if term == 0:
                return  # too close to the end of the cycle to lend
            terms = LoanTerms(
                principal=principal,
                interest_rate=rules.interest_rate,
                term_months=term,
                disbursed_on=on,
                method=rules.interest_method,
                principal_schedule=rules.principal_schedule,
                rounding=rules.rounding,
            )
            key = len(self.loans)
            loan = self.plan_loan(key, m, terms, i)
            if force:
                force = False
                loan.behaviour = _Behaviour.DEFAULT
                loan.to_write_off = True
                self.write_off_key = key
            self.loans[key] = loan
            purpose = _weighted(rng, _LOAN_PURPOSES)
            draft.loans.append((key, m, principal, term, purpose))
            self.cash -= principal

    def term(self, i: int) -> int:
        """The longest term (1 to 3 months, drawn) whose due date is within the cycle."""
        on, end = self.dates[i], self.dates[-1]
        feasible = [
            n
            for n in range(1, self.rules.max_term_months + 1)
            if on + relativedelta(months=n) <= end
        ]
        if not feasible:
            return 0
        wanted = _weighted(self.rng, ((1, 20), (2, 35), (3, 45)))
        return min(wanted, feasible[-1])

    def plan_loan(self, key: int, member: int, terms: LoanTerms, i: int) -> _Loan:
        rng = self.rng
        ends = [
            terms.disbursed_on + relativedelta(months=k) for k in range(1, terms.term_months + 1)
        ]
        pay_at = tuple(max(j for j, d in enumerate(self.dates) if d <= end) for end in ends)
        behaviour = _weighted(
            rng,
            (
                (_Behaviour.ON_TIME, 72),
                (_Behaviour.EARLY, 15),
                (_Behaviour.LATE, 10),
                (_Behaviour.DEFAULT, 3),
            ),
        )
        early_at = late_at = None
        if behaviour is _Behaviour.EARLY:
            early_at = rng.randrange(i + 1, pay_at[-1])
        elif behaviour is _Behaviour.LATE:
            late_at = min(pay_at[-1] + rng.randint(1, 3), len(self.dates) - 1)
        elif behaviour is _Behaviour.DEFAULT:  # pays at last, months late (or at share-out)
            late_at = min(pay_at[-1] + rng.randint(4, 10), len(self.dates) - 1)
        assert due_date(terms) <= self.dates[-1]
        return _Loan(key, member, terms, behaviour, pay_at, early_at, late_at)

    def leave(self, i: int) -> None:
        on = self.dates[i]
        busy = {
            loan.member for loan in self.loans.values() if not loan.settled or loan.to_write_off
        }
        candidates = [
            m
            for m in range(len(self.members))
            if self.active(m, on)
            and m not in self.officers
            and m not in busy
            and self.shares[m] * self.rules.share_value <= self.cash
        ]
        if not candidates:
            return
        m = self.rng.choice(candidates)
        reason = _weighted(
            self.rng,
            ((ExitReason.MOVED, 45), (ExitReason.VOLUNTARY, 40), (ExitReason.OTHER, 15)),
        )
        self.cash -= self.shares[m] * self.rules.share_value
        self.shares[m] = 0
        self.fines_due.pop(m, None)
        self.members[m].left_on = on
        self.exits.setdefault(i, []).append((m, reason))


def _plan_group(
    rng: random.Random, layout: _GroupLayout, as_of: dt.date, weekly: bool
) -> _GroupPlan:
    members = _members(rng, layout)
    frequency = MeetingFrequency.WEEKLY if weekly else MeetingFrequency.FORTNIGHTLY
    rules = _constitution(rng, frequency)
    officers = _officers(rng, members)
    start = layout.start
    # the same 50 weeks from the first to the last meeting: 51 weekly or 26 fortnightly
    dates = meeting_dates(
        start, start + dt.timedelta(weeks=2 * (MEETINGS_PER_CYCLE - 1)), frequency
    )
    end = dates[-1]
    recorded = [d for d in dates if d <= as_of]
    completes = end <= as_of
    pilot_since: dt.date | None = None
    if layout.gal_pilot:  # from 0 to 4 months into the cycle, by the report date if possible
        pilot_since = max(start, min(start + dt.timedelta(days=rng.randrange(0, 121)), as_of))
    cycle = _Cycle(
        rng,
        members,
        rules,
        dates,
        len(recorded) - 1,
        completes,
        set(officers),
        layout.write_off_here,
        rng.choice((0, 0, 0, 1, 1, 2)),
    )
    drafts = cycle.run() if recorded else []
    write_off = None
    if cycle.write_off_key is not None:
        write_off = (cycle.write_off_key, recorded[-1])
    plan = _GroupPlan(
        layout=layout,
        name=f"Tổ tiết kiệm thôn {layout.village}",
        gal_pilot_since=pilot_since,
        members=members,
        constitution=rules,
        officers=officers,
        start=start,
        end=end,
        meetings=drafts,
        exits=cycle.exits,
        write_off=write_off,
        share_out_on=end if completes else None,
        referrals=[],
        supports=[],
        gal_sessions=[],
    )
    _plan_activity(rng, plan, as_of)
    return plan


def _count(rng: random.Random, rate: Decimal, n: int) -> int:
    """``rate × n`` rounded at random (up with the probability of its fraction)."""
    exact = rate * n
    whole = int(exact)
    return whole + (1 if rng.randrange(10**6) < (exact - whole) * 10**6 else 0)


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _plan_activity(rng: random.Random, plan: _GroupPlan, as_of: dt.date) -> None:
    """Referrals, livelihood support, GAL champions and sessions of one group."""
    first, last = plan.start + dt.timedelta(days=30), as_of - dt.timedelta(days=1)
    active = [i for i, m in enumerate(plan.members) if m.left_on is None]
    if first <= last:
        referred = rng.sample(
            active, min(len(active), _count(rng, plan.layout.referral_rate, len(active)))
        )
        for m in referred:
            for _ in range(2 if _chance(rng, 100) else 1):
                institution = _weighted(rng, [(i, w) for i, w, _ in _INSTITUTIONS])
                services = next(s for i, _, s in _INSTITUTIONS if i is institution)
                on = _day_between(rng, first, last)
                outcome, outcome_on = ReferralOutcome.PENDING, None
                later = on + dt.timedelta(days=rng.randint(7, 60))
                if later <= as_of:
                    outcome = _weighted(
                        rng,
                        (
                            (ReferralOutcome.ACCESSED, 55),
                            (ReferralOutcome.DECLINED, 15),
                            (ReferralOutcome.PENDING, 30),
                        ),
                    )
                    outcome_on = None if outcome is ReferralOutcome.PENDING else later
                plan.referrals.append(
                    (m, institution, rng.choice(services), on, outcome, outcome_on)
                )
        supported = rng.sample(
            active, min(len(active), _count(rng, plan.layout.support_rate, len(active)))
        )
        for m in supported:
            for _ in range(2 if _chance(rng, 150) else 1):
                kind = _weighted(rng, [(k, w) for k, w, _, _ in _SUPPORTS])
                providers, (low, high) = next((p, v) for k, _, p, v in _SUPPORTS if k is kind)
                value = rng.randrange(low, high + 1, 100_000) if high else 0
                plan.supports.append(
                    (m, kind, rng.choice(providers), _day_between(rng, first, last), value)
                )
    since = plan.gal_pilot_since
    if since is None:
        return
    women = sum(1 for m in plan.members if m.sex is Sex.FEMALE)
    men = len(plan.members) - women
    for m in rng.sample(range(len(plan.members)), rng.randint(1, 3)):
        champion = min(since + dt.timedelta(days=rng.randint(30, 90)), as_of)
        plan.members[m].champion_since = max(champion, since)
    until = min(as_of, plan.end)
    day = since
    for k in range(rng.randint(4, 9)):
        if day > until:
            break
        plan.gal_sessions.append(
            (
                day,
                _GAL_TOOLS[min(k, len(_GAL_TOOLS) - 1)],
                women * rng.randint(60, 100) // 100,
                men * rng.randint(30, 100) // 100,
                rng.randint(0, 4) * rng.randint(1, 5),
            )
        )
        day += dt.timedelta(days=rng.randint(28, 45))


# ------------------------------------------------------------------------------ writing


@dataclass(slots=True)
class _Counts:
    members: int = 0
    meetings: int = 0
    loans: int = 0
    referrals: int = 0
    supports: int = 0
    gal_sessions: int = 0
    shared_out: int = 0
    exits: int = 0
    written_off: int = 0
    record_calls: int = 0


def _write_group(
    store: Store, programme_id: int, plan: _GroupPlan, counts: _Counts, *, one_by_one: bool
) -> None:
    layout = plan.layout
    group = store.add_group(
        NewGroup(
            code=layout.code,
            name=plan.name,
            programme_id=programme_id,
            district=layout.district,
            commune=layout.commune,
            village=layout.village,
            established_on=plan.start,
            gal_pilot_since=plan.gal_pilot_since,
        )
    )
    members = store.add_members(
        [
            NewMember(
                group_id=group.id,
                full_name=m.full_name,
                sex=m.sex,
                birth_year=m.birth_year,
                ethnicity=m.ethnicity,
                phone=m.phone,
                joined_on=plan.start,
                gal_champion_since=m.champion_since,
            )
            for m in plan.members
        ]
    )
    ids = [m.id for m in members]
    cycle = store.start_cycle(
        group.id,
        start=plan.start,
        end=plan.end,
        constitution=plan.constitution,
        officers={ids[i]: roles for i, roles in plan.officers.items()},
    )
    counts.members += len(members)

    loan_ids: dict[int, int] = {}
    pending: list[_Draft] = []

    def meeting_input(d: _Draft) -> MeetingInput:
        return MeetingInput(
            date=d.date,
            attendance={ids[m]: s for m, s in d.attendance.items()},
            social_fund_contributions={ids[m]: a for m, a in d.contributions.items()},
            share_purchases={ids[m]: n for m, n in d.shares.items()},
            fines=[FinePaid(member_id=ids[m], fine=f) for m, f in d.fines],
            repayments=[Repayment(loan_ref=f"L{k}", amount=a) for k, a in d.repayments],
            social_fund_grants=[
                SocialFundGrant(member_id=ids[m], amount=a, reason=r) for m, a, r in d.grants
            ],
            expenses=[Expense(amount=a, memo=memo) for a, memo in d.expenses],
            loans=[
                LoanRequest(
                    member_id=ids[m], principal=p, term_months=n, purpose=purpose, ref=f"L{key}"
                )
                for key, m, p, n, purpose in d.loans
            ],
        )

    def flush() -> None:
        if not pending:
            return
        inputs = [meeting_input(d) for d in pending]
        records: list[MeetingRecord]
        if one_by_one:
            records = [store.record_meeting(cycle.id, m) for m in inputs]
            counts.record_calls += len(inputs)
        else:
            records = store.record_meetings(cycle.id, inputs)
            counts.record_calls += 1
        for draft, record in zip(pending, records, strict=True):
            new = [e.loan_id for e in record.entries if e.kind is EntryKind.LOAN_DISBURSEMENT]
            for (key, *_), loan_id in zip(draft.loans, new, strict=True):
                assert loan_id is not None
                loan_ids[key] = loan_id
        counts.meetings += len(pending)
        counts.loans += sum(len(d.loans) for d in pending)
        pending.clear()

    # Loans carry a ref ("L<key>") and repayments name it, so one batch can repay a loan it
    # made; a batch ends only where a member leaves (settle_member_exit is its own call).
    for i, draft in enumerate(plan.meetings):
        pending.append(draft)
        if i in plan.exits:
            flush()
            for m, reason in plan.exits[i]:
                store.settle_member_exit(ids[m], on=draft.date, reason=reason)
                counts.exits += 1
    flush()
    if plan.write_off is not None:
        key, on = plan.write_off
        store.write_off(
            loan_ids[key], on=on, reason="thành viên chuyển đi, tổ quyết định xóa nợ (moved away)"
        )
        counts.written_off += 1
    if plan.share_out_on is not None:
        store.share_out(cycle.id, on=plan.share_out_on)
        counts.shared_out += 1
    if plan.referrals:
        store.add_referrals(
            [
                NewReferral(
                    member_id=ids[m],
                    institution=institution,
                    service=service,
                    referred_on=on,
                    outcome=outcome,
                    outcome_on=outcome_on,
                )
                for m, institution, service, on, outcome, outcome_on in plan.referrals
            ]
        )
        counts.referrals += len(plan.referrals)
    if plan.supports:
        store.add_livelihood_supports(
            [
                NewLivelihoodSupport(
                    member_id=ids[m], kind=kind, provider=provider, received_on=on, value=value
                )
                for m, kind, provider, on, value in plan.supports
            ]
        )
        counts.supports += len(plan.supports)
    for on, tool, women, men, reached in plan.gal_sessions:
        store.add_gal_session(
            NewGalSession(
                group_id=group.id,
                held_on=on,
                tool=tool,
                women=women,
                men=men,
                reached_by_peer_sharing=reached,
            )
        )
        counts.gal_sessions += 1


def generate(
    store: Store,
    *,
    groups: int = 91,
    seed: int = 2021,
    start: dt.date = dt.date(2024, 1, 8),
    as_of: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    one_by_one: bool = False,
    weekly: bool = False,
    code_prefix: str = "KT",
) -> DemoSummary:
    """Generate a synthetic Kon Tum programme of ``groups`` groups into ``store``.

    Deterministic: the same ``groups``, ``seed``, ``start`` and ``as_of`` write the same
    rows. ``as_of`` (default :func:`default_as_of`) is the report date: nothing is
    recorded after it. Each group is written in one transaction (``Store.transaction``);
    ``progress(done, total)`` is called after each group.
    ``one_by_one`` records each meeting with ``Store.record_meeting`` instead of batches
    (the baseline of the benchmarks); the data written are the same.
    ``weekly`` holds the meetings every week instead of every fortnight (51 meetings over
    the same 350 days: the national-scale benchmark's cycle). ``code_prefix`` starts every
    group code (``KT-DG-001``): another prefix lets a second programme share the database.
    """
    if groups < 1:
        raise InvalidInput(f"a demo programme needs at least one group, got {groups}")
    report_on = default_as_of(start) if as_of is None else as_of
    if report_on < start:
        raise InvalidInput(f"the report date {report_on} is before the start {start}")
    rng = random.Random(f"vsla-demo/{seed}")
    programme = store.add_programme(
        NewProgramme(name="Kon Tum - Dự án 8 (dữ liệu mô phỏng)", province="Kon Tum")
    )
    layouts = _layout(rng, groups, start, report_on, code_prefix)
    counts = _Counts()
    for layout in layouts:
        group_rng = random.Random(f"vsla-demo/{seed}/{layout.index}")
        plan = _plan_group(group_rng, layout, report_on, weekly)
        with store.transaction():  # a group is written whole, or not at all
            _write_group(store, programme.id, plan, counts, one_by_one=one_by_one)
        if progress is not None:
            progress(layout.index + 1, groups)
    with store.engine.connect() as conn:
        group_ids = select(t.groups.c.id).where(t.groups.c.programme_id == programme.id)
        cycle_ids = select(t.cycles.c.id).where(t.cycles.c.group_id.in_(group_ids))
        entries = conn.execute(
            select(func.count()).select_from(t.entries).where(t.entries.c.cycle_id.in_(cycle_ids))
        ).scalar_one()
    return DemoSummary(
        programme_id=programme.id,
        groups=groups,
        gal_pilots=sum(1 for g in layouts if g.gal_pilot),
        members=counts.members,
        meetings=counts.meetings,
        loans=counts.loans,
        entries=int(entries),
        referrals=counts.referrals,
        supports=counts.supports,
        gal_sessions=counts.gal_sessions,
        shared_out=counts.shared_out,
        exits=counts.exits,
        written_off=counts.written_off,
        record_calls=counts.record_calls,
        as_of=report_on,
    )
