"""Words of printed documents: passbooks, meeting minutes, share-out sheets, and the
loan block of a member's statement."""

from __future__ import annotations

__all__ = ["WORDS"]

from vsla.words.lang import Lang

WORDS: dict[str, dict[Lang, str]] = {
    # shared
    "doc_group": {Lang.VI: "Tổ", Lang.EN: "Group"},
    "doc_cycle": {Lang.VI: "Chu kỳ", Lang.EN: "Cycle"},
    "doc_cycle_dates": {
        Lang.VI: "Chu kỳ {number}: {start} – {end}",
        Lang.EN: "Cycle {number}: {start} – {end}",
    },
    "doc_member": {Lang.VI: "Thành viên", Lang.EN: "Member"},
    "doc_member_no": {Lang.VI: "Số", Lang.EN: "No."},
    "doc_name": {Lang.VI: "Họ và tên", Lang.EN: "Name"},
    "doc_member_label": {Lang.VI: "{name} (số {number})", Lang.EN: "{name} (no. {number})"},
    "doc_share_value": {Lang.VI: "Mệnh giá cổ phần", Lang.EN: "Share value"},
    "doc_social_contribution": {
        Lang.VI: "Đóng quỹ xã hội mỗi buổi họp",
        Lang.EN: "Social fund per meeting",
    },
    "doc_total": {Lang.VI: "Cộng", Lang.EN: "Total"},
    "doc_page": {Lang.VI: "Trang {page}", Lang.EN: "Page {page}"},
    "doc_printed_by": {
        Lang.VI: "In từ vsla ngày {day}",
        Lang.EN: "Printed from vsla on {day}",
    },
    "att_present": {Lang.VI: "Có mặt", Lang.EN: "Present"},
    "att_represented": {Lang.VI: "Ủy quyền", Lang.EN: "Represented"},
    "att_absent": {Lang.VI: "Vắng", Lang.EN: "Absent"},
    "att_none": {Lang.VI: "—", Lang.EN: "—"},
    "col_date": {Lang.VI: "Ngày họp", Lang.EN: "Date"},
    "col_meeting": {Lang.VI: "Buổi", Lang.EN: "Mtg"},
    "col_attendance": {Lang.VI: "Tham dự", Lang.EN: "Attendance"},
    "col_shares_bought": {Lang.VI: "CP mua", Lang.EN: "Shares bought"},
    "col_shares": {Lang.VI: "Tổng CP", Lang.EN: "Total shares"},
    "col_share_money": {Lang.VI: "Tiền mua CP", Lang.EN: "Share money"},
    "col_savings": {Lang.VI: "Tổng tiết kiệm", Lang.EN: "Total savings"},
    "col_social_fund": {Lang.VI: "Quỹ xã hội", Lang.EN: "Social fund"},
    "col_fines": {Lang.VI: "Tiền phạt", Lang.EN: "Fines"},
    "col_loan": {Lang.VI: "Vay mới", Lang.EN: "Loan taken"},
    "col_interest": {Lang.VI: "Trả lãi", Lang.EN: "Interest paid"},
    "col_principal": {Lang.VI: "Trả gốc", Lang.EN: "Principal repaid"},
    "col_written_off": {Lang.VI: "Xóa nợ", Lang.EN: "Written off"},
    "col_balance": {Lang.VI: "Dư nợ sau họp", Lang.EN: "Loan balance"},
    "col_grant": {Lang.VI: "Nhận trợ giúp", Lang.EN: "Grant received"},
    "col_payout": {Lang.VI: "Nhận chia", Lang.EN: "Paid out"},
    "col_signature": {Lang.VI: "Ký tên", Lang.EN: "Signature"},
    "correction_mark": {
        Lang.VI: "* dòng có bút toán đính chính (số âm là khoản bị hủy)",
        Lang.EN: "* the line holds a correction (a negative figure cancels an earlier one)",
    },
    "printed": {
        Lang.VI: "Đã ghi {documents} tài liệu vào {file}",
        Lang.EN: "Wrote {documents} document(s) to {file}",
    },
    # passbook
    "passbook_title": {Lang.VI: "Sổ thành viên", Lang.EN: "Member passbook"},
    "passbook_no_lines": {
        Lang.VI: "Chưa có buổi họp nào được ghi.",
        Lang.EN: "No meeting recorded yet.",
    },
    "passbook_share_out": {
        Lang.VI: "Chia quỹ ngày {day}: {shares} cổ phần, tiết kiệm {savings}, được chia "
        "{payout} (lãi {profit}); trừ nợ vay {netted}; nhận tiền mặt {cash}.",
        Lang.EN: "Share-out on {day}: {shares} shares, savings {savings}, payout {payout} "
        "(profit {profit}); loan netted {netted}; cash paid {cash}.",
    },
    "passbook_exit": {
        Lang.VI: "Rời tổ ngày {day}: {shares} cổ phần, tiết kiệm {savings}, được trả "
        "{payout}; trừ nợ vay {netted}; nhận tiền mặt {cash}.",
        Lang.EN: "Left the group on {day}: {shares} shares, savings {savings}, paid "
        "{payout}; loan netted {netted}; cash paid {cash}.",
    },
    "passbook_open": {
        Lang.VI: "Chu kỳ chưa chia quỹ.",
        Lang.EN: "The cycle has not been shared out yet.",
    },
    "sign_member": {Lang.VI: "Thành viên", Lang.EN: "Member"},
    "sign_secretary": {Lang.VI: "Thư ký", Lang.EN: "Secretary"},
    "sign_chair": {Lang.VI: "Tổ trưởng", Lang.EN: "Chair"},
    "sign_box_keeper": {Lang.VI: "Thủ quỹ", Lang.EN: "Box keeper"},
    "sign_money_counter": {Lang.VI: "Người đếm tiền", Lang.EN: "Money counter"},
    "sign_facilitator": {Lang.VI: "Cán bộ hỗ trợ", Lang.EN: "Facilitator"},
    # minutes
    "minutes_title": {Lang.VI: "Biên bản họp", Lang.EN: "Meeting minutes"},
    "minutes_meeting": {
        Lang.VI: "Buổi họp số {number}, ngày {day}",
        Lang.EN: "Meeting no. {number}, {day}",
    },
    "minutes_attendance": {
        Lang.VI: "Tham dự: {present} có mặt, {represented} ủy quyền, {absent} vắng",
        Lang.EN: "Attendance: {present} present, {represented} represented, {absent} absent",
    },
    "minutes_transactions": {
        Lang.VI: "Giao dịch của từng thành viên",
        Lang.EN: "Each member's transactions",
    },
    "minutes_group_entries": {Lang.VI: "Thu chi chung của tổ", Lang.EN: "The group's own entries"},
    "minutes_boxes": {Lang.VI: "Hai hòm quỹ", Lang.EN: "The two boxes"},
    "minutes_box": {Lang.VI: "Quỹ", Lang.EN: "Box"},
    "minutes_before": {Lang.VI: "Trước buổi họp", Lang.EN: "Before the meeting"},
    "minutes_after": {Lang.VI: "Sau buổi họp", Lang.EN: "After the meeting"},
    "minutes_change": {Lang.VI: "Thay đổi", Lang.EN: "Change"},
    "minutes_loans": {Lang.VI: "Khoản vay mới", Lang.EN: "Loans made"},
    "minutes_no_loans": {Lang.VI: "Không có khoản vay mới.", Lang.EN: "No loan was made."},
    "minutes_signatures": {Lang.VI: "Chữ ký", Lang.EN: "Signatures"},
    "box_loan_fund": {Lang.VI: "Tiền mặt quỹ cho vay", Lang.EN: "Loan fund cash"},
    "box_social_fund": {Lang.VI: "Tiền mặt quỹ xã hội", Lang.EN: "Social fund cash"},
    "box_loans_outstanding": {Lang.VI: "Dư nợ cho vay", Lang.EN: "Loans outstanding"},
    "col_entry": {Lang.VI: "Khoản", Lang.EN: "Entry"},
    "col_amount": {Lang.VI: "Số tiền", Lang.EN: "Amount"},
    "col_note": {Lang.VI: "Ghi chú", Lang.EN: "Note"},
    "col_principal_lent": {Lang.VI: "Số tiền vay", Lang.EN: "Principal"},
    "col_rate": {Lang.VI: "Lãi suất/tháng", Lang.EN: "Rate/month"},
    "col_term": {Lang.VI: "Thời hạn (tháng)", Lang.EN: "Term (months)"},
    "col_due": {Lang.VI: "Ngày đáo hạn", Lang.EN: "Due on"},
    "col_upfront": {Lang.VI: "Lãi trả trước", Lang.EN: "Upfront interest"},
    "kind_opening_loan_fund": {
        Lang.VI: "Tiền mặt chuyển từ chu kỳ trước",
        Lang.EN: "Cash carried from the last cycle",
    },
    "kind_opening_social_fund": {
        Lang.VI: "Quỹ xã hội chuyển từ chu kỳ trước",
        Lang.EN: "Social fund carried from the last cycle",
    },
    "kind_other_income": {Lang.VI: "Thu khác", Lang.EN: "Other income"},
    "kind_expense": {Lang.VI: "Chi phí", Lang.EN: "Expense"},
    "kind_transfer_to_social_fund": {
        Lang.VI: "Số dư chia quỹ chuyển vào quỹ xã hội",
        Lang.EN: "Share-out remainder to the social fund",
    },
    "kind_other": {Lang.VI: "Khoản khác", Lang.EN: "Other entry"},
    # share-out sheet
    "shareout_title": {Lang.VI: "Bảng chia quỹ cuối chu kỳ", Lang.EN: "Share-out sheet"},
    "shareout_recorded": {Lang.VI: "Đã chia quỹ ngày {day}", Lang.EN: "Shared out on {day}"},
    "shareout_preview": {Lang.VI: "Xem trước, ngày {day}", Lang.EN: "Preview, on {day}"},
    "col_profit": {Lang.VI: "Lãi", Lang.EN: "Profit"},
    "col_return": {Lang.VI: "% lãi", Lang.EN: "% return"},
    "col_owed": {Lang.VI: "Còn nợ", Lang.EN: "Owed"},
    "col_cash_paid": {Lang.VI: "Nhận tiền mặt", Lang.EN: "Cash paid"},
    "shareout_distributable": {Lang.VI: "Quỹ được chia", Lang.EN: "Distributable"},
    "shareout_value_per_share": {
        Lang.VI: "Giá trị mỗi cổ phần",
        Lang.EN: "Value per share",
    },
    "shareout_remainder": {Lang.VI: "Số dư còn lại", Lang.EN: "Remainder"},
    "shareout_cash_step": {
        Lang.VI: "Tiền chia làm tròn xuống bội số của",
        Lang.EN: "Payouts rounded down to a multiple of",
    },
    # the loan block of a member's statement
    "loan_heading": {
        Lang.VI: "Khoản vay ngày {day} của {member}",
        Lang.EN: "Loan of {day} to {member}",
    },
    "loan_terms": {
        Lang.VI: "  giải ngân {day}: {principal}, lãi {rate} %/tháng, {method}, {months} tháng, "
        "đáo hạn {due}; mục đích: {purpose}",
        Lang.EN: "  disbursed {day}: {principal} at {rate} %/month, {method}, {months} "
        "month(s), due {due}; purpose {purpose}",
    },
    "loan_schedule": {Lang.VI: "  lịch trả nợ:", Lang.EN: "  schedule:"},
    "loan_instalment": {
        Lang.VI: "    {number:>2}  {day}  gốc {principal:>14}  lãi {interest:>12}",
        Lang.EN: "    {number:>2}  {day}  principal {principal:>14}  interest {interest:>12}",
    },
    "loan_payments": {Lang.VI: "  đã trả:", Lang.EN: "  payments:"},
    "loan_payment": {
        Lang.VI: "    {day}  gốc {principal:>14}  lãi {interest:>12}",
        Lang.EN: "    {day}  principal {principal:>14}  interest {interest:>12}",
    },
    "loan_no_payments": {Lang.VI: "    chưa trả lần nào", Lang.EN: "    none yet"},
    "loan_position": {
        Lang.VI: "  đến ngày {day}: dư nợ gốc {outstanding}, lãi đã tính {charged}, lãi đã "
        "trả {paid}; phải trả đến hôm nay {due_now} (trả hết nợ: {settle})",
        Lang.EN: "  as of {day}: principal outstanding {outstanding}, interest charged "
        "{charged}, paid {paid}; payable by today {due_now} (to settle: {settle})",
    },
    "loan_next": {
        Lang.VI: "  kỳ trả tiếp theo: {day}",
        Lang.EN: "  next payment due on {day}",
    },
    "loan_overdue": {
        Lang.VI: "  QUÁ HẠN {days} ngày",
        Lang.EN: "  OVERDUE by {days} day(s)",
    },
    "loan_not_overdue": {Lang.VI: "  không quá hạn", Lang.EN: "  not overdue"},
    "loan_settled": {Lang.VI: "  đã trả hết", Lang.EN: "  settled"},
    "loan_written_off": {
        Lang.VI: "  đã xóa nợ: gốc {principal}, lãi {interest}",
        Lang.EN: "  written off: principal {principal}, interest {interest}",
    },
    "method_declining": {Lang.VI: "lãi tính trên dư nợ", Lang.EN: "declining"},
    "method_flat": {Lang.VI: "lãi cố định", Lang.EN: "flat"},
    "method_upfront": {Lang.VI: "lãi trả trước", Lang.EN: "upfront"},
    "purpose_crops": {Lang.VI: "trồng trọt", Lang.EN: "crops"},
    "purpose_livestock": {Lang.VI: "chăn nuôi", Lang.EN: "livestock"},
    "purpose_trade": {Lang.VI: "buôn bán", Lang.EN: "trade"},
    "purpose_handicraft": {Lang.VI: "thủ công", Lang.EN: "handicraft"},
    "purpose_education": {Lang.VI: "học hành", Lang.EN: "education"},
    "purpose_health": {Lang.VI: "sức khỏe", Lang.EN: "health"},
    "purpose_household": {Lang.VI: "gia đình", Lang.EN: "household"},
    "purpose_other": {Lang.VI: "khác", Lang.EN: "other"},
}
