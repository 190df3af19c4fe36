"""The load test: ``make load`` (``python benchmarks/load.py``).

Many clerks' apps write to one PostgreSQL database at once while dashboards read it,
some apps die mid-transaction and one freezes. Then the test checks, with its own SQL
over the whole database, that nothing acknowledged was lost, nothing unacknowledged was
written, every invariant of the ledger holds, and every figure a reader was shown equals
some committed state of its cycle.

- It runs only against a server on this machine (127.0.0.1, localhost or ::1): by default
  ``postgresql+psycopg://postgres@127.0.0.1:5432/test`` (or ``$VSLA_LOAD_POSTGRES_URL``),
  where it creates a database of its own, ``vsla_load_<pid>``, and drops it at the end,
  whatever happens (``--keep`` keeps it for a look).
- It is bounded: a fixed number of scenarios, each of a fixed length; every client process
  stops by itself at its scenario's end; the whole run is killed after ``--time-limit``
  seconds (default 900) and cleaned up.
- It sets up ``--groups`` groups (default 200) of 20 to 30 members, each with a running
  cycle and an opening meeting, through the library.

Scenarios (``--seconds`` each, default 20):

``own-N``      N writer processes (``--writers``, default 8 and 16), each on groups of its
               own;
``shared-N``   N writers on the same ``--shared`` groups (default 10), and ``--readers``
               reader processes (default 4) reading balances and group indicators of them;
``kills``      as ``shared`` with the first N: every ``--kill-every`` seconds a writer is
               killed with SIGKILL while its transaction is open (seen in
               ``pg_stat_activity``), and replaced;
``stall``      as ``shared``: one writer is stopped (SIGSTOP) while its transaction holds a
               cycle, for ``--stall`` seconds (default 15), then continued.

Each writer, in a loop: reads the cycle in one snapshot (last meeting date, boxes, member
balances, its latest loans and their positions), then records the next meeting, dated one
to three days after the last (attendance, shares and social fund of everyone present,
fines of some absent, repayments in full of the latest loans, a loan to one of the three
members with the most headroom under ``max_loan_multiple``, of that headroom or 80 % of
the cash), or now and then reverses one of its own share purchases, dated the latest
meeting. Clerks on the same groups race for the same dates, cash, borrowers and loans: the
refusals they meet are the library's (``DateOutsideCycle``, ``BoxWouldGoNegative``,
``LoanLimitExceeded``, ``RepaymentExceedsDue``; ``ConcurrentUpdate`` when a lock wait
outlasts its bound). Every client writes a journal (one JSON line per call, written before
and after it), from which the figures and the checks come: throughput, latency
p50/p95/p99 of ``record_meeting`` and of the readers' calls, refusals by class, CPU, per
scenario.

``--profile FILE`` profiles the first writer's ``record_meeting`` calls in the first
scenario (cProfile of its CPU time, written to FILE, summarised at the end). ``--smoke`` is
a run of a few seconds (a dozen groups, two writers) for the test suite. Exit status 0 when
the verification passes.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import logging
import multiprocessing
import os
import pstats
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

import vsla

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
URL_ENV = "VSLA_LOAD_POSTGRES_URL"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
START = dt.date(2024, 1, 1)
END = dt.date(2039, 12, 31)
READ_ON = dt.date(2026, 12, 31)  # the readers' report date: after every meeting of the run
RULES = vsla.Constitution(
    share_value=10_000,
    min_shares_per_meeting=0,
    max_shares_per_meeting=5,
    social_fund_contribution=2_000,
    interest_rate=Decimal("0.02"),
    max_loan_multiple=Decimal(3),
    max_term_months=3,
    fines={"absence": 2_000},
)
FORK = multiprocessing.get_context("fork")  # clients start in milliseconds: vsla is loaded
P, R, A = vsla.Attendance.PRESENT, vsla.Attendance.REPRESENTED, vsla.Attendance.ABSENT

# the test's own view of the ledger (docs/meetings.md), not the library's code: how each
# entry kind moves the loan fund's cash and the social fund's cash
LOAN_FUND_IN = {
    "opening_loan_fund",
    "share_purchase",
    "fine",
    "other_income",
    "principal_repayment",
    "interest_payment",
}
LOAN_FUND_OUT = {
    "expense",
    "loan_disbursement",
    "share_out_payout",
    "exit_payout",
    "transfer_to_social_fund",
}
SOCIAL_IN = {"opening_social_fund", "social_contribution", "transfer_to_social_fund"}
SOCIAL_OUT = {"social_grant"}


@dataclass(frozen=True)
class Config:
    groups: int = 200
    shared: int = 10
    seconds: float = 20.0
    writers: tuple[int, ...] = (8, 16)
    readers: int = 4
    kill_every: float = 1.5
    stall: float = 15.0
    lock_timeout: float | None = None  # None: the library's default
    idle_timeout: float | None = None
    profile: Path | None = None
    time_limit: float = 900.0
    seed: int = 17


SMOKE = Config(
    groups=12,
    shared=3,
    seconds=0.6,
    writers=(2,),
    readers=1,
    kill_every=0.2,
    stall=0.6,
    idle_timeout=0.3,
    time_limit=120.0,
)


@dataclass(frozen=True)
class Scenario:
    name: str
    writers: int
    shared: bool
    readers: int = 0
    kills: bool = False
    stall: bool = False


def scenarios(config: Config) -> list[Scenario]:
    first = config.writers[0]
    out = [Scenario(f"own-{n}", n, shared=False) for n in config.writers]
    out += [Scenario(f"shared-{n}", n, True, config.readers) for n in config.writers]
    out.append(Scenario("kills", first, True, config.readers, kills=True))
    out.append(Scenario("stall", first, True, config.readers, stall=True))
    return out


# ============================================================================ clients


@dataclass(frozen=True)
class Job:
    """What one client process does, between two wall-clock times."""

    role: str  # "writer" or "reader"
    name: str  # its application_name in pg_stat_activity
    url: str
    cycles: tuple[tuple[int, int], ...]  # (group id, cycle id)
    members: dict[int, tuple[int, ...]]  # cycle id -> member ids
    journal: str
    start_at: float
    end_at: float
    seed: int
    lock_timeout: float | None
    idle_timeout: float | None
    profile: str | None = None


def open_client(job: Job) -> vsla.Store:
    url = make_url(job.url).update_query_dict({"application_name": job.name})
    return vsla.open(
        url.render_as_string(hide_password=False),
        lock_timeout=job.lock_timeout,
        idle_in_transaction_timeout=job.idle_timeout,
    )


def note(log: TextIO, **fields: Any) -> None:
    """One journal line, written through to the kernel at once (line buffering): a
    process killed the next instant leaves it behind."""
    log.write(json.dumps(fields, default=str) + "\n")


def client(job: Job) -> None:
    """The body of a client process."""
    with open(job.journal, "a", buffering=1, encoding="utf-8") as log:
        try:
            store = open_client(job)
            delay = job.start_at - time.time()
            if delay > 0:
                time.sleep(delay)
            if job.role == "writer":
                write_loop(job, store, log)
            else:
                read_loop(job, store, log)
            store.close()
            note(log, t="end")
        except BaseException:
            note(log, t="crash", error=traceback.format_exc())
            raise


@dataclass
class Mine:
    """What a writer remembers of what it wrote: its share purchases, to reverse one."""

    share_purchases: dict[int, list[tuple[int, dt.date]]] = field(
        default_factory=lambda: defaultdict(list)
    )


class Retries(logging.Handler):
    """Counts the store's retries (logger ``vsla.store``), by what caused them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if "retrying" in record.getMessage() and isinstance(record.args, tuple):
            what = str(record.args[1])  # "lock not available, SQLSTATE 55P03", ...
            self.seen[what.replace(":", ",").split(",")[0]] += 1

    def take(self) -> dict[str, int]:
        out, self.seen = dict(self.seen), Counter()
        return out


