"""A file imported again: rows with a client id are the records stored (docs/sync.md).

The same file twice creates nothing the second time; a row changed since is a conflict
naming the field, and nothing of the file is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import vsla
from tests.conftest import snapshot
from tests.io.conftest import World, write_csv
from vsla.io import COLUMNS, ImportKind, import_file


def rows_of(kind: ImportKind, rows: list[dict[str, str]]) -> list[list[str]]:
    names = [c.name for c in COLUMNS[kind]]
    return [names, *([r.get(n, "") for n in names] for r in rows)]


def test_the_same_files_imported_twice_create_nothing_the_second_time(
    world: World, tmp_path: Path
) -> None:
    store = world.store
    members = write_csv(
        tmp_path / "members.csv",
        rows_of(
            ImportKind.MEMBERS,
            [
                {"group_code": "KT-DG-001", "full_name": "Y Blưp", "sex": "F",
                 "joined_on": "08/01/2024", "client_id": "m-5"},
                {"group_code": "KT-DG-001", "full_name": "A Thương", "sex": "M",
                 "joined_on": "08/01/2024", "client_id": "m-6"},
            ],
        ),
    )  # fmt: skip
    meetings = write_csv(
        tmp_path / "meetings.csv",
        rows_of(
            ImportKind.MEETINGS,
            [
                {"group_code": "KT-DG-001", "date": "08/01/2024", "member_number": "1",
                 "shares": "2", "client_id": "meeting-1"},
                {"group_code": "KT-DG-001", "date": "08/01/2024", "member_number": "2",
                 "shares": "1"},
                {"group_code": "KT-DG-001", "date": "15/01/2024", "member_number": "1",
                 "shares": "3", "client_id": "meeting-2"},
            ],
        ),
    )  # fmt: skip
    referrals = write_csv(
        tmp_path / "referrals.csv",
        rows_of(
            ImportKind.REFERRALS,
            [{"group_code": "KT-DG-001", "member_number": "1", "institution": "NHCSXH",
              "service": "vay", "referred_on": "20/03/2024", "client_id": "r-1"}],
        ),
    )  # fmt: skip
    first = [
        import_file(store, kind, path).records_created
        for kind, path in (("members", members), ("meetings", meetings), ("referrals", referrals))
    ]
    assert first == [2, 5, 1]
    assert [m.number for m in store.members(world.group.id)][-2:] == [5, 6]
    before = snapshot(store)
    again = [
        import_file(store, kind, path).records_created
        for kind, path in (("members", members), ("meetings", meetings), ("referrals", referrals))
    ]
    assert again == [0, 0, 0]
    assert snapshot(store) == before
    # a meeting changed since: a conflict naming the field; nothing of the file written
    changed = write_csv(
        tmp_path / "changed.csv",
        rows_of(
            ImportKind.MEETINGS,
            [
                {"group_code": "KT-DG-001", "date": "15/01/2024", "member_number": "1",
                 "shares": "4", "client_id": "meeting-2"},
                {"group_code": "KT-DG-001", "date": "22/01/2024", "member_number": "1",
                 "shares": "1", "client_id": "meeting-3"},
            ],
        ),
    )  # fmt: skip
    with pytest.raises(vsla.ImportErrors) as refused:
        import_file(store, "meetings", changed)
    [error] = refused.value.errors
    assert error.row == 2
    assert f"share_purchases.{world.members[0].id}: stored 3, given 4" in error.message
    assert snapshot(store) == before
