"""A small programme with every kind of history, for the export and re-import tests.

Group KT-DG-001 (GAL pilot) runs a cycle with fines, a social fund grant, a reversal, two
loans (one repaid in full, one written off), a member who leaves, an expense and other
income, is shared out, and starts a second cycle (opening balances carried) with a loan.
Group KT-KR-002 (no programme) charges interest upfront; its loan is partly repaid and
still outstanding.
"""

from __future__ import annotations

import datetime as dt

import vsla
from tests.io.conftest import rules

D = dt.date
NAMES = ("Y Hoa", "A Blưp", "Y Nhí", "Đinh Thị Lệ", "Y Gương", "A Thút")
PHONES = ("0912345678", "0987654321")
FREE_TEXT = (
    "sổ sách mua ở cửa hàng của Y Hoa",
    "ốm nặng, Y Nhí nằm viện",
    "nhập nhầm bởi Đinh Thị Lệ",
    "Đinh Thị Lệ chuyển vào Đắk Tô",
    "gọi chị Hoa 0912345678",
    "A Blưp nhận 2 con heo",
    "Y Hoa dẫn buổi học",
)


def build(store: vsla.Store) -> None:
    """Fill ``store`` with the dataset (it must be empty)."""
    programme = store.add_programme(vsla.NewProgramme(name="Dự án 8 – Kon Tum"))
    dg = store.add_group(
        vsla.NewGroup(
            code="KT-DG-001",
            name="Tổ tiết kiệm thôn Đăk Nhoong",
            programme_id=programme.id,
            district="Đắk Glei",
            commune="Đắk Nhoong",
            village="Đăk Nhoong",
            established_on=D(2024, 1, 8),
            gal_pilot_since=D(2024, 2, 1),
        )
    )
    hoa, blup, nhi, le = store.add_members(
        [
            vsla.NewMember(
                group_id=dg.id,
                full_name="Y Hoa",
                sex="F",
                birth_year=1985,
                ethnicity="Xơ Đăng",
                phone=PHONES[0],
                joined_on=D(2024, 1, 8),
                gal_champion_since=D(2024, 3, 1),
            ),
            vsla.NewMember(
                group_id=dg.id,
                full_name="A Blưp",
                sex="M",
                ethnicity="Xơ Đăng",
                joined_on=D(2024, 1, 8),
            ),
            vsla.NewMember(
                group_id=dg.id,
                full_name="Y Nhí",
                sex="F",
                ethnicity="Giẻ Triêng",
                joined_on=D(2024, 1, 8),
            ),
            vsla.NewMember(
                group_id=dg.id,
                full_name="Đinh Thị Lệ",
                sex="F",
                ethnicity="Kinh",
                phone=PHONES[1],
                joined_on=D(2024, 1, 8),
            ),
        ]
    )
    present, absent = vsla.Attendance.PRESENT, vsla.Attendance.ABSENT
    cycle = store.start_cycle(
        dg.id,
        start=D(2024, 1, 8),
        end=D(2024, 6, 30),
        constitution=rules(),
        officers={hoa.id: vsla.OfficerRole.CHAIR, blup.id: vsla.OfficerRole.BOX_KEEPER},
    )
    everyone = (hoa.id, blup.id, nhi.id, le.id)
    m1, _, _ = store.record_meetings(
        cycle.id,
        [
            vsla.MeetingInput(
                date=D(2024, 1, 8),
                attendance=dict.fromkeys(everyone, present),
                social_fund_contributions=dict.fromkeys(everyone, 2_000),
                share_purchases={hoa.id: 5, blup.id: 3, nhi.id: 2, le.id: 4},
                fines=[vsla.FinePaid(member_id=blup.id, fine="late")],
            ),
            vsla.MeetingInput(
                date=D(2024, 1, 15),
                attendance=dict.fromkeys(everyone, present),
                social_fund_contributions=dict.fromkeys(everyone, 2_000),
                share_purchases={hoa.id: 5, blup.id: 3, nhi.id: 2, le.id: 4},
                expenses=[vsla.Expense(amount=5_000, memo=FREE_TEXT[0])],
                loans=[
                    vsla.LoanRequest(member_id=hoa.id, principal=100_000, term_months=3),
                    vsla.LoanRequest(
                        member_id=le.id, principal=80_000, term_months=2, purpose="trade"
                    ),
                ],
            ),
            vsla.MeetingInput(
                date=D(2024, 1, 22),
                attendance={hoa.id: present, blup.id: present, nhi.id: absent, le.id: present},
                social_fund_contributions={hoa.id: 2_000, blup.id: 2_000, le.id: 2_000},
                share_purchases={hoa.id: 1, blup.id: 1, le.id: 1},
                fines=[vsla.FinePaid(member_id=nhi.id, fine="absence")],
                social_fund_grants=[
                    vsla.SocialFundGrant(member_id=nhi.id, amount=3_000, reason=FREE_TEXT[1])
                ],
            ),
        ],
    )
    late_fine = next(e for e in m1.entries if e.kind is vsla.EntryKind.FINE)
    store.reverse_entry(late_fine.id, on=D(2024, 1, 22), reason=FREE_TEXT[2])
    loan_hoa, loan_le = store.loans(cycle.id)
    due = store.loan_position(loan_hoa.id, D(2024, 2, 19)).amount_due
    store.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=D(2024, 2, 19),
            attendance=dict.fromkeys(everyone, present),
            share_purchases={hoa.id: 2, blup.id: 2, nhi.id: 2, le.id: 1},
            repayments=[vsla.Repayment(loan_id=loan_hoa.id, amount=due)],
        ),
    )
    store.write_off(loan_le.id, on=D(2024, 4, 1), reason=FREE_TEXT[3])
    store.settle_member_exit(le.id, on=D(2024, 4, 1), reason=vsla.ExitReason.MOVED)
    store.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=D(2024, 4, 8),
            attendance={hoa.id: present, blup.id: present, nhi.id: present},
            share_purchases={hoa.id: 1, blup.id: 1, nhi.id: 1},
            other_income=[vsla.Income(amount=1_500, memo="lãi tiền gửi")],
        ),
    )
    store.share_out(cycle.id, on=D(2024, 4, 8))
    second = store.start_cycle(
        dg.id, start=D(2024, 4, 15), end=D(2024, 12, 30), constitution=rules()
    )
    store.record_meeting(
        second.id,
        vsla.MeetingInput(
            date=D(2024, 4, 22),
            attendance={hoa.id: present, blup.id: present, nhi.id: vsla.Attendance.REPRESENTED},
            share_purchases={hoa.id: 3, blup.id: 2, nhi.id: 1},
            social_fund_contributions={hoa.id: 2_000, blup.id: 4_000},
            loans=[vsla.LoanRequest(member_id=blup.id, principal=40_000, term_months=1)],
        ),
    )

    kr = store.add_group(
        vsla.NewGroup(
            code="KT-KR-002",
            name="Tổ phụ nữ làng Kon Rẫy",
            district="Kon Rẫy",
            established_on=D(2024, 3, 4),
        )
    )
    guong, thut = store.add_members(
        [
            vsla.NewMember(
                group_id=kr.id,
                full_name="Y Gương",
                sex="F",
                ethnicity="Ba Na",
                joined_on=D(2024, 3, 4),
            ),
            vsla.NewMember(
                group_id=kr.id,
                full_name="A Thút",
                sex="M",
                ethnicity="Ba Na",
                joined_on=D(2024, 3, 4),
            ),
        ]
    )
    flat = store.start_cycle(
        kr.id,
        start=D(2024, 3, 4),
        end=D(2024, 12, 30),
        constitution=rules(
            interest_method="upfront", social_fund_contribution=0, share_value=20_000
        ),
    )
    store.record_meeting(
        flat.id,
        vsla.MeetingInput(date=D(2024, 3, 4), share_purchases={guong.id: 5, thut.id: 5}),
    )
    store.record_meeting(
        flat.id,
        vsla.MeetingInput(
            date=D(2024, 3, 18),
            share_purchases={guong.id: 2, thut.id: 1},
            loans=[vsla.LoanRequest(member_id=guong.id, principal=90_000, term_months=3)],
        ),
    )
    [loan] = store.loans(flat.id)
    store.record_meeting(
        flat.id,
        vsla.MeetingInput(
            date=D(2024, 4, 22),
            share_purchases={guong.id: 1, thut.id: 1},
            repayments=[vsla.Repayment(loan_id=loan.id, amount=30_000)],
        ),
    )

    store.add_referrals(
        [
            vsla.NewReferral(
                member_id=hoa.id,
                institution="vbsp",
                service="vay hộ nghèo",
                referred_on=D(2024, 3, 1),
                outcome="accessed",
                outcome_on=D(2024, 3, 20),
                note=FREE_TEXT[4],
            ),
            vsla.NewReferral(
                member_id=nhi.id,
                institution="agribank",
                service="tài khoản",
                referred_on=D(2024, 3, 2),
            ),
        ]
    )
    store.add_livelihood_supports(
        [
            vsla.NewLivelihoodSupport(
                member_id=hoa.id,
                kind="training",
                provider="Hội LHPN huyện",
                received_on=D(2024, 3, 5),
            ),
            vsla.NewLivelihoodSupport(
                member_id=blup.id,
                kind="inputs",
                provider="Khuyến nông",
                received_on=D(2024, 3, 6),
                value=500_000,
                note=FREE_TEXT[5],
            ),
        ]
    )
    store.add_gal_session(
        vsla.NewGalSession(
            group_id=dg.id,
            held_on=D(2024, 3, 1),
            tool="vision_journey",
            women=3,
            men=1,
            note=FREE_TEXT[6],
        )
    )
