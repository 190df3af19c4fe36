"""Every read call sees one committed state, on SQLite and PostgreSQL.

A load test found ``group_indicators`` returning an attendance rate of 129/115 and
``balances`` mixing the savings of meeting *n* with the cash of meeting *n + 1*: their
SELECTs ran at READ COMMITTED, and a meeting committed between two of them. Here another
client commits a meeting exactly there, between the first and the second statement of a
read call (a cursor hook on the reading store starts the other store's write and waits for
it); the call must return what it returned before that meeting, never a mix. On
PostgreSQL the other client commits at once and the read's snapshot does not see it; on
SQLite its commit waits for the read transaction to end.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event

import vsla
from tests.conftest import POSTGRES_URL, own_pg_schema, snapshot
from tests.store.helpers import START, constitution
from vsla.io import export_ledger, export_programme
from vsla.reports import reference

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="VSLA_TEST_POSTGRES_URL is not set")
D2 = START + dt.timedelta(days=7)
ON = dt.date(2024, 6, 30)
P, A = vsla.Attendance.PRESENT, vsla.Attendance.ABSENT
NAMES = ("Y Hoa", "A Blưp", "Y Nhí", "Đinh Thị Lệ")


@dataclass
class Clients:
    """Two stores on one database: the reader under test and another clerk's app."""

    reader: vsla.Store
    writer: vsla.Store
    programme: vsla.Programme
    group: vsla.Group
    cycle: vsla.Cycle
    members: list[vsla.Member]
    loan: vsla.Loan
    tmp: Path

    def the_other_clerk_records_a_meeting(self) -> None:
        """A meeting that changes every figure read here: attendance, shares, both boxes,
        a repayment of the loan and a new loan."""
        hoa, blup, nhi, le = (m.id for m in self.members)
        self.writer.record_meeting(
            self.cycle.id,
            vsla.MeetingInput(
                date=D2,
                attendance={hoa: P, blup: P, nhi: A, le: P},
                share_purchases={hoa: 2, blup: 1},
                social_fund_contributions={hoa: 2_000},
                repayments=[vsla.Repayment(loan_id=self.loan.id, amount=10_000)],
                loans=[vsla.LoanRequest(member_id=blup, principal=40_000, term_months=1)],
            ),
        )

    def the_other_clerk_adds_a_member_and_refers_her(self) -> None:
        """What changes the programme's figures: members, women, referrals."""
        with self.writer.transaction():
            new = self.writer.add_member(
                vsla.NewMember(
                    group_id=self.group.id, full_name="Y Lan", sex=vsla.Sex.FEMALE, joined_on=D2
                )
            )
            self.writer.add_referral(
                vsla.NewReferral(
                    member_id=new.id, institution="vbsp", service="savings", referred_on=D2
                )
            )


def _clients(reader: vsla.Store, writer: vsla.Store, tmp: Path) -> Iterator[Clients]:
    programme = writer.add_programme(vsla.NewProgramme(name="Kon Tum"))
    group = writer.add_group(
        vsla.NewGroup(
            code="KT-DG-001",
            name="Tổ Đăk Nhoong",
            programme_id=programme.id,
            district="Đắk Glei",
            established_on=START,
            gal_pilot_since=START,
        )
    )
    members = writer.add_members(
        [
            vsla.NewMember(
                group_id=group.id,
                full_name=name,
                sex=vsla.Sex.MALE if name.startswith("A ") else vsla.Sex.FEMALE,
                ethnicity="Xơ Đăng",
                joined_on=START,
            )
            for name in NAMES
        ]
    )
    cycle = writer.start_cycle(
        group.id,
        start=START,
        end=dt.date(2024, 12, 30),
        constitution=constitution(share_out_loans="net"),
    )
    writer.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=START,
            attendance={m.id: P for m in members},
            share_purchases={m.id: 5 for m in members},
            social_fund_contributions={m.id: 2_000 for m in members},
            loans=[vsla.LoanRequest(member_id=members[0].id, principal=40_000, term_months=2)],
        ),
    )
    loan = writer.loans(cycle.id)[0]
    try:
        yield Clients(reader, writer, programme, group, cycle, members, loan, tmp)
    finally:
        reader.close()
        writer.close()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=[needs_postgres, pytest.mark.postgres]),
    ]
)
def clients(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Clients]:
    if request.param == "sqlite":
        db = tmp_path / "shared.db"
        yield from _clients(vsla.open(db), vsla.open(db), tmp_path)
        return
    assert POSTGRES_URL
    with own_pg_schema("vsla_snap") as schema:
        options = {"options": f"-c search_path={schema}"}
        writer = vsla.open(create_engine(POSTGRES_URL, connect_args=options))
        reader = vsla.open(create_engine(POSTGRES_URL, connect_args=options))
        yield from _clients(reader, writer, tmp_path)


@contextmanager
def commit_after_first_select(
    reader: vsla.Store, write: Callable[[], None]
) -> Iterator[dict[str, bool]]:
    """Run ``write`` (another client's commit) right after the first SELECT the reader runs
    in the block, and give it up to a second to finish before the reader goes on.
    Yields ``{"committed_before_the_next_statement": ...}``."""
    seen = {"committed_before_the_next_statement": False}
    failures: list[BaseException] = []
    writer: threading.Thread | None = None

    def run() -> None:
        try:
            write()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    def after_select(*args: Any) -> None:
        nonlocal writer
        statement: str = args[2]
        if writer is not None or not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            return
        writer = threading.Thread(target=run)
        writer.start()
        writer.join(timeout=1.0)
        seen["committed_before_the_next_statement"] = not writer.is_alive()

    event.listen(reader.engine, "after_cursor_execute", after_select)
    try:
        yield seen
    finally:
        event.remove(reader.engine, "after_cursor_execute", after_select)
        assert writer is not None, "the read call ran no SELECT"
        writer.join(timeout=60)
        assert not writer.is_alive()
        assert not failures, failures


