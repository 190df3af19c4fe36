"""``Store.transaction()``: many store calls as one transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

import vsla
from tests.conftest import snapshot
from tests.store.helpers import START, build
from tests.store.test_meetings import D2, first_meeting


def test_block_commits_everything_or_nothing(store: vsla.Store) -> None:
    w = build(store)
    before = snapshot(store)

    def crash() -> None:
        with store.transaction():
            first_meeting(w)
            store.add_member(
                vsla.NewMember(group_id=w.group.id, full_name="Y Lan", sex="F", joined_on=START)
            )
            assert store.balances(w.cycle.id).loan_fund_cash == 96_000  # reads see the block
            raise RuntimeError("the clerk's app crashed")

    with pytest.raises(RuntimeError, match="crashed"):
        crash()
    assert snapshot(store) == before

    with store.transaction():
        first_meeting(w)
        w.meet(D2, share_purchases={w.id("Đinh Thị Lệ"): 2})
    assert store.balances(w.cycle.id).loan_fund_cash == 96_000 + 20_000


def test_a_refused_call_inside_a_block_leaves_nothing_and_the_rest_commits(
    store: vsla.Store,
) -> None:
    """The second member takes number 1, which the first already has: the database refuses
    it mid-write. Its savepoint is rolled back; the block goes on and commits the rest."""
    w = build(store, names=("Y Hoa",))
    with store.transaction():
        with pytest.raises(vsla.InvalidInput, match="already has a member number 1"):
            store.add_members(
                [
                    vsla.NewMember(
                        group_id=w.group.id, full_name="Y Lan", sex="F", joined_on=START, number=2
                    ),
                    vsla.NewMember(
                        group_id=w.group.id, full_name="Y Mai", sex="F", joined_on=START, number=1
                    ),
                ]
            )
        with pytest.raises(vsla.SharesOutOfRange):
            w.meet(START, share_purchases={w.id("Y Hoa"): 9})
        w.meet(START, share_purchases={w.id("Y Hoa"): 2})
        with store.transaction():  # a nested block joins the outer one
            w.meet(START + dt.timedelta(days=7), share_purchases={w.id("Y Hoa"): 1})
    assert [m.full_name for m in store.members(w.group.id)] == ["Y Hoa"]
    assert store.balances(w.cycle.id).shares == 3


def test_opening_a_file_in_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    """A missing folder is said to be missing (it was 'cannot be written' from SQLite's
    'unable to open database file'), and nothing is created."""
    where = tmp_path / "no such folder" / "kontum.db"
    with pytest.raises(vsla.CannotConnect, match=r"no such folder/kontum\.db.*no such folder"):
        vsla.open(where)
    assert not where.parent.exists()


def test_every_write_of_the_store_retries_conflicts() -> None:
    """Each public write method, the activity ones included, is wrapped by retry_conflicts
    (a PostgreSQL deadlock re-runs the whole call)."""
    writes = [
        "add_programme", "add_group", "add_members", "start_cycle", "start_next_cycle",
        "record_meetings", "reverse_entry", "write_off", "share_out", "settle_member_exit",
        "add_referrals", "record_referral_outcome", "add_livelihood_supports", "add_gal_sessions",
    ]  # fmt: skip
    unwrapped = [
        name for name in writes if "retry_conflicts" not in _wrappers(getattr(vsla.Store, name))
    ]
    assert unwrapped == []


def _wrappers(func: object) -> list[str]:
    """Where each wrapper around ``func`` was defined (its code's qualified name, e.g.
    ``retry_conflicts.<locals>.run``), following ``__wrapped__``."""
    names = []
    while hasattr(func, "__wrapped__"):
        code = getattr(func, "__code__", None)
        names.append(str(getattr(code, "co_qualname", "")).split(".")[0])
        func = func.__wrapped__
    return names


def test_busy_timeout_is_how_long_a_write_waits(tmp_path: Path) -> None:
    """Another process holds the write lock: a store opened with busy_timeout=0.2 gives up
    after 0.2 s with DatabaseBusy naming the file and the timeout, and writes nothing."""
    path = tmp_path / "busy.db"
    vsla.open(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other clerk's import, mid-way
    store = vsla.open(path, busy_timeout=0.2)
    try:
        with pytest.raises(vsla.DatabaseBusy, match=r"busy\.db.*0\.2 s"):
            store.add_group(vsla.NewGroup(code="A", name="Tổ A", established_on=START))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.groups() == []
    store.close()


@pytest.mark.parametrize(
    ("url", "seconds", "message"),
    [
        (":memory:", -1, "from 0 to 86400"),
        ("postgresql+psycopg://u@h/db", 5, "SQLite databases only"),
    ],
)
def test_busy_timeout_refusals(url: str, seconds: float, message: str) -> None:
    with pytest.raises(vsla.InvalidInput, match=message):
        vsla.open(url, busy_timeout=seconds)
