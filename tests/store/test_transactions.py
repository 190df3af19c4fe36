"""``Store.transaction()``: many store calls as one transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

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
