"""Importing groups and cycles: good files (Vietnamese or English headers), broken files with
their exact list of row errors and nothing written, and never a programme made silently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import vsla
from tests.conftest import snapshot
from tests.io.conftest import write_csv, write_xlsx
from vsla.io import export_programme, import_file

D = dt.date

GROUPS_VI = [
    ["Mã tổ", "Tên tổ", "Huyện", "Xã", "Thôn", "Ngày thành lập", "Ngày thí điểm GAL",
     "Chương trình"],
    ["KT-DG-001", "Tổ Đăk Nhoong", "Đắk Glei", "Đắk Nhoong", "Đăk Nhoong", "02/01/2024",
     "02/01/2024", "Kon Tum VSLA"],
    ["KT-DG-002", "Tổ Đăk Pék", "Đắk Glei", "Đắk Pék", "", "05/01/2024", "", "1"],
    ["KT-KR-001", "Tổ Kon Rẫy", "Kon Rẫy", "", "", "2024-01-10", "", ""],
]  # fmt: skip


@pytest.fixture
def programme(store: vsla.Store) -> vsla.Programme:
    return store.add_programme(vsla.NewProgramme(name="Kon Tum VSLA"))


def _errors(exc: pytest.ExceptionInfo[vsla.ImportErrors]) -> list[tuple[int, str, str | None]]:
    return [(e.row, e.column, e.rule) for e in exc.value.errors]


def test_a_groups_file_with_vietnamese_headers_registers_every_group(
    store: vsla.Store, programme: vsla.Programme, tmp_path: Path
) -> None:
    summary = import_file(store, "groups", write_csv(tmp_path / "to.csv", GROUPS_VI))
    assert (summary.rows_read, dict(summary.per_table)) == (3, {"groups": 3})
    got = [
        (g.code, g.name, g.district, g.commune, g.village, g.established_on, g.gal_pilot_since)
        for g in store.groups(programme.id)
    ]
    assert got == [
        ("KT-DG-001", "Tổ Đăk Nhoong", "Đắk Glei", "Đắk Nhoong", "Đăk Nhoong", D(2024, 1, 2),
         D(2024, 1, 2)),
        ("KT-DG-002", "Tổ Đăk Pék", "Đắk Glei", "Đắk Pék", "", D(2024, 1, 5), None),
        ("KT-KR-001", "Tổ Kon Rẫy", "Kon Rẫy", "", "", D(2024, 1, 10), None),
    ]  # fmt: skip
    assert summary.text("vi") == "to.csv: đã đọc 3 dòng, đã tạo 3 bản ghi (3 tổ)"
    assert summary.text("en") == "to.csv: 3 row(s) read, 3 record(s) created (3 groups)"


def test_members_import_into_a_group_the_groups_import_created(
    store: vsla.Store, programme: vsla.Programme, tmp_path: Path
) -> None:
    import_file(store, "groups", write_xlsx(tmp_path / "to.xlsx", GROUPS_VI, sheet="groups"))
    members = [
        ["Mã tổ", "Họ và tên", "Giới tính", "Ngày vào tổ"],
        ["KT-DG-002", "Y Hoa", "Nữ", "08/01/2024"],
        ["KT-DG-002", "A Blưp", "Nam", "08/01/2024"],
    ]
    import_file(store, "members", write_csv(tmp_path / "tv.csv", members))
    group = store.group("KT-DG-002")
    assert [(m.number, m.full_name) for m in store.members(group.id)] == [
        (1, "Y Hoa"),
        (2, "A Blưp"),
    ]


def test_a_broken_groups_file_lists_every_error_and_writes_nothing(
    store: vsla.Store, programme: vsla.Programme, tmp_path: Path
) -> None:
    store.add_group(vsla.NewGroup(code="KT-DG-001", name="Tổ cũ", established_on=D(2023, 1, 1)))
    rows = [
        GROUPS_VI[0],
        ["KT-DG-001", "Tổ Đăk Nhoong", "", "", "", "02/01/2024", "", ""],  # code taken
        ["KT-DG-005", "Tổ A", "", "", "", "02/01/2024", "", "Gia Lai VSLA"],  # no such programme
        ["KT-DG-005", "Tổ B", "", "", "", "31/02/2024", "", ""],  # twice; no 31 February
        ["KT-DG-006", "", "", "", "", "02/01/2024", "01/01/2024", "#7"],  # no name; pilot first
    ]
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, "groups", write_csv(tmp_path / "to.csv", rows))
    assert _errors(exc) == [
        (2, "group_code", "group_code_taken"),
        (3, "programme", "unknown_programme"),
        (4, "group_code", "group_code_twice"),
        (4, "established_on", "bad_cell"),
        (5, "name", "required_cell"),
        (5, "gal_pilot_since", "pilot_before_established"),
        (5, "programme", "unknown_programme"),
    ]
    assert exc.value.errors[1].message == (
        "no programme 'Gia Lai VSLA' (the programmes: Kon Tum VSLA (#1)); a groups import "
        "never creates one: import the programme first (vsla import programme)"
    ).replace("#1", f"#{programme.id}")
    assert snapshot(store) == before
    assert [p.name for p in store.programmes()] == ["Kon Tum VSLA"]


def test_a_blank_programme_with_several_programmes_is_an_error(
    store: vsla.Store, programme: vsla.Programme, tmp_path: Path
) -> None:
    store.add_programme(vsla.NewProgramme(name="Gia Lai VSLA", province="Gia Lai"))
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, "groups", write_csv(tmp_path / "to.csv", [GROUPS_VI[0], GROUPS_VI[3]]))
    assert _errors(exc) == [(2, "programme", "programme_needed")]
    assert store.groups() == []


def test_without_any_programme_a_blank_programme_registers_the_group_alone(
    store: vsla.Store, tmp_path: Path
) -> None:
    import_file(store, "groups", write_csv(tmp_path / "to.csv", [GROUPS_VI[0], GROUPS_VI[3]]))
    assert [(g.code, g.programme_id) for g in store.groups()] == [("KT-KR-001", None)]
    assert store.programmes() == []


CYCLES = [
    ["group_code", "start_date", "end_date", "share_value", "interest_rate",
     "social_fund_contribution", "max_shares_per_meeting", "meeting_frequency", "fines",
     "officers"],
    ["KT-DG-001", "08/01/2024", "30/12/2024", "10.000", "2%", "2.000", "", "",
     "vắng: 5.000; muộn: 1.000", "1: chủ tịch; 2: thủ quỹ"],
    ["KT-DG-002", "2024-01-15", "2024-12-15", "20000", "0,03", "", "3", "hằng tháng", "", ""],
]  # fmt: skip


@pytest.fixture
def groups(store: vsla.Store, programme: vsla.Programme, tmp_path: Path) -> list[vsla.Group]:
    import_file(store, "groups", write_csv(tmp_path / "to.csv", GROUPS_VI))
    members = [
        ["group_code", "full_name", "sex", "joined_on"],
        *(["KT-DG-001", name, "F", "08/01/2024"] for name in ("Y Hoa", "Y Lan", "Y Nhí")),
    ]
    import_file(store, "members", write_csv(tmp_path / "tv.csv", members))
    return store.groups()


def test_a_cycles_file_starts_each_cycle_with_its_constitution_and_officers(
    store: vsla.Store, groups: list[vsla.Group], tmp_path: Path
) -> None:
    summary = import_file(store, "cycles", write_csv(tmp_path / "ck.csv", CYCLES))
    assert dict(summary.per_table) == {"cycles": 2, "officers": 2}
    first = store.current_cycle(groups[0].id)
    hoa, lan = store.members(groups[0].id)[:2]
    assert (first.number, first.start_date, first.end_date) == (1, D(2024, 1, 8), D(2024, 12, 30))
    assert first.constitution == vsla.Constitution(
        share_value=10_000,
        interest_rate=Decimal("0.02"),  # "2%"
        social_fund_contribution=2_000,
        fines={"vắng": 5_000, "muộn": 1_000},
    )  # every other rule its default: 1 to 5 shares, declining, weekly, 3 × savings, 3 months
    assert first.officers == {
        hoa.id: (vsla.OfficerRole.CHAIR,),
        lan.id: (vsla.OfficerRole.BOX_KEEPER,),
    }
    second = store.current_cycle(groups[1].id).constitution
    assert (second.share_value, second.interest_rate, second.max_shares_per_meeting) == (
        20_000,
        Decimal("0.03"),  # "0,03": a fraction with the decimal comma
        3,
    )
    assert second.meeting_frequency is vsla.MeetingFrequency.MONTHLY


def test_a_broken_cycles_file_lists_every_error_and_writes_nothing(
    store: vsla.Store, groups: list[vsla.Group], tmp_path: Path
) -> None:
    header = [*CYCLES[0][:5], "min_shares_per_meeting", "officers"]
    rows = [
        header,
        ["KT-DG-001", "08/01/2024", "30/12/2024", "10.000", "2%", "", "1: chair; 9: thủ quỹ"],
        ["KT-DG-001", "08/01/2024", "30/12/2024", "10.000", "2%", "", ""],  # group twice
        ["KT-DG-002", "01/01/2024", "15/12/2024", "mười nghìn", "", "", ""],  # before 05/01
        ["KT-DG-009", "08/01/2024", "30/12/2024", "10.000", "2%", "", ""],  # no such group
        ["KT-KR-001", "15/01/2024", "15/12/2024", "10.000", "2%", "", ""],  # good
        ["KT-DG-002", "15/01/2024", "15/12/2024", "10.000", "2%", "6", ""],  # 6 > 5 shares
    ]
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, "cycles", write_csv(tmp_path / "ck.csv", rows))
    assert _errors(exc) == [
        (2, "officers", "unknown_member"),
        (3, "group_code", "group_twice"),
        (4, "start_date", "cycle_before_established"),
        (4, "share_value", "bad_cell"),
        (4, "interest_rate", "required_cell"),
        (5, "group_code", "unknown_group"),
        (7, "group_code", "group_twice"),
        (7, "min_shares_per_meeting", "constitution"),
    ]
    assert exc.value.errors[-1].message == (
        "min_shares_per_meeting (6) exceeds max_shares_per_meeting (5)"
    )
    assert snapshot(store) == before


def test_a_rule_the_store_enforces_is_the_row_error_and_nothing_is_written(
    store: vsla.Store, groups: list[vsla.Group], tmp_path: Path
) -> None:
    """Only the store knows the group's cycles: a running one, or an end before the start,
    is found while writing; the rows before it are rolled back too."""
    store.start_cycle(
        groups[2].id,
        start=D(2024, 1, 15),
        end=D(2024, 12, 15),
        constitution=vsla.Constitution(share_value=5_000, interest_rate=Decimal("0.02")),
    )
    rows = [
        CYCLES[0][:5],
        ["KT-DG-001", "08/01/2024", "30/12/2024", "10.000", "2%"],  # good: rolled back
        ["KT-DG-002", "15/01/2024", "14/01/2024", "10.000", "2%"],  # ends before it starts
        [groups[2].code, "20/01/2024", "30/12/2024", "10.000", "2%"],  # cycle 1 is running
    ]
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, "cycles", write_csv(tmp_path / "ck.csv", rows))
    assert _errors(exc) == [
        (3, "end_date", "cycle_ends_after_start"),
        (4, "start_date", "one_running_cycle"),
    ]
    assert snapshot(store) == before


def test_importing_a_programme_twice_never_makes_a_second_programme(
    store: vsla.Store, programme: vsla.Programme, tmp_path: Path
) -> None:
    """The clerk's report: the programme import silently made a second programme of the
    same name. Now it is refused, naming the programme already there."""
    path = tmp_path / "ct.json"
    export_programme(store, path)
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, "programme", path)
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "name")]
    assert f"'Kon Tum VSLA' already exists (#{programme.id})" in exc.value.errors[0].message
    assert vsla.io.row_message(exc.value.errors[0], "vi") == (
        f"chương trình “Kon Tum VSLA” đã có (số {programme.id}): không tạo chương trình thứ "
        "hai cùng tên"
    )
    assert snapshot(store) == before
    assert [p.name for p in store.programmes()] == ["Kon Tum VSLA"]
