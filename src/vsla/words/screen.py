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
    "money_savings": {
        Lang.VI: "Tiết kiệm của các tổ theo huyện (chu kỳ đang chạy)",
        Lang.EN: "The groups' savings by district (running cycles)",
    },
    "money_funds": {
        Lang.VI: "Quỹ và lợi nhuận theo huyện (chu kỳ đang chạy)",
        Lang.EN: "Funds and returns by district (running cycles)",
    },
    "money_loans": {
        Lang.VI: "Cho vay và nợ quá hạn theo huyện (chu kỳ đang chạy)",
        Lang.EN: "Loans and portfolio at risk by district (running cycles)",
    },
    "members_saving": {Lang.VI: "Thành viên tiết kiệm", Lang.EN: "Members saving"},
    "loans_active": {Lang.VI: "Khoản vay còn nợ", Lang.EN: "Loans owing"},
    "return_on_savings": {Lang.VI: "Lợi nhuận trên tiết kiệm", Lang.EN: "Return on savings"},
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
    # readiness for formal finance (vsla report readiness)
    "readiness_title": {
        Lang.VI: "Sẵn sàng tiếp cận tài chính chính thức",
        Lang.EN: "Readiness for formal finance",
    },
    "readiness_needs": {
        Lang.VI: "Số thành viên cần giới thiệu thêm để đạt {target}",
        Lang.EN: "Members still to refer to reach {target}",
    },
    "readiness_rate": {Lang.VI: "Tỷ lệ", Lang.EN: "Rate"},
    "readiness_to_refer": {Lang.VI: "Cần giới thiệu thêm", Lang.EN: "To refer"},
    "readiness_shortlisted": {Lang.VI: "Trong danh sách đề xuất", Lang.EN: "Shortlisted"},
    "readiness_groups_ready": {Lang.VI: "Tổ sẵn sàng", Lang.EN: "Groups ready"},
    "readiness_groups": {Lang.VI: "Mức sẵn sàng của các tổ", Lang.EN: "Group readiness"},
    "readiness_ready": {Lang.VI: "Sẵn sàng", Lang.EN: "Ready"},
    "readiness_shortlist": {
        Lang.VI: "Danh sách đề xuất giới thiệu ({n} thành viên)",
        Lang.EN: "Referral shortlist ({n} members)",
    },
    "crit_cycles_completed": {Lang.VI: "Chu kỳ đã hoàn thành", Lang.EN: "Cycles completed"},
    "crit_attendance_rate": {Lang.VI: "Tỷ lệ tham dự", Lang.EN: "Attendance"},
    "crit_par_30": {Lang.VI: "Nợ quá hạn > 30 ngày", Lang.EN: "PAR > 30 days"},
    "crit_write_off_ratio": {
        Lang.VI: "Tỷ lệ xóa nợ (mọi chu kỳ)",
        Lang.EN: "Written off (all cycles)",
    },
    "crit_savings_growth": {Lang.VI: "Tăng trưởng tiết kiệm", Lang.EN: "Savings growth"},
    "crit_officers": {Lang.VI: "Ban quản lý", Lang.EN: "Officers"},
    "crit_meetings_held": {Lang.VI: "Số cuộc họp", Lang.EN: "Meetings held"},
    "crit_saving_rate": {Lang.VI: "Buổi có gửi tiết kiệm", Lang.EN: "Saved at meetings"},
    "crit_late_loans": {Lang.VI: "Khoản vay trả chậm", Lang.EN: "Late loans"},
    "crit_loans_repaid_on_time": {
        Lang.VI: "Khoản vay trả đúng hạn",
        Lang.EN: "Loans repaid on time",
    },
    "crit_group_ready": {Lang.VI: "Tổ sẵn sàng", Lang.EN: "Group ready"},
    # vsla db: the schema version, its upgrade, the loans' arrears marks
    "db_none": {
        Lang.VI: "không có cơ sở dữ liệu tại {db}: chỉ rõ bằng --db",
        Lang.EN: "no database at {db}: name one with --db",
    },
    "db_cannot_open": {
        Lang.VI: "không mở được cơ sở dữ liệu {db}: {error}",
        Lang.EN: "cannot open the database {db}: {error}",
    },
    "db_version": {
        Lang.VI: "phiên bản lược đồ {version} ({note})",
        Lang.EN: "schema version {version} ({note})",
    },
    "db_no_tables": {
        Lang.VI: "chưa có bảng vsla: vsla tạo bảng khi mở cơ sở dữ liệu lần đầu",
        Lang.EN: "no vsla tables yet: vsla creates them when it first opens the database",
    },
    "db_current": {Lang.VI: "mới nhất", Lang.EN: "current"},
    "db_older": {
        Lang.VI: "cũ hơn bản vsla này ({head}): chạy `vsla db upgrade`",
        Lang.EN: "older than this vsla ({head}): run `vsla db upgrade`",
    },
    "db_unknown": {
        Lang.VI: "bản vsla này không biết phiên bản đó ({head}): hãy nâng cấp vsla",
        Lang.EN: "not known to this vsla ({head}): upgrade vsla",
    },
    "db_already_current": {
        Lang.VI: "phiên bản lược đồ {version}: đã mới nhất, không có gì phải làm",
        Lang.EN: "schema version {version}: already current, nothing to do",
    },
    "db_upgraded": {
        Lang.VI: "phiên bản lược đồ {before} -> {after}: đã nâng cấp",
        Lang.EN: "schema version {before} -> {after}: upgraded",
    },
    "db_marks_agree": {
        Lang.VI: "mốc nợ quá hạn: mọi khoản vay khớp với sổ cái",
        Lang.EN: "loan marks: every loan agrees with the ledger",
    },
    "db_marks_more": {Lang.VI: "… và {n} khoản vay nữa", Lang.EN: "… and {n} more"},
    "db_marks_repaired": {
        Lang.VI: "mốc nợ quá hạn: {loans} khoản vay không khớp; đã ghi lại {written} mốc từ sổ cái",
        Lang.EN: "loan marks: {loans} loans differed; rewrote {written} marks from the ledger",
    },
    "db_marks_differ": {
        Lang.VI: (
            "mốc nợ quá hạn: {loans} khoản vay không khớp với sổ cái: "
            "chạy `vsla db verify --repair`"
        ),
        Lang.EN: "loan marks: {loans} loans differ from the ledger: run `vsla db verify --repair`",
    },
}
