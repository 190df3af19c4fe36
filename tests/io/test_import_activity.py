"""Importing referrals to formal finance and livelihood support."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import vsla
from tests.conftest import snapshot
from tests.io.conftest import World, write_csv, write_xlsx
from vsla.io import ImportKind, ImportSummary, import_file

G = "KT-DG-001"
REFERRALS = [
    "group_code",
    "member_number",
    "institution",
    "service",
    "referred_on",
    "outcome",
    "outcome_on",
    "note",
]
SUPPORT = ["group_code", "member_number", "kind", "provider", "received_on", "value", "note"]


def _refused(store: vsla.Store, kind: ImportKind, path: Path) -> list[vsla.RowError]:
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, kind, path)
    assert snapshot(store) == before
    return exc.value.errors


def test_referrals_csv(world: World, tmp_path: Path) -> None:
    rows = [
        REFERRALS,
        [G, "1", "NHCSXH", "vay hộ nghèo", "20/03/2024", "đã tiếp cận", "05/04/2024", ""],
        [G, "2", "Agribank", "tài khoản", "2024-03-21", "", "", "hẹn tháng sau"],
        [G, "3", "Quỹ tín dụng nhân dân", "vay", "22/03/2024", "từ chối", "30/03/2024", ""],
    ]
    summary = import_file(world.store, "referrals", write_csv(tmp_path / "ref.csv", rows))
    assert summary == ImportSummary(ImportKind.REFERRALS, "ref.csv", 3, 3, {"referrals": 3})
    got = [
        (r.member_id, r.institution, r.service, r.referred_on, r.outcome, r.outcome_on, r.note)
        for r in world.store.referrals(group_id=world.group.id)
    ]
    hoa, blup, nhi, _ = (m.id for m in world.members)
    assert got == [
        (
            hoa,
            vsla.Institution.VBSP,
            "vay hộ nghèo",
            dt.date(2024, 3, 20),
            vsla.ReferralOutcome.ACCESSED,
            dt.date(2024, 4, 5),
            "",
        ),
        (
            blup,
            vsla.Institution.AGRIBANK,
            "tài khoản",
            dt.date(2024, 3, 21),
            vsla.ReferralOutcome.PENDING,
            None,
            "hẹn tháng sau",
        ),
        (
            nhi,
            vsla.Institution.PEOPLES_CREDIT_FUND,
            "vay",
            dt.date(2024, 3, 22),
            vsla.ReferralOutcome.DECLINED,
            dt.date(2024, 3, 30),
            "",
        ),
    ]


def test_referrals_broken(world: World, tmp_path: Path) -> None:
    world.store.add_referral(
        vsla.NewReferral(
            member_id=world.members[0].id,
            institution="vbsp",
            service="vay hộ nghèo",
            referred_on=dt.date(2024, 3, 20),
        )
    )
    rows = [
        REFERRALS,
        [G, "1", "VBSP", "Vay hộ nghèo", "20/03/2024", "", "", ""],
        [G, "7", "VBSP", "vay", "20/03/2024", "", "", ""],
        [G, "2", "ngân hàng ma", "vay", "20/03/2024", "", "", ""],
        [G, "2", "VBSP", "vay", "20/03/2024", "accessed", "", ""],
        [G, "3", "VBSP", "vay", "20/03/2024", "", "25/03/2024", ""],
        [G, "4", "VBSP", "vay", "20/03/2024", "declined", "19/03/2024", ""],
        [G, "4", "VBSP", "vay", "01/01/2024", "", "", ""],
        [G, "2", "MFI", "vay", "20/03/2024", "", "", ""],
        [G, "2", "TCVM", "vay", "20/03/2024", "", "", "nhập lại"],
        [G, "", "VBSP", "vay", "20/03/2024", "", "", ""],
    ]
    errors = _refused(world.store, ImportKind.REFERRALS, write_csv(tmp_path / "r.csv", rows))
    assert errors == [
        vsla.RowError("r.csv", 2, "", "this referral is already recorded (referral #1)"),
        vsla.RowError("r.csv", 3, "member_number", "group KT-DG-001 has no member number 7"),
        vsla.RowError(
            "r.csv",
            4,
            "institution",
            "'ngân hàng ma' is not one of: vbsp, agribank, commercial_bank, "
            "peoples_credit_fund, microfinance_institution, insurer, mobile_money "
            "(also: NHCSXH, Ngân hàng Chính sách xã hội, Ngân hàng Nông nghiệp, NHNo&PTNT, "
            "ngân hàng thương mại, NHTM, quỹ tín dụng nhân dân, QTDND, tổ chức tài chính vi mô, "
            "TCVM, bảo hiểm, công ty bảo hiểm, ví điện tử, mobile money)",
        ),
        vsla.RowError("r.csv", 5, "outcome_on", "the outcome 'accessed' needs its date"),
        vsla.RowError(
            "r.csv",
            6,
            "outcome_on",
            "a pending referral has no outcome date: give the outcome too",
        ),
        vsla.RowError("r.csv", 7, "outcome_on", "19/03/2024 is before the referral (20/03/2024)"),
        vsla.RowError(
            "r.csv",
            8,
            "referred_on",
            "Đinh Thị Lệ (number 4) joined the group on 08/01/2024, after this referral",
        ),
        vsla.RowError("r.csv", 10, "", "this referral is the same as row 9"),
        vsla.RowError("r.csv", 11, "member_number", "is empty; a value is required"),
    ]


def test_livelihood_xlsx(world: World, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [*SUPPORT],
        [G, 1, "tập huấn", "Hội LHPN huyện Đắk Glei", dt.date(2024, 3, 12), 0, "chăn nuôi heo"],
        [G, 2, "vật tư", "Khuyến nông", dt.date(2024, 3, 13), 1_500_000, None],
        [G, 3, "công nghệ 4.0", None, "14/03/2024", "250.000", None],
    ]
    path = write_xlsx(tmp_path / "support.xlsx", rows)
    summary = import_file(world.store, ImportKind.LIVELIHOOD, path)
    assert summary.per_table == {"livelihood_supports": 3}
    got = [
        (s.kind, s.provider, s.received_on, s.value, s.note)
        for s in world.store.livelihood_supports(group_id=world.group.id)
    ]
    assert got == [
        (
            vsla.SupportKind.TRAINING,
            "Hội LHPN huyện Đắk Glei",
            dt.date(2024, 3, 12),
            0,
            "chăn nuôi heo",
        ),
        (vsla.SupportKind.INPUTS, "Khuyến nông", dt.date(2024, 3, 13), 1_500_000, ""),
        (vsla.SupportKind.TECHNOLOGY_4_0, "", dt.date(2024, 3, 14), 250_000, ""),
    ]


def test_livelihood_broken(world: World, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [*SUPPORT],
        [G, 1, "training", "", dt.date(2024, 3, 12), "-500.000", None],
        [G, 1, "training", "", dt.date(2024, 3, 12), Decimal("500000.5"), None],
        ["KT-XX", 1, "training", "", dt.date(2024, 3, 12), 0, None],
        [G, 2, "training", "", dt.date(2023, 3, 12), 0, None],
        [G, 2, "grant", "Huyện", dt.date(2024, 3, 12), 100_000, None],
        [G, 2, "grant", "huyện", dt.date(2024, 3, 12), 100_000, "lần 2"],
    ]
    path = write_xlsx(tmp_path / "support.xlsx", rows)
    errors = _refused(world.store, ImportKind.LIVELIHOOD, path)
    src = "support.xlsx"
    assert errors == [
        vsla.RowError(
            src, 2, "value", "'-500.000' is negative; amounts are written without a sign"
        ),
        vsla.RowError(src, 3, "value", "500000.5 is not a whole number of đồng"),
        vsla.RowError(src, 4, "group_code", "unknown group 'KT-XX'"),
        vsla.RowError(
            src,
            5,
            "received_on",
            "A Blưp (number 2) joined the group on 08/01/2024, after this support",
        ),
        vsla.RowError(src, 7, "", "this support is the same as row 6"),
    ]
