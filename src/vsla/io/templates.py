"""The import templates: one table per kind of import, its columns and an example.

``docs/import-export.md`` describes the same columns for people; :data:`COLUMNS` is the one
definition both the importer and :func:`write_template` use.
"""

from __future__ import annotations

__all__ = [
    "ATTENDANCE",
    "COLUMNS",
    "EXAMPLES",
    "EXIT_REASON",
    "INSTITUTION",
    "LOAN_PURPOSE",
    "OUTCOME",
    "SEX",
    "SUPPORT_KIND",
    "Column",
    "ImportKind",
    "write_template",
]

from enum import StrEnum
from pathlib import Path
from typing import Any

from vsla.domain.activity import Institution, ReferralOutcome, SupportKind
from vsla.domain.arguments import checked_call
from vsla.domain.entities import Attendance, ExitReason, Sex
from vsla.domain.meeting import LoanPurpose
from vsla.errors import InvalidInput
from vsla.io.cells import Cell, CellError, Choice, parse_amount, parse_date, parse_text, parse_whole
from vsla.io.columns import Column
from vsla.io.language import as_lang, column_header, column_help, format_help
from vsla.io.readers import require_openpyxl
from vsla.io.registry_columns import CYCLE_COLUMNS, CYCLE_EXAMPLES, GROUP_COLUMNS, GROUP_EXAMPLES
from vsla.io.writers import write_csv
from vsla.words import Lang, word


class ImportKind(StrEnum):
    """What a file holds."""

    MEMBERS = "members"
    MEETINGS = "meetings"
    REFERRALS = "referrals"
    LIVELIHOOD = "livelihood"
    OPENING = "opening"
    PROGRAMME = "programme"
    GROUPS = "groups"
    CYCLES = "cycles"


SEX = Choice(Sex, {Sex.FEMALE: ("Nữ", "female"), Sex.MALE: ("Nam", "male")})
ATTENDANCE = Choice(
    Attendance,
    {
        Attendance.PRESENT: ("có mặt", "có"),
        Attendance.REPRESENTED: ("ủy quyền", "đại diện"),
        Attendance.ABSENT: ("vắng", "vắng mặt"),
    },
)
EXIT_REASON = Choice(
    ExitReason,
    {
        ExitReason.MOVED: ("chuyển đi", "chuyển nơi ở"),
        ExitReason.VOLUNTARY: ("tự nguyện", "xin ra"),
        ExitReason.EXPELLED: ("khai trừ", "buộc ra"),
        ExitReason.DECEASED: ("qua đời", "mất"),
        ExitReason.OTHER: ("khác",),
    },
)
INSTITUTION = Choice(
    Institution,
    {
        Institution.VBSP: ("NHCSXH", "Ngân hàng Chính sách xã hội", "Ngân hàng CSXH"),
        Institution.AGRIBANK: ("Ngân hàng Nông nghiệp", "NHNo&PTNT", "NHNo"),
        Institution.COMMERCIAL_BANK: ("ngân hàng thương mại", "NHTM", "bank"),
        Institution.PEOPLES_CREDIT_FUND: (
            "quỹ tín dụng nhân dân",
            "QTDND",
            "people's credit fund",
        ),
        Institution.MICROFINANCE_INSTITUTION: ("tổ chức tài chính vi mô", "TCVM", "MFI"),
        Institution.INSURER: ("bảo hiểm", "công ty bảo hiểm", "insurance"),
        Institution.MOBILE_MONEY: ("ví điện tử", "mobile money"),
    },
)
OUTCOME = Choice(
    ReferralOutcome,
    {
        ReferralOutcome.PENDING: ("đang chờ", "chờ"),
        ReferralOutcome.ACCESSED: ("đã tiếp cận", "tiếp cận được", "thành công"),
        ReferralOutcome.DECLINED: ("từ chối", "không tiếp cận được"),
    },
)
SUPPORT_KIND = Choice(
    SupportKind,
    {
        SupportKind.TRAINING: ("tập huấn", "đào tạo"),
        SupportKind.INPUTS: ("vật tư", "giống"),
        SupportKind.MARKET_LINKAGE: ("liên kết thị trường", "kết nối thị trường"),
        SupportKind.TECHNOLOGY_4_0: ("công nghệ 4.0", "technology 4.0"),
        SupportKind.GRANT: ("hỗ trợ tiền", "tài trợ"),
        SupportKind.TECHNICAL_ADVICE: ("tư vấn kỹ thuật", "tư vấn", "advice"),
    },
)
LOAN_PURPOSE = Choice(
    LoanPurpose,
    {
        LoanPurpose.CROPS: ("trồng trọt", "cây trồng"),
        LoanPurpose.LIVESTOCK: ("chăn nuôi",),
        LoanPurpose.TRADE: ("buôn bán", "kinh doanh"),
        LoanPurpose.HANDICRAFT: ("thủ công", "dệt thổ cẩm"),
        LoanPurpose.EDUCATION: ("học tập", "học phí"),
        LoanPurpose.HEALTH: ("sức khỏe", "khám chữa bệnh"),
        LoanPurpose.HOUSEHOLD: ("gia đình", "sinh hoạt"),
        LoanPurpose.OTHER: ("khác",),
    },
)


