import datetime as dt
from decimal import Decimal

import vsla

store = vsla.open(":memory:")  # or vsla.open("kontum.db"), or a PostgreSQL URL

programme = store.add_programme(vsla.NewProgramme(name="Kon Tum - Dự án 8"))
group = store.add_group(
    vsla.NewGroup(
        code="KT-DG-001",
        name="Tổ tiết kiệm thôn Đăk Nhoong",
        programme_id=programme.id,
        district="Đắk Glei",
        commune="Đắk Nhoong",
        established_on=dt.date(2024, 1, 8),
        gal_pilot_since=dt.date(2024, 3, 1),
    )
)
joined = dt.date(2024, 1, 8)
y_hoa, a_blup, y_nhi = store.add_members(
    [
        vsla.NewMember(
            group_id=group.id,
            full_name="Y Hoa",
            sex=vsla.Sex.FEMALE,
            ethnicity="Xơ Đăng",
            joined_on=joined,
        ),
        vsla.NewMember(
            group_id=group.id,
            full_name="A Blưp",
            sex=vsla.Sex.MALE,
            ethnicity="Xơ Đăng",
            joined_on=joined,
        ),
        vsla.NewMember(
            group_id=group.id,
            full_name="Y Nhí",
            sex=vsla.Sex.FEMALE,
            ethnicity="Giẻ Triêng",
            joined_on=joined,
        ),
    ]
)
cycle = store.start_cycle(
    group.id,
    start=dt.date(2024, 1, 8),
    end=dt.date(2024, 12, 30),
    constitution=vsla.Constitution(
        share_value=20_000,
        social_fund_contribution=5_000,
        interest_rate=Decimal("0.02"),  # 2 % a month on the declining balance
        fines={"absence": 5_000},
    ),
    officers={y_hoa.id: vsla.OfficerRole.CHAIR},
)

P, R, A = vsla.Attendance.PRESENT, vsla.Attendance.REPRESENTED, vsla.Attendance.ABSENT
store.record_meeting(
    cycle.id,
    vsla.MeetingInput(
        date=dt.date(2024, 1, 8),
        attendance={y_hoa.id: P, a_blup.id: P, y_nhi.id: A},
        social_fund_contributions={y_hoa.id: 5_000, a_blup.id: 5_000},
        share_purchases={y_hoa.id: 5, a_blup.id: 2},
        fines=[vsla.FinePaid(member_id=y_nhi.id, fine="absence")],
    ),
)
store.record_meeting(
    cycle.id,
    vsla.MeetingInput(
        date=dt.date(2024, 1, 15),
        attendance={y_hoa.id: P, a_blup.id: P, y_nhi.id: R},
        social_fund_contributions={y_hoa.id: 5_000, a_blup.id: 5_000, y_nhi.id: 5_000},
        share_purchases={y_hoa.id: 3, a_blup.id: 1, y_nhi.id: 2},
        loans=[
            vsla.LoanRequest(
                member_id=y_hoa.id,
                principal=200_000,
                term_months=2,
                purpose=vsla.LoanPurpose.LIVESTOCK,
            )
        ],
    ),
)
print(store.balances(cycle.id))

# A bad entry is refused with a precise error, and nothing of that meeting is written.
try:
    store.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=dt.date(2024, 1, 22),
            loans=[vsla.LoanRequest(member_id=a_blup.id, principal=200_000, term_months=1)],
        ),
    )
except vsla.LoanLimitExceeded as error:
    print(error)

loan = store.loans(cycle.id)[0]
print(
    "due on 20/02/2024:",
    vsla.format_money(store.loan_position(loan.id, dt.date(2024, 2, 20)).amount_due),
)
