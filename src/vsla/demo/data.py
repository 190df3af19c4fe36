"""Reference data of the demo: Kon Tum's districts, communes and villages, names by
ethnic group, and the weights the generator draws with.
"""

from __future__ import annotations

__all__ = [
    "COMMUNES",
    "DISTRICT_CODES",
    "DISTRICT_WEIGHTS",
    "ETHNIC_MIX",
    "GAL_TOOLS",
    "GIVEN_F",
    "GIVEN_M",
    "INSTITUTIONS",
    "JARAI_F",
    "JARAI_FAMILY",
    "JARAI_M",
    "KINH_F",
    "KINH_FAMILY",
    "KINH_M",
    "KINH_MIDDLE_M",
    "LOAN_PURPOSES",
    "PHONE_PREFIXES",
    "RATES",
    "REFERRAL_BASE",
    "SPREAD",
    "SUPPORTS",
    "SUPPORT_BASE",
    "VILLAGES",
]

from decimal import Decimal

from vsla.domain.activity import GalTool, Institution, SupportKind
from vsla.domain.meeting import LoanPurpose

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
DISTRICT_WEIGHTS: dict[str, int] = {
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

COMMUNES: dict[str, tuple[str, ...]] = {
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

VILLAGES = (
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
ETHNIC_MIX: dict[str, tuple[tuple[str, int], ...]] = {
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

GIVEN_F = (
    "Hoa", "Nhí", "Hơn", "Lan", "Thu", "Dung", "Mai", "Hiền", "Nga", "Bích", "Hằng", "Lệ",
    "Xuân", "Tơ", "Nhung", "Hlin", "Kim", "Bôn", "Pri", "Rin", "Ngơ", "Sương", "Loan", "Thủy",
    "Liên", "Đào", "Hlen", "Khuyên", "Ngọc", "Dên", "Nhàn", "Hươn", "Blích", "Yêu",
)  # fmt: skip
GIVEN_M = (
    "Blưp", "Thuân", "Hơi", "Đông", "Phiên", "Ring", "Rưn", "Kră", "Hoan", "Giang", "Dũng",
    "Khâm", "Thăm", "Nhơ", "Bah", "Lưu", "Vân", "Dương", "Tuấn", "Rớt", "Chiến", "Hùng",
    "Tăng", "Ních", "Kơ", "Luân", "Brưu", "Hyin", "Thưa",
)  # fmt: skip
JARAI_FAMILY = ("Rơ Châm", "Ksor", "Siu", "Nay", "Rơ Mah", "Kpă", "Rah Lan", "Puih")
JARAI_F = ("Nhi", "Blon", "Lan", "Hiền", "Mai", "Nga", "Thương", "Duyên", "Mlưn", "Yên", "Jơi")
JARAI_M = ("Blưn", "Hyin", "Tơ", "Kơk", "Thoa", "Djuih", "Khăm", "Ly", "Dol", "Nhiên")
KINH_FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Đinh",
)  # fmt: skip
KINH_F = (
    "Hạnh", "Lan", "Hương", "Hoa", "Mai", "Thu", "Hà", "Nhung", "Liên", "Oanh", "Phượng",
    "Thảo", "Trang", "Yến", "Hồng", "Loan",
)  # fmt: skip
KINH_M = ("Lâm", "Hùng", "Dũng", "Tuấn", "Nam", "Sơn", "Hải", "Bình", "Cường", "Thắng", "Phúc")
KINH_MIDDLE_M = ("Văn", "Văn", "Văn", "Đức", "Hữu", "Quang", "Minh")

PHONE_PREFIXES = ("086", "096", "097", "098", "032", "033", "035", "038", "088", "091", "094")

LOAN_PURPOSES: tuple[tuple[LoanPurpose, int], ...] = (
    (LoanPurpose.LIVESTOCK, 30),
    (LoanPurpose.CROPS, 30),
    (LoanPurpose.TRADE, 12),
    (LoanPurpose.HANDICRAFT, 5),
    (LoanPurpose.EDUCATION, 8),
    (LoanPurpose.HEALTH, 8),
    (LoanPurpose.HOUSEHOLD, 7),
)

INSTITUTIONS: tuple[tuple[Institution, int, tuple[str, ...]], ...] = (
    (Institution.VBSP, 35, ("vay hộ nghèo", "vay hộ cận nghèo", "vay nước sạch")),
    (Institution.AGRIBANK, 18, ("mở tài khoản tiết kiệm", "vay sản xuất")),
    (Institution.PEOPLES_CREDIT_FUND, 8, ("gửi tiết kiệm", "vay tiêu dùng")),
    (Institution.COMMERCIAL_BANK, 5, ("mở tài khoản thanh toán",)),
    (Institution.MICROFINANCE_INSTITUTION, 10, ("vay vốn vi mô",)),
    (Institution.INSURER, 12, ("bảo hiểm y tế", "bảo hiểm vi mô")),
    (Institution.MOBILE_MONEY, 12, ("ví Viettel Money", "ví VNPT Money")),
)

SUPPORTS: tuple[tuple[SupportKind, int, tuple[str, ...], tuple[int, int]], ...] = (
    (SupportKind.TRAINING, 35, ("Hội LHPN tỉnh Kon Tum", "Trạm khuyến nông huyện"), (0, 0)),
    (SupportKind.INPUTS, 25, ("Dự án 8", "UBND xã"), (500_000, 3_000_000)),
    (SupportKind.MARKET_LINKAGE, 10, ("Hợp tác xã nông nghiệp", "Hội LHPN huyện"), (0, 0)),
    (SupportKind.TECHNOLOGY_4_0, 8, ("Dự án 8", "Đoàn thanh niên xã"), (0, 500_000)),
    (SupportKind.GRANT, 10, ("Dự án 8",), (1_000_000, 5_000_000)),
    (SupportKind.TECHNICAL_ADVICE, 12, ("Trạm khuyến nông huyện",), (0, 0)),
)

GAL_TOOLS = (
    GalTool.VISION_JOURNEY,
    GalTool.GENDER_BALANCE_TREE,
    GalTool.CHALLENGE_ACTION_TREE,
    GalTool.EMPOWERMENT_LEADERSHIP_MAP,
    GalTool.OTHER,
)

# Rate multipliers spread over the districts (mean 1): some above the target, some below.
SPREAD = tuple(
    Decimal(x) for x in ("0.6", "0.7", "0.8", "0.9", "1", "1", "1.1", "1.2", "1.3", "1.4")
)
RATES = tuple(Decimal(x) for x in ("0.015", "0.02", "0.02", "0.025", "0.03"))  # per month
REFERRAL_BASE = Decimal("0.16")
SUPPORT_BASE = Decimal("0.145")