def _member_number(value: Cell) -> int:
    number = parse_whole(value)
    if number < 1:
        raise CellError("member numbers start at 1")
    return number


def _year(value: Cell) -> int:
    year = parse_whole(value)
    if not 1900 <= year <= 2100:
        raise CellError(f"{year} is not a plausible birth year")
    return year


def _choice(name: str, choice: Choice[Any], required: bool, description: str) -> Column:
    return Column(name, choice, f"one of: {choice.describe()}", required, description)


_TEXT = "text"
_WHOLE = "whole number"
_AMOUNT = "amount in đồng: 12000, 12.000 or 12,000"
_DATE = "date: dd/mm/yyyy (or yyyy-mm-dd, or a date cell)"

GROUP = Column(
    "group_code",
    parse_text,
    _TEXT,
    True,
    "the group's code, as registered (the column may be left out when the import names the group)",
)
MEMBER = Column(
    "member_number", _member_number, _WHOLE, True, "the member's number within the group"
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.MEMBERS: (
        GROUP,
        Column(
            "member_number",
            _member_number,
            _WHOLE,
            False,
            "the member's number within the group; blank: the next free number",
        ),
        Column("full_name", parse_text, _TEXT, True, "full name, with its diacritics"),
        _choice("sex", SEX, True, "F for a woman, M for a man"),
        Column("birth_year", _year, _WHOLE, False, "year of birth (four digits)"),
        Column("ethnicity", parse_text, _TEXT, False, "ethnic group, e.g. Xơ Đăng, Ba Na, Kinh"),
        Column("phone", parse_text, _TEXT, False, "phone number (format the column as text)"),
        Column("joined_on", parse_date, _DATE, True, "the day the member joined the group"),
        Column("left_on", parse_date, _DATE, False, "the day the member left; blank if active"),
        _choice("exit_reason", EXIT_REASON, False, "why the member left (needs left_on)"),
        Column(
            "gal_champion_since",
            parse_date,
            _DATE,
            False,
            "the day the member became a GAL champion",
        ),
        Column(
            "client_id",
            parse_text,
            _TEXT,
            False,
            "the app's own id for the member (docs/sync.md): imported again, the same member",
        ),
    ),
    ImportKind.MEETINGS: (
        GROUP,
        Column("date", parse_date, _DATE, True, "the meeting's date"),
        Column(
            "member_number",
            _member_number,
            _WHOLE,
            False,
            "the member the row is about; blank for the group's own income or expense",
        ),
        _choice("attendance", ATTENDANCE, False, "the member's attendance; blank: not recorded"),
        Column(
            "shares",
            parse_whole,
            _WHOLE,
            False,
            "shares bought at this meeting; blank: none (0 is checked against the minimum, "
            "except for an absent member)",
        ),
        Column(
            "social_fund",
            parse_amount,
            _AMOUNT,
            False,
            "social fund contribution paid (the constitution's amount or a multiple)",
        ),
        Column("fine_name", parse_text, _TEXT, False, "a fine named in the constitution"),
        Column(
            "fine_amount",
            parse_amount,
            _AMOUNT,
            False,
            "the fine paid; blank: the constitution's amount for that fine",
        ),
        Column(
            "repayment_amount",
            parse_amount,
            _AMOUNT,
            False,
            "paid on a loan (interest first, then principal)",
        ),
        Column(
            "repayment_loan_date",
            parse_date,
            _DATE,
            False,
            "the disbursement date of the loan repaid; blank: the member's only unpaid loan",
        ),
        Column(
            "grant_amount",
            parse_amount,
            _AMOUNT,
            False,
            "social fund grant paid to the member (reason in memo)",
        ),
        Column("loan_principal", parse_amount, _AMOUNT, False, "a new loan to the member"),
        Column(
            "loan_term_months",
            parse_whole,
            _WHOLE,
            False,
            "the new loan's term in months (needed with loan_principal)",
        ),
        _choice("loan_purpose", LOAN_PURPOSE, False, "what the new loan is for; blank: other"),
        Column(
            "income_amount",
            parse_amount,
            _AMOUNT,
            False,
            "other income of the group (bank interest, ...): a row without a member",
        ),
        Column(
            "expense_amount",
            parse_amount,
            _AMOUNT,
            False,
            "an expense of the group (stationery, ...): a row without a member",
        ),
        Column("memo", parse_text, _TEXT, False, "the grant's reason, or the income/expense"),
        Column(
            "client_id",
            parse_text,
            _TEXT,
            False,
            "the app's own id for the meeting, on its rows (docs/sync.md): imported again, "
            "the same meeting",
        ),
    ),
    ImportKind.REFERRALS: (
        GROUP,
        MEMBER,
        _choice("institution", INSTITUTION, True, "the formal financial institution"),
        Column("service", parse_text, _TEXT, True, "account, loan, insurance, mobile wallet, …"),
        Column("referred_on", parse_date, _DATE, True, "the day the member was introduced"),
        _choice("outcome", OUTCOME, False, "what came of it; blank: pending"),
        Column(
            "outcome_on",
            parse_date,
            _DATE,
            False,
            "the day of the outcome (needed unless pending)",
        ),
        Column("note", parse_text, _TEXT, False, "a note"),
        Column(
            "client_id",
            parse_text,
            _TEXT,
            False,
            "the app's own id for the referral (docs/sync.md): imported again, the same referral",
        ),
    ),
    ImportKind.LIVELIHOOD: (
        GROUP,
        MEMBER,
        _choice("kind", SUPPORT_KIND, True, "the kind of support"),
        Column("provider", parse_text, _TEXT, False, "who gave it"),
        Column("received_on", parse_date, _DATE, True, "the day the member received it"),
        Column("value", parse_amount, _AMOUNT, False, "its money value; blank: 0"),
        Column("note", parse_text, _TEXT, False, "a note"),
        Column(
            "client_id",
            parse_text,
            _TEXT,
            False,
            "the app's own id for the record (docs/sync.md): imported again, the same record",
        ),
    ),
    ImportKind.GROUPS: GROUP_COLUMNS,
    ImportKind.CYCLES: CYCLE_COLUMNS,
}
"""The columns of each import kind's sheet, in template order: each :class:`Column`'s name
(the header), format, whether it is required, and the description the template's help
sheet shows."""

