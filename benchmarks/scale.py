"""The national-scale benchmark: ``make bench`` (``python benchmarks/scale.py``).

Project 8 aimed at about 6,750 groups; SAVIX holds over 500,000. For each backend (a
SQLite file; the local PostgreSQL, in a schema of its own) and each size (default 91 and
10,000 groups, weekly meetings, about 22 members a group), this builds a programme and
measures, in the same run:

1. **bulk import**: rows written per second through the library's write path
   (``Store.add_group``, ``add_members``, ``start_cycle``, ``record_meetings``, ``share_out``,
   ... as :func:`vsla.demo.generate` calls them for ``--sample`` more groups), against a
   plain DBAPI ``executemany`` of exactly the same rows into the same tables of the same
   database. Target: at least 0.5 of the ``executemany`` rate. Measured three times
   (``--imports``), each with groups of its own: the median ratio is the figure of record,
   the three are printed beside it.
2. **the programme dashboard** (:func:`vsla.reports.programme_indicators`: every programme
   indicator, per district) against one hand-written SQL query giving the same figures
   (target: at most 1.5 x its time), and against what a notebook user would do without
   ``vsla``: read the tables into pandas and group them (target: faster). The three give
   the same figures or the benchmark stops.
3. **peak memory** of the dashboard, in a fresh process (target: under 500 MB at 10,000
   groups, growing with groups, not ledger rows).
4. **one 30-member meeting**: the median and 95th percentile latency of
   ``Store.record_meeting`` for a new group of 30 members in the full database; and of one
   more meeting for up to 40 groups already there (open cycles, known to the statistics).

How the programme is built: :func:`vsla.demo.generate` writes ``--template`` groups (91)
through the library (every rule checked); larger programmes are that template cloned at
the SQL level (``INSERT … SELECT`` with shifted ids and suffixed group codes) until the
size is reached, because writing 10,000 groups through the rule checks one by one takes
tens of minutes (the generation rate is printed, so the cost is known).

Times are whole nanoseconds (``time.perf_counter_ns``), shown with ``Decimal``; nothing
is asserted: speed is measured, never tested.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    Engine,
    Integer,
    Table,
    bindparam,
    create_engine,
    func,
    literal,
    select,
    text,
)

import vsla
from vsla.demo import generate
from vsla.domain.indicators import period_ends
from vsla.domain.ledger import LOAN_FUND_SIGN, SOCIAL_FUND_SIGN, EntryKind
from vsla.reports import programme_indicators
from vsla.store import tables as t

SIZES = (91, 10_000)
TEMPLATE = 91
SAMPLE = 20
IMPORTS = 3
"""Imports measured per size and database: the machine's speed wanders by more than the
distance of the ratio from its target, so the figure of record is the median of three."""
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_ENV = "VSLA_BENCH_POSTGRES_URL"
PG_SCHEMA = "vsla_bench"
NS = 1_000_000_000
MB = 1024  # ru_maxrss is in KiB on Linux

# parents before children, for cloning and copying
ORDER: tuple[Table, ...] = (
    t.programmes,
    t.groups,
    t.members,
    t.cycles,
    t.officers,
    t.meetings,
    t.attendance,
    t.loans,
    t.entries,
    t.loan_marks,
    t.referrals,
    t.livelihood_supports,
    t.gal_sessions,
)
PEOPLE = ("groups_active", "gal_pilot_groups", "members", "women", "referred", "linked",
          "supported")  # fmt: skip
MONEY = ("members_saving", "savings", "loans_active", "loans_outstanding", "at_risk_1",
         "at_risk_30", "share_out_payouts", "loan_fund_cash", "social_fund_cash",
         "interest_earned", "fines_earned", "net_income")  # fmt: skip
FIGURES = PEOPLE + MONEY


def _places(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _ms(ns: int) -> Decimal:
    return _places(Decimal(ns) / 1_000_000)


def _s(ns: int) -> Decimal:
    return _places(Decimal(ns) / NS, 3)


def _best_of(repeats: int, action: Callable[[], object]) -> int:
    best: int | None = None
    for _ in range(repeats):
        start = time.perf_counter_ns()
        action()
        ns = time.perf_counter_ns() - start
        best = ns if best is None else min(best, ns)
    assert best is not None
    return best


# ---------------------------------------------------------------------------------- backends


@dataclass(frozen=True)
class Backend:
    """Where a programme is built: ``url`` opens it from this process and from a child."""

    name: str
    url: str

    def engine(self) -> Engine:
        return create_engine(self.url)


@contextmanager
def sqlite_backend() -> Iterator[Backend]:
    with tempfile.TemporaryDirectory(prefix="vsla-bench-") as folder:
        yield Backend("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}")


@contextmanager
def postgres_backend(url: str) -> Iterator[Backend]:
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    try:
        yield Backend("postgresql", f"{url}?options=-csearch_path%3D{PG_SCHEMA}")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        admin.dispose()


def postgres_reachable(url: str) -> bool:
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception:  # any failure means: skip PostgreSQL
        return False
    return True


def reset(backend: Backend) -> None:
    """An empty database for the next size."""
    engine = backend.engine()
    if engine.dialect.name == "sqlite":
        assert engine.url.database
        engine.dispose()
        Path(engine.url.database).unlink(missing_ok=True)
        return
    t.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


# ---------------------------------------------------------------------------------- building


def _top(engine: Engine, table: Table) -> int:
    column = table.c.id if "id" in table.c else next(iter(table.primary_key.columns))
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one())


def clone(engine: Engine, groups: int) -> int:
    """Copy the template groups (ids 1..n) with ``INSERT … SELECT`` until ``groups`` groups
    exist; the rows inserted."""
    top = {table.name: _top(engine, table) for table in ORDER if "id" in table.c}
    template = top["groups"]
    inserted = 0
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # the copies repeat rows whose references were checked when they were written:
            # skip the foreign-key triggers for this transaction (a superuser setting)
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        copy = 1
        while template * copy < groups:
            n = min(template, groups - template * copy)  # the last copy may be partial
            inserted += _clone_once(conn, copy, n, top)
            copy += 1
        if conn.dialect.name == "postgresql":
            for table in ORDER:
                if "id" in table.c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )
    return inserted


def _clone_once(conn: Any, copy: int, n: int, top: dict[str, int]) -> int:
    cycles = select(t.cycles.c.id).where(t.cycles.c.group_id <= n, t.cycles.c.id <= top["cycles"])
    meetings = select(t.meetings.c.id).where(
        t.meetings.c.cycle_id.in_(cycles), t.meetings.c.id <= top["meetings"]
    )
    members = select(t.members.c.id).where(
        t.members.c.group_id <= n, t.members.c.id <= top["members"]
    )
    where: dict[str, list[ColumnElement[bool]]] = {
        "groups": [t.groups.c.id <= n],
        "members": [t.members.c.id.in_(members)],
        "cycles": [t.cycles.c.id.in_(cycles)],
        "officers": [t.officers.c.cycle_id.in_(cycles)],
        "meetings": [t.meetings.c.id.in_(meetings)],
        "attendance": [t.attendance.c.meeting_id.in_(meetings)],
        "loans": [t.loans.c.cycle_id.in_(cycles), t.loans.c.id <= top["loans"]],
        "entries": [t.entries.c.cycle_id.in_(cycles), t.entries.c.id <= top["entries"]],
        "loan_marks": [
            t.loan_marks.c.loan_id.in_(
                select(t.loans.c.id).where(
                    t.loans.c.cycle_id.in_(cycles), t.loans.c.id <= top["loans"]
                )
            )
        ],
        "referrals": [t.referrals.c.member_id.in_(members), t.referrals.c.id <= top["referrals"]],
        "livelihood_supports": [
            t.livelihood_supports.c.member_id.in_(members),
            t.livelihood_supports.c.id <= top["livelihood_supports"],
        ],
        "gal_sessions": [
            t.gal_sessions.c.group_id <= n,
            t.gal_sessions.c.id <= top["gal_sessions"],
        ],
    }
    inserted = 0
    for table in ORDER[1:]:
        columns: list[ColumnElement[Any]] = []
        for column in table.c:
            ref = next(iter(column.foreign_keys)).column.table.name if column.foreign_keys else None
            shift = top[table.name] if column.name == "id" else top.get(ref or "", 0)
            if ref == "programmes":
                shift = 0
            if column.name == "code":
                columns.append((column + literal(f"~{copy}")).label("code"))
            elif shift:
                columns.append((column + literal(shift * copy, Integer)).label(column.name))
            else:
                columns.append(column)
        result = conn.execute(
            table.insert().from_select(
                [c.name for c in table.c], select(*columns).where(*where[table.name])
            )
        )
        inserted += max(result.rowcount, 0)
    return inserted


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in ORDER
        }


# ---------------------------------------------------------------------------------- dashboard


def _kinds(sign: int, table: Mapping[EntryKind, int]) -> str:
    return ", ".join(f"'{kind.value}'" for kind, moves in table.items() if moves == sign)


# What an analyst who knows the schema would write for the same figures, in one statement:
# the people per group, the running cycle of each group (its latest started by the date), the
# ledger of those cycles summed by kind, the members whose net shares are above zero, and the
# loan marks that cover the date (the portfolio at risk: a loan's arrears cannot be computed
# in SQL from the entries alone; the marks are the library's own table, written with every
# loan move). The signs of the two boxes are the ledger's (vsla.domain.ledger).
HAND_WRITTEN = """
WITH referred AS (
    SELECT DISTINCT member_id FROM referrals WHERE referred_on <= :on
), linked AS (
    SELECT DISTINCT member_id FROM referrals WHERE outcome = 'accessed' AND outcome_on <= :on
), supported AS (
    SELECT DISTINCT member_id FROM livelihood_supports WHERE received_on <= :on
), people AS (
    SELECT m.group_id,
           COUNT(*) AS members,
           SUM(CASE WHEN m.sex = 'F' THEN 1 ELSE 0 END) AS women,
           COUNT(r.member_id) AS referred,
           COUNT(l.member_id) AS linked,
           COUNT(s.member_id) AS supported
    FROM members m
    LEFT JOIN referred r ON r.member_id = m.id
    LEFT JOIN linked l ON l.member_id = m.id
    LEFT JOIN supported s ON s.member_id = m.id
    WHERE m.joined_on <= :on AND (m.left_on IS NULL OR m.left_on > :on)
    GROUP BY m.group_id
), districts AS (
    SELECT g.district,
           SUM(CASE WHEN g.status = 'active' THEN 1 ELSE 0 END) AS groups_active,
           SUM(CASE WHEN g.gal_pilot_since <= :on THEN 1 ELSE 0 END) AS pilots,
           COALESCE(SUM(p.members), 0) AS members,
           COALESCE(SUM(p.women), 0) AS women,
           COALESCE(SUM(p.referred), 0) AS referred,
           COALESCE(SUM(p.linked), 0) AS linked,
           COALESCE(SUM(p.supported), 0) AS supported
    FROM groups g LEFT JOIN people p ON p.group_id = g.id
    WHERE g.programme_id = :pid AND g.established_on <= :on
    GROUP BY g.district
), running AS (
    SELECT c.id, c.share_value, g.district
    FROM cycles c JOIN groups g ON g.id = c.group_id
    WHERE g.programme_id = :pid AND g.established_on <= :on AND c.start_date <= :on
      AND NOT EXISTS (SELECT 1 FROM cycles later WHERE later.group_id = c.group_id
                      AND later.start_date <= :on AND later.number > c.number)
), ledger AS (
    SELECT r.district,
           SUM(e.shares * r.share_value) AS savings,
           SUM(CASE WHEN e.kind = 'share_out_payout' THEN e.amount ELSE 0 END) AS payouts,
           SUM(CASE WHEN e.kind IN (LOAN_FUND_IN) THEN e.amount
                    WHEN e.kind IN (LOAN_FUND_OUT) THEN -e.amount ELSE 0 END) AS loan_fund,
           SUM(CASE WHEN e.kind IN (SOCIAL_FUND_IN) THEN e.amount
                    WHEN e.kind IN (SOCIAL_FUND_OUT) THEN -e.amount ELSE 0 END) AS social_fund,
           SUM(CASE WHEN e.kind = 'interest_payment' THEN e.amount ELSE 0 END) AS interest,
           SUM(CASE WHEN e.kind = 'fine' THEN e.amount ELSE 0 END) AS fines,
           SUM(CASE WHEN e.kind IN ('interest_payment', 'fine', 'other_income') THEN e.amount
                    WHEN e.kind IN ('expense', 'write_off') THEN -e.amount
                    ELSE 0 END) AS net_income
    FROM entries e JOIN running r ON r.id = e.cycle_id
    WHERE e.date <= :on
    GROUP BY r.district
), saving AS (
    SELECT r.district, COUNT(*) AS members_saving
    FROM (SELECT e.cycle_id FROM entries e JOIN running r ON r.id = e.cycle_id
          WHERE e.date <= :on AND e.member_id IS NOT NULL AND e.shares <> 0
          GROUP BY e.cycle_id, e.member_id HAVING SUM(e.shares) > 0) s
    JOIN running r ON r.id = s.cycle_id
    GROUP BY r.district
), risk AS (
    SELECT r.district,
           COUNT(*) AS loans_active,
           SUM(k.outstanding) AS outstanding,
           SUM(CASE WHEN k.unpaid_since < :late_1 THEN k.outstanding ELSE 0 END) AS at_risk_1,
           SUM(CASE WHEN k.unpaid_since < :late_30 THEN k.outstanding ELSE 0 END) AS at_risk_30
    FROM loan_marks k JOIN loans l ON l.id = k.loan_id JOIN running r ON r.id = l.cycle_id
    WHERE k.since <= :on AND (k.until IS NULL OR k.until > :on)
    GROUP BY r.district
)
SELECT d.district, d.groups_active, d.pilots, d.members, d.women, d.referred, d.linked,
       d.supported,
       COALESCE(s.members_saving, 0), COALESCE(l.savings, 0), COALESCE(k.loans_active, 0),
       COALESCE(k.outstanding, 0), COALESCE(k.at_risk_1, 0), COALESCE(k.at_risk_30, 0),
       COALESCE(l.payouts, 0), COALESCE(l.loan_fund, 0), COALESCE(l.social_fund, 0),
       COALESCE(l.interest, 0), COALESCE(l.fines, 0), COALESCE(l.net_income, 0)