def _export_ledger(c: Clients) -> str:
    path = c.tmp / "ledger.csv"
    export_ledger(c.reader, path)
    return path.read_text(encoding="utf-8")


def _export_programme(c: Clients) -> object:
    path = c.tmp / "programme.json"
    export_programme(c.reader, path)
    return json.loads(path.read_text(encoding="utf-8"))


def _own_sql(c: Clients) -> object:
    """Your own SQL through ``store.connection()``: two statements, one state."""
    from sqlalchemy import func, select

    from vsla.store import tables as t

    with c.reader.connection() as conn:
        entries = conn.execute(select(func.count()).select_from(t.entries)).scalar_one()
        meetings = conn.execute(select(func.count()).select_from(t.meetings)).scalar_one()
    return entries, meetings


def _snapshot_block(c: Clients) -> object:
    """Several calls in ``store.snapshot()``: one state for all of them."""
    with c.reader.snapshot():
        return (
            c.reader.balances(c.cycle.id),
            c.reader.member_balances(c.cycle.id),
            c.reader.meetings(c.cycle.id),
        )


READS: dict[str, Callable[[Clients], object]] = {
    "balances": lambda c: c.reader.balances(c.cycle.id),
    "member_balances": lambda c: c.reader.member_balances(c.cycle.id),
    "balance_history": lambda c: c.reader.balance_history(c.cycle.id),
    "entries": lambda c: c.reader.entries(c.cycle.id),
    "meetings": lambda c: c.reader.meetings(c.cycle.id),
    "loans": lambda c: c.reader.loans(c.cycle.id),
    "loan_position": lambda c: c.reader.loan_position(c.loan.id, ON),
    "loan_statement": lambda c: c.reader.loan_statement(c.loan.id, ON),
    "preview_share_out": lambda c: c.reader.preview_share_out(c.cycle.id, ON),
    "latest_meeting_date": lambda c: c.reader.latest_meeting_date(group_id=c.group.id),
    "group_indicators": lambda c: vsla.group_indicators(c.reader, c.group.id, ON),
    "group_indicators_all": lambda c: vsla.group_indicators_all(c.reader, ON),
    "programme_indicators": lambda c: vsla.programme_indicators(c.reader, c.programme.id, ON),
    "gal_comparison": lambda c: vsla.gal_comparison(c.reader, c.programme.id, ON),
    "reference.group_indicators": lambda c: reference.group_indicators(c.reader, c.group.id, ON),
    "export_ledger": _export_ledger,
    "export_programme": _export_programme,
    "store.connection()": _own_sql,
    "store.snapshot()": _snapshot_block,
}


@pytest.mark.parametrize("call", list(READS))
def test_a_meeting_committed_during_a_read_call_is_not_half_seen(
    clients: Clients, call: str
) -> None:
    read = READS[call]
    write = clients.the_other_clerk_records_a_meeting
    if call == "programme_indicators":  # members and referrals, not the ledger
        write = clients.the_other_clerk_adds_a_member_and_refers_her
    before = read(clients)
    with commit_after_first_select(clients.reader, write) as seen:
        during = read(clients)
    after = read(clients)
    assert after != before, "the meeting changes nothing this call reads: the test is vacuous"
    # the state before the meeting: the call's snapshot is taken at its first statement
    assert during == before
    # PostgreSQL: the meeting was committed between the call's statements; SQLite: its
    # commit waited until the call's read transaction had ended
    postgres = clients.reader.engine.dialect.name == "postgresql"
    assert seen["committed_before_the_next_statement"] is postgres


def test_a_write_inside_a_snapshot_block_is_refused(tmp_path: Path) -> None:
    store = vsla.open(tmp_path / "s.db")
    before = snapshot(store)
    with store.snapshot(), pytest.raises(vsla.InvalidInput, match=r"store\.snapshot"):
        store.add_programme(vsla.NewProgramme(name="P"))
    with (
        store.snapshot(),
        pytest.raises(vsla.InvalidInput, match=r"store\.snapshot"),
        store.transaction(),
    ):
        pass
    assert snapshot(store) == before
    # inside a transaction block, a snapshot block is the transaction itself
    with store.transaction():
        store.add_programme(vsla.NewProgramme(name="P"))
        with store.snapshot():
            assert [p.name for p in store.programmes()] == ["P"]
    store.close()


def test_every_public_read_method_of_the_store_reads_one_snapshot() -> None:
    """Each public method of ``Store`` either writes (``retry_conflicts``, or a thin
    wrapper of a write), reads in one snapshot (``one_snapshot``), or is one of the
    methods that manage connections and transactions."""
    wrappers = {
        "add_member",
        "add_referral",
        "add_livelihood_support",
        "add_gal_session",
        "record_meeting",
    }
    managing = {"close", "connection", "snapshot", "transaction"}
    unmarked = []
    for name in dir(vsla.Store):
        if name.startswith("_") or name in wrappers | managing:
            continue
        method = getattr(vsla.Store, name)
        if not callable(method):
            continue
        chain, seen = [], method
        while seen is not None:
            chain.append(seen)
            seen = getattr(seen, "__wrapped__", None)
        reads = any(getattr(f, "__vsla_snapshot__", False) for f in chain)
        writes = any(getattr(f, "__vsla_retries__", False) for f in chain)
        if reads == writes:
            unmarked.append(name)
    assert unmarked == []