COLUMNS[ImportKind.OPENING] = (
    GROUP,
    Column("date", parse_date, _DATE, True, "the opening date: the last meeting kept on paper"),
    Column(
        "member_number",
        _member_number,
        _WHOLE,
        False,
        "a member's row or a loan's row; blank: the row of the group's figures",
    ),
    Column("shares", parse_whole, _WHOLE, False, "member row: shares bought so far this cycle"),
    Column(
        "exit_payout",
        parse_amount,
        _AMOUNT,
        False,
        "member row of a member who left: what they were paid (shares: what they held)",
    ),
    Column("loan_principal", parse_amount, _AMOUNT, False, "loan row: the principal lent"),
    Column("loan_disbursed_on", parse_date, _DATE, False, "loan row: the day it was lent"),
    Column("loan_term_months", parse_whole, _WHOLE, False, "loan row: its term in months"),
    _choice("loan_purpose", LOAN_PURPOSE, False, "loan row: what it is for; blank: other"),
    Column("principal_repaid", parse_amount, _AMOUNT, False, "loan row: principal repaid so far"),
    Column("interest_paid", parse_amount, _AMOUNT, False, "loan row: interest paid so far"),
    Column(
        "repaid_on",
        parse_date,
        _DATE,
        False,
        "loan row: the day the principal repaid was paid (needed for a declining-balance "
        "loan repaid in part after its first month)",
    ),
    Column(
        "principal_written_off", parse_amount, _AMOUNT, False, "loan row: principal written off"
    ),
    Column("interest_written_off", parse_amount, _AMOUNT, False, "loan row: interest written off"),
    Column("written_off_on", parse_date, _DATE, False, "loan row: the day it was written off"),
    Column("loan_client_id", parse_text, _TEXT, False, "loan row: the app's id of the loan"),
    Column("loan_fund_cash", parse_amount, _AMOUNT, False, "group row: cash in the loan fund box"),
    Column("social_fund", parse_amount, _AMOUNT, False, "group row: the social fund's balance"),
    Column("interest", parse_amount, _AMOUNT, False, "group row: interest received so far"),
    Column("fines", parse_amount, _AMOUNT, False, "group row: fines paid so far"),
    Column("other_income", parse_amount, _AMOUNT, False, "group row: other income so far"),
    Column("expenses", parse_amount, _AMOUNT, False, "group row: expenses so far"),
    Column("carried_cash", parse_amount, _AMOUNT, False, "group row: cash the cycle started with"),
)

