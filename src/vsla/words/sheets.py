"""Words of spreadsheets: template headers and help, row errors and warnings of imports.

- ``col.<column>``: a template's header (English: the column's own name, as files have
  always had it; either language's header is read back);
- ``help.<column>`` (or ``help.<kind>.<column>`` where one kind means something else):
  the help sheet's meaning of the column; ``fmt.<kind of cell>``: how to write it;
- ``row.<rule>``: a row error, filled in with the error's facts (:func:`vsla.io.row_message`);
- ``sheet.*``: the help sheet's own words; ``table.<name>``: an import summary's counts.
"""

from __future__ import annotations

__all__ = ["HEADERS", "WORDS"]

from vsla.words.lang import Lang

VI, EN = Lang.VI, Lang.EN

HEADERS: dict[str, str] = {
    # every kind
    "group_code": "Mã tổ",
    "client_id": "Mã ứng dụng",
    "member_number": "Số thành viên",
    "note": "Ghi chú",
    # members
    "full_name": "Họ và tên",
    "sex": "Giới tính",
    "birth_year": "Năm sinh",
    "ethnicity": "Dân tộc",
    "phone": "Điện thoại",
    "joined_on": "Ngày vào tổ",
    "left_on": "Ngày rời tổ",
    "exit_reason": "Lý do rời tổ",
    "gal_champion_since": "Ngày làm nòng cốt GAL",
    # meetings
    "date": "Ngày họp",
    "attendance": "Tham dự",
    "shares": "Số cổ phần",
    "social_fund": "Quỹ xã hội",
    "fine_name": "Loại phạt",
    "fine_amount": "Tiền phạt",
    "repayment_amount": "Tiền trả nợ",
    "repayment_loan_date": "Ngày vay của khoản trả",
    "grant_amount": "Trợ cấp quỹ xã hội",
    "loan_principal": "Tiền vay mới",
    "loan_term_months": "Thời hạn vay (tháng)",
    "loan_purpose": "Mục đích vay",
    "income_amount": "Khoản thu khác",
    "expense_amount": "Khoản chi",
    "memo": "Diễn giải",
    # opening positions
    "exit_payout": "Tiền trả khi rời tổ",
    "loan_disbursed_on": "Ngày giải ngân",
    "principal_repaid": "Gốc đã trả",
    "interest_paid": "Lãi đã trả",
    "repaid_on": "Ngày trả gốc",
    "principal_written_off": "Gốc đã xóa",
    "interest_written_off": "Lãi đã xóa",
    "written_off_on": "Ngày xóa nợ",
    "loan_client_id": "Mã ứng dụng của khoản vay",
    "loan_fund_cash": "Tiền mặt quỹ cho vay",
    "interest": "Lãi đã thu",
    "other_income": "Thu khác đã có",
    "expenses": "Chi phí đã có",
    "carried_cash": "Tiền mặt đầu chu kỳ",
    # referrals, livelihood
    "institution": "Tổ chức tài chính",
    "service": "Dịch vụ",
    "referred_on": "Ngày giới thiệu",
    "outcome": "Kết quả",
    "outcome_on": "Ngày có kết quả",
    "kind": "Loại hỗ trợ",
    "provider": "Đơn vị hỗ trợ",
    "received_on": "Ngày nhận",
    "value": "Giá trị",
    # groups
    "name": "Tên tổ",
    "province": "Tỉnh",
    "district": "Huyện",
    "commune": "Xã",
    "village": "Thôn",
    "established_on": "Ngày thành lập",
    "gal_pilot_since": "Ngày thí điểm GAL",
    "programme": "Chương trình",
    # cycles
    "start_date": "Ngày bắt đầu",
    "end_date": "Ngày kết thúc",
    "share_value": "Giá trị cổ phần",
    "min_shares_per_meeting": "Cổ phần tối thiểu mỗi buổi",
    "max_shares_per_meeting": "Cổ phần tối đa mỗi buổi",
    "social_fund_contribution": "Đóng quỹ xã hội mỗi buổi",
    "interest_rate": "Lãi suất tháng",
    "interest_method": "Cách tính lãi",
    "principal_schedule": "Lịch trả gốc",
    "payment_order": "Thứ tự trả",
    "max_loan_multiple": "Hệ số vay tối đa",
    "max_term_months": "Thời hạn vay tối đa (tháng)",
    "meeting_frequency": "Tần suất họp",
    "fines": "Các khoản phạt",
    "rounding": "Cách làm tròn",
    "cash_step": "Bội số chi trả",
    "share_out_loans": "Chia quỹ khi còn nợ",
    "remainder": "Số dư lẻ khi chia quỹ",
    "exit_profit_share": "Lãi cho người rời tổ",
    "officers": "Ban quản lý",
}
"""Each template column's Vietnamese header (the English header is the column's name)."""