FROM districts d
LEFT JOIN ledger l ON l.district = d.district
LEFT JOIN saving s ON s.district = d.district
LEFT JOIN risk k ON k.district = d.district
"""
for _name, _sign, _table in (
    ("LOAN_FUND_IN", 1, LOAN_FUND_SIGN),
    ("LOAN_FUND_OUT", -1, LOAN_FUND_SIGN),
    ("SOCIAL_FUND_IN", 1, SOCIAL_FUND_SIGN),
    ("SOCIAL_FUND_OUT", -1, SOCIAL_FUND_SIGN),
):
    HAND_WRITTEN = HAND_WRITTEN.replace(_name, _kinds(_sign, _table))

Figures = dict[str, tuple[int, ...]]


def dashboard_vsla(store: vsla.Store, pid: int, on: dt.date) -> Figures:
    report = programme_indicators(store, pid, on, breakdowns=["district"])
    return {
        line.key: tuple(int(getattr(line, name) or 0) for name in FIGURES)
        for line in report.by_district
    }


def dashboard_sql(engine: Engine, pid: int, on: dt.date) -> Figures:
    dates = ("on", "late_1", "late_30")
    query = text(HAND_WRITTEN).bindparams(
        *(bindparam(name, type_=Date) for name in dates), bindparam("pid")
    )
    values = {"pid": pid, "on": on}
    values.update({f"late_{days}": on - dt.timedelta(days=days) for days in (1, 30)})
    with engine.connect() as conn:
        return {
            str(district): tuple(int(v) for v in figures)
            for district, *figures in conn.execute(query, values)
        }


def dashboard_pandas(engine: Engine, pid: int, on: dt.date) -> Figures:
    """What a notebook user would write without vsla: read the tables, filter and group in
    pandas, for the same figures (the portfolio at risk from the library's loan marks)."""
    import pandas as pd

    day = pd.Timestamp(on)
    with engine.connect() as conn:
        groups = pd.read_sql_table("groups", conn, parse_dates=["established_on",
                                                                "gal_pilot_since"])  # fmt: skip
        members = pd.read_sql_table("members", conn, parse_dates=["joined_on", "left_on"])
        referrals = pd.read_sql_table("referrals", conn, parse_dates=["referred_on",
                                                                     "outcome_on"])  # fmt: skip
        supports = pd.read_sql_table("livelihood_supports", conn, parse_dates=["received_on"])
    groups = groups[(groups.programme_id == pid) & (groups.established_on <= day)]
    members = members[
        (members.joined_on <= day) & (members.left_on.isna() | (members.left_on > day))
        & members.group_id.isin(groups.id)
    ]  # fmt: skip
    referred = set(referrals.member_id[referrals.referred_on <= day])
    linked = set(
        referrals.member_id[(referrals.outcome == "accessed") & (referrals.outcome_on <= day)]
    )
    supported = set(supports.member_id[supports.received_on <= day])
    people = pd.DataFrame(
        {
            "group_id": members.group_id,
            "members": 1,
            "women": (members.sex == "F").astype(int),
            "referred": members.id.isin(referred).astype(int),
            "linked": members.id.isin(linked).astype(int),
            "supported": members.id.isin(supported).astype(int),
        }
    ).merge(groups[["id", "district"]], left_on="group_id", right_on="id")
    per_group = pd.DataFrame(
        {
            "district": groups.district,
            "groups_active": (groups.status == "active").astype(int),
            "gal_pilot_groups": (groups.gal_pilot_since <= day).astype(int),
        }
    )
    counts = per_group.groupby("district").sum()
    sums = people.groupby("district")[["members", "women", "referred", "linked",
                                       "supported"]].sum()  # fmt: skip
    joined = counts.join(sums, how="left").join(_pandas_money(engine, groups, day), how="left")
    joined = joined.fillna(0)
    return {
        str(district): tuple(int(row[name]) for name in FIGURES)
        for district, row in joined.iterrows()
    }


def _pandas_money(engine: Engine, groups: Any, day: Any) -> Any:
    """The money by district in pandas: the running cycles, their ledger up to the date,
    the members saving, and the loan marks covering the date."""
    import pandas as pd

    with engine.connect() as conn:
        cycles = pd.read_sql_table("cycles", conn, parse_dates=["start_date"])
        entries = pd.read_sql_query(
            "SELECT cycle_id, member_id, kind, amount, shares, date FROM entries",
            conn,
            parse_dates=["date"],
        )
        loans = pd.read_sql_query("SELECT id, cycle_id FROM loans", conn)
        marks = pd.read_sql_table("loan_marks", conn, parse_dates=["since", "until",
                                                                   "unpaid_since"])  # fmt: skip
    started = cycles[(cycles.start_date <= day) & cycles.group_id.isin(groups.id)]
    running = started.loc[started.groupby("group_id").number.idxmax()]
    running = running.merge(groups[["id", "district"]], left_on="group_id", right_on="id",
                            suffixes=("", "_group"))[["id", "district", "share_value"]]  # fmt: skip
    ledger = entries[entries.date <= day].merge(running, left_on="cycle_id", right_on="id")
    ledger["savings"] = ledger.shares * ledger.share_value
    for name, kinds in (
        ("loan_fund_cash", LOAN_FUND_SIGN),
        ("social_fund_cash", SOCIAL_FUND_SIGN),
        ("share_out_payouts", {EntryKind.SHARE_OUT_PAYOUT: 1}),
        ("interest_earned", {EntryKind.INTEREST_PAYMENT: 1}),
        ("fines_earned", {EntryKind.FINE: 1}),
        (
            "net_income",
            {
                EntryKind.INTEREST_PAYMENT: 1,
                EntryKind.FINE: 1,
                EntryKind.OTHER_INCOME: 1,
                EntryKind.EXPENSE: -1,
                EntryKind.WRITE_OFF: -1,
            },
        ),
    ):
        sign = ledger.kind.map({kind.value: moves for kind, moves in kinds.items()}).fillna(0)
        ledger[name] = ledger.amount * sign.astype("int64")
    sums = ledger.groupby("district")[["savings", "loan_fund_cash", "social_fund_cash",
                                       "share_out_payouts", "interest_earned", "fines_earned",
                                       "net_income"]].sum()  # fmt: skip
    held = ledger[ledger.member_id.notna()].groupby(["district", "cycle_id", "member_id"]).shares
    saving = (held.sum() > 0).groupby("district").sum().rename("members_saving")
    covering = marks[(marks.since <= day) & (marks.until.isna() | (marks.until > day))]
    owing = covering.merge(loans, left_on="loan_id", right_on="id").merge(
        running, left_on="cycle_id", right_on="id", suffixes=("", "_cycle")
    )
    overdue = (day - owing.unpaid_since).dt.days
    owing["at_risk_1"] = owing.outstanding.where(overdue > 1, 0)
    owing["at_risk_30"] = owing.outstanding.where(overdue > 30, 0)
    risk = owing.groupby("district").agg(
        loans_active=("loan_id", "count"),
        loans_outstanding=("outstanding", "sum"),
        at_risk_1=("at_risk_1", "sum"),
        at_risk_30=("at_risk_30", "sum"),
    )
    return sums.join(saving, how="outer").join(risk, how="outer")


MEMORY_PROBE = """
import datetime as dt, json, resource, sys
from pathlib import Path


def peak():
    # VmHWM: this process's peak resident memory (KiB). A child starts with its parent's
    # peak (it is inherited across fork), so the probe resets it first (Linux 4.0+).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


try:
    Path("/proc/self/clear_refs").write_text("5")
except OSError:
    pass
import vsla
from vsla.reports import programme_indicators

store = vsla.open(sys.argv[1])
store.programme(int(sys.argv[2]))
before = peak()
programme_indicators(store, int(sys.argv[2]), dt.date.fromisoformat(sys.argv[3]),
                     breakdowns=["district"])
after = peak()
print(json.dumps({"before": before, "after": after}))
"""


def dashboard_memory(backend: Backend, pid: int, on: dt.date) -> tuple[int, int]:
    """Peak resident memory (KiB) of a fresh process before and after the dashboard."""
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, backend.url, str(pid), on.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    probe = json.loads(out.strip().splitlines()[-1])
    return int(probe["before"]), int(probe["after"])


# ---------------------------------------------------------------------------------- latency


def meeting_latencies(store: vsla.Store, meetings: int = 40) -> list[int]:
    """``record_meeting`` of a new 30-member group, one meeting a week: nanoseconds each."""
    start = dt.date(2025, 1, 6)
    group = store.add_group(
        vsla.NewGroup(
            code="BENCH-30", name="Tổ 30 thành viên", district="Kon Tum", established_on=start
        )
    )
    members = store.add_members(
        [
            vsla.NewMember(
                group_id=group.id,
                full_name=f"Thành viên {i}",
                sex="F" if i % 3 else "M",
                ethnicity="Xơ Đăng",
                joined_on=start,
            )
            for i in range(30)
        ]
    )
    rules = vsla.Constitution(
        share_value=10_000,
        max_shares_per_meeting=5,
        social_fund_contribution=2_000,
        interest_rate=Decimal("0.02"),
        meeting_frequency="weekly",
    )
    cycle = store.start_cycle(
        group.id, start=start, end=start + dt.timedelta(weeks=51), constitution=rules
    )
    ids = [m.id for m in members]
    out = []
    for i in range(meetings):
        loans = []
        repayments = []
        if i >= 2:  # one loan a week, repaid in part two weeks later
            loans.append(vsla.LoanRequest(member_id=ids[i % 30], principal=100_000,
                                          term_months=1, ref=f"B{i}"))  # fmt: skip
        if i >= 4:
            repayments.append(vsla.Repayment(loan_ref=f"B{i - 2}", amount=50_000))
        meeting = vsla.MeetingInput(
            date=start + dt.timedelta(weeks=i),
            attendance=dict.fromkeys(ids, "present"),
            share_purchases=dict.fromkeys(ids, 2),
            social_fund_contributions=dict.fromkeys(ids, 2_000),
            loans=loans,
            repayments=repayments,
        )
        begin = time.perf_counter_ns()
        store.record_meeting(cycle.id, meeting)
        out.append(time.perf_counter_ns() - begin)
    return out


def existing_meeting_latencies(store: vsla.Store, pid: int, meetings: int = 40) -> list[int]:
    """``record_meeting`` of one more meeting in up to ``meetings`` open cycles of the
    programme's groups (a week after each cycle's last meeting, every active member present
    and buying the constitution's least number of shares, at least one): nanoseconds each.

    The clerk's usual case, unlike the new group above: the cycle was there when the
    database's statistics were taken (``ANALYZE`` has run), so a query plan that reads a
    whole table for one cycle shows here."""
    out: list[int] = []
    for group in store.groups(pid):
        if len(out) >= meetings:
            break
        cycles = store.cycles(group.id)
        if not cycles or cycles[-1].shared_out_on is not None:
            continue
        cycle = cycles[-1]
        held = store.meetings(cycle.id)
        day = (held[-1].date if held else cycle.start_date) + dt.timedelta(days=7)
        if day > cycle.end_date:
            continue
        rules = cycle.constitution
        present = [m.id for m in store.members(group.id) if m.is_active(day)]
        meeting = vsla.MeetingInput(
            date=day,
            attendance=dict.fromkeys(present, "present"),
            share_purchases=dict.fromkeys(present, max(1, rules.min_shares_per_meeting)),
        )
        begin = time.perf_counter_ns()
        store.record_meeting(cycle.id, meeting)
        out.append(time.perf_counter_ns() - begin)
    return out


def percentile(values: Sequence[int], pct: int) -> int:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-pct * len(ordered) // 100))
    return ordered[rank - 1]


# ---------------------------------------------------------------------------------- import


_WRITES = ("add_programme", "add_group", "add_members", "start_cycle", "import_cycle",
           "record_meetings", "record_meeting", "settle_member_exit", "write_off", "share_out",
           "add_referrals", "add_livelihood_supports", "add_gal_session",
           "add_gal_sessions")  # fmt: skip


def _timed_writes(store: vsla.Store) -> list[int]:
    """Wrap the store's write methods: the nanoseconds spent in them (outermost calls only)
    add up in the returned one-item list."""
    spent = [0]
    depth = [0]
    for name in _WRITES:
        inner = getattr(store, name)

        def timed(*args: Any, __inner: Any = inner, **kwargs: Any) -> Any:
            depth[0] += 1
            start = time.perf_counter_ns()
            try:
                return __inner(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    spent[0] += time.perf_counter_ns() - start

        setattr(store, name, timed)
    return spent


@dataclass
class ImportMeasure:
    rows: int
    library_ns: int
    executemany_ns: int
    per_table: dict[str, int] = field(default_factory=dict)
    # when measured (measure_import's ``alike``): the mean of the two copies alike and the
    # mean of the two plain ones around them (A B B A)
    alike_ns: int | None = None
    plain_ns: int | None = None

    @property
    def ratio(self) -> Decimal:
        """Library rate / executemany rate (= executemany time / library time)."""
        return self._against(self.executemany_ns)

    @property
    def alike_ratio(self) -> Decimal | None:
        """The same against the copies alike (``None`` when they were not measured)."""
        return None if self.alike_ns is None else self._against(self.alike_ns)

    @property
    def plain_ratio(self) -> Decimal | None:
        """The same against the two plain copies timed around the copies alike (``None``
        when they were not measured): what :attr:`alike_ratio` is to be compared with."""
        return None if self.plain_ns is None else self._against(self.plain_ns)

    def _against(self, copy_ns: int) -> Decimal:
        """The library's rate over that of a copy taking ``copy_ns``."""
        return _places(Decimal(copy_ns) / Decimal(max(self.library_ns, 1)))


def median_import(measures: Sequence[ImportMeasure]) -> ImportMeasure:
    """The import whose ratio is the median (the upper middle one of an even number)."""
    return sorted(measures, key=lambda m: m.ratio)[len(measures) // 2]


_SEQ = "changes.seq"
_ALIKE: tuple[Table, ...] = (t.changes, t.client_ids)
"""The tables the library writes beside the rows of :data:`ORDER`: its change feed and the
client ids it registers."""


def _tops(engine: Engine) -> dict[str, int]:
    """The largest id of each table with one (the copied tables and the change feed), and
    the change feed's largest ``seq`` (as ``changes.seq``)."""
    tops = {table.name: _top(engine, table) for table in (*ORDER, t.changes) if "id" in table.c}
    with engine.connect() as conn:
        seq = conn.execute(select(func.coalesce(func.max(t.changes.c.seq), 0))).scalar_one()
    tops[_SEQ] = int(seq)
    return tops


def measure_import(
    backend: Backend, sample: int, seed: int, prefix: str = "IM", *, alike: bool = False
) -> ImportMeasure:
    """Import ``sample`` groups (codes starting with ``prefix``) through the library, then
    copy the same rows with ``executemany``: both times.

    ``alike``: then three more copies, in the order alike, alike, plain. The copies alike
    (see :func:`copy_with_executemany`) are compared with the mean of the first plain copy
    and the last, so each side holds one copy early and one late: whatever a copy gains or
    loses from its place in the run (caches warmed by the copy before it, a larger
    database) falls on both sides alike. The figure of record stays the first plain copy,
    made right after the import as without ``alike``."""
    engine = backend.engine()
    before = _tops(engine)
    counts_before = row_counts(engine)
    store = vsla.open(backend.url)
    spent = _timed_writes(store)
    generate(store, groups=sample, seed=seed, weekly=True, code_prefix=prefix)
    store.close()
    counts_after = row_counts(engine)
    per_table = {k: counts_after[k] - counts_before[k] for k in counts_after}
    after = _tops(engine)
    ns = copy_with_executemany(engine, before, after)
    alike_ns = plain_ns = None
    if alike:
        first = copy_with_executemany(engine, before, after, past=_tops(engine), alike=True)
        second = copy_with_executemany(
            engine, before, after, past=_tops(engine), alike=True, suffix="alike2"
        )
        last = copy_with_executemany(engine, before, after, past=_tops(engine), suffix="copy2")
        alike_ns, plain_ns = (first + second) // 2, (ns + last) // 2
    engine.dispose()
    return ImportMeasure(sum(per_table.values()), spent[0], ns, per_table, alike_ns, plain_ns)


def copy_with_executemany(
    engine: Engine,
    before: dict[str, int],
    after: dict[str, int],
    *,
    past: dict[str, int] | None = None,
    alike: bool = False,
    suffix: str | None = None,
) -> int:
    """Insert again every row written after ``before`` up to ``after`` (ids shifted past
    ``past``, by default ``after``; codes suffixed with ``~`` and ``suffix``, by default
    ``copy``, or ``alike`` for a copy alike) with the driver's own ``executemany``, in one
    transaction: its nanoseconds.

    ``alike``: the copy does what the library's own writes do beside those rows. It also
    copies the rows the library wrote into its change feed and its client ids (the
    ``changes`` rows since ``before``; the ``client_ids`` of the programmes created since),
    and on SQLite it runs with foreign keys enforced, as the store's connection has them
    (``PRAGMA foreign_keys=ON``). PostgreSQL always checks them."""
    top = after if past is None else past
    tag = suffix or ("alike" if alike else "copy")
    shift = {name: top[name] - before[name] for name in top}
    tables = (*ORDER, *_ALIKE) if alike else ORDER
    batches: list[tuple[str, list[tuple[Any, ...]]]] = []
    with engine.connect() as conn:
        for table in tables:
            if table is t.client_ids:  # no id: those of the programmes written since
                key, owner = table.c.programme_key, "programmes"
            elif "id" in table.c:
                key, owner = table.c.id, table.name
            else:  # officers, attendance, loan marks: by their parent
                parent = next(c for c in ("cycle_id", "meeting_id", "loan_id") if c in table.c)
                key = table.c[parent]
                owner = next(iter(key.foreign_keys)).column.table.name
            where = key.between(before[owner] + 1, after[owner])
            rows = []
            for row in conn.execute(select(table).where(where)):
                values = []
                for column, value in zip(table.c, row, strict=True):
                    ref = (
                        next(iter(column.foreign_keys)).column.table.name
                        if column.foreign_keys
                        else None
                    )
                    if column.name == "id":
                        by = shift[table.name]
                    elif column.name == "seq":  # the change feed's order, unique
                        by = shift[_SEQ]
                    elif column.name == "programme_key":  # a client id's programme
                        by = shift["programmes"]
                    else:
                        by = shift.get(ref or "", 0)
                    if value is not None and by:
                        value += by
                    if column.name == "code":
                        value = f"{value}~{tag}"
                    if isinstance(column.type, JSON) and value is not None:
                        value = json.dumps(value)
                    values.append(value)
                rows.append(tuple(values))
            batches.append((table.name, rows))
    raw = engine.raw_connection()
    try:
        mark = "?" if engine.dialect.name == "sqlite" else "%s"
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute(f"PRAGMA foreign_keys={'ON' if alike else 'OFF'}")
        start = time.perf_counter_ns()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN")
        for name, rows in batches:
            if not rows:
                continue
            columns = [c.name for c in t.metadata.tables[name].c]
            sql = (
                f"INSERT INTO {name} ({', '.join(columns)}) "
                f"VALUES ({', '.join([mark] * len(columns))})"
            )
            cursor.executemany(sql, rows)
        if engine.dialect.name == "sqlite":
            cursor.execute("COMMIT")
        else:
            raw.commit()
        spent = time.perf_counter_ns() - start
    finally:
        raw.close()
    _catch_up_sequences(engine, top)
    return spent


def _catch_up_sequences(engine: Engine, after: dict[str, int]) -> None:
    """PostgreSQL: move each table's id sequence past the ids the copy gave explicitly, so
    a later insert through the library draws a free id (SQLite takes the largest id + 1 by
    itself). Not timed: the library's own inserts never need it."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in (*ORDER, t.changes):
            if table.name in after:
                top = select(func.max(table.c.id)).scalar_subquery()
                sequence = func.pg_get_serial_sequence(table.name, "id")
                conn.execute(select(func.setval(sequence, top)))


# ---------------------------------------------------------------------------------- a run


@dataclass
class Result:
    backend: str
    groups: int
    template: int
    template_meetings: int
    generate_ns: int
    clone_ns: int
    rows: dict[str, int]
    vsla_ns: int
    sql_ns: int
    pandas_ns: int
    same_figures: bool
    memory_kib: tuple[int, int]
    latencies: list[int]
    existing_latencies: list[int]
    imports: list[ImportMeasure]
    past: dt.date
    past_vsla_ns: int
    past_sql_ns: int

    @property
    def imported(self) -> ImportMeasure:
        """The import of record: the median of :attr:`imports`."""
        return median_import(self.imports)


def measure(
    backend: Backend,
    groups: int,
    *,
    seed: int,
    sample: int,
    template: int = TEMPLATE,
    imports: int = IMPORTS,
    report: Callable[[str], None] = print,
) -> Result:
    reset(backend)
    store = vsla.open(backend.url)
    report(f"[{backend.name} {groups:,}] generate {min(groups, template)} groups …")
    start = time.perf_counter_ns()
    summary = generate(store, groups=min(groups, template), seed=seed, weekly=True)
    generate_ns = time.perf_counter_ns() - start
    store.close()
    engine = backend.engine()
    clone_ns = 0
    if groups > template:
        report(f"[{backend.name} {groups:,}] clone to {groups:,} groups …")
        start = time.perf_counter_ns()
        clone(engine, groups)
        clone_ns = time.perf_counter_ns() - start
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    rows = row_counts(engine)
    report(f"[{backend.name} {groups:,}] {rows['entries']:,} ledger entries; dashboard …")
    store = vsla.open(backend.url)
    pid, on = summary.programme_id, summary.as_of
    past = past_quarter_end(on - dt.timedelta(days=365), on)
    figures = dashboard_vsla(store, pid, on)
    same = figures == dashboard_sql(engine, pid, on) == dashboard_pandas(
        engine, pid, on
    ) and dashboard_vsla(store, pid, past) == dashboard_sql(engine, pid, past)
    if not same:
        raise SystemExit(f"the three dashboards disagree at {groups} groups: a bug to fix")
    repeats = 5 if groups <= template else 3
    vsla_ns = _best_of(repeats, lambda: dashboard_vsla(store, pid, on))
    sql_ns = _best_of(repeats, lambda: dashboard_sql(engine, pid, on))
    past_vsla_ns = _best_of(repeats, lambda: dashboard_vsla(store, pid, past))
    past_sql_ns = _best_of(repeats, lambda: dashboard_sql(engine, pid, past))
    pandas_ns = _best_of(max(1, repeats - 2), lambda: dashboard_pandas(engine, pid, on))
    memory = dashboard_memory(backend, pid, on)
    report(f"[{backend.name} {groups:,}] 30-member meetings …")
    latencies = meeting_latencies(store)
    existing = existing_meeting_latencies(store, pid)
    store.close()
    engine.dispose()
    measured = []
    for n in range(imports):
        report(f"[{backend.name} {groups:,}] import {sample} groups, then executemany ({n + 1}) …")
        measured.append(measure_import(backend, sample, seed + 1 + n, prefix=f"IM{n}"))
    return Result(
        backend.name,
        groups,
        min(groups, template),
        summary.meetings,
        generate_ns,
        clone_ns,
        rows,
        vsla_ns,
        sql_ns,
        pandas_ns,
        same,
        memory,
        latencies,
        existing,
        measured,
        past,
        past_vsla_ns,
        past_sql_ns,
    )


def past_quarter_end(first: dt.date, last: dt.date) -> dt.date:
    """The quarter end halfway between ``first`` and ``last`` (a past quarter's report: the
    demo's cycles run for the year before its report date)."""
    ends = [day for day in period_ends(first, last, "quarterly") if day < last]
    return ends[len(ends) // 2] if ends else last


def _ratio(a: int, b: int) -> Decimal:
    return _places(Decimal(a) / Decimal(max(b, 1)))


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def render(results: Sequence[Result]) -> str:
    lines = []
    for r in results:
        im = r.imported
        lib_rate = im.rows * NS // max(im.library_ns, 1)
        raw_rate = im.rows * NS // max(im.executemany_ns, 1)
        before, after = r.memory_kib
        lines += [
            f"== {r.backend}, {r.groups:,} groups: {r.rows['members']:,} members, "
            f"{r.rows['meetings']:,} meetings, {r.rows['entries']:,} ledger entries, "
            f"{sum(r.rows.values()):,} rows",
            f"   build: generate {r.template} groups through the library "
            f"{_s(r.generate_ns)} s ({r.template_meetings * NS // max(r.generate_ns, 1):,} "
            f"meetings/s)" + (f", clone {_s(r.clone_ns)} s" if r.clone_ns else ""),
            f"   bulk import: library {lib_rate:,} rows/s, executemany {raw_rate:,} rows/s "
            f"({im.rows:,} rows): ratio {im.ratio} "
            f"(target >= 0.5: {_mark(im.ratio >= Decimal('0.5'))})"
            + (
                f"; the median of {', '.join(str(m.ratio) for m in r.imports)}"
                if len(r.imports) > 1
                else ""
            ),
            f"   dashboard: vsla {_ms(r.vsla_ns)} ms, hand-written SQL {_ms(r.sql_ns)} ms, "
            f"pandas {_ms(r.pandas_ns)} ms; same figures: {'yes' if r.same_figures else 'NO'}",
            f"     vsla / SQL {_ratio(r.vsla_ns, r.sql_ns)} (target <= 1.5: "
            f"{_mark(_ratio(r.vsla_ns, r.sql_ns) <= Decimal('1.5'))}); vsla / pandas "
            f"{_ratio(r.vsla_ns, r.pandas_ns)} (target < 1: {_mark(r.vsla_ns < r.pandas_ns)})",
            f"   dashboard on a past quarter end ({r.past}): vsla {_ms(r.past_vsla_ns)} ms, "
            f"hand-written SQL {_ms(r.past_sql_ns)} ms",
            f"     vsla / SQL {_ratio(r.past_vsla_ns, r.past_sql_ns)} (target <= 1.5: "
            f"{_mark(_ratio(r.past_vsla_ns, r.past_sql_ns) <= Decimal('1.5'))})",
            f"   dashboard peak memory: {after // MB} MB for the whole process, "
            f"{(after - before) // MB} MB above the {before // MB} MB it held before "
            f"(target < 500 MB: {_mark(after < 500 * MB)})",
            f"   30-member meeting: median {_ms(percentile(r.latencies, 50))} ms, "
            f"p95 {_ms(percentile(r.latencies, 95))} ms ({len(r.latencies)} meetings)",
        ]
        if r.existing_latencies:
            lines.append(
                f"   a meeting of an existing group: median "
                f"{_ms(percentile(r.existing_latencies, 50))} ms, p95 "
                f"{_ms(percentile(r.existing_latencies, 95))} ms "
                f"({len(r.existing_latencies)} groups)"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--sample", type=int, default=SAMPLE, help="groups in the import test")
    parser.add_argument("--template", type=int, default=TEMPLATE, help="groups generated")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--imports", type=int, default=IMPORTS, help="imports measured (median)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    url = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
    use_pg = not args.sqlite_only and postgres_reachable(url)
    print(f"vsla {vsla.__version__} national-scale benchmark, "
          f"{dt.datetime.now().replace(microsecond=0).isoformat(' ')}, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")  # fmt: skip
    print(f"sizes {', '.join(f'{s:,}' for s in sizes)} groups; PostgreSQL "
          f"{'at ' + url.split('@')[-1] if use_pg else 'skipped'}")  # fmt: skip
    results: list[Result] = []
    options = {"seed": args.seed, "sample": args.sample, "template": args.template,
               "imports": args.imports}  # fmt: skip
    with sqlite_backend() as backend:
        for groups in () if args.postgres_only else sizes:
            results.append(measure(backend, groups, **options))
    if use_pg:
        with postgres_backend(url) as backend:
            for groups in sizes:
                results.append(measure(backend, groups, **options))
    print()
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