EXAMPLES: dict[ImportKind, tuple[dict[str, str], ...]] = {
    ImportKind.MEMBERS: (
        {
            "group_code": "KT-DG-001",
            "full_name": "Y Hoa",
            "sex": "Nữ",
            "birth_year": "1985",
            "ethnicity": "Xơ Đăng",
            "phone": "0912 345 678",
            "joined_on": "08/01/2024",
        },
    ),
    ImportKind.MEETINGS: (
        {
            "group_code": "KT-DG-001",
            "date": "15/01/2024",
            "member_number": "1",
            "attendance": "có mặt",
            "shares": "2",
            "social_fund": "2.000",
            "loan_principal": "10.000",
            "loan_term_months": "1",
            "loan_purpose": "chăn nuôi",
        },
        {
            "group_code": "KT-DG-001",
            "date": "15/01/2024",
            "member_number": "2",
            "attendance": "vắng",
            "fine_name": "absence",
        },
        {
            "group_code": "KT-DG-001",
            "date": "15/01/2024",
            "expense_amount": "15.000",
            "memo": "sổ sách, bút",
        },
    ),
    ImportKind.REFERRALS: (
        {
            "group_code": "KT-DG-001",
            "member_number": "1",
            "institution": "NHCSXH",
            "service": "vay hộ nghèo",
            "referred_on": "20/03/2024",
            "outcome": "đã tiếp cận",
            "outcome_on": "05/04/2024",
        },
    ),
    ImportKind.OPENING: (
        {
            "group_code": "KT-DG-001",
            "date": "03/06/2024",
            "loan_fund_cash": "412.000",
            "social_fund": "230.000",
            "interest": "52.000",
            "fines": "15.000",
            "expenses": "35.000",
        },
        {"group_code": "KT-DG-001", "date": "03/06/2024", "member_number": "1", "shares": "48"},
        {"group_code": "KT-DG-001", "date": "03/06/2024", "member_number": "2", "shares": "40"},
        {
            "group_code": "KT-DG-001",
            "date": "03/06/2024",
            "member_number": "2",
            "loan_principal": "500.000",
            "loan_disbursed_on": "06/05/2024",
            "loan_term_months": "3",
            "loan_purpose": "chăn nuôi",
            "interest_paid": "10.000",
        },
    ),
    ImportKind.LIVELIHOOD: (
        {
            "group_code": "KT-DG-001",
            "member_number": "1",
            "kind": "tập huấn",
            "provider": "Hội LHPN huyện Đắk Glei",
            "received_on": "12/03/2024",
            "value": "0",
            "note": "chăn nuôi heo",
        },
    ),
    ImportKind.GROUPS: GROUP_EXAMPLES,
    ImportKind.CYCLES: CYCLE_EXAMPLES,
}
"""Example rows, as a clerk types them (text), for the templates and the docs."""