_HELP: dict[str, tuple[str, str]] = {
    "group_code": ("mã của tổ, như đã đăng ký", "the group's code, as registered"),
    "groups.group_code": ("mã của tổ mới, không trùng", "the new group's code, unique"),
    "member_number": ("số của thành viên trong tổ", "the member's number within the group"),
    "members.member_number": (
        "số của thành viên trong tổ; để trống: số kế tiếp",
        "the member's number within the group; blank: the next free number",
    ),
    "meetings.member_number": (
        "thành viên của dòng; để trống cho khoản thu, chi của tổ",
        "the member the row is about; blank for the group's own income or expense",
    ),
    "note": ("ghi chú", "a note"),
    "opening.date": (
        "ngày của vị thế đầu kỳ: buổi họp cuối cùng ghi trên giấy",
        "the opening date: the last meeting kept on paper",
    ),
    "opening.member_number": (
        "dòng của thành viên hoặc của khoản vay; để trống: dòng số liệu của tổ",
        "a member's row or a loan's row; blank: the row of the group's figures",
    ),
    "opening.shares": (
        "dòng thành viên: số cổ phần đã mua từ đầu chu kỳ",
        "member row: shares bought so far this cycle",
    ),
    "opening.loan_principal": ("dòng khoản vay: số tiền gốc đã vay", "loan row: the principal"),
    "opening.loan_term_months": ("dòng khoản vay: thời hạn (tháng)", "loan row: its term"),
    "opening.loan_purpose": (
        "dòng khoản vay: mục đích; để trống: khác",
        "loan row: what it is for; blank: other",
    ),
    "opening.social_fund": ("dòng của tổ: số dư quỹ xã hội", "group row: the social fund"),
    "opening.fines": ("dòng của tổ: tiền phạt đã thu đến nay", "group row: fines paid so far"),
    "client_id": (
        "mã riêng của ứng dụng cho bản ghi: nhập lại thì vẫn là bản ghi đó",
        "the app's own id for the record: imported again, the same record",
    ),
    "exit_payout": (
        "dòng thành viên đã rời tổ: số tiền đã trả cho họ",
        "member row of a member who left: what they were paid",
    ),
    "loan_disbursed_on": ("dòng khoản vay: ngày giải ngân", "loan row: the day it was lent"),
    "principal_repaid": ("dòng khoản vay: gốc đã trả", "loan row: principal repaid so far"),
    "interest_paid": ("dòng khoản vay: lãi đã trả", "loan row: interest paid so far"),
    "repaid_on": (
        "dòng khoản vay: ngày trả số gốc đã trả",
        "loan row: the day the principal repaid was paid",
    ),
    "principal_written_off": ("dòng khoản vay: gốc đã xóa", "loan row: principal written off"),
    "interest_written_off": ("dòng khoản vay: lãi đã xóa", "loan row: interest written off"),
    "written_off_on": ("dòng khoản vay: ngày xóa nợ", "loan row: the day it was written off"),
    "loan_client_id": (
        "dòng khoản vay: mã ứng dụng của khoản vay",
        "loan row: the app's id of the loan",
    ),
    "loan_fund_cash": (
        "dòng của tổ: tiền mặt trong hòm quỹ cho vay",
        "group row: cash in the loan fund box",
    ),
    "interest": ("dòng của tổ: lãi đã thu đến nay", "group row: interest received so far"),
    "other_income": ("dòng của tổ: thu khác đến nay", "group row: other income so far"),
    "expenses": ("dòng của tổ: chi phí đến nay", "group row: expenses so far"),
    "carried_cash": (
        "dòng của tổ: tiền mặt khi bắt đầu chu kỳ",
        "group row: cash the cycle started with",
    ),
    "full_name": ("họ và tên, có dấu", "full name, with its diacritics"),
    "sex": ("Nữ hoặc Nam", "F for a woman, M for a man"),
    "birth_year": ("năm sinh (bốn chữ số)", "year of birth (four digits)"),
    "ethnicity": ("dân tộc, ví dụ Xơ Đăng, Ba Na, Kinh", "ethnic group, e.g. Xơ Đăng, Ba Na"),
    "phone": ("số điện thoại (định dạng cột là văn bản)", "phone number (format as text)"),
    "joined_on": ("ngày thành viên vào tổ", "the day the member joined the group"),
    "left_on": ("ngày rời tổ; để trống nếu còn sinh hoạt", "the day the member left; blank"),
    "exit_reason": ("lý do rời tổ (cần ngày rời tổ)", "why the member left (needs left_on)"),
    "gal_champion_since": (
        "ngày thành viên trở thành nòng cốt GAL",
        "the day the member became a GAL champion",
    ),
    "date": ("ngày họp", "the meeting's date"),
    "attendance": ("tham dự của thành viên; để trống: không ghi", "the member's attendance"),
    "shares": ("số cổ phần mua trong buổi họp; để trống: không mua", "shares bought"),
    "social_fund": ("tiền đóng quỹ xã hội", "social fund contribution paid"),
    "fine_name": ("tên khoản phạt trong điều lệ", "a fine named in the constitution"),
    "fine_amount": ("tiền phạt; để trống: mức trong điều lệ", "the fine paid"),
    "repayment_amount": ("tiền trả nợ (lãi trước, gốc sau)", "paid on a loan"),
    "repayment_loan_date": (
        "ngày giải ngân của khoản vay được trả; để trống: khoản duy nhất còn nợ",
        "the disbursement date of the loan repaid; blank: the only unpaid loan",
    ),
    "grant_amount": ("tiền trợ cấp quỹ xã hội (lý do ở diễn giải)", "social fund grant paid"),
    "loan_principal": ("khoản vay mới", "a new loan to the member"),
    "loan_term_months": ("thời hạn khoản vay mới, tính bằng tháng", "the new loan's term"),
    "loan_purpose": ("mục đích khoản vay; để trống: khác", "what the new loan is for"),
    "income_amount": ("khoản thu khác của tổ (lãi ngân hàng, ...)", "other income of the group"),
    "expense_amount": ("khoản chi của tổ (văn phòng phẩm, ...)", "an expense of the group"),
    "memo": ("lý do trợ cấp, hoặc nội dung thu chi", "the grant's reason, or the income/expense"),
    "institution": ("tổ chức tài chính chính thức", "the formal financial institution"),
    "service": ("tài khoản, khoản vay, bảo hiểm, ví điện tử, …", "account, loan, insurance, …"),
    "referred_on": ("ngày thành viên được giới thiệu", "the day the member was introduced"),
    "outcome": ("kết quả; để trống: đang chờ", "what came of it; blank: pending"),
    "outcome_on": ("ngày có kết quả (trừ khi đang chờ)", "the day of the outcome"),
    "kind": ("loại hỗ trợ", "the kind of support"),
    "provider": ("đơn vị hỗ trợ", "who gave it"),
    "received_on": ("ngày thành viên nhận hỗ trợ", "the day the member received it"),
    "value": ("giá trị bằng tiền; để trống: 0", "its money value; blank: 0"),
    "name": ("tên tổ", "the group's name"),
    "province": ("tỉnh", "province"),
    "district": ("huyện", "district"),
    "commune": ("xã", "commune"),
    "village": ("thôn", "village"),
    "established_on": ("ngày thành lập tổ", "the day the group was established"),
    "gal_pilot_since": (
        "ngày tổ bắt đầu thí điểm GAL; để trống: không thí điểm",
        "the day the group became a GAL pilot; blank: not a pilot",
    ),
    "programme": (
        "tên hoặc số hiệu chương trình đã có (việc nhập này không tạo chương trình mới)",
        "the programme, as registered (never created by this import)",
    ),
    "start_date": ("ngày đầu chu kỳ (buổi họp đầu)", "the cycle's first day (its first meeting)"),
    "end_date": ("ngày cuối chu kỳ (ngày chia quỹ)", "the cycle's last day (its share-out)"),
    "share_value": ("giá trị một cổ phần, cố định cả chu kỳ", "money per share, fixed"),
    "min_shares_per_meeting": (
        "số cổ phần ít nhất một thành viên có mặt mua mỗi buổi",
        "fewest shares a present member buys at a meeting",
    ),
    "max_shares_per_meeting": (
        "số cổ phần nhiều nhất một thành viên mua mỗi buổi",
        "most shares a member buys at a meeting",
    ),
    "social_fund_contribution": (
        "tiền mỗi thành viên đóng quỹ xã hội mỗi buổi; 0: không có quỹ",
        "each member's social fund payment per meeting; 0: no fund",
    ),
    "interest_rate": ("phí dịch vụ khoản vay, mỗi tháng", "service charge on loans, per month"),
    "interest_method": ("cách tính phí hằng tháng", "how the monthly charge is computed"),
    "principal_schedule": ("khi nào trả gốc", "when principal is paid"),
    "payment_order": ("phần nào của khoản trả được trừ trước", "which part is paid first"),
    "max_loan_multiple": (
        "khoản vay tối đa bằng bấy nhiêu lần tiền tiết kiệm của thành viên",
        "a loan is at most this many times the member's savings",
    ),
    "max_term_months": ("thời hạn vay dài nhất, tính bằng tháng", "the longest loan term"),
    "meeting_frequency": ("tổ họp bao lâu một lần", "how often the group meets"),
    "fines": ("các khoản phạt của tổ, theo tên", "the fines the group charges, by name"),
    "rounding": ("cách làm tròn số tiền", "how amounts are rounded"),
    "cash_step": (
        "tiền chia quỹ được làm tròn xuống bội số này",
        "share-out payouts are rounded down to a multiple of it",
    ),
    "share_out_loans": (
        "khi chia quỹ: từ chối nếu còn nợ, hoặc trừ nợ vào phần được chia",
        "at share-out: refuse while loans are unpaid, or net them off",
    ),
    "remainder": ("số dư lẻ sau chia quỹ đi đâu", "where the share-out remainder goes"),
    "exit_profit_share": (
        "người rời tổ giữa chu kỳ nhận gì ngoài tiền tiết kiệm",
        "what a member leaving mid-cycle gets beyond their savings",
    ),
    "officers": (
        "ban quản lý của chu kỳ, theo số thành viên (nhập thành viên trước)",
        "the cycle's officers, by member number (import the members first)",
    ),
}

