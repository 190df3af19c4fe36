"""``Store.import_cycle``: a cycle's whole history (meetings, exits, write-offs, the
share-out) in one call, all or nothing, leaving the database exactly as the calls one by one
would (``record_meeting``, ``settle_member_exit``, ``write_off``, ``share_out``), on SQLite
and PostgreSQL.

The worked cycle of :func:`_history` (share 10.000 ₫, no social fund, 2 % a month on the
declining balance), the loan fund after each event:

- 8 January: Y Hoa, A Blưp and Y Mai buy 5 shares each: 150.000 ₫.
- 15 January: Y Hoa and Y Mai buy 2 more (+ 20.000 ₫ each); A Blưp borrows 100.000 ₫ for two
  months (3 × her 50.000 ₫ of savings allows 150.000 ₫): 150.000 + 40.000 − 100.000 =
  90.000 ₫.
- 12 February: A Blưp repays 52.000 ₫. One month has begun (15 January), charged 2 % ×
  100.000 = 2.000 ₫; the rest, 50.000 ₫, is principal: 90.000 + 52.000 = 142.000 ₫, and she
  owes 50.000 ₫.
- 12 February, after the meeting: Y Mai leaves; her 7 shares are paid back, 70.000 ₫:
  72.000 ₫ left.
- 11 March: A Blưp's loan is written off. Month 2 began on 15 February on 50.000 ₫
  outstanding: 2 % = 1.000 ₫ charged, unpaid. So 50.000 ₫ of principal and 1.000 ₫ of
  interest leave the books; no cash moves.
- 11 March, the meeting: Y Hoa buys 3 shares: 72.000 + 30.000 = 102.000 ₫.
- 11 March, the share-out: Y Hoa holds 10 shares, A Blưp 5: 102.000 / 15 = 6.800 ₫ a share,
  68.000 ₫ and 34.000 ₫. Savings of 150.000 ₫, less the 50.000 ₫ written off, plus the
  2.000 ₫ of interest, is the 102.000 ₫ shared.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import vsla
from tests.conftest import BACKENDS, fresh_store, snapshot
from tests.strategies import constitutions
from vsla.demo import generate
from vsla.domain.ledger import EntryKind

D = dt.date
START = D(2024, 1, 1)
RULES = vsla.Constitution(
    share_value=10_000,
    social_fund_contribution=0,
    interest_rate=Decimal("0.02"),
    max_loan_multiple=3,
)
REF = "KT-1/L1"


def _open(backend: str, rules: vsla.Constitution = RULES) -> tuple[vsla.Store, int, list[int]]:
    """A store with group KT-1 of three members (Y Hoa, A Blưp, Y Mai) and a cycle of 2024."""
    store = fresh_store(backend)
    group = store.add_group(vsla.NewGroup(code="KT-1", name="Tổ Đăk Pék", established_on=START))
    members = store.add_members(
        [
            vsla.NewMember(group_id=group.id, full_name=name, sex="F", joined_on=START)
            for name in ("Y Hoa", "A Blưp", "Y Mai")
        ]
    )
    cycle = store.start_cycle(group.id, start=START, end=D(2024, 12, 31), constitution=rules)
    return store, cycle.id, [m.id for m in members]


def _history(ids: list[int]) -> list[vsla.CycleEvent]:
    hoa, blup, mai = ids
    return [
        vsla.MeetingInput(date=D(2024, 1, 8), share_purchases={hoa: 5, blup: 5, mai: 5}),
        vsla.MeetingInput(
            date=D(2024, 1, 15),
            share_purchases={hoa: 2, mai: 2},
            loans=[
                vsla.LoanRequest(member_id=blup, principal=100_000, term_months=2, client_id=REF)
            ],
        ),
        vsla.MeetingInput(
            date=D(2024, 2, 12), repayments=[vsla.Repayment(loan_ref=REF, amount=52_000)]
        ),
        vsla.ExitInput(member_id=mai, on=D(2024, 2, 12), reason=vsla.ExitReason.MOVED),
        vsla.WriteOffInput(loan_ref=REF, on=D(2024, 3, 11), reason="chuyển đi (moved away)"),
        vsla.MeetingInput(date=D(2024, 3, 11), share_purchases={hoa: 3}),
        vsla.ShareOutInput(on=D(2024, 3, 11)),
    ]


def _one_by_one(store: vsla.Store, cycle_id: int, events: list[vsla.CycleEvent]) -> None:
    """The same events, each through its own call."""
    for one in events:
        if isinstance(one, vsla.MeetingInput):
            store.record_meeting(cycle_id, one)
        elif isinstance(one, vsla.ExitInput):
            store.settle_member_exit(one.member_id, on=one.on, reason=one.reason)
        elif isinstance(one, vsla.WriteOffInput):
            loan_id = one.loan_id or next(
                loan.id for loan in store.loans(cycle_id) if loan.client_id == one.loan_ref
            )
            store.write_off(loan_id, on=one.on, reason=one.reason)
        else:
            store.share_out(cycle_id, on=one.on)


def _without_feed(store: vsla.Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the change feed's (one row per kind and call, so an
    import logs the same records in fewer rows)."""
    rows = snapshot(store)
    del rows["changes"]
    return rows


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_worked_cycle(backend: str) -> None:
    store, cycle_id, ids = _open(backend)
    hoa, blup, mai = ids
    done = store.import_cycle(cycle_id, _history(ids))

    assert len(done.meeting_ids) == 4
    [loan] = store.loans(cycle_id)
    assert done.loan_ids == {REF: loan.id}
    assert [(e.savings, e.owed, e.cash_paid) for e in done.exits] == [(70_000, 0, 70_000)]
    assert done.share_out is not None
    assert {line.member: line.payout for line in done.share_out.lines} == {
        hoa: 68_000,
        blup: 34_000,
    }
    assert done.share_out.value_per_share_exact == 6_800
    assert done.share_out.remainder == 0
    k = EntryKind
    assert [(e.date, e.kind, e.amount, e.member_id) for e in store.entries(cycle_id)] == [
        *((D(2024, 1, 8), k.SHARE_PURCHASE, 50_000, m) for m in (hoa, blup, mai)),
        (D(2024, 1, 15), k.SHARE_PURCHASE, 20_000, hoa),
        (D(2024, 1, 15), k.SHARE_PURCHASE, 20_000, mai),
        (D(2024, 1, 15), k.LOAN_DISBURSEMENT, 100_000, blup),
        (D(2024, 2, 12), k.INTEREST_PAYMENT, 2_000, blup),
        (D(2024, 2, 12), k.PRINCIPAL_REPAYMENT, 50_000, blup),
        (D(2024, 2, 12), k.EXIT_PAYOUT, 70_000, mai),
        (D(2024, 3, 11), k.WRITE_OFF, 50_000, blup),
        (D(2024, 3, 11), k.INTEREST_WRITE_OFF, 1_000, blup),
        (D(2024, 3, 11), k.SHARE_PURCHASE, 30_000, hoa),
        (D(2024, 3, 11), k.SHARE_OUT_PAYOUT, 68_000, hoa),
        (D(2024, 3, 11), k.SHARE_OUT_PAYOUT, 34_000, blup),
    ]
    assert done.entries == 14
    balances = store.balances(cycle_id)
    assert balances.loan_fund_cash == 0
    assert balances.loans_outstanding == 0
    [cycle] = store.cycles(store.group("KT-1").id)
    assert cycle.shared_out_on == D(2024, 3, 11)
    left = {m.full_name: (m.left_on, m.exit_reason) for m in store.members(cycle.group_id)}
    assert left == {
        "Y Hoa": (None, None),
        "A Blưp": (None, None),
        "Y Mai": (D(2024, 2, 12), vsla.ExitReason.MOVED),
    }
    # the write-off's day is the last meeting's: one meeting row, its minutes recorded
    assert [(m.date, m.number) for m in store.meetings(cycle_id)] == [
        (D(2024, 1, 8), 1),
        (D(2024, 1, 15), 2),
        (D(2024, 2, 12), 3),
        (D(2024, 3, 11), 4),
    ]
    assert store.verify_loan_marks() == []
    store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_worked_cycle_is_what_the_calls_one_by_one_write(backend: str) -> None:
    store, cycle_id, ids = _open(backend)
    _one_by_one(store, cycle_id, _history(ids))
    expected = _without_feed(store)
    store.close()
    store, cycle_id, ids = _open(backend)
    store.import_cycle(cycle_id, _history(ids))
    assert _without_feed(store) == expected
    store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_event_writes_nothing_and_is_named(backend: str) -> None:
    """A meeting after the share-out, a write-off of a loan the cycle never made, a share
    bought by a member who left, a loan above the limit: each refused with the rule and the
    group, nothing written."""
    store, cycle_id, ids = _open(backend)
    before = snapshot(store)
    history = _history(ids)

    after_share_out = [*history, vsla.MeetingInput(date=D(2024, 3, 18))]
    with pytest.raises(vsla.CycleClosed, match="KT-1") as closed:
        store.import_cycle(cycle_id, after_share_out)
    assert closed.value.rule == "nothing_after_share_out"
    assert snapshot(store) == before

    unknown = [*history[:3], vsla.WriteOffInput(loan_ref="KT-1/L9", on=D(2024, 3, 4), reason="x")]
    with pytest.raises(vsla.NotFound, match="KT-1/L9") as missing:
        store.import_cycle(cycle_id, unknown)
    assert (missing.value.rule, missing.value.group_code) == ("loan_of_cycle", "KT-1")
    assert snapshot(store) == before

    gone = history[5].model_copy(update={"share_purchases": {ids[0]: 3, ids[2]: 1}})
    with pytest.raises(vsla.MemberNotActive, match="Y Mai") as left:
        store.import_cycle(cycle_id, [*history[:5], gone])
    assert (left.value.rule, left.value.member_number) == ("member_active", 3)
    assert snapshot(store) == before

    too_much = history[1].model_copy(
        update={
            "loans": [
                vsla.LoanRequest(member_id=ids[1], principal=160_000, term_months=2, client_id=REF)
            ]
        }
    )
    with pytest.raises(vsla.LoanLimitExceeded, match="A Blưp") as limit:
        store.import_cycle(cycle_id, [history[0], too_much, *history[2:]])
    assert (limit.value.rule, limit.value.member_number) == ("max_loan_multiple", 2)
    assert snapshot(store) == before
    store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_demo_imported_is_the_demo_written_call_by_call(backend: str) -> None:
    """Four demo groups (exits, a write-off, share-outs, client ids on every record):
    written with one ``import_cycle`` a group, and one call per meeting and event, the
    same rows."""
    store = fresh_store(backend)
    generate(store, groups=4, seed=11, weekly=True, one_by_one=True, client_ids=True)
    expected = _without_feed(store)
    store.close()
    store = fresh_store(backend)
    summary = generate(store, groups=4, seed=11, weekly=True, client_ids=True)
    assert summary.exits > 0
    assert summary.written_off == 1
    assert summary.shared_out > 0
    assert summary.record_calls == 4
    assert _without_feed(store) == expected
    store.close()


