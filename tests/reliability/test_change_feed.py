"""The change feed under concurrent writers: two processes write on PostgreSQL, each in
transactions held open a random while before they commit (so commits come in another
order than the writes), while a third process pulls the feed in small batches. When the
writers are done and the puller has pulled once more, its copy equals the database: no
commit was skipped (docs/sync.md).

The puller also follows the change log by its insertion id, as a naive feed would: the
records that cursor missed are printed (``-s``), to show what the commit sequence is for.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest

import vsla
from tests.conftest import POSTGRES_URL, own_pg_schema
from tests.reliability.workers import Db, PullerReport, Report, feed_puller, feed_writer
from tests.store.feed import database

START = dt.date(2024, 1, 8)
SPAWN = multiprocessing.get_context("spawn")
ROUNDS = 40

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POSTGRES_URL, reason="VSLA_TEST_POSTGRES_URL is not set"),
]


@pytest.fixture
def pg_db() -> Iterator[Db]:
    assert POSTGRES_URL
    with own_pg_schema("vsla_feed") as schema:
        yield Db(POSTGRES_URL, schema)


def setup(store: vsla.Store) -> list[int]:
    programme = store.add_programme(vsla.NewProgramme(name="Kon Tum"))
    rules = vsla.Constitution(
        share_value=10_000, interest_rate=Decimal("0.02"), max_shares_per_meeting=5
    )
    cycles = []
    for g in range(2):
        group = store.add_group(
            vsla.NewGroup(
                code=f"FEED-{g}", name=f"Tổ {g}", programme_id=programme.id, established_on=START
            )
        )
        members = store.add_members(
            [
                vsla.NewMember(group_id=group.id, full_name=f"Y {i}", sex="F", joined_on=START)
                for i in range(6)
            ]
        )
        cycle = store.start_cycle(
            group.id, start=START, end=dt.date(2025, 12, 29), constitution=rules
        )
        store.record_meeting(
            cycle.id,
            vsla.MeetingInput(date=START, share_purchases={m.id: 5 for m in members}),
        )
        cycles.append(cycle.id)
    return cycles


def test_two_writers_and_a_puller_end_with_the_same_records(pg_db: Db) -> None:
    store = pg_db.open()
    cycles = setup(store)
    barrier = SPAWN.Barrier(3)
    results = SPAWN.Queue()
    stop = SPAWN.Event()
    writers = [
        SPAWN.Process(target=feed_writer, args=(i, pg_db, cycles[i], ROUNDS, barrier, results))
        for i in range(2)
    ]
    puller = SPAWN.Process(target=feed_puller, args=(pg_db, barrier, stop, results))
    started = time.monotonic()
    for p in (*writers, puller):
        p.start()
    reports: list[Report] = [results.get(timeout=300) for _ in writers]
    stop.set()
    pulled: PullerReport = results.get(timeout=300)
    for p in (*writers, puller):
        p.join(timeout=30)
        assert p.exitcode == 0
    elapsed = time.monotonic() - started
    for r in reports:
        assert not r.raw, "\n".join(r.raw)
        assert not r.refusals, r.messages
    assert not pulled.raw, "\n".join(pulled.raw)
    now = database(store)
    assert pulled.copy == now
    naive_missed = set(now) - pulled.naive_seen
    meetings = sum(len(r.meetings) for r in reports)
    print(
        f"\n{meetings} meetings by 2 writers, {len(now)} records; the puller pulled "
        f"{pulled.pulls} times in {elapsed:.1f} s and its copy equals the database; a cursor "
        f"on the log's insertion id would have missed {len(naive_missed)} records"
    )
    assert meetings == 2 * ROUNDS
    store.close()
