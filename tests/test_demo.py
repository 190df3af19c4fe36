"""The demo generator: deterministic, valid, and close to the Kon Tum targets."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import func, select

import vsla
from tests.conftest import BACKENDS, fresh_store, snapshot
from vsla.demo import (
    DISTRICT_CODES,
    DemoSummary,
    default_as_of,
    gal_pilot_count,
    generate,
)
from vsla.demo.planning import group_layouts as _layout
from vsla.domain.entities import KON_TUM_DISTRICTS
from vsla.store import tables

START = dt.date(2024, 1, 8)
AS_OF = default_as_of(START)
GROUPS = 30


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[vsla.Store, DemoSummary]]:
    store = vsla.open(":memory:")
    summary = generate(store, groups=GROUPS, seed=2021)
    yield store, summary
    store.close()


def _members(store: vsla.Store) -> list[tuple[vsla.Group, vsla.Member]]:
    return [(g, m) for g in store.groups() for m in store.members(g.id)]


def _count(store: vsla.Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(tables.metadata.tables[table])).scalar()
            or 0
        )


# ------------------------------------------------------------------------------ determinism


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_seed_writes_the_same_rows(backend: str) -> None:
    one, two = fresh_store(backend), vsla.open(":memory:")
    try:
        assert generate(one, groups=3, seed=5) == generate(two, groups=3, seed=5)
        assert snapshot(one) == snapshot(two)
        assert snapshot(one)["entries"]
    finally:
        one.close()
        two.close()


def test_another_seed_writes_other_rows() -> None:
    one, two = vsla.open(":memory:"), vsla.open(":memory:")
    generate(one, groups=2, seed=1)
    generate(two, groups=2, seed=2)
    assert snapshot(one)["members"] != snapshot(two)["members"]


def test_one_by_one_writes_exactly_what_the_batches_write() -> None:
    batch, single = vsla.open(":memory:"), vsla.open(":memory:")
    a = generate(batch, groups=2, seed=9)
    b = generate(single, groups=2, seed=9, one_by_one=True)
    # the change feed logs each call's writes: one row per kind and call, so it differs
    one, other = snapshot(batch), snapshot(single)
    assert len(one.pop("changes")) < len(other.pop("changes"))
    assert one == other
    assert b.record_calls == b.meetings > a.record_calls


def test_progress_is_reported_after_each_group() -> None:
    seen: list[tuple[int, int]] = []
    generate(
        vsla.open(":memory:"), groups=3, progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_no_groups_is_refused() -> None:
    with pytest.raises(vsla.InvalidInput, match="at least one group"):
        generate(vsla.open(":memory:"), groups=0)
    with pytest.raises(vsla.InvalidInput, match="before the start"):
        generate(vsla.open(":memory:"), groups=1, as_of=START - dt.timedelta(days=1))


# ------------------------------------------------------------------------------ the programme


def test_summary_matches_the_store(demo: tuple[vsla.Store, DemoSummary]) -> None:
    store, summary = demo
    assert summary.as_of == AS_OF == dt.date(2025, 4, 7)
    assert summary.groups == len(store.groups(summary.programme_id)) == GROUPS
    assert summary.members == _count(store, "members")
    assert summary.meetings == _count(store, "meetings")
    assert summary.loans == _count(store, "loans")
    assert summary.entries == _count(store, "entries")
    assert summary.referrals == _count(store, "referrals")
    assert summary.supports == _count(store, "livelihood_supports")
    assert summary.gal_sessions == _count(store, "gal_sessions")
    programme = store.programme(summary.programme_id)
    assert programme.targets == vsla.Targets()  # the Kon Tum plan's targets


def test_pilots_are_55_of_91() -> None:
    for groups in (91, 1_000):
        layout = _layout(random.Random(1), groups, START, AS_OF)
        assert sum(g.gal_pilot for g in layout) == gal_pilot_count(groups)
    layout = _layout(random.Random(1), 91, START, AS_OF)
    assert sum(g.gal_pilot for g in layout) == 55
    assert {g.district for g in layout} == set(KON_TUM_DISTRICTS)
    assert len({g.code for g in layout}) == 91
    assert sum(g.write_off_here for g in layout) == 1


def test_gal_pilots_champions_and_sessions(demo: tuple[vsla.Store, DemoSummary]) -> None:
    store, summary = demo
    pilots = [g for g in store.groups() if g.gal_pilot_since is not None]
    assert len(pilots) == summary.gal_pilots == gal_pilot_count(GROUPS)
    assert all(g.is_gal_pilot(AS_OF) for g in pilots)
    sessions = store.gal_sessions()
    assert {s.group_id for s in sessions} == {g.id for g in pilots}
    assert {s.tool for s in sessions} >= {
        vsla.GalTool.VISION_JOURNEY,
        vsla.GalTool.GENDER_BALANCE_TREE,
    }
    champions = [m for g, m in _members(store) if m.gal_champion_since is not None]
    assert champions
    assert all(g.gal_pilot_since is not None for g, m in _members(store) if m.gal_champion_since)


def test_members_are_mostly_women_of_the_kon_tum_peoples(
    demo: tuple[vsla.Store, DemoSummary],
) -> None:
    store, _ = demo
    members = [m for _, m in _members(store)]
    women = sum(m.sex is vsla.Sex.FEMALE for m in members)
    assert Fraction(75, 100) <= Fraction(women, len(members)) <= Fraction(85, 100)
    ethnicities = {m.ethnicity for m in members}
    assert ethnicities <= {"Xơ Đăng", "Ba Na", "Giẻ Triêng", "Gia Rai", "Brâu", "Rơ Măm", "Kinh"}
    assert len(ethnicities) >= 5
    for group in store.groups():
        assert 15 <= len(store.members(group.id)) <= 30
        assert group.district in KON_TUM_DISTRICTS
        assert group.code.startswith(f"KT-{DISTRICT_CODES[group.district]}-")


def test_cash_never_goes_negative(demo: tuple[vsla.Store, DemoSummary]) -> None:
    store, _ = demo
    for group in store.groups():
        (cycle,) = store.cycles(group.id)
        for meeting in store.meetings(cycle.id):
            balances = store.balances(cycle.id, on=meeting.date)
            assert balances.loan_fund_cash >= 0, (group.code, meeting.date)
            assert balances.social_fund_cash >= 0, (group.code, meeting.date)


def test_cycles_are_shared_out_when_they_end_before_the_report_date(
    demo: tuple[vsla.Store, DemoSummary],
) -> None:
    store, summary = demo
    done = running = 0
    for group in store.groups():
        (cycle,) = store.cycles(group.id)
        meetings = store.meetings(cycle.id)
        assert meetings[-1].date <= AS_OF
        if cycle.end_date <= AS_OF:
            assert cycle.shared_out_on == cycle.end_date == meetings[-1].date
            assert len(meetings) == 26
            assert store.balances(cycle.id).loans_outstanding == 0
            done += 1
        else:
            assert cycle.shared_out_on is None
            running += 1
    assert done == summary.shared_out
    assert done > running > 0


def test_loans_are_mostly_repaid_some_overdue_and_exactly_one_written_off(
    demo: tuple[vsla.Store, DemoSummary],
) -> None:
    store, _ = demo
    write_offs, overdue, outstanding, repaid_early = [], 0, 0, 0
    for group in store.groups():
        (cycle,) = store.cycles(group.id)
        write_offs += [e for e in store.entries(cycle.id) if e.kind is vsla.EntryKind.WRITE_OFF]
        for loan in store.loans(cycle.id):
            pos = store.loan_position(loan.id, min(AS_OF, cycle.end_date))
            outstanding += pos.principal_outstanding > 0
            overdue += pos.is_overdue
            statement = store.loan_statement(loan.id, AS_OF)
            if statement.payments and statement.payments[-1].on < pos.due_on and pos.settled:
                repaid_early += 1
    assert len(write_offs) == 1
    assert 0 < overdue < outstanding
    assert repaid_early > 0


def test_some_members_leave_mid_cycle(demo: tuple[vsla.Store, DemoSummary]) -> None:
    store, summary = demo
    leavers = [(g, m) for g, m in _members(store) if m.left_on is not None]
    assert len(leavers) == summary.exits > 0
    for group, member in leavers:
        (cycle,) = store.cycles(group.id)
        assert member.left_on is not None
        assert cycle.start_date < member.left_on < cycle.end_date
        balance = {b.member_id: b for b in store.member_balances(cycle.id)}[member.id]
        assert balance.shares == 0  # their savings were paid back


def _rate(store: vsla.Store, members: set[int]) -> Fraction:
    """Distinct members among those active on the report date / active members."""
    active = {m.id for _, m in _members(store) if m.is_active(AS_OF)}
    return Fraction(len(members & active), len(active))


def test_referral_and_livelihood_rates_are_near_15_percent(
    demo: tuple[vsla.Store, DemoSummary],
) -> None:
    store, _ = demo
    referred = {r.member_id for r in store.referrals() if r.referred_on <= AS_OF}
    supported = {s.member_id for s in store.livelihood_supports() if s.received_on <= AS_OF}
    for rate in (_rate(store, referred), _rate(store, supported)):
        assert Fraction(12, 100) <= rate <= Fraction(19, 100)
    outcomes = {r.outcome for r in store.referrals()}
    assert outcomes == set(vsla.ReferralOutcome)
    # some districts are above the target, some below
    by_district: dict[str, list[int]] = {}
    for group, member in _members(store):
        if member.is_active(AS_OF):
            row = by_district.setdefault(group.district, [0, 0])
            row[0] += member.id in referred
            row[1] += 1
    rates = [Fraction(n, d) for n, d in by_district.values()]
    assert min(rates) < Fraction(15, 100) < max(rates)


def test_vietnamese_names_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "kontum.db"
    with vsla.open(path) as store:
        generate(store, groups=10, seed=3)
        before = [
            (g.name, g.district, g.commune, m.full_name, m.ethnicity) for g, m in _members(store)
        ]
    with vsla.open(path, create=False) as store:
        after = [
            (g.name, g.district, g.commune, m.full_name, m.ethnicity) for g, m in _members(store)
        ]
    assert after == before
    text = " ".join(" ".join(row) for row in after)
    assert text == unicodedata.normalize("NFC", text)
    for letter in ("ư", "ơ", "Đ", "ắ", "ệ"):
        assert letter in text
    assert any(name.startswith(("Y ", "A ")) for *_, name, _ in after)
