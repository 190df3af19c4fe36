"""Privacy: a pseudonymised export holds no name, no phone number and no free text.

The programme is built with known names, phone numbers and notes, exported pseudonymised in
every format (ledger: CSV, XLSX, JSON; programme: JSON, XLSX; and through ``vsla export
--pseudonymise``), and every exported byte is searched: the decoded text of each file, the
cells of each workbook and the raw members of the XLSX zip. The same search on the export
*without* pseudonyms finds every name and phone: the check is not vacuous.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import vsla
from vsla.cli.main import app
from vsla.io import export_ledger, export_programme

SALT = "a secret salt"
DAY = dt.date(2024, 1, 8)
# Non-personal text the export keeps on purpose (group, place, codes): a name that is part of
# one of these cannot be checked, so the names below are chosen not to be.
PLACES = {"district": "Đắk Glei", "commune": "Đắk Nhoong", "village": "Làng Kon Rơ"}
NAMES = ["Y Hoa Blưp", "A Thị Xuân", "Đinh Văn Hùng", "Ksor H'Nhi", "Rơ Châm Lực", "Y Ny"]
PHONES = ["0912 345 678", "+84 987 654 321", "0365.112.233", "84-868-000-111", "0241234567", ""]
NOTES = {
    "expense memo": "mua sổ ghi chép cho chị Lan Phương",
    "income memo": "lãi ngân hàng tài khoản số 7788",
    "grant reason": "hỗ trợ ốm đau của bà Quế Chi",
    "write-off reason": "gia đình chuyển đi Tây Nguyên, xóa nợ",
    "reversal reason": "nhập nhầm số tiền lần trước",
    "referral note": "đã gặp cán bộ tín dụng Thảo Vy",
    "support note": "tập huấn trồng cà phê cho hộ Minh Khôi",
    "gal note": "chia sẻ với hàng xóm Bảo Ngọc",
}


def phone_forms(phone: str) -> set[str]:
    """The phone as typed and in its normal forms: digits only, with and without +84 / 0."""
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return set()
    national = digits[2:] if digits.startswith("84") else digits.lstrip("0")
    return {phone, digits, national, "0" + national, "84" + national, "+84" + national}


def build(store: vsla.Store, names: list[str], phones: list[str]) -> None:
    programme = store.add_programme(vsla.NewProgramme(name="Chương trình thử"))
    group = store.add_group(
        vsla.NewGroup(
            code="PR-001",
            name="Tổ thử nghiệm",
            programme_id=programme.id,
            established_on=DAY,
            gal_pilot_since=DAY,
            **PLACES,
        )
    )
    members = store.add_members(
        [
            vsla.NewMember(
                group_id=group.id,
                full_name=name,
                sex=vsla.Sex.FEMALE,
                phone=phone or None,
                joined_on=DAY,
                birth_year=1980,
            )
            for name, phone in zip(names, phones, strict=True)
        ]
    )
    ids = [m.id for m in members]
    cycle = store.start_cycle(
        group.id,
        start=DAY,
        end=dt.date(2024, 12, 30),
        constitution=vsla.Constitution(
            share_value=10_000, interest_rate=Decimal("0.02"), social_fund_contribution=2_000
        ),
    )
    store.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=DAY,
            share_purchases=dict.fromkeys(ids, 5),
            social_fund_contributions=dict.fromkeys(ids, 2000),
            other_income=[vsla.Income(amount=3_000, memo=NOTES["income memo"])],
        ),
    )
    second = store.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=DAY + dt.timedelta(days=7),
            share_purchases=dict.fromkeys(ids, 2),
            expenses=[vsla.Expense(amount=1_000, memo=NOTES["expense memo"])],
            social_fund_grants=[
                vsla.SocialFundGrant(member_id=ids[0], amount=2_000, reason=NOTES["grant reason"])
            ],
            loans=[vsla.LoanRequest(member_id=ids[1], principal=50_000, term_months=2)],
        ),
    )
    loan = store.loans(cycle.id)[0]
    store.write_off(loan.id, on=DAY + dt.timedelta(days=14), reason=NOTES["write-off reason"])
    share = next(e for e in second.entries if e.kind is vsla.EntryKind.SHARE_PURCHASE)
    store.reverse_entry(share.id, on=DAY + dt.timedelta(days=14), reason=NOTES["reversal reason"])
    store.add_referral(
        vsla.NewReferral(
            member_id=ids[0],
            institution=vsla.Institution.VBSP,
            service="tài khoản",
            referred_on=DAY,
            note=NOTES["referral note"],
        )
    )
    store.add_livelihood_support(
        vsla.NewLivelihoodSupport(
            member_id=ids[1],
            kind=vsla.SupportKind.TRAINING,
            received_on=DAY,
            note=NOTES["support note"],
        )
    )
    store.add_gal_session(
        vsla.NewGalSession(
            group_id=group.id,
            held_on=DAY,
            tool=vsla.GalTool.VISION_JOURNEY,
            women=5,
            note=NOTES["gal note"],
        )
    )


def exported_texts(path: Path) -> Iterator[str]:
    """Every way the file's bytes can be read as text."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                yield z.read(name).decode("utf-8", errors="replace")
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                yield "\t".join("" if v is None else str(v) for v in row)
    else:
        text = data.decode("utf-8-sig")
        yield text
        if path.suffix == ".json":
            yield json.dumps(json.loads(text), ensure_ascii=False)