def write_loop(job: Job, store: vsla.Store, log: TextIO) -> None:
    rng = random.Random(job.seed)
    mine = Mine()
    retries = Retries()
    logging.getLogger("vsla.store").addHandler(retries)
    logging.getLogger("vsla.store").setLevel(logging.INFO)
    # the client's CPU, not the wall clock: what the Python side costs a meeting
    profiler = cProfile.Profile(time.process_time) if job.profile else None
    while time.time() < job.end_at:
        group_id, cycle_id = rng.choice(job.cycles)
        try:
            op = plan(store, group_id, cycle_id, job.members[cycle_id], rng, mine)
        except vsla.VslaError as exc:
            note(log, t="read-refused", error=type(exc).__name__, msg=str(exc)[:200])
            continue
        note(log, t="try", **op.describe())
        started, cpu = time.perf_counter(), time.process_time()
        try:
            if profiler is not None and op.kind == "meeting":
                profiler.enable()
            try:
                done = op.run(store)
            finally:
                if profiler is not None:
                    profiler.disable()
        except Exception as exc:
            note(
                log,
                t="no",
                error=type(exc).__name__,
                vsla=isinstance(exc, vsla.VslaError),
                msg=str(exc)[:300],
                ms=(time.perf_counter() - started) * 1000,
                cpu=(time.process_time() - cpu) * 1000,
                at=time.time(),
                retries=retries.take(),
            )
            continue
        ms, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        entries = [[e.id, e.kind.value, e.amount, e.shares, e.loan_id] for e in done.entries]
        note(
            log,
            t="ok",
            meeting=done.meeting,
            entries=entries,
            ms=ms,
            cpu=cpu,
            at=time.time(),
            retries=retries.take(),
        )
        for e in done.entries:
            if e.kind is vsla.EntryKind.SHARE_PURCHASE and e.reverses_id is None:
                mine.share_purchases[cycle_id].append((e.id, e.date))
    if profiler is not None and job.profile:
        profiler.dump_stats(job.profile)


@dataclass(frozen=True)
class Done:
    meeting: int | None
    entries: tuple[vsla.LedgerEntry, ...]


@dataclass(frozen=True)
class Op:
    """One write a clerk's app makes: a meeting, or a reversal of a share purchase."""

    kind: str
    cycle_id: int
    day: dt.date
    meeting: vsla.MeetingInput | None = None
    target: int | None = None

    def describe(self) -> dict[str, Any]:
        shares = sum(self.meeting.share_purchases.values()) if self.meeting else 0
        return {
            "op": self.kind,
            "cycle": self.cycle_id,
            "date": self.day.isoformat(),
            "shares": shares,
            "target": self.target,
        }

    def run(self, store: vsla.Store) -> Done:
        if self.meeting is not None:
            record = store.record_meeting(self.cycle_id, self.meeting)
            return Done(record.id, record.entries)
        assert self.target is not None
        # a share purchase is reversed by one entry, the one returned
        entry = store.reverse_entry(self.target, on=self.day, reason="load test: wrong count")
        return Done(None, (entry,))


