"""Worker processes for the reliability tests, started with multiprocessing's "spawn".

Each worker opens its own store on the database the test names (a SQLite file, or a
PostgreSQL URL plus a schema), waits at a barrier so that all start together, then
records meetings, loans, repayments and social fund grants into the same cycles as every
other worker. It reports what the store told it was written (ids and amounts) and every
failure it saw, so the test can check the database against the sum of the reports.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from typing import Any

from sqlalchemy import create_engine, func, select

import vsla
from vsla.store import tables as t


@dataclass(frozen=True)
class Db:
    """Where the workers' database is: a SQLite file path, or a PostgreSQL URL and schema."""

    url: str
    schema: str | None = None
    sqlite_timeout: float | None = None

    def open(self) -> vsla.Store:
        if self.schema is None:
            args: dict[str, Any] = {}
            if self.sqlite_timeout is not None:
                args["timeout"] = self.sqlite_timeout
            return vsla.open(create_engine(f"sqlite:///{self.url}", connect_args=args))
        engine = create_engine(
            self.url, connect_args={"options": f"-c search_path={self.schema}"}, pool_size=1
        )
        return vsla.open(engine)


@dataclass
class Report:
    """What one worker was told: entries written, members added, failures by type."""

    worker: int
    meetings: list[tuple[int, int, dt.date]] = field(default_factory=list)  # id, cycle, date
    entries: list[tuple[int, int, str, int, int | None]] = field(default_factory=list)
    members: list[tuple[int, int, int]] = field(default_factory=list)  # id, group, number
    refusals: dict[str, int] = field(default_factory=dict)  # VslaError subclass -> count
    messages: list[str] = field(default_factory=list)  # one example per refusal type
    raw: list[str] = field(default_factory=list)  # anything not a VslaError: a bug
    retries: int = 0
    calls: int = 0
    seconds: float = 0.0

    def refused(self, exc: Exception) -> None:
        if not isinstance(exc, vsla.VslaError):
            self.raw.append("".join(traceback.format_exception(exc)))
            return
        name = type(exc).__name__
        if name not in self.refusals:
            self.messages.append(f"{name}: {exc}")
        self.refusals[name] = self.refusals.get(name, 0) + 1