_FORMATS: dict[str, tuple[str, str]] = {
    "text": ("chữ", "text"),
    "whole": ("số nguyên", "whole number"),
    "amount": ("số tiền (đồng): 12000, 12.000 hoặc 12,000", "amount in đồng: 12000 or 12.000"),
    "date": ("ngày: dd/mm/yyyy (hoặc yyyy-mm-dd, hoặc ô ngày)", "date: dd/mm/yyyy"),
    "decimal": ("một số: 3, 2,5 hoặc 2.5", "a number: 3, 2.5 or 2,5"),
    "rate": ("mỗi tháng: 2%, 2 % hoặc 0,02", "per month: 2%, 2 % or 0.02"),
    "fines": ("tên: số tiền; tên: số tiền (vắng: 5000; muộn: 1000)", "name: amount; ..."),
    "officers": ("số thành viên: vai trò; ... (1: chủ tịch; 2: thủ quỹ)", "number: role; ..."),
    "programme": ("tên hoặc số hiệu chương trình", "a programme's name or its id number"),
    "choice": ("một trong: {values}", "one of: {values}"),
}

_ROWS: dict[str, tuple[str, str]] = {
    # the sheet's shape
    "unknown_column": (
        "cột “{header}” không có trong mẫu",
        "unknown column {header!r}",
    ),
    "column_twice": ("cột này xuất hiện hai lần", "the column appears twice"),
    "missing_column": ("thiếu cột này (mẫu bắt buộc có)", "missing column (the template needs it)"),
    "cell_without_header": (
        "ô thứ {cell} của dòng có giá trị nhưng không có tiêu đề cột",
        "cell {cell} of the row has a value but no header",
    ),
    "duplicate_row": (
        "dòng trùng: giống hệt dòng {first}",
        "duplicate row: the same as row {first}",
    ),
    # cells
    "formula_cell": (
        "ô có công thức: hãy dán giá trị (Dán đặc biệt → Giá trị)",
        "the cell holds a formula: paste its value instead",
    ),
    "required_cell": ("ô trống; cột này bắt buộc có giá trị", "is empty; a value is required"),
    "bad_cell": ("không đọc được “{value}”: cần {expected}", "cannot read {value!r}: {expected}"),
    # groups and members
    "other_group": (
        "dòng này của tổ {group_code} nhưng lần nhập này dành cho tổ {import_group}",
        "the row is for group {group_code} but this import is for group {import_group}",
    ),
    "unknown_group": (
        "không có tổ mã “{group_code}”: đăng ký tổ trước (vsla import groups)",
        "unknown group {group_code!r}",
    ),
    "unknown_member": (
        "tổ {group_code} không có thành viên số {member_number}",
        "group {group_code} has no member number {member_number}",
    ),
    "member_number_taken": (
        "số {member_number} của tổ {group_code} đã có người (trong tổ, hoặc ở dòng trên)",
        "number {member_number} of group {group_code} is already taken",
    ),
    "same_person": (
        "{full_name} (sinh năm {birth_year}, vào tổ {joined_on}) đã có trong tổ {group_code} "
        "hoặc ở dòng trên; nếu là người khác, hãy ghi số thành viên",
        "{full_name} (born {birth_year}, joined {joined_on}) is already in group {group_code}",
    ),
    "exit_needs_left_on": (
        "có lý do rời tổ thì cần ngày rời tổ",
        "an exit reason needs the day the member left",
    ),
    "left_before_joined": (
        "ngày rời tổ {left_on} trước ngày vào tổ {joined_on}",
        "left on {left_on}, before joining on {joined_on}",
    ),
    "joined_before_established": (
        "ngày vào tổ {joined_on} trước ngày tổ {group_code} thành lập ({established_on})",
        "joined on {joined_on}, before group {group_code} was established ({established_on})",
    ),
    "group_code_taken": (
        "mã tổ {group_code} đã được dùng cho tổ “{name}”",
        "group code {group_code} is already used by {name!r}",
    ),
    "group_code_twice": (
        "mã tổ {group_code} đã có ở dòng {first}",
        "group code {group_code} is already in row {first}",
    ),
    "unknown_programme": (
        "không có chương trình “{programme}” (các chương trình: {known}); việc nhập tổ không "
        "tạo chương trình mới",
        "no programme {programme!r} (the programmes: {known})",
    ),
    "programme_needed": (
        "cơ sở dữ liệu có {n} chương trình: ghi tên chương trình ({known})",
        "the database holds {n} programmes: name one ({known})",
    ),
    "pilot_before_established": (
        "ngày thí điểm GAL {gal_pilot_since} trước ngày thành lập {established_on}",
        "GAL pilot from {gal_pilot_since}, before being established on {established_on}",
    ),
    "programme_exists": (
        "chương trình “{name}” đã có (số {programme_id}): không tạo chương trình thứ hai cùng tên",
        "programme {name!r} already exists (#{programme_id})",
    ),
    # cycles
    "group_twice": (
        "tổ {group_code} đã có chu kỳ ở dòng {first}: mỗi lần nhập chỉ bắt đầu một chu kỳ "
        "cho một tổ",
        "group {group_code} already starts a cycle in row {first}",
    ),
    "cycle_before_established": (
        "chu kỳ không thể bắt đầu ngày {start_date}, trước ngày tổ {group_code} thành lập "
        "({established_on})",
        "the cycle cannot start on {start_date}, before group {group_code} was established "
        "({established_on})",
    ),
    "cycle_ends_after_start": (
        "chu kỳ của tổ {group_code} phải kết thúc sau ngày bắt đầu",
        "the cycle of group {group_code} must end after it starts",
    ),
    "one_running_cycle": (
        "tổ {group_code} đang có một chu kỳ chưa chia quỹ: chu kỳ mới bắt đầu sau khi chia quỹ",
        "group {group_code} has a cycle not yet shared out",
    ),
    "cycle_starts_after_share_out": (
        "chu kỳ mới của tổ {group_code} phải bắt đầu từ ngày chia quỹ của chu kỳ trước trở đi",
        "the new cycle of group {group_code} must start on or after the last share-out",
    ),
    # meetings
    "needs_member": (
        "cần số thành viên (dòng không có thành viên chỉ ghi khoản thu, khoản chi và diễn giải)",
        "needs a member_number",
    ),
    "group_row": (
        "ghi trên một dòng riêng, không có số thành viên",
        "goes on a row of its own, without a member_number",
    ),
    "member_active": (
        "thành viên số {member_number} của tổ {group_code} không sinh hoạt ngày {date}",
        "member {member_number} of group {group_code} is not active on {date}",
    ),
    "loan_needs_term": ("khoản vay cần thời hạn (tháng)", "a loan needs its term in months"),
    "needs_loan": ("có giá trị nhưng không có tiền vay mới", "given but there is no loan"),
    "max_term_months": (
        "{months} tháng vượt thời hạn vay tối đa {most} tháng trong điều lệ của tổ {group_code}",
        "{months} months is above the maximum term of {most} months of group {group_code}",
    ),
    "term_at_least_one": ("thời hạn vay ít nhất 1 tháng", "a loan's term is at least 1 month"),
    "fine_needs_name": ("có tiền phạt nhưng không có loại phạt", "a fine amount but no name"),
    "fine_in_constitution": (
        "“{fine}” không phải khoản phạt trong điều lệ của tổ {group_code} (các khoản: {known})",
        "{fine!r} is not a fine of group {group_code} (its fines: {known})",
    ),
    "fine_positive": ("tiền phạt phải lớn hơn 0", "a fine is more than 0"),
    "repayment_needs_amount": (
        "có ngày vay của khoản trả nhưng không có tiền trả nợ",
        "repayment_loan_date is given but no repayment_amount",
    ),
    "shares_per_meeting": (
        "{shares} cổ phần: điều lệ của tổ {group_code} cho phép từ {low} đến {high} mỗi buổi",
        "{shares} share(s): group {group_code} allows {low} to {high} per meeting",
    ),
    "no_social_fund": (
        "tổ {group_code} không có quỹ xã hội (mức đóng 0)",
        "group {group_code} has no social fund",
    ),
    "social_fund_contribution": (
        "{amount} không phải bội số của mức đóng quỹ xã hội {unit}",
        "{amount} is not a multiple of the contribution of {unit}",
    ),
    "no_running_cycle": (
        "tổ {group_code} chưa có chu kỳ đang hoạt động: bắt đầu chu kỳ trước khi nhập cuộc họp "
        "(vsla import cycles)",
        "group {group_code} has no running cycle",
    ),
    "date_in_cycle": (
        "ngày {date} nằm ngoài chu kỳ của tổ {group_code} ({start} đến {end})",
        "{date} is outside the cycle of group {group_code} ({start} to {end})",
    ),
    "date_order": (
        "tổ {group_code} đã có cuộc họp được ghi đến ngày {last}: không thể thêm cuộc họp ngày "
        "{date} (mỗi cuộc họp được nhập một lần, theo thứ tự ngày)",
        "group {group_code} has meetings up to {last}: {date} cannot be added",
    ),
    "given_twice": (
        "đã ghi cho thành viên số {member_number} trong buổi họp này ở dòng {first}",
        "already given for member {member_number} at this meeting in row {first}",
    ),
    "one_repayment_per_loan": (
        "thành viên số {member_number} đã trả khoản vay này trong buổi họp ở dòng {first}: mỗi "
        "khoản vay chỉ trả một lần mỗi buổi",
        "member {member_number} already repays this loan in row {first}",
    ),
    "box_never_negative": (
        "tổ {group_code}: quỹ không đủ tiền mặt (quỹ không được âm)",
        "group {group_code}: a box would go below zero",
    ),
    "max_loan_multiple": (
        "tổ {group_code}, thành viên số {member_number}: khoản vay vượt mức tối đa theo tiền "
        "tiết kiệm trong điều lệ",
        "group {group_code}, member {member_number}: the loan is above the maximum multiple",
    ),
    "repayment_at_most_due": (
        "tổ {group_code}, thành viên số {member_number}: tiền trả lớn hơn số còn nợ",
        "group {group_code}, member {member_number}: the repayment is more than is owed",
    ),
    # referrals, livelihood
    "joined_after_activity": (
        "thành viên số {member_number} vào tổ ngày {joined_on}, sau ngày này",
        "member {member_number} joined on {joined_on}, after this",
    ),
    "activity_twice": (
        "bản ghi này của thành viên số {member_number} đã có (trong cơ sở dữ liệu hoặc ở dòng "
        "trên)",
        "this record of member {member_number} is already there",
    ),
    "outcome_needs_date": ("kết quả này cần ngày có kết quả", "the outcome needs its date"),
    "pending_has_no_date": (
        "giới thiệu đang chờ thì chưa có ngày kết quả: hãy ghi kết quả",
        "a pending referral has no outcome date",
    ),
    "outcome_before_referral": (
        "ngày có kết quả {outcome_on} trước ngày giới thiệu {referred_on}",
        "{outcome_on} is before the referral ({referred_on})",
    ),
    "constitution": (
        "điều lệ không hợp lệ: {detail}",
        "the constitution is not valid: {detail}",
    ),
}

