"""The change feed: what was written after a cursor, in commit order (docs/sync.md).

The concurrent case (two writer processes and a puller on PostgreSQL) is in
``tests/reliability/test_change_feed.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest

import vsla
from tests.store.feed import Copy, database, pull
from tests.store.helpers import START, build
from vsla.demo import generate

D = dt.date


def test_an_empty_store_has_no_changes(store: vsla.Store) -> None:
    batch = store.changes()
    assert (batch.changes, batch.cursor, batch.more) == ((), "v1.0", False)
    assert store.changes(batch.cursor).changes == ()


def test_records_come_in_commit_order_and_corrections_come_again(store: vsla.Store) -> None:
    w = build(store)
    first = store.changes()
    assert [c.kind.value for c in first.changes] == ["group"] + ["member"] * 4 + ["cycle"]
    assert [c.record for c in first.changes[1:5]] == [w.m[n] for n in w.m]
    hoa = w.id("Y Hoa")
    record = w.meet(
        START,
        share_purchases={hoa: 5},
        loans=[vsla.LoanRequest(member_id=hoa, principal=20_000, term_months=1)],
    )
    batch = store.changes(first.cursor)
    assert [(c.kind.value, c.id) for c in batch.changes] == [
        ("meeting", record.id),
        ("loan", store.loans(w.cycle.id)[0].id),
        *(("entry", e.id) for e in record.entries),
    ]
    assert batch.changes[0].record == record
    # one row of the change log per kind written, numbered one after the other at commit
    seqs = sorted({c.seq for c in batch.changes})
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    assert batch.cursor == f"v1.{seqs[-1]}"
    # a member's exit writes entries and updates the member: both come again
    nhi = w.id("Y Nhí")
    store.settle_member_exit(nhi, on=START)
    after_exit = store.changes(batch.cursor)
    assert [c.kind.value for c in after_exit.changes] == ["member"]
    assert after_exit.changes[0].record.left_on == START
    assert store.changes(after_exit.cursor).changes == ()


def test_a_call_stops_at_its_limit_between_rows_of_the_log(store: vsla.Store) -> None:
    build(store)
    one = store.changes(limit=1)
    assert [c.kind.value for c in one.changes] == ["group"]
    assert one.more
    two = store.changes(one.cursor, limit=2)
    assert [c.kind.value for c in two.changes] == ["member"] * 4  # one row, not split
    assert two.more
    three = store.changes(two.cursor, limit=2)
    assert ([c.kind.value for c in three.changes], three.more) == (["cycle"], False)


def test_a_cursor_is_checked(store: vsla.Store) -> None:
    for bad in ("v2.3", "3", "v1.-1", "v1.x"):
        with pytest.raises(vsla.InvalidInput, match="not a cursor"):
            store.changes(bad)
    with pytest.raises(vsla.InvalidInput, match="limit"):
        store.changes(limit=0)


def test_a_copy_kept_by_the_feed_equals_the_database(store: vsla.Store) -> None:
    """An app pulls after every few store calls of a demo programme (exits, write-offs,
    share-outs, referral outcomes among them): its copy always equals the database."""
    copy: Copy = {}
    cursor = pull(store, copy, None)
    generate(store, groups=2, seed=5)
    cursor = pull(store, copy, cursor, limit=50)
    assert copy == database(store)
    referral = store.referrals()[0]
    if referral.outcome is vsla.ReferralOutcome.PENDING:
        store.record_referral_outcome(referral.id, vsla.ReferralOutcome.ACCESSED, on=D(2025, 4, 7))
    store.add_programme(vsla.NewProgramme(name="Gia Lai"))
    pull(store, copy, cursor)
    assert copy == database(store)


def test_a_write_refused_or_rolled_back_leaves_no_change(store: vsla.Store) -> None:
    w = build(store)
    cursor = store.changes().cursor
    with pytest.raises(vsla.SharesOutOfRange):
        w.meet(START, share_purchases={w.id("Y Hoa"): 99})
    try:
        with store.transaction():
            w.meet(START, share_purchases={w.id("Y Hoa"): 1})
            raise RuntimeError("the clerk cancels the sheet")
    except RuntimeError:
        pass
    assert store.changes(cursor).changes == ()


def test_a_reversal_and_a_write_off_come_in_the_feed(store: vsla.Store) -> None:
    """Corrections recorded through the store are changes like any other: their entries
    (origin ``reversal``, ``write_off``), and the meeting row of their date when they
    created it. Y Hoa buys 5 shares and borrows 20.000 ₫ on 8 January, Y Nhí buys 2 shares;
    Y Nhí's shares are reversed on 15 January (a typo), and the loan written off on 22
    January."""
    w = build(store)
    hoa, nhi = w.id("Y Hoa"), w.id("Y Nhí")
    record = w.meet(
        START,
        share_purchases={hoa: 5, nhi: 2},
        loans=[vsla.LoanRequest(member_id=hoa, principal=20_000, term_months=1)],
    )
    cursor = store.changes().cursor
    shares = next(e for e in record.entries if e.member_id == nhi)
    reversal = store.reverse_entry(shares.id, on=D(2024, 1, 15), reason="ghi nhầm")
    [loan] = store.loans(w.cycle.id)
    write_off = store.write_off(loan.id, on=D(2024, 1, 22), reason="chuyển đi")
    batch = store.changes(cursor)
    meetings = {m.date: m for m in store.meetings(w.cycle.id)}
    # the write-off: the principal, then the interest due (month 1 begun: 2 % of 20.000)
    written_off = [e for e in store.entries(w.cycle.id) if e.origin is vsla.EntryOrigin.WRITE_OFF]
    assert [(e.kind, e.amount) for e in written_off] == [
        (vsla.EntryKind.WRITE_OFF, 20_000),
        (vsla.EntryKind.INTEREST_WRITE_OFF, 400),
    ]
    assert [(c.kind.value, c.id) for c in batch.changes] == [
        ("meeting", meetings[D(2024, 1, 15)].id),
        ("entry", reversal.id),
        ("meeting", meetings[D(2024, 1, 22)].id),
        *(("entry", e.id) for e in written_off),
    ]
    assert [c.record for c in batch.changes if c.kind.value == "entry"] == [
        reversal,
        *written_off,
    ]
    assert written_off[0] == write_off
    assert (reversal.origin, reversal.reverses_id, reversal.amount) == (
        vsla.EntryOrigin.REVERSAL,
        shares.id,
        -20_000,
    )
    assert (write_off.origin, write_off.amount) == (vsla.EntryOrigin.WRITE_OFF, 20_000)
    assert store.changes(batch.cursor).changes == ()