def export_all(store: vsla.Store, folder: Path, *, pseudonymise: bool) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix in (".csv", ".xlsx", ".json"):
        path = folder / f"ledger{suffix}"
        export_ledger(store, path, pseudonymise=pseudonymise, salt=SALT)
        paths.append(path)
    for suffix in (".json", ".xlsx"):
        path = folder / f"programme{suffix}"
        export_programme(store, path, pseudonymise=pseudonymise, salt=SALT)
        paths.append(path)
    return paths


def leaks(paths: list[Path], secrets: set[str]) -> set[tuple[str, str]]:
    found = set()
    for path in paths:
        for text in exported_texts(path):
            folded = unicodedata.normalize("NFC", text).casefold()
            for secret in secrets:
                if unicodedata.normalize("NFC", secret).casefold() in folded:
                    found.add((path.name, secret))
    return found


def secrets_of(names: list[str], phones: list[str]) -> set[str]:
    out = {n for n in names if n.strip()} | set(NOTES.values())
    for phone in phones:
        out |= phone_forms(phone)
    return out


def test_pseudonymised_exports_hold_no_name_phone_or_note(tmp_path: Path) -> None:
    store = vsla.open(":memory:")
    build(store, NAMES, PHONES)
    secrets = secrets_of(NAMES, PHONES)
    # Not vacuous: the plain export shows every name and phone (notes: those it exports).
    plain = export_all(store, tmp_path / "plain", pseudonymise=False)
    shown = {s for _, s in leaks(plain, secrets)}
    assert set(NAMES) <= shown
    assert {p for p in PHONES if p} <= shown
    pseudo = export_all(store, tmp_path / "pseudo", pseudonymise=True)
    assert leaks(pseudo, secrets) == set()
    # ... and it still has the figures.
    ledger = json.loads((tmp_path / "pseudo" / "ledger.json").read_text("utf-8"))
    rows = ledger["ledger"] if isinstance(ledger, dict) else ledger
    assert len(rows) >= 15
    assert sum(int(r["loan_fund_change"]) for r in rows) == store.balances(1).loan_fund_cash


def test_cli_export_pseudonymise_holds_no_name(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    store = vsla.open(db)
    build(store, NAMES, PHONES)
    store.close()
    paths = []
    for what, name in (("ledger", "l.csv"), ("programme", "p.json"), ("programme", "p.xlsx")):
        result = CliRunner().invoke(
            app,
            [
                "export",
                what,
                str(tmp_path / name),
                "--db",
                str(db),
                "--pseudonymise",
                "--salt",
                SALT,
            ],
        )
        assert result.exit_code == 0, result.output
        paths.append(tmp_path / name)
    assert leaks(paths, secrets_of(NAMES, PHONES)) == set()


names = st.text(
    alphabet=st.characters(categories=["L"], max_codepoint=0x1EF9), min_size=4, max_size=14
).filter(lambda n: n.strip() and not any(n.casefold() in p.casefold() for p in PLACES.values()))
phones = st.from_regex(r"0[35789][0-9]{8}", fullmatch=True)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(st.tuples(names, phones), min_size=2, max_size=4, unique_by=lambda p: p[1]))
def test_generated_names_and_phones_never_leak(
    people: list[tuple[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = vsla.open(":memory:")
    names_, phones_ = [f"Zq {n}" for n, _ in people], [p for _, p in people]
    build(store, names_, phones_)
    secrets = secrets_of(names_, phones_)
    pseudo = export_all(store, tmp_path_factory.mktemp("pseudo"), pseudonymise=True)
    # "Zq " makes each generated name distinctive: it cannot be a column name or a place.
    assert leaks(pseudo, secrets) == set()