_SHEET: dict[str, tuple[str, str]] = {
    "sheet.example": ("ví dụ", "example"),
    "sheet.help": ("hướng dẫn", "help"),
    "sheet.column": ("cột", "column"),
    "sheet.required": ("bắt buộc", "required"),
    "sheet.format": ("cách ghi", "format"),
    "sheet.default": ("mặc định", "default"),
    "sheet.meaning": ("ý nghĩa", "meaning"),
    "sheet.yes": ("có", "yes"),
    "sheet.no": ("không", "no"),
    "sheet.also": ("hoặc", "also"),
    "sheet.default_programme": ("chương trình duy nhất đã có", "the database's only programme"),
    "sheet.none": ("không có", "none"),
    "row.untranslated": (
        "{message} (lỗi “{rule}”, chưa có bản tiếng Việt)",
        "{message} (rule {rule!r})",
    ),
    "row.no_rule": ("{message} (chưa có bản tiếng Việt)", "{message}"),
    "import_done": (
        "{source}: đã đọc {rows} dòng, đã tạo {records} bản ghi ({tables})",
        "{source}: {rows} row(s) read, {records} record(s) created ({tables})",
    ),
    "row.amount_unusual": (
        "{amount} được chấp nhận nhưng lớn bất thường với một tổ tiết kiệm (trên {limit}): "
        "hãy kiểm tra số tiền",
        "{amount} is accepted but unusually large for a savings group (above {limit}): "
        "check the amount",
    ),
    "import_warned": ("; {n} cảnh báo", "; {n} warning(s)"),
}

_TABLES: dict[str, tuple[str, str]] = {
    "groups": ("tổ", "groups"),
    "cycles": ("chu kỳ", "cycles"),
    "officers": ("thành viên ban quản lý", "officers"),
    "members": ("thành viên", "members"),
    "meetings": ("cuộc họp", "meetings"),
    "attendance": ("điểm danh", "attendance"),
    "entries": ("bút toán", "entries"),
    "loans": ("khoản vay", "loans"),
    "referrals": ("giới thiệu", "referrals"),
    "livelihood_supports": ("hỗ trợ sinh kế", "livelihood supports"),
    "programmes": ("chương trình", "programmes"),
}


def _pairs(prefix: str, table: dict[str, tuple[str, str]]) -> dict[str, dict[Lang, str]]:
    return {f"{prefix}{key}": {VI: vi, EN: en} for key, (vi, en) in table.items()}


WORDS: dict[str, dict[Lang, str]] = {
    **{f"col.{name}": {VI: vi, EN: name} for name, vi in HEADERS.items()},
    **_pairs("help.", _HELP),
    **_pairs("fmt.", _FORMATS),
    **_pairs("row.", _ROWS),
    **_pairs("", _SHEET),
    **_pairs("table.", _TABLES),
}