class _CountRetries(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "retrying" in record.getMessage():
            self.count += 1


def _plan(
    store: vsla.Store, cycle: vsla.Cycle, members: list[int], rng: random.Random
) -> vsla.MeetingInput:
    """The next meeting as this worker sees the cycle now: dated the day after the last
    meeting (so the workers race for the same date), lending most of the cash it reads
    and repaying loans in full (so they race for the same cash and the same loans)."""
    history = store.balance_history(cycle.id)  # one query: the last date and the boxes
    last, boxes = history[-1]
    # mostly the day after the last meeting (a race for the date), sometimes a later day
    # (a race for the cash: another worker may lend it at an earlier date meanwhile)
    day = min(last + dt.timedelta(days=rng.choice((1, 1, 2, 3))), cycle.end_date)
    buyers = rng.sample(members, 3)
    repayments = []
    for loan in store.loans(cycle.id, include_cancelled=False)[-3:]:
        if loan.terms.disbursed_on > day:
            continue  # lent by another worker since the history was read
        pos = store.loan_position(loan.id, day)
        if pos.settlement_amount > 0 and rng.random() < 0.6:
            repayments.append(vsla.Repayment(loan_id=loan.id, amount=pos.settlement_amount))
    loans = []
    if boxes.loan_fund_cash > 10_000:
        loans.append(
            vsla.LoanRequest(
                member_id=rng.choice(members),
                principal=boxes.loan_fund_cash * 8 // 10,
                term_months=1,
            )
        )
    grants = []
    if boxes.social_fund_cash > 4_000:
        grants.append(
            vsla.SocialFundGrant(
                member_id=rng.choice(members), amount=boxes.social_fund_cash * 7 // 10
            )
        )
    return vsla.MeetingInput(
        date=day,
        share_purchases={m: rng.randint(1, 5) for m in buyers},
        social_fund_contributions=dict.fromkeys(buyers, 2_000),
        repayments=repayments,
        loans=loans,
        social_fund_grants=grants,
    )


def record_meetings(
    worker: int,
    db: Db,
    cycle_ids: list[int],
    attempts: int,
    barrier: Barrier,
    results: Any,
) -> None:
    """Try ``attempts`` meetings in each cycle, interleaving the cycles; put a Report."""
    report = Report(worker)
    counter = _CountRetries()
    logging.getLogger("vsla.store").addHandler(counter)
    logging.getLogger("vsla.store").setLevel(logging.INFO)
    rng = random.Random(worker)
    try:
        store = db.open()
        cycles = [store.cycle(c) for c in cycle_ids]
        members = {c.id: [m.id for m in store.members(c.group_id)] for c in cycles}
        barrier.wait(timeout=120)
        started = time.monotonic()
        for i in range(attempts * len(cycles)):
            cycle = cycles[(i + worker) % len(cycles)]
            report.calls += 1
            try:
                meeting = _plan(store, cycle, members[cycle.id], rng)
                record = store.record_meeting(cycle.id, meeting)
            except Exception as exc:
                report.refused(exc)
                continue
            report.meetings.append((record.id, record.cycle_id, record.date))
            report.entries += [
                (e.id, e.cycle_id, e.kind.value, e.amount, e.loan_id) for e in record.entries
            ]
        report.seconds = time.monotonic() - started
        store.close()
    except Exception as exc:
        report.raw.append("".join(traceback.format_exception(exc)))
    report.retries = counter.count
    results.put(report)


def add_members(
    worker: int, db: Db, group_id: int, count: int, barrier: Barrier, results: Any
) -> None:
    """Add ``count`` members to the group one by one, numbered by the store; put a Report."""
    report = Report(worker)
    counter = _CountRetries()
    logging.getLogger("vsla.store").addHandler(counter)
    logging.getLogger("vsla.store").setLevel(logging.INFO)
    try:
        store = db.open()
        barrier.wait(timeout=120)
        started = time.monotonic()
        for i in range(count):
            report.calls += 1
            new = vsla.NewMember(
                group_id=group_id,
                full_name=f"Y Worker{worker} No{i}",
                sex=vsla.Sex.FEMALE,
                joined_on=dt.date(2024, 1, 8),
            )
            try:
                member = store.add_member(new)
            except Exception as exc:
                report.refused(exc)
                continue
            report.members.append((member.id, member.group_id, member.number))
        report.seconds = time.monotonic() - started
        store.close()
    except Exception as exc:
        report.raw.append("".join(traceback.format_exception(exc)))
    report.retries = counter.count
    results.put(report)


def feed_writer(
    worker: int, db: Db, cycle_id: int, rounds: int, barrier: Barrier, results: Any
) -> None:
    """Write into one cycle for ``rounds`` rounds, each one transaction held open a random
    while before it commits (so the writers' commits come in another order than their
    writes): a meeting (shares, sometimes a loan or a repayment), sometimes a referral or
    its outcome, once a member's exit. Puts a Report."""
    report = Report(worker)
    rng = random.Random(f"feed/{worker}")
    try:
        store = db.open()
        cycle = store.cycle(cycle_id)
        members = [m.id for m in store.members(cycle.group_id)]
        day = max(m.date for m in store.meetings(cycle_id))
        barrier.wait(timeout=120)
        started = time.monotonic()
        for i in range(rounds):
            day += dt.timedelta(days=7)
            report.calls += 1
            try:
                with store.transaction():
                    active = [m.id for m in store.members(cycle.group_id, active_on=day)]
                    loans = store.loans(cycle_id, include_cancelled=False)
                    repayments = []
                    if loans and rng.random() < 0.5:
                        pos = store.loan_position(loans[-1].id, day)
                        if pos.settlement_amount:
                            repayments.append(
                                vsla.Repayment(loan_id=loans[-1].id, amount=pos.settlement_amount)
                            )
                    lend = rng.random() < 0.4 and not repayments
                    record = store.record_meeting(
                        cycle_id,
                        vsla.MeetingInput(
                            date=day,
                            share_purchases={m: rng.randint(1, 3) for m in active},
                            repayments=repayments,
                            loans=[
                                vsla.LoanRequest(
                                    member_id=rng.choice(active), principal=20_000, term_months=1
                                )
                            ]
                            if lend
                            else [],
                            client_id=f"w{worker}/meeting/{i}",
                        ),
                    )
                    report.meetings.append((record.id, record.cycle_id, record.date))
                    if rng.random() < 0.3:
                        store.add_referral(
                            vsla.NewReferral(
                                member_id=rng.choice(active),
                                institution=vsla.Institution.VBSP,
                                service="vay",
                                referred_on=day,
                            )
                        )
                    pending = [
                        r
                        for r in store.referrals(group_id=cycle.group_id)
                        if r.outcome == "pending"
                    ]
                    if pending and rng.random() < 0.3:
                        store.record_referral_outcome(
                            pending[0].id, vsla.ReferralOutcome.ACCESSED, day
                        )
                    if i == rounds // 2:
                        owing = {loan.member_id for loan in loans}
                        leaving = [m for m in active if m not in owing and m != members[0]]
                        if leaving:
                            store.settle_member_exit(leaving[0], on=day)
                    time.sleep(rng.uniform(0, 0.03))  # hold the transaction open a while
            except Exception as exc:
                report.refused(exc)
        report.seconds = time.monotonic() - started
        store.close()
    except Exception as exc:
        report.raw.append("".join(traceback.format_exception(exc)))
    results.put(report)


@dataclass
class PullerReport:
    """What the puller ended with: its copy, and what a naive cursor (the change log's
    insertion id instead of its commit sequence) saw of the same log."""

    copy: dict[tuple[str, int], Any] = field(default_factory=dict)
    pulls: int = 0
    naive_seen: set[tuple[str, int]] = field(default_factory=set)
    raw: list[str] = field(default_factory=list)


def feed_puller(db: Db, barrier: Barrier, stop: Any, results: Any) -> None:
    """Pull the change feed over and over while the writers write, in small batches, until
    ``stop`` is set; then pull once more and put a PullerReport."""
    from tests.store.feed import pull

    report = PullerReport()
    naive_after = 0

    def naive(store: vsla.Store) -> None:
        nonlocal naive_after
        with store.connection() as conn:
            rows = conn.execute(
                select(t.changes.c.id, t.changes.c.kind, t.changes.c.record_ids)
                .where(t.changes.c.id > naive_after)
                .order_by(t.changes.c.id)
            ).all()
        for row_id, kind, ids in rows:
            naive_after = max(naive_after, row_id)
            report.naive_seen.update((kind, int(i)) for i in ids)

    try:
        store = db.open()
        cursor = pull(store, report.copy, None)
        naive(store)
        barrier.wait(timeout=120)
        while not stop.is_set():
            cursor = pull(store, report.copy, cursor, limit=40)
            naive(store)
            report.pulls += 1
            time.sleep(0.002)
        pull(store, report.copy, cursor)
        naive(store)
        store.close()
    except Exception as exc:
        report.raw.append("".join(traceback.format_exception(exc)))
    results.put(report)


def meeting_rows(store: vsla.Store, cycle_ids: list[int]) -> list[tuple[int, int, dt.date, int]]:
    """Every meeting row of the cycles: id, cycle, date, number."""
    with store.connection() as conn:
        return [
            (r.id, r.cycle_id, r.date, r.number)
            for r in conn.execute(select(t.meetings).where(t.meetings.c.cycle_id.in_(cycle_ids)))
        ]


def disbursements_per_loan(store: vsla.Store, cycle_ids: list[int]) -> dict[int, int]:
    """Loan id -> number of disbursement entries (1 for every loan: never paid out twice)."""
    with store.connection() as conn:
        rows = conn.execute(
            select(t.loans.c.id, func.count(t.entries.c.id))
            .select_from(t.loans.outerjoin(t.entries, t.entries.c.loan_id == t.loans.c.id))
            .where(
                t.loans.c.cycle_id.in_(cycle_ids),
                (t.entries.c.kind == vsla.EntryKind.LOAN_DISBURSEMENT.value)
                | t.entries.c.id.is_(None),
            )
            .group_by(t.loans.c.id)
        )
        return {lid: int(n) for lid, n in rows}


def import_with_small_cache(db: str, path: str, cache_pages: int) -> None:
    """Import a programme into a SQLite file whose page cache holds only ``cache_pages``
    pages: the import then writes into the database file early (spilling the cache), so a
    process killed half-way leaves a half-overwritten file and a hot rollback journal."""
    from sqlalchemy import event

    from vsla.io import import_file

    engine = create_engine(f"sqlite:///{db}")

    def small_cache(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA cache_size={cache_pages}")

    event.listen(engine, "connect", small_cache)
    store = vsla.open(engine)
    print(import_file(store, "programme", path), flush=True)
    store.close()


if __name__ == "__main__":
    import sys

    import_with_small_cache(sys.argv[1], sys.argv[2], int(sys.argv[3]))