@st.composite
def _events(draw: st.DrawFn, ids: list[int], rules: vsla.Constitution) -> list[vsla.CycleEvent]:
    """Six weekly meetings, with, after some of them, a member's exit or a write-off of a
    loan made earlier, and maybe the share-out last. Everyone present buys shares (the most
    allowed at the first meeting) and pays the social fund; a loan or a repayment is a few
    shares' worth, so most histories are accepted, but a repayment may exceed what is due,
    a loan may be far above the limit, a write-off may name a loan already settled, and a
    share-out may find loans outstanding. Every loan has a client id; repayments and
    write-offs name loans by it."""
    refs: list[str] = []
    events: list[vsla.CycleEvent] = []
    active = list(ids)
    value = rules.share_value
    for week in range(1, 7):
        on = START + dt.timedelta(days=7 * week)
        low, high = rules.min_shares_per_meeting, rules.max_shares_per_meeting
        unit = rules.social_fund_contribution
        kwargs: dict[str, Any] = {
            "attendance": dict.fromkeys(active, vsla.Attendance.PRESENT),
            "share_purchases": {
                m: high if week == 1 else draw(st.integers(low, high)) for m in active
            },
            "social_fund_contributions": dict.fromkeys(active, unit) if unit else {},
        }
        if unit and week > 1 and active and draw(st.booleans()):
            grant = vsla.SocialFundGrant(member_id=draw(st.sampled_from(active)), amount=unit)
            kwargs["social_fund_grants"] = [grant]
        if week > 1 and active and draw(st.booleans()):
            # now and then far above any limit: the event the calls one by one refuse
            shares = 1_000 if draw(st.integers(0, 15)) == 0 else draw(st.integers(1, 2))
            loan = vsla.LoanRequest(
                member_id=draw(st.sampled_from(active)),
                principal=shares * value,
                term_months=draw(st.integers(1, rules.max_term_months)),
                client_id=f"L{week}",
            )
            kwargs["loans"] = [loan]
        if refs:
            paid = draw(st.lists(st.sampled_from(refs), unique=True, max_size=1))
            kwargs["repayments"] = [
                vsla.Repayment(loan_ref=r, amount=draw(st.integers(1, 3)) * value // 4)
                for r in paid
            ]
        events.append(vsla.MeetingInput(date=on, **kwargs))
        refs += [loan.client_id for loan in kwargs.get("loans", []) if loan.client_id]
        extra = draw(st.sampled_from(["none", "none", "exit", "write_off"]))
        if extra == "exit" and active:
            member = draw(st.sampled_from(active))
            if draw(st.integers(0, 7)):  # else still named at the next meetings: refused
                active.remove(member)
            events.append(vsla.ExitInput(member_id=member, on=on))
        elif extra == "write_off" and refs:
            ref = draw(st.sampled_from(refs))
            events.append(vsla.WriteOffInput(loan_ref=ref, on=on, reason="bỏ đi (left)"))
            refs.remove(ref)  # repaid no more (a repayment of it would be refused)
    if draw(st.booleans()):
        events.append(vsla.ShareOutInput(on=START + dt.timedelta(days=42)))
    return events


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=constitutions(), data=st.data())
def test_an_import_is_the_calls_one_by_one(
    backend: str, rules: vsla.Constitution, data: st.DataObject
) -> None:
    """Any history: where the calls one by one refuse an event, the import refuses (it
    writes nothing); otherwise it leaves every table as they do."""
    store, cycle_id, ids = _open(backend, rules)
    events = data.draw(_events(ids, rules))
    refused: vsla.VslaError | None = None
    for n, one in enumerate(events):
        try:
            _one_by_one(store, cycle_id, [one])
        except vsla.VslaError as exc:
            refused, events = exc, events[: n + 1]
            break
    expected = _without_feed(store)
    store.close()
    kinds = {type(e).__name__ for e in events}
    event(f"refused: {type(refused).__name__}" if refused else f"accepted: {sorted(kinds)}")

    store, cycle_id, ids = _open(backend, rules)
    before = snapshot(store)
    if refused is not None:
        with pytest.raises(vsla.VslaError) as raised:
            store.import_cycle(cycle_id, events)
        assert isinstance(raised.value, type(refused)) or str(raised.value) == str(refused)
        assert snapshot(store) == before
    else:
        store.import_cycle(cycle_id, events)
        assert _without_feed(store) == expected
    store.close()
