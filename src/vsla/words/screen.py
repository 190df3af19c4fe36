"""Words of the command line's screens: the dashboard, group report, statement, demo,
import and export lines."""

from __future__ import annotations

__all__ = ["WORDS"]

from vsla.words.lang import Lang

WORDS: dict[str, dict[Lang, str]] = {
    # dashboard
    "dashboard": {Lang.VI: "Bảng theo dõi chương trình", Lang.EN: "Programme dashboard"},
    "on": {Lang.VI: "ngày", Lang.EN: "on"},
    "district": {Lang.VI: "Huyện", Lang.EN: "District"},
    "targets": {Lang.VI: "Chỉ tiêu", Lang.EN: "Targets"},
    "figure": {Lang.VI: "Chỉ số", Lang.EN: "Figure"},
    "actual": {Lang.VI: "Thực hiện", Lang.EN: "Actual"},
    "target": {Lang.VI: "Mục tiêu", Lang.EN: "Target"},
    "met": {Lang.VI: "Đạt", Lang.EN: "Met"},
    "groups_active": {Lang.VI: "Tổ đang hoạt động", Lang.EN: "Active groups"},
    "gal_pilot_groups": {Lang.VI: "Tổ thí điểm GAL", Lang.EN: "GAL pilot groups"},
    "referral_rate": {
        Lang.VI: "Thành viên được giới thiệu tiếp cận tài chính chính thức",
        Lang.EN: "Members referred to formal finance",
    },
    "linked_rate": {
        Lang.VI: "Thành viên đã tiếp cận dịch vụ",
        Lang.EN: "Members who accessed a service",
    },
    "livelihood_support_rate": {
        Lang.VI: "Thành viên được hỗ trợ phát triển sinh kế",
        Lang.EN: "Members supported in their livelihood",
    },
    "members": {Lang.VI: "Thành viên", Lang.EN: "Members"},
    "pct_women": {Lang.VI: "Tỷ lệ nữ", Lang.EN: "Women"},
    "by_district": {Lang.VI: "Theo huyện", Lang.EN: "By district"},
    "by_gal_status": {Lang.VI: "Tổ thí điểm GAL và tổ khác", Lang.EN: "GAL pilots and others"},
    "groups": {Lang.VI: "Số tổ", Lang.EN: "Groups"},
    "gal_pilots": {Lang.VI: "Thí điểm GAL", Lang.EN: "GAL pilots"},
    "referral": {Lang.VI: "Giới thiệu", Lang.EN: "Referred"},
    "linked": {Lang.VI: "Đã tiếp cận", Lang.EN: "Accessed"},
    "livelihood": {Lang.VI: "Sinh kế", Lang.EN: "Livelihood"},
    "pilot": {Lang.VI: "Tổ thí điểm GAL", Lang.EN: "GAL pilot groups"},
    "other": {Lang.VI: "Tổ khác", Lang.EN: "Other groups"},
    "total": {Lang.VI: "Tổng", Lang.EN: "Total"},
    # group
    "group": {Lang.VI: "Tổ", Lang.EN: "Group"},
    "cycle": {Lang.VI: "Chu kỳ", Lang.EN: "Cycle"},
    "running": {Lang.VI: "đang hoạt động", Lang.EN: "running"},
    "shared_out_on": {Lang.VI: "đã chia quỹ ngày", Lang.EN: "shared out on"},
    "meetings": {Lang.VI: "Số cuộc họp", Lang.EN: "Meetings"},
    "attendance_rate": {Lang.VI: "Tỷ lệ tham dự", Lang.EN: "Attendance"},
    "dropout_rate": {Lang.VI: "Tỷ lệ bỏ tổ", Lang.EN: "Dropout"},
    "savings": {Lang.VI: "Tiết kiệm", Lang.EN: "Savings"},
    "savings_per_member": {Lang.VI: "Tiết kiệm mỗi thành viên", Lang.EN: "Savings per member"},
    "loan_fund_cash": {Lang.VI: "Tiền mặt quỹ cho vay", Lang.EN: "Loan fund cash"},
    "social_fund_cash": {Lang.VI: "Tiền mặt quỹ xã hội", Lang.EN: "Social fund cash"},
    "loans_outstanding": {Lang.VI: "Dư nợ", Lang.EN: "Loans outstanding"},
    "total_assets": {Lang.VI: "Tổng tài sản", Lang.EN: "Total assets"},
    "loans": {Lang.VI: "Số khoản vay", Lang.EN: "Loans"},
    "average_loan_size": {Lang.VI: "Khoản vay bình quân", Lang.EN: "Average loan"},
    "pct_members_with_loans": {
        Lang.VI: "Thành viên đang vay",
        Lang.EN: "Members with a loan",
    },
    "loan_fund_utilization": {Lang.VI: "Hiệu suất sử dụng quỹ", Lang.EN: "Loan fund use"},
    "par": {Lang.VI: "Nợ quá hạn > {days} ngày", Lang.EN: "PAR > {days} days"},
    "write_off_ratio": {Lang.VI: "Tỷ lệ xóa nợ", Lang.EN: "Write-off ratio"},
    "net_income": {Lang.VI: "Thu nhập ròng", Lang.EN: "Net income"},
    "annualized_return_on_savings": {
        Lang.VI: "Lợi nhuận trên tiết kiệm (năm)",
        Lang.EN: "Return on savings (annual)",
    },
    "projected_value_per_share": {
        Lang.VI: "Giá trị dự kiến mỗi cổ phần",
        Lang.EN: "Projected value per share",
    },
    "by_sex": {Lang.VI: "Theo giới tính", Lang.EN: "By sex"},
    "sex_F": {Lang.VI: "Nữ", Lang.EN: "Women"},
    "sex_M": {Lang.VI: "Nam", Lang.EN: "Men"},
    # statement
    "statement": {Lang.VI: "Sao kê thành viên", Lang.EN: "Member statement"},
    "member": {Lang.VI: "Thành viên", Lang.EN: "Member"},
    "shares": {Lang.VI: "Cổ phần", Lang.EN: "Shares"},
    "social_fund_contributions": {
        Lang.VI: "Đóng góp quỹ xã hội",
        Lang.EN: "Social fund contributions",
    },
    "fines": {Lang.VI: "Tiền phạt", Lang.EN: "Fines"},
    "principal_outstanding": {Lang.VI: "Dư nợ gốc", Lang.EN: "Principal outstanding"},
    "no_loans": {Lang.VI: "Không có khoản vay.", Lang.EN: "No loans."},
    "referrals": {Lang.VI: "Giới thiệu tài chính", Lang.EN: "Referrals"},
    "supports": {Lang.VI: "Hỗ trợ sinh kế", Lang.EN: "Livelihood support"},
    "left_on": {Lang.VI: "rời tổ ngày", Lang.EN: "left on"},
    # demo, import, export
    "generating": {Lang.VI: "Đang tạo dữ liệu mô phỏng", Lang.EN: "Generating the demo"},
    "demo_done": {
        Lang.VI: "Đã tạo {groups} tổ, {members} thành viên, {meetings} cuộc họp, {loans} khoản "
        "vay, {entries} bút toán trong {db} ({seconds} giây).",
        Lang.EN: "Generated {groups} groups, {members} members, {meetings} meetings, {loans} "
        "loans, {entries} entries into {db} in {seconds} s.",
    },
    "imported": {Lang.VI: "Đã nhập", Lang.EN: "Imported"},
    "exported": {Lang.VI: "Đã xuất", Lang.EN: "Exported"},
    "template_written": {Lang.VI: "Đã tạo mẫu", Lang.EN: "Template written"},
    "row": {Lang.VI: "Dòng", Lang.EN: "Row"},
    "column": {Lang.VI: "Cột", Lang.EN: "Column"},
    "problem": {Lang.VI: "Lỗi", Lang.EN: "Problem"},
    "source": {Lang.VI: "Tệp", Lang.EN: "Source"},
    "nothing_imported": {
        Lang.VI: "{n} lỗi; không có dữ liệu nào được nhập.",
        Lang.EN: "{n} error(s); nothing was imported.",
    },
    "warnings": {
        Lang.VI: "{n} cảnh báo: đã nhập, nhưng hãy kiểm tra lại các số tiền này.",
        Lang.EN: "{n} warning(s): imported, but check these amounts.",
    },
    "error": {Lang.VI: "Lỗi", Lang.EN: "Error"},
    # registry: programme add, group add, cycle start, members
    "programme_added": {Lang.VI: "Đã thêm chương trình", Lang.EN: "Programme added"},
    "active_on": {Lang.VI: "đang sinh hoạt ngày", Lang.EN: "active on"},
    "list_number": {Lang.VI: "Số", Lang.EN: "No."},
    "list_full_name": {Lang.VI: "Họ và tên", Lang.EN: "Name"},
    "list_sex": {Lang.VI: "Giới tính", Lang.EN: "Sex"},
    "list_ethnicity": {Lang.VI: "Dân tộc", Lang.EN: "Ethnicity"},
    "list_joined_on": {Lang.VI: "Ngày vào tổ", Lang.EN: "Joined"},
    "list_left_on": {Lang.VI: "Ngày rời tổ", Lang.EN: "Left"},
    "list_officer_role": {Lang.VI: "Chức vụ", Lang.EN: "Officer role"},
    "sex_F_one": {Lang.VI: "Nữ", Lang.EN: "F"},
    "sex_M_one": {Lang.VI: "Nam", Lang.EN: "M"},
    "role_chair": {Lang.VI: "chủ tịch", Lang.EN: "chair"},
    "role_secretary": {Lang.VI: "thư ký", Lang.EN: "secretary"},
    "role_box_keeper": {Lang.VI: "thủ quỹ", Lang.EN: "box keeper"},
    "role_money_counter": {Lang.VI: "người đếm tiền", Lang.EN: "money counter"},
    "role_key_holder": {Lang.VI: "giữ chìa khóa", Lang.EN: "key holder"},
    "members_count": {Lang.VI: "{n} thành viên.", Lang.EN: "{n} member(s)."},
}