TEMPLATE_ROWS = 500
"""Rows of the XLSX data sheet formatted as text, so Excel keeps dates and amounts as typed."""


def import_kind(value: ImportKind | str) -> ImportKind:
    """``value`` as an :class:`ImportKind`, or :class:`~vsla.errors.InvalidInput`."""
    try:
        return ImportKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in ImportKind)
        raise InvalidInput(f"unknown import kind {value!r}: one of {allowed}") from None


@checked_call
def write_template(kind: ImportKind | str, path: str | Path, lang: Lang | str = Lang.EN) -> None:
    """Write an empty template for ``kind`` with headers in ``lang`` (``"vi"``: ``Mã tổ``,
    ``Họ và tên``, ...; ``"en"``: the column names): a CSV header row, or an XLSX workbook
    with the data sheet (header only, cells formatted as text), an example sheet and a help
    sheet describing every column (its format, its default, its meaning) in ``lang``.
    An import reads either language's headers. A programme template is an empty export
    (JSON or XLSX).
    """
    kind = import_kind(kind)
    lang = as_lang(lang)
    path = Path(path)
    if kind is ImportKind.PROGRAMME:
        from vsla.io.programme import write_programme_template

        write_programme_template(path)
        return
    columns = COLUMNS[kind]
    names = [column_header(c.name, lang) for c in columns]
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        write_csv(path, names, [])
    elif suffix == ".xlsx":
        _write_xlsx_template(kind, path, lang)
    else:
        raise InvalidInput(f"{path.name}: a template is a .csv or .xlsx file")


def _default(column: Column, lang: Lang) -> str:
    if column.name == "programme":
        return word("sheet.default_programme", lang)
    if column.default == "none":
        return word("sheet.none", lang)
    return column.default


def _write_xlsx_template(kind: ImportKind, path: Path, lang: Lang) -> None:
    require_openpyxl()
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = COLUMNS[kind]
    bold = Font(bold=True)
    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = kind.value
    example = wb.create_sheet(word("sheet.example", lang))
    help_ = wb.create_sheet(word("sheet.help", lang))
    for ws in (data, example):
        for i, column in enumerate(columns, start=1):
            header = column_header(column.name, lang)
            cell = ws.cell(row=1, column=i, value=header)
            cell.font = bold
            ws.column_dimensions[get_column_letter(i)].width = max(12, len(header) + 2)
    for row in range(2, TEMPLATE_ROWS + 2):
        for i in range(1, len(columns) + 1):
            data.cell(row=row, column=i).number_format = "@"
    for r, values in enumerate(EXAMPLES[kind], start=2):
        for i, column in enumerate(columns, start=1):
            cell = example.cell(row=r, column=i, value=values.get(column.name))
            cell.number_format = "@"
    keys = ("sheet.column", "sheet.required", "sheet.format", "sheet.default", "sheet.meaning")
    help_.append([word(key, lang) for key in keys])
    for cell in help_[1]:
        cell.font = bold
    for column in columns:
        help_.append(
            [
                column_header(column.name, lang),
                word("sheet.yes" if column.required else "sheet.no", lang),
                format_help(column, lang),
                _default(column, lang),
                column_help(kind.value, column, lang),
            ]
        )
    for letter, width in zip("ABCDE", (26, 10, 60, 24, 80), strict=True):
        help_.column_dimensions[letter].width = width
    wb.save(path)