def plan(
    store: vsla.Store,
    group_id: int,
    cycle_id: int,
    members: Sequence[int],
    rng: random.Random,
    mine: Mine,
) -> Op:
    """The next write, from the cycle as this app reads it now (one snapshot)."""
    with store.snapshot():
        last = store.latest_meeting_date(group_id=group_id) or START
        own = [(e, d) for e, d in mine.share_purchases[cycle_id] if d == last]
        if own and rng.random() < 0.05:
            entry_id, _ = own.pop(rng.randrange(len(own)))
            return Op("reversal", cycle_id, last, target=entry_id)
        day = last + dt.timedelta(days=rng.choice((1, 1, 2, 3)))
        boxes = store.balances(cycle_id)
        balances = {b.member_id: b for b in store.member_balances(cycle_id)}
        positions = [
            (loan.id, store.loan_position(loan.id, day))
            for loan in store.loans(cycle_id, include_cancelled=False)[-4:]
        ]
    attendance: dict[int, vsla.Attendance] = {}
    for m in members:
        roll = rng.random()
        attendance[m] = P if roll < 0.85 else R if roll < 0.9 else A
    present = [m for m, a in attendance.items() if a is not A]
    repayments = [
        vsla.Repayment(loan_id=loan_id, amount=pos.settlement_amount)
        for loan_id, pos in positions
        if pos.settlement_amount > 0 and rng.random() < 0.5
    ]
    loans = []
    # the members with the most headroom under max_loan_multiple (3) borrow: clerks of one
    # group race for the same borrowers, and for the cash
    headroom = {m: 3 * b.savings - b.principal_outstanding for m, b in balances.items()}
    borrower = rng.choice(sorted(members, key=lambda m: -headroom[m])[:3])
    principal = min(headroom[borrower], boxes.loan_fund_cash * 8 // 10) // 1_000 * 1_000
    if principal >= 10_000 and rng.random() < 0.6:
        loans.append(
            vsla.LoanRequest(member_id=borrower, principal=principal, term_months=rng.randint(1, 3))
        )
    meeting = vsla.MeetingInput(
        date=day,
        attendance=attendance,
        share_purchases={m: rng.randint(1, 5) for m in present},
        social_fund_contributions=dict.fromkeys(present, 2_000),
        fines=[
            vsla.FinePaid(member_id=m, fine="absence")
            for m, a in attendance.items()
            if a is A and rng.random() < 0.5
        ],
        repayments=repayments,
        loans=loans,
    )
    return Op("meeting", cycle_id, day, meeting=meeting)


def read_loop(job: Job, store: vsla.Store, log: TextIO) -> None:
    """A dashboard: balances and group indicators of the busy groups, again and again."""
    rng = random.Random(job.seed)
    while time.time() < job.end_at:
        group_id, cycle_id = rng.choice(job.cycles)
        try:
            started = time.perf_counter()
            b = store.balances(cycle_id)
            ms = (time.perf_counter() - started) * 1000
            note(log, t="balances", cycle=cycle_id, v=balance_vector(b), ms=ms)
            started = time.perf_counter()
            gi = vsla.group_indicators(store, group_id, READ_ON)
            ms = (time.perf_counter() - started) * 1000
            note(log, t="indicators", cycle=cycle_id, v=indicator_vector(gi), ms=ms)
        except vsla.VslaError as exc:
            note(log, t="read-refused", error=type(exc).__name__, msg=str(exc)[:200])


def balance_vector(b: vsla.Balances) -> list[int]:
    return [
        b.loan_fund_cash,
        b.social_fund_cash,
        b.loans_outstanding,
        b.shares,
        b.savings,
        b.interest_paid,
        b.fines,
    ]


def indicator_vector(gi: vsla.GroupIndicators) -> list[int]:
    return [
        gi.meetings,
        gi.attendance_rate.numerator,
        gi.attendance_rate.denominator,
        gi.shares,
        gi.savings,
        gi.loan_fund_cash,
        gi.social_fund_cash,
        gi.loans_outstanding,
    ]


# ========================================================================= the controller


class Setup:
    """The groups of the run: a programme of ``groups`` groups, each with 20 to 30 members,
    a running cycle and an opening meeting (5 shares and the social fund from everyone)."""

    def __init__(self, url: str, config: Config) -> None:
        rng = random.Random(config.seed)
        store = vsla.open(url)
        programme = store.add_programme(vsla.NewProgramme(name="Load test"))
        self.cycles: list[tuple[int, int]] = []
        self.members: dict[int, tuple[int, ...]] = {}
        for g in range(config.groups):
            group = store.add_group(
                vsla.NewGroup(
                    code=f"LOAD-{g:04d}",
                    name=f"Tổ tải {g}",
                    programme_id=programme.id,
                    district="Đắk Glei",
                    established_on=START,
                )
            )
            people = store.add_members(
                [
                    vsla.NewMember(
                        group_id=group.id,
                        full_name=f"Y Thành viên {i}",
                        sex=vsla.Sex.FEMALE if i % 3 else vsla.Sex.MALE,
                        joined_on=START,
                    )
                    for i in range(rng.randint(20, 30))
                ]
            )
            cycle = store.start_cycle(group.id, start=START, end=END, constitution=RULES)
            store.record_meeting(
                cycle.id,
                vsla.MeetingInput(
                    date=START,
                    attendance={m.id: P for m in people},
                    share_purchases={m.id: 5 for m in people},
                    social_fund_contributions={m.id: 2_000 for m in people},
                ),
            )
            self.cycles.append((group.id, cycle.id))
            self.members[cycle.id] = tuple(m.id for m in people)
        store.close()
        self.shared = self.cycles[: config.shared]
        self.own = self.cycles[config.shared :]


@dataclass
class Client:
    job: Job
    process: Any  # multiprocessing.Process (fork context)
    killed: bool = False
    stalled: bool = False


@dataclass
class ScenarioRun:
    scenario: Scenario
    start_at: float
    end_at: float
    clients: list[Client] = field(default_factory=list)
    kills: int = 0  # killed while their transaction was open (seen in pg_stat_activity)
    kill_misses: int = 0
    stall: tuple[float, float] | None = None  # wall-clock window of the stall
    stalled_mid_transaction: bool = False
    client_cpu: float = 0.0  # seconds of CPU the scenario's client processes used
    server_cpu: float | None = None  # seconds of CPU their server backends used
    machine: float = 0.0  # how busy the machine's CPUs were, 0 to 1 (every process)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def _machine_busy(before: tuple[int, int]) -> float:
    busy, total = _machine_ticks()
    return (busy - before[0]) / max(1, total - before[1])


class Controller:
    def __init__(self, url: str, config: Config, workdir: Path) -> None:
        self.url = url
        self.config = config
        self.workdir = workdir
        self.monitor = create_engine(url, pool_size=1)
        self.database = make_url(url).database or ""
        self.started: list[Client] = []

    def spawn(self, job: Job) -> Client:
        self.monitor.dispose()  # no pooled connection of ours is inherited by the child
        process = FORK.Process(target=client, args=(job,), name=job.name)
        process.start()
        c = Client(job, process)
        self.started.append(c)
        return c

    def job(
        self,
        role: str,
        name: str,
        cycles: Sequence[tuple[int, int]],
        run: ScenarioRun,
        seed: int,
        members: dict[int, tuple[int, ...]],
    ) -> Job:
        return Job(
            role=role,
            name=name,
            url=self.url,
            cycles=tuple(cycles),
            members={cid: members[cid] for _, cid in cycles},
            journal=str(self.workdir / f"{name}.jsonl"),
            start_at=run.start_at,
            end_at=run.end_at,
            seed=seed,
            lock_timeout=self.config.lock_timeout,
            idle_timeout=self.config.idle_timeout,
        )

    def backend(self, app: str) -> tuple[str, bool] | None:
        """(state, has a transaction id) of the client's write backend, if connected."""
        with self.monitor.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT state, backend_xid IS NOT NULL FROM pg_stat_activity "
                    "WHERE datname = :db AND application_name = :app"
                ),
                {"db": self.database, "app": app},
            ).all()
        for state, writing in rows:
            if writing:
                return str(state), True
        return (str(rows[0][0]), False) if rows else None

    def catch_mid_transaction(self, c: Client, deadline: float, *, idle: bool = False) -> bool:
        """Wait until the client's backend has an open write transaction (a transaction id:
        it holds its cycle's row lock, or has written); with ``idle``, while the client
        itself is working between two statements."""
        while time.time() < deadline and c.process.is_alive():
            found = self.backend(c.job.name)
            if found is not None and found[1] and (not idle or found[0] == "idle in transaction"):
                return True
            time.sleep(0.005)
        return False

    def run(self, scenario: Scenario, setup: Setup, index: int) -> ScenarioRun:
        config = self.config
        seconds = config.seconds
        if scenario.stall:
            # a fifth of a scenario before the stall, four fifths and a second after it
            seconds = max(seconds, config.stall + 4 * seconds / 5 + min(1.0, seconds))
        start_at = time.time() + 0.3
        run = ScenarioRun(scenario, start_at, start_at + seconds)
        clients_before, machine_before = _children_cpu(), _machine_ticks()
        seed = config.seed * 1000 + index * 100
        if scenario.shared:
            per_writer = [setup.shared] * scenario.writers
        else:
            per_writer = [setup.own[i :: scenario.writers] for i in range(scenario.writers)]
        for i, cycles in enumerate(per_writer):
            job = self.job("writer", f"w-{scenario.name}-{i}", cycles, run, seed + i, setup.members)
            if config.profile is not None and i == 0 and not self.profiled:
                job = replace(job, profile=str(config.profile))
                self.profiled = True
            run.clients.append(self.spawn(job))
        for i in range(scenario.readers):
            name = f"r-{scenario.name}-{i}"
            job = self.job("reader", name, setup.shared, run, seed + 50 + i, setup.members)
            run.clients.append(self.spawn(job))
        if scenario.kills:
            self.kill_writers(run, setup, seed)
        elif scenario.stall:
            self.stall_a_writer(run)
        else:
            self.sample_server(run)
        for c in run.clients:
            c.process.join(timeout=max(0.0, run.end_at - time.time()) + 60)
            if c.process.is_alive():  # pragma: no cover - a client that does not stop
                os.kill(c.process.pid, signal.SIGKILL)
                c.process.join(timeout=10)
        run.client_cpu = _children_cpu() - clients_before
        run.machine = _machine_busy(machine_before)
        return run

    def sample_server(self, run: ScenarioRun) -> None:
        """The CPU time the server's backends for this database spend, read from /proc
        (the server runs on this machine) twice a second until the scenario ends."""
        seen: dict[int, float] = {}
        tick = os.sysconf("SC_CLK_TCK")
        while time.time() < run.end_at:
            with self.monitor.connect() as conn:
                pids = (
                    conn.execute(
                        text(
                            "SELECT pid FROM pg_stat_activity "
                            "WHERE datname = :db AND pid <> pg_backend_pid()"
                        ),
                        {"db": self.database},
                    )
                    .scalars()
                    .all()
                )
            for pid in pids:
                with suppress(OSError, IndexError, ValueError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    seen[pid] = (int(fields[11]) + int(fields[12])) / tick
            time.sleep(0.5)
        run.server_cpu = sum(seen.values())

    profiled = False

    def kill_writers(self, run: ScenarioRun, setup: Setup, seed: int) -> None:
        rng = random.Random(seed)
        n = 0
        while time.time() < run.end_at - self.config.kill_every:
            time.sleep(self.config.kill_every * rng.uniform(0.5, 1.0))
            alive = [c for c in run.clients if c.job.role == "writer" and c.process.is_alive()]
            if not alive:
                break
            victim = rng.choice(alive)
            if not self.catch_mid_transaction(victim, min(run.end_at, time.time() + 2)):
                run.kill_misses += 1
                continue
            os.kill(victim.process.pid, signal.SIGKILL)
            victim.process.join(timeout=10)
            victim.killed = True
            run.kills += 1
            n += 1
            name = f"{victim.job.name}-r{n}"  # a new app in its place, on the same groups
            job = replace(
                victim.job,
                name=name,
                journal=str(self.workdir / f"{name}.jsonl"),
                start_at=time.time(),
                seed=victim.job.seed + 1000 * n,
            )
            run.clients.append(self.spawn(job))

    def stall_a_writer(self, run: ScenarioRun) -> None:
        time.sleep(max(0.0, run.start_at + self.config.seconds / 5 - time.time()))
        writers = [c for c in run.clients if c.job.role == "writer"]
        deadline = time.time() + 5
        for victim in writers * 20:
            if time.time() > deadline:
                break
            if not self.catch_mid_transaction(victim, time.time() + 0.3, idle=True):
                continue
            os.kill(victim.process.pid, signal.SIGSTOP)
            began = time.time()
            time.sleep(0.05)
            found = self.backend(victim.job.name)
            if found is None or not found[1]:  # it had just committed: let it go, try again
                os.kill(victim.process.pid, signal.SIGCONT)
                continue
            victim.stalled = True
            run.stalled_mid_transaction = True
            time.sleep(max(0.0, began + self.config.stall - time.time()))
            os.kill(victim.process.pid, signal.SIGCONT)
            run.stall = (began, time.time())
            return

    def cleanup(self) -> None:
        for c in self.started:
            if c.process.is_alive():
                with suppress(ProcessLookupError):
                    os.kill(c.process.pid, signal.SIGCONT)
                    os.kill(c.process.pid, signal.SIGKILL)
                c.process.join(timeout=10)
        self.monitor.dispose()


# ========================================================================= the journals


@dataclass
class Call:
    """One write call from a journal."""

    client: str
    op: str
    cycle: int
    day: dt.date
    shares: int
    target: int | None
    outcome: str | None = None  # "ok", "no", or None: no answer (killed, or stalled)
    error: str | None = None
    vsla_error: bool = True
    meeting: int | None = None
    entries: list[list[Any]] = field(default_factory=list)
    ms: float = 0.0
    cpu: float = 0.0
    at: float = 0.0
    retries: dict[str, int] = field(default_factory=dict)


@dataclass
class Journal:
    client: Client
    calls: list[Call] = field(default_factory=list)
    reads: list[dict[str, Any]] = field(default_factory=list)
    ended: bool = False
    crash: str | None = None


def read_journal(c: Client) -> Journal:
    j = Journal(c)
    path = Path(c.job.journal)
    if not path.exists():
        return j
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:  # the last line of a killed process: cut short
            continue
        kind = row["t"]
        if kind == "try":
            j.calls.append(
                Call(
                    c.job.name,
                    row["op"],
                    row["cycle"],
                    dt.date.fromisoformat(row["date"]),
                    row["shares"],
                    row["target"],
                )
            )
        elif kind in ("ok", "no"):
            call = j.calls[-1]
            call.outcome, call.ms, call.at, call.cpu = kind, row["ms"], row["at"], row["cpu"]
            call.retries = row["retries"]
            if kind == "ok":
                call.meeting, call.entries = row["meeting"], row["entries"]
            else:
                call.error, call.vsla_error = row["error"], row["vsla"]
        elif kind in ("balances", "indicators", "read-refused"):
            j.reads.append(row)
        elif kind == "end":
            j.ended = True
        elif kind == "crash":
            j.crash = row["error"]
    return j


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def figures(run: ScenarioRun, journals: list[Journal]) -> list[str]:
    """The scenario's throughput, latency and refusals, as printed and put in the docs."""
    s = run.scenario
    calls = [c for j in journals if j.client.job.role == "writer" for c in j.calls]
    answered = [c for c in calls if c.outcome is not None]
    meetings = [c for c in answered if c.outcome == "ok" and c.op == "meeting"]
    reversals = [c for c in answered if c.outcome == "ok" and c.op == "reversal"]
    refusals = Counter(c.error for c in answered if c.outcome == "no")
    latency = [c.ms for c in answered if c.op == "meeting"]
    retried: Counter[str] = Counter()
    for c in answered:
        retried.update(c.retries)
    seconds = run.end_at - run.start_at
    lines = [
        f"== {s.name}: {s.writers} writers on "
        + (f"the same {len(run.clients[0].job.cycles)} groups" if s.shared else "their own groups")
        + (f", {s.readers} readers" if s.readers else "")
        + f", {seconds:.0f} s",
        f"   writes: {len(calls)} calls, {len(meetings)} meetings and {len(reversals)} "
        f"reversals written: {len(meetings) / seconds:.1f} meetings/s",
        f"   record_meeting latency: p50 {percentile(latency, 50):.0f} ms, p95 "
        f"{percentile(latency, 95):.0f} ms, p99 {percentile(latency, 99):.0f} ms, max "
        f"{max(latency, default=0):.0f} ms",
        "   refusals: "
        + (", ".join(f"{name} {n}" for name, n in refusals.most_common()) or "none")
        + "; retried by the store: "
        + (", ".join(f"{what} {n}" for what, n in retried.most_common()) or "none"),
        f"   CPU: the writer's own CPU per record_meeting p50 "
        f"{percentile([c.cpu for c in answered if c.op == 'meeting'], 50):.0f} ms; clients "
        f"{run.client_cpu:.1f} s"
        + (f", server {run.server_cpu:.1f} s" if run.server_cpu is not None else "")
        + f"; machine {run.machine:.0%} busy ({os.cpu_count()} CPUs, every process on it)",
    ]
    reads = [r for j in journals for r in j.reads if r["t"] != "read-refused"]
    if reads:
        ms = [r["ms"] for r in reads]
        refused = Counter(r["error"] for j in journals for r in j.reads if r["t"] == "read-refused")
        lines.append(
            f"   reads: {len(reads)} calls ({len(reads) / seconds:.1f}/s), p50 "
            f"{percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, p99 "
            f"{percentile(ms, 99):.0f} ms" + (f"; refused: {dict(refused)}" if refused else "")
        )
    if s.kills:
        unanswered = sum(1 for c in calls if c.outcome is None)
        lines.append(
            f"   kills: {run.kills} writers killed with their transaction open "
            f"({run.kill_misses} chances missed), {unanswered} calls left without an answer"
        )
    if s.stall:
        lines += stall_figures(run, journals)
    return lines


def stall_figures(run: ScenarioRun, journals: list[Journal]) -> list[str]:
    if run.stall is None:
        return ["   stall: no writer could be caught inside a transaction"]
    began, ended = run.stall
    others = [
        c
        for j in journals
        if j.client.job.role == "writer" and not j.client.stalled
        for c in j.calls
        if c.outcome is not None and c.op == "meeting"
    ]
    before = [c for c in others if run.start_at <= c.at < began and c.outcome == "ok"]
    during = [c for c in others if began <= c.at < ended and c.outcome == "ok"]
    stalled = [c for j in journals if j.client.stalled for c in j.calls if c.at >= began]
    lines = [
        f"   stall: a writer stopped for {ended - began:.1f} s inside its transaction "
        f"(caught mid-transaction: {run.stalled_mid_transaction}); the others wrote "
        f"{len(before) / max(began - run.start_at, 1e-9):.1f} meetings/s before it and "
        f"{len(during) / (ended - began):.1f} meetings/s during it"
    ]
    if stalled:
        held = stalled[0]
        queued = [
            c for c in others if c.cycle == held.cycle and began <= c.at - c.ms / 1000 < ended
        ]
        waited = sorted((c.ms / 1000 for c in queued), reverse=True)
        lines.append(
            f"   the stalled cycle: {len(queued)} calls of other writers on it began during the "
            f"stall; the longest took {waited[0] if waited else 0:.2f} s"
            + (f" (then {', '.join(f'{w:.2f}' for w in waited[1:5])})" if waited[1:] else "")
            + f"; the stalled call, once continued: {held.outcome} "
            f"({held.error or 'written'}) after {held.ms / 1000:.1f} s, retried by the store: "
            f"{held.retries or 'no'}"
        )
    return lines


# ======================================================================== verification


@dataclass
class Verdict:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.failures.append(what)


def verify(engine: Engine, setup_max: tuple[int, int], journals: list[Journal]) -> Verdict:
    """Check the whole database against the journals, with the test's own SQL."""
    v = Verdict()
    max_entry0, max_meeting0 = setup_max
    for j in journals:
        v.check(j.crash is None, f"{j.client.job.name} crashed:\n{j.crash}")
        if not j.client.killed:
            v.check(j.ended, f"{j.client.job.name} did not finish its loop")
        for c in j.calls:
            if c.outcome == "no":
                v.check(c.vsla_error, f"{c.client}: {c.error} is not a VslaError")
            if c.outcome is None:
                v.check(j.client.killed, f"{c.client}: a call without an answer, not killed")
        for r in j.reads:
            if r["t"] == "read-refused":
                v.notes.append(f"{j.client.job.name}: a read refused: {r['error']}")
    with engine.connect() as conn:
        entries = conn.execute(
            text(
                "SELECT id, cycle_id, meeting_id, date, kind, amount, shares, member_id, "
                "loan_id, reverses_id FROM entries ORDER BY id"
            )
        ).all()
        meetings = {
            r[0]: r
            for r in conn.execute(text("SELECT id, cycle_id, date, number FROM meetings")).all()
        }
        attended = {
            mid: (int(n), int(total))
            for mid, n, total in conn.execute(
                text(
                    "SELECT meeting_id, count(*) FILTER (WHERE status IN "
                    "('present', 'represented')), count(*) FROM attendance GROUP BY meeting_id"
                )
            )
        }
        cycles = {
            cid: (gid, int(value), Decimal(str(multiple)))
            for cid, gid, value, multiple in conn.execute(
                text(
                    "SELECT id, group_id, share_value, constitution->>'max_loan_multiple' "
                    "FROM cycles"
                )
            )
        }
        members = {
            gid: [(joined, left) for joined, left in rows]
            for gid, rows in _group_rows(
                conn.execute(
                    text("SELECT group_id, joined_on, left_on FROM members ORDER BY group_id")
                ).all()
            )
        }
        sql_checks(conn, v)
    by_id = {e[0]: e for e in entries}

    # 1. everything acknowledged is there, as it was acknowledged
    acked: dict[int, Call] = {}
    for j in journals:
        for c in j.calls:
            if c.outcome != "ok":
                continue
            if c.meeting is not None:
                m = meetings.get(c.meeting)
                v.check(
                    m is not None and (m[1], m[2]) == (c.cycle, c.day),
                    f"{c.client}: acknowledged meeting #{c.meeting} ({c.cycle}, {c.day}) is "
                    f"missing or changed: {m}",
                )
            v.check(bool(c.entries), f"{c.client}: an acknowledged call wrote no entry")
            for eid, kind, amount, shares, loan_id in c.entries:
                e = by_id.get(eid)
                v.check(
                    e is not None
                    and (e[1], e[4], e[5], e[6], e[8]) == (c.cycle, kind, amount, shares, loan_id)
                    and (c.meeting is None or e[2] == c.meeting),
                    f"{c.client}: acknowledged entry #{eid} is missing or changed: {e}",
                )
                acked[eid] = c

    # 2. nothing unacknowledged was written, but the one call a killed client had in flight
    in_flight = [c for j in journals if j.client.killed for c in j.calls if c.outcome is None]
    unexplained: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for e in entries:
        if e[0] > max_entry0 and e[0] not in acked:
            unexplained[(e[1], e[2])].append(e)
    explained: list[Call] = []
    for (cycle_id, meeting_id), rows in sorted(unexplained.items()):
        bought = sum(r[6] for r in rows if r[4] == "share_purchase")
        match = next(
            (
                c
                for c in in_flight
                if c not in explained
                and (c.cycle, c.day) == (cycle_id, rows[0][3])
                and (
                    (c.op == "meeting" and bought == c.shares)
                    or (c.op == "reversal" and [r[9] for r in rows] == [c.target])
                )
            ),
            None,
        )
        v.check(
            match is not None,
            f"{len(rows)} entries of cycle {cycle_id}, meeting #{meeting_id} that no call "
            "was told about",
        )
        if match is not None:
            explained.append(match)
            match.meeting = meeting_id if match.op == "meeting" else None
            match.entries = [[r[0], r[4], r[5], r[6], r[8]] for r in rows]
    acked_meetings = {c.meeting for j in journals for c in j.calls if c.meeting is not None}
    for mid, m in meetings.items():
        v.check(
            mid <= max_meeting0 or mid in acked_meetings,
            f"meeting #{mid} ({m[1]}, {m[2]}) that no call was told about",
        )
    v.notes.append(
        f"{len(in_flight)} calls were in flight when their client was killed: "
        f"{len(explained)} of them had committed, {len(in_flight) - len(explained)} had not"
    )

    # 3. the ledger's invariants, transaction by transaction
    transactions = [c for j in journals for c in j.calls if c.entries and c.outcome != "no"]
    states = replay(entries, meetings, attended, cycles, members, transactions, max_entry0, v)

    # 4. every figure a reader was shown is some committed state of its cycle
    shown = 0
    for j in journals:
        for r in j.reads:
            if r["t"] in ("balances", "indicators"):
                shown += 1
                known = states[r["t"]].get(r["cycle"], set())
                v.check(
                    tuple(r["v"]) in known,
                    f"{j.client.job.name}: {r['t']} of cycle {r['cycle']} = {r['v']} was never "
                    "a committed state",
                )
    v.notes.append(f"{shown} reader results checked against the committed states")
    return v


def _group_rows(rows: Sequence[Any]) -> Iterator[tuple[int, list[tuple[Any, Any]]]]:
    out: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    for gid, joined, left in rows:
        out[gid].append((joined, left))
    yield from out.items()


def sql_checks(conn: Any, v: Verdict) -> None:
    """Invariants checked by SQL alone over the whole database."""
    lf = (
        "CASE WHEN kind IN ('" + "','".join(sorted(LOAN_FUND_IN)) + "') THEN amount "
        "WHEN kind IN ('" + "','".join(sorted(LOAN_FUND_OUT)) + "') THEN -amount ELSE 0 END"
    )
    sf = (
        "CASE WHEN kind IN ('" + "','".join(sorted(SOCIAL_IN)) + "') THEN amount "
        "WHEN kind IN ('" + "','".join(sorted(SOCIAL_OUT)) + "') THEN -amount ELSE 0 END"
    )
    queries = {
        "a box below zero after some date": (
            f"WITH d AS (SELECT cycle_id, date, sum({lf}) AS lf, sum({sf}) AS sf "
            "FROM entries GROUP BY cycle_id, date) "
            "SELECT count(*) FROM (SELECT sum(lf) OVER w AS lf, sum(sf) OVER w AS sf FROM d "
            "WINDOW w AS (PARTITION BY cycle_id ORDER BY date)) x WHERE lf < 0 OR sf < 0"
        ),
        "a reversal that is not the exact opposite of its entry": (
            "SELECT count(*) FROM entries r JOIN entries o ON o.id = r.reverses_id "
            "WHERE r.kind <> o.kind OR r.amount <> -o.amount OR r.shares <> -o.shares "
            "OR r.cycle_id <> o.cycle_id OR r.member_id IS DISTINCT FROM o.member_id "
            "OR r.loan_id IS DISTINCT FROM o.loan_id"
        ),
        "an entry reversed twice": (
            "SELECT count(*) FROM (SELECT reverses_id FROM entries WHERE reverses_id IS NOT "
            "NULL GROUP BY reverses_id HAVING count(*) > 1) x"
        ),
        "a loan with more principal repaid than lent": (
            "SELECT count(*) FROM (SELECT loan_id, sum(CASE WHEN kind = 'loan_disbursement' "
            "THEN amount WHEN kind IN ('principal_repayment', 'write_off') THEN -amount "
            "ELSE 0 END) AS owed FROM entries WHERE loan_id IS NOT NULL GROUP BY loan_id) x "
            "WHERE owed < 0"
        ),
        "a loan not paid out exactly once": (
            "SELECT count(*) FROM loans l WHERE (SELECT count(*) FROM entries e WHERE "
            "e.loan_id = l.id AND e.kind = 'loan_disbursement' AND e.reverses_id IS NULL) <> 1"
        ),
        "a loan longer than the cycle's maximum term": (
            "SELECT count(*) FROM loans l JOIN cycles c ON c.id = l.cycle_id "
            "WHERE l.term_months > (c.constitution->>'max_term_months')::int"
        ),
        "an entry dated otherwise than its meeting": (
            "SELECT count(*) FROM entries e JOIN meetings m ON m.id = e.meeting_id "
            "WHERE e.date <> m.date OR e.cycle_id <> m.cycle_id"
        ),
        "two meetings of a cycle with one number": (
            "SELECT count(*) FROM (SELECT cycle_id, number FROM meetings "
            "GROUP BY cycle_id, number HAVING count(*) > 1) x"
        ),
        "a meeting with neither entries nor attendance": (
            "SELECT count(*) FROM meetings m WHERE NOT EXISTS (SELECT 1 FROM entries e "
            "WHERE e.meeting_id = m.id) AND NOT EXISTS (SELECT 1 FROM attendance a "
            "WHERE a.meeting_id = m.id)"
        ),
    }
    for what, sql in queries.items():
        n = conn.execute(text(sql)).scalar_one()
        v.check(n == 0, f"{n} times: {what}")


def replay(
    entries: Sequence[Any],
    meetings: dict[int, Any],
    attended: dict[int, tuple[int, int]],
    cycles: dict[int, tuple[int, int, Decimal]],
    members: dict[int, list[tuple[Any, Any]]],
    transactions: Sequence[Call],
    max_entry0: int,
    v: Verdict,
) -> dict[str, dict[int, set[tuple[int, ...]]]]:
    """Replay each cycle's entries in id order, transaction by transaction, checking that
    transactions of a cycle never interleave and that every loan was within the limit when
    made; return every committed state's figures (balances, indicators) per cycle."""
    key_of: dict[int, int] = {}  # entry id -> its transaction (its last entry's id)
    for c in transactions:
        ids = sorted(e[0] for e in c.entries)
        for i in ids:
            key_of[i] = ids[-1]
    by_cycle: dict[int, list[Any]] = defaultdict(list)
    for e in entries:
        by_cycle[e[1]].append(e)
    states: dict[str, dict[int, set[tuple[int, ...]]]] = {"balances": {}, "indicators": {}}

    def key(e: Any) -> tuple[str, int]:
        if e[0] <= max_entry0:
            return ("setup", e[2])  # the setup wrote one meeting per transaction
        found = key_of.get(e[0])
        return ("call", found) if found is not None else ("unexplained", e[2])

    for cycle_id, rows in by_cycle.items():
        group_id, share_value, multiple = cycles[cycle_id]
        totals: Counter[str] = Counter()
        shares = 0
        read_totals: Counter[str] = Counter()  # entries dated on or before READ_ON
        read_shares = 0
        per_member: dict[int, Counter[str]] = defaultdict(Counter)
        borrowers: set[int] = set()
        seen_meetings: set[int] = set()
        attendance = [0, 0, 0]  # meetings counted, members who came, members expected
        done: set[tuple[str, int]] = set()
        balances: set[tuple[int, ...]] = set()
        indicators: set[tuple[int, ...]] = set()
        for k, e in enumerate(rows):
            _, _, meeting_id, day, kind, amount, n, member_id, _, _ = e
            this = key(e)
            v.check(this not in done, f"cycle {cycle_id}: two transactions interleaved ({this})")
            totals[kind] += amount
            shares += n
            if day <= READ_ON:
                read_totals[kind] += amount
                read_shares += n
            if meeting_id not in seen_meetings:
                seen_meetings.add(meeting_id)
                count_attendance(attendance, meetings[meeting_id], attended, members[group_id])
            if member_id is not None:
                per_member[member_id][kind] += amount
                per_member[member_id]["shares"] += n
                if kind == "loan_disbursement" and amount > 0:
                    borrowers.add(member_id)
            if k + 1 < len(rows) and key(rows[k + 1]) == this:
                continue
            # the end of a transaction: a state other clients could see
            done.add(this)
            for m in borrowers:  # the limit holds when the transaction that lent commits
                owed = (
                    per_member[m]["loan_disbursement"]
                    - per_member[m]["principal_repayment"]
                    - per_member[m]["write_off"]
                )
                savings = per_member[m]["shares"] * share_value
                v.check(
                    owed <= multiple * savings,
                    f"cycle {cycle_id}: member #{m} owes {owed}, above {multiple} x {savings}",
                )
            borrowers.clear()
            balances.add(tuple(_balances(totals, shares, share_value)))
            b = _balances(read_totals, read_shares, share_value)
            indicators.add((*attendance, read_shares, read_shares * share_value, *b[:3]))
        states["balances"][cycle_id] = balances
        states["indicators"][cycle_id] = indicators
    return states


def _balances(totals: Counter[str], shares: int, share_value: int) -> list[int]:
    lf = sum(totals[k] for k in LOAN_FUND_IN) - sum(totals[k] for k in LOAN_FUND_OUT)
    sf = sum(totals[k] for k in SOCIAL_IN) - sum(totals[k] for k in SOCIAL_OUT)
    outstanding = totals["loan_disbursement"] - totals["principal_repayment"] - totals["write_off"]
    return [
        lf,
        sf,
        outstanding,
        shares,
        shares * share_value,
        totals["interest_payment"],
        totals["fine"],
    ]


def count_attendance(
    counts: list[int],
    meeting: Any,
    attended: dict[int, tuple[int, int]],
    people: list[tuple[Any, Any]],
) -> None:
    """Add a meeting to (meetings counted, came, expected) as the group indicators count
    them: meetings up to the report date with attendance taken; members active that day."""
    _, _, day, _ = meeting
    if day > READ_ON or meeting[0] not in attended:
        return
    counts[0] += 1
    counts[1] += attended[meeting[0]][0]
    counts[2] += sum(1 for joined, left in people if joined <= day and (left is None or left > day))


# ================================================================================ main


def local_url(url: str) -> None:
    host = make_url(url).host or ""
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"the load test runs only against this machine (127.0.0.1), not {host!r}")


@contextmanager
def own_database(server_url: str, name: str, keep: bool) -> Iterator[str]:
    """A database of the test's own on the server, dropped on leaving."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _time_limit(seconds: float) -> None:
    def expired(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"the load test ran past its time limit of {seconds:g} s")

    signal.signal(signal.SIGALRM, expired)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.alarm(max(1, int(seconds)))


def profile_summary(path: Path, report: Callable[[str], None]) -> None:
    """Where one ``record_meeting`` spends its time: the profiled writer's functions by
    cumulative time, per call."""
    stats = pstats.Stats(str(path))
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    calls = max(
        (n for (file, _, name), (_, n, *_) in table.items() if name == "record_meeting"),
        default=1,
    )
    total = sum(tt for (_, _, tt, _, _) in table.values())
    report(f"== profile: one writer's record_meeting, {calls} calls, {total:.2f} s in all")
    for (file, line, name), (_, _, tt, ct, _) in sorted(table.items(), key=lambda kv: -kv[1][3])[
        :40
    ]:
        per_call_cum, per_call_own = ct / calls * 1000, tt / calls * 1000
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}({name})"
        report(f"   {per_call_cum:7.2f} ms {per_call_own:7.2f} ms own  {where}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", default=os.environ.get(URL_ENV, DEFAULT_URL))
    parser.add_argument("--smoke", action="store_true", help="a run of a few seconds")
    parser.add_argument("--groups", type=int)
    parser.add_argument("--shared", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--writers", help="comma-separated, e.g. 8,16")
    parser.add_argument("--readers", type=int)
    parser.add_argument("--kill-every", type=float)
    parser.add_argument("--stall", type=float)
    parser.add_argument("--lock-timeout", type=float)
    parser.add_argument("--idle-timeout", type=float)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--time-limit", type=float)
    parser.add_argument("--only", help="run only these scenarios, e.g. own-8,stall")
    parser.add_argument("--keep", action="store_true", help="keep the database and journals")
    args = parser.parse_args(argv)
    config = SMOKE if args.smoke else Config()
    given = {
        "groups": args.groups,
        "shared": args.shared,
        "seconds": args.seconds,
        "readers": args.readers,
        "kill_every": args.kill_every,
        "stall": args.stall,
        "lock_timeout": args.lock_timeout,
        "idle_timeout": args.idle_timeout,
        "profile": args.profile,
        "time_limit": args.time_limit,
        "writers": tuple(int(n) for n in args.writers.split(",")) if args.writers else None,
    }
    config = replace(config, **{k: v for k, v in given.items() if v is not None})
    if config.shared >= config.groups or config.groups - config.shared < max(config.writers):
        raise SystemExit("--groups must leave at least one group of its own to every writer")
    local_url(args.url)
    _time_limit(config.time_limit)
    print(
        f"load test on {make_url(args.url).render_as_string(hide_password=True)}: "
        f"{config.groups} groups, {config.seconds:g} s per scenario, writers "
        f"{','.join(map(str, config.writers))}, {config.readers} readers; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}, vsla {vsla.__version__}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="vsla-load-"))
    name = f"vsla_load_{os.getpid()}"
    try:
        with own_database(args.url, name, args.keep) as url:
            only = set(args.only.split(",")) if args.only else None
            return run_all(url, config, workdir, only)
    finally:
        signal.alarm(0)
        if args.keep:
            print(f"kept: database {name}, journals in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run_all(url: str, config: Config, workdir: Path, only: set[str] | None = None) -> int:
    began = time.monotonic()
    setup = Setup(url, config)
    engine = create_engine(url)
    with engine.connect() as conn:
        setup_max = (
            int(conn.execute(text("SELECT max(id) FROM entries")).scalar_one()),
            int(conn.execute(text("SELECT max(id) FROM meetings")).scalar_one()),
        )
    engine.dispose()  # no connection of ours is inherited by the clients
    print(f"set up {config.groups} groups in {time.monotonic() - began:.1f} s", flush=True)
    controller = Controller(url, config, workdir)
    journals: list[Journal] = []
    try:
        for i, scenario in enumerate(scenarios(config)):
            if only is not None and scenario.name not in only:
                continue
            run = controller.run(scenario, setup, i)
            these = [read_journal(c) for c in run.clients]
            journals += these
            for line in figures(run, these):
                print(line, flush=True)
    finally:
        controller.cleanup()
    if config.profile is not None and config.profile.exists():
        profile_summary(config.profile, print)
    checked = time.monotonic()
    engine = create_engine(url)
    verdict = verify(engine, setup_max, journals)
    engine.dispose()
    for line in verdict.notes:
        print(f"   {line}")
    print(f"verification ({time.monotonic() - checked:.1f} s): ", end="")
    if verdict.failures:
        print(f"FAILED, {len(verdict.failures)} problems:")
        for f in verdict.failures[:30]:
            print(f"   {f}")
        return 1
    print(
        "passed: every acknowledged write is there, nothing else is, every invariant holds, "
        "every reader result was a committed state"
    )
    print(f"whole run: {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
