"""Client ids: a record sent again is recognised, on SQLite and PostgreSQL (docs/sync.md).

Same client id and same content: the stored record comes back and nothing is written (the
table snapshots are equal). Same client id, other content: ``SyncConflict`` naming each
differing field with both values, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

import pytest

import vsla
from tests.conftest import snapshot
from tests.store.helpers import START, build
from tests.store.recorder import Recorder
from vsla.demo import generate

D = dt.date
JAN15, JAN22 = D(2024, 1, 15), D(2024, 1, 22)


def ids(result: Any) -> Any:
    if isinstance(result, list):
        return [ids(r) for r in result]
    return (type(result).__name__, result.id)


def now(store: vsla.Store, result: Any) -> Any:
    """What ``result`` (a record the store returned) reads as now."""
    if isinstance(result, list):
        return [now(store, r) for r in result]
    if isinstance(result, vsla.MeetingRecord):
        return next(m for m in store.meetings(result.cycle_id) if m.id == result.id)
    if isinstance(result, vsla.Cycle):
        return store.cycle(result.id)
    if isinstance(result, vsla.Member):
        return store.member(result.id)
    if isinstance(result, vsla.Group):
        return store.group(result.id)
    if isinstance(result, vsla.Referral):
        return next(r for r in store.referrals() if r.id == result.id)
    if isinstance(result, vsla.LivelihoodSupport):
        return next(r for r in store.livelihood_supports() if r.id == result.id)
    assert isinstance(result, vsla.GalSession)
    return next(r for r in store.gal_sessions() if r.id == result.id)


def conflict(call: Callable[[], object], store: vsla.Store) -> vsla.SyncConflict:
    """The conflict ``call`` raises, after checking it wrote nothing."""
    before = snapshot(store)
    with pytest.raises(vsla.SyncConflict) as refused:
        call()
    assert snapshot(store) == before
    return refused.value


def test_every_kind_sent_again_is_the_stored_record(store: vsla.Store) -> None:
    programme = store.add_programme(vsla.NewProgramme(name="P"))
    new_group = vsla.NewGroup(
        code="KT-DG-001",
        name="Tổ Đăk Nhoong",
        programme_id=programme.id,
        established_on=START,
        gal_pilot_since=START,
        client_id="g-1",
    )
    group = store.add_group(new_group)
    new_members = [
        vsla.NewMember(
            group_id=group.id, full_name=name, sex="F", joined_on=START, client_id=f"m-{i}"
        )
        for i, name in enumerate(["Y Hoa", "Y Nhí"])
    ]
    hoa, nhi = store.add_members(new_members)
    rules = vsla.Constitution(
        share_value=10_000, social_fund_contribution=2_000, interest_rate=Decimal("0.02")
    )
    cycle_args: dict[str, Any] = {
        "start": START,
        "end": D(2024, 12, 30),
        "constitution": rules,
        "officers": {hoa.id: "chair"},
        "client_id": "c-1",
    }
    cycle = store.start_cycle(group.id, **cycle_args)
    first = vsla.MeetingInput(
        date=START,
        share_purchases={hoa.id: 5, nhi.id: 3},
        client_id="mt-1",
    )
    loan_meeting = vsla.MeetingInput(
        date=JAN15,
        loans=[
            vsla.LoanRequest(member_id=hoa.id, principal=60_000, term_months=1, client_id="l-1")
        ],
        client_id="mt-2",
    )
    repay_meeting = vsla.MeetingInput(
        date=JAN22,
        repayments=[vsla.Repayment(loan_ref="l-1", amount=30_000, client_id="r-1")],
        client_id="mt-3",
    )
    meetings = store.record_meetings(cycle.id, [first, loan_meeting, repay_meeting])
    referral = vsla.NewReferral(
        member_id=hoa.id, institution="vbsp", service="vay", referred_on=JAN15, client_id="rf-1"
    )
    support = vsla.NewLivelihoodSupport(
        member_id=nhi.id, kind="training", received_on=JAN15, client_id="s-1"
    )
    session = vsla.NewGalSession(
        group_id=group.id, held_on=JAN15, tool="vision_journey", women=5, client_id="gal-1"
    )
    [ref] = store.add_referrals([referral])
    [sup] = store.add_livelihood_supports([support])
    gal = store.add_gal_session(session)
    # what the store gives back carries the client ids
    assert (group.client_id, hoa.client_id, cycle.client_id) == ("g-1", "m-0", "c-1")
    assert [m.client_id for m in meetings] == ["mt-1", "mt-2", "mt-3"]
    [loan] = store.loans(cycle.id)
    assert loan.client_id == loan.ref == "l-1"
    assert {e.client_id for e in meetings[2].entries} == {"r-1"}
    assert store.meetings(cycle.id)[1].client_id == "mt-2"

    before = snapshot(store)
    assert store.add_group(new_group) == group
    assert store.add_members(new_members) == [hoa, nhi]
    assert store.start_cycle(group.id, **cycle_args) == cycle
    assert store.record_meetings(cycle.id, [first, loan_meeting, repay_meeting]) == meetings
    assert store.record_meeting(cycle.id, repay_meeting) == meetings[2]
    assert store.add_referrals([referral]) == [ref]
    assert store.add_livelihood_supports([support]) == [sup]
    assert store.add_gal_session(session) == gal
    assert snapshot(store) == before  # nothing written, not even in the change feed

    # one field changed: a conflict naming it, with both values
    e = conflict(lambda: store.add_group(new_group.model_copy(update={"name": "Tổ khác"})), store)
    assert (e.kind, e.client_id, e.record_id) == ("group", "g-1", group.id)
    assert (e.rule, e.field, e.group_code) == ("client_id_one_record", "name", "KT-DG-001")
    assert "already names group KT-DG-001, sent with other content" in str(e)
    assert [(d.field, d.stored, d.given) for d in e.differences] == [
        ("name", "Tổ Đăk Nhoong", "Tổ khác")
    ]
    e = conflict(
        lambda: store.add_member(new_members[1].model_copy(update={"joined_on": JAN15})), store
    )
    assert [(d.field, d.stored, d.given) for d in e.differences] == [
        ("joined_on", "2024-01-08", "2024-01-15")
    ]
    # named by the member's number in the group, never a database id
    assert str(e) == (
        "member client id 'm-1' already names Y Nhí (no. 2) of group KT-DG-001, sent with "
        "other content: joined_on: stored '2024-01-08', given '2024-01-15'. Nothing was "
        "written (rule: one client id, one record; send a new record with a new client id, "
        "or correct the stored one)"
    )
    assert (e.group_code, e.member_number, e.field, e.record_id) == (
        "KT-DG-001",
        2,
        "joined_on",
        nhi.id,
    )
    e = conflict(lambda: store.start_cycle(group.id, **{**cycle_args, "officers": {}}), store)
    assert [d.field for d in e.differences] == [f"officers.{hoa.id}"]
    changed = first.model_copy(update={"share_purchases": {hoa.id: 5, nhi.id: 4}})
    e = conflict(lambda: store.record_meeting(cycle.id, changed), store)
    assert [(d.field, d.stored, d.given) for d in e.differences] == [
        (f"share_purchases.{nhi.id}", 3, 4)
    ]
    assert (e.group_code, e.record_id) == ("KT-DG-001", meetings[0].id)
    e = conflict(lambda: store.add_gal_session(session.model_copy(update={"women": 6})), store)
    assert [d.field for d in e.differences] == ["women"]
    assert (e.group_code, e.record_id, e.differences[0].stored) == ("KT-DG-001", gal.id, 5)
    e = conflict(
        lambda: store.add_referrals([referral.model_copy(update={"service": "tiết kiệm"})]),
        store,
    )
    assert [d.field for d in e.differences] == ["service"]
    assert (e.group_code, e.member_number, e.record_id) == ("KT-DG-001", 1, ref.id)
    e = conflict(
        lambda: store.add_livelihood_supports([support.model_copy(update={"provider": "x"})]),
        store,
    )
    assert (e.field, e.group_code, e.member_number, e.record_id) == (
        "provider",
        "KT-DG-001",
        2,
        sup.id,
    )


def test_a_batch_follows_the_rule_meeting_by_meeting_all_or_nothing(store: vsla.Store) -> None:
    w = build(store)
    hoa = w.id("Y Hoa")
    m1 = vsla.MeetingInput(date=START, share_purchases={hoa: 2}, client_id="a")
    m2 = vsla.MeetingInput(date=JAN15, share_purchases={hoa: 3}, client_id="b")
    m3 = vsla.MeetingInput(date=JAN22, share_purchases={hoa: 1}, client_id="c")
    [r1] = store.record_meetings(w.cycle.id, [m1])
    # m1 again (stored), m2 new, m2 twice in one batch: m1 and m2 written once each
    r1b, r2, r2b = store.record_meetings(w.cycle.id, [m1, m2, m2])
    assert r1b == r1
    assert r2b == r2
    assert len(store.meetings(w.cycle.id)) == 2
    assert store.balances(w.cycle.id).shares == 5
    # a conflict anywhere in a batch: nothing of the batch is written
    bad = m1.model_copy(update={"share_purchases": {hoa: 4}})
    e = conflict(lambda: store.record_meetings(w.cycle.id, [m3, bad]), store)
    assert e.field == f"share_purchases.{hoa}"
    moved = m3.model_copy(update={"date": D(2024, 1, 29)})
    e = conflict(lambda: store.record_meetings(w.cycle.id, [m3, moved]), store)
    assert [d.field for d in e.differences] == ["date"]
    assert len(store.meetings(w.cycle.id)) == 2


def test_members_named_twice_in_one_call_are_written_once(store: vsla.Store) -> None:
    """A phone sends Y Lan twice in one batch (and Y Mai once, between): Y Lan is written
    once and both places of the result are her; sent again with other content in the same
    call, nothing of the call is written."""
    group = store.add_group(vsla.NewGroup(code="A", name="Tổ A", established_on=START))
    lan = vsla.NewMember(
        group_id=group.id, full_name="Y Lan", sex="F", joined_on=START, client_id="m-lan"
    )
    mai = vsla.NewMember(group_id=group.id, full_name="Y Mai", sex="F", joined_on=START)
    first, second, third = store.add_members([lan, mai, lan])
    assert first == third
    assert (first.number, second.number) == (1, 2)
    assert [m.full_name for m in store.members(group.id)] == ["Y Lan", "Y Mai"]
    renamed = lan.model_copy(update={"client_id": "m-lan-2"})
    other = renamed.model_copy(update={"full_name": "Y Lanh"})
    e = conflict(lambda: store.add_members([renamed, other]), store)
    assert [(d.field, d.stored, d.given) for d in e.differences] == [
        ("full_name", "Y Lan", "Y Lanh")
    ]
    # a referral named twice in one call, between two others: written once
    referral = vsla.NewReferral(
        member_id=first.id, institution="vbsp", service="vay", referred_on=JAN15, client_id="r-1"
    )
    other_one = referral.model_copy(update={"client_id": None, "member_id": second.id})
    made = store.add_referrals([other_one, referral, other_one, referral])
    assert made[1] == made[3]
    assert made[0] != made[2]
    assert [r.member_id for r in store.referrals(group_id=group.id)] == [
        second.id,
        first.id,
        second.id,
    ]
    # a number given twice in one call (or one a member holds) is refused before any write
    nine = mai.model_copy(update={"number": 9})
    before = snapshot(store)
    with pytest.raises(vsla.InvalidInput, match="already has a member number 9"):
        store.add_members([nine, nine.model_copy(update={"full_name": "Y Nhi"})])
    assert snapshot(store) == before


def test_gal_sessions_in_one_call(store: vsla.Store) -> None:
    """Three sessions of a pilot group in one call: one insert, ids in the order given; a
    client id named twice in the call is one session; sent again, the stored ones come back
    and nothing is written; one session of a group not yet piloting GAL on its day refuses
    the whole call, and one sent again with other content is a conflict naming the field."""
    group = store.add_group(
        vsla.NewGroup(code="G", name="Tổ G", established_on=START, gal_pilot_since=JAN15)
    )
    plain = store.add_group(vsla.NewGroup(code="P", name="Tổ P", established_on=START))
    vision = vsla.NewGalSession(
        group_id=group.id, held_on=JAN15, tool="vision_journey", women=5, men=2, client_id="s-1"
    )
    tree = vsla.NewGalSession(
        group_id=group.id, held_on=JAN22, tool="gender_balance_tree", women=7, men=3
    )
    made = store.add_gal_sessions([vision, tree, vision])
    assert made[0] == made[2]
    assert made[1].id == made[0].id + 1
    assert [(s.tool, s.women, s.men) for s in store.gal_sessions(group.id)] == [
        (vsla.GalTool.VISION_JOURNEY, 5, 2),
        (vsla.GalTool.GENDER_BALANCE_TREE, 7, 3),
    ]
    before = snapshot(store)
    assert store.add_gal_sessions([vision]) == [made[0]]
    assert store.add_gal_session(vision) == made[0]
    assert store.add_gal_sessions([]) == []
    assert snapshot(store) == before
    # a session the day before the group's pilot began, after a good one: nothing written
    early = tree.model_copy(update={"held_on": START, "client_id": "s-2"})
    late = tree.model_copy(update={"client_id": "s-3"})
    with pytest.raises(vsla.InvalidInput, match=f"group G: a GAL session on {START}"):
        store.add_gal_sessions([late, early])
    assert snapshot(store) == before
    # a group that is no GAL pilot at all, and a group that does not exist
    with pytest.raises(vsla.InvalidInput, match="pilot since: never"):
        store.add_gal_sessions([late, late.model_copy(update={"group_id": plain.id})])
    with pytest.raises(vsla.NotFound, match=f"group #{plain.id + 99} does not exist"):
        store.add_gal_sessions([late.model_copy(update={"group_id": plain.id + 99})])
    assert snapshot(store) == before
    # the client id sent with other content, in a batch with a new session
    e = conflict(
        lambda: store.add_gal_sessions([late, vision.model_copy(update={"men": 4})]), store
    )
    assert [(d.field, d.stored, d.given) for d in e.differences] == [("men", 2, 4)]
    assert (e.group_code, e.record_id) == ("G", made[0].id)
    # twice in one call with two contents: a conflict, nothing written
    e = conflict(
        lambda: store.add_gal_sessions([late, late.model_copy(update={"women": 8})]), store
    )
    assert [(d.field, d.stored, d.given) for d in e.differences] == [("women", 7, 8)]


def test_a_client_id_is_unique_per_kind_within_its_programme(store: vsla.Store) -> None:
    one = store.add_programme(vsla.NewProgramme(name="Kon Tum"))
    two = store.add_programme(vsla.NewProgramme(name="Gia Lai"))

    def group(code: str, programme: int | None) -> vsla.Group:
        return store.add_group(
            vsla.NewGroup(code=code, name=code, programme_id=programme, established_on=START)
        )

    a, b, c = group("A", one.id), group("B", one.id), group("C", two.id)

    def member(group_id: int) -> vsla.NewMember:
        return vsla.NewMember(
            group_id=group_id, full_name="Y Hoa", sex="F", joined_on=START, client_id="x"
        )

    store.add_member(member(a.id))
    # the same client id for a member of another group of the programme: a conflict
    e = conflict(lambda: store.add_member(member(b.id)), store)
    assert [(d.field, d.stored, d.given) for d in e.differences] == [("group_id", a.id, b.id)]
    # in another programme it is another record; and another kind may use it too
    store.add_member(member(c.id))
    store.add_group(
        vsla.NewGroup(code="D", name="D", programme_id=one.id, established_on=START, client_id="x")
    )
    assert len(store.members(c.id)) == 1


def test_a_loan_or_repayment_id_sent_with_another_meeting_is_a_conflict(
    store: vsla.Store,
) -> None:
    """Loans and repayments are covered by their meeting's client id: the meeting sent
    again brings them back. Their own client ids name them (a repayment names its loan by
    it), so one sent again inside another meeting is a conflict naming the meeting."""
    w = build(store)
    hoa = w.id("Y Hoa")
    w.meet(START, share_purchases={hoa: 5, w.id("Y Nhí"): 5})
    loan = vsla.LoanRequest(member_id=hoa, principal=100_000, term_months=2, client_id="L-1")
    w.meet(JAN15, loans=[loan], client_id="M-2")
    # the same loan in a meeting sent without the meeting's client id (the phone lost it)
    e = conflict(lambda: w.meet(JAN22, loans=[loan]), store)
    assert [(d.field, d.stored, d.given) for d in e.differences] == [
        ("date", "2024-01-15", "2024-01-22"),
        ("meeting", "M-2", None),
    ]
    assert (e.kind, e.client_id) == ("loan", "L-1")
    [stored_loan] = store.loans(w.cycle.id)
    assert (e.group_code, e.member_number, e.record_id) == ("KT-DG-001", 1, stored_loan.id)
    repay = vsla.Repayment(loan_ref="L-1", amount=2_000, client_id="R-1")
    w.meet(JAN22, repayments=[repay], client_id="M-3")
    e = conflict(lambda: w.meet(D(2024, 1, 29), repayments=[repay], client_id="M-4"), store)
    assert [d.field for d in e.differences] == ["date", "meeting"]
    assert e.kind == "repayment"
    # twice in one meeting, or in one batch
    twice = [
        vsla.LoanRequest(member_id=hoa, principal=1_000, term_months=1, client_id="L-2"),
        vsla.LoanRequest(member_id=hoa, principal=2_000, term_months=1, client_id="L-2"),
    ]
    e = conflict(lambda: w.meet(D(2024, 1, 29), loans=twice), store)
    assert [d.field for d in e.differences] == ["principal"]


def test_the_whole_demo_programme_sent_again_changes_nothing(store: vsla.Store) -> None:
    """Every record a demo programme's app sent (groups, members, cycles, meetings with
    their loans and repayments, referrals, livelihood support, GAL sessions), sent a second
    time: every call returns what it returned the first time, and no table changes."""
    recorder = Recorder(store)
    # an app records each meeting as it happens (an import of a whole cycle, with its exits
    # and share-out, is not something an app sends again)
    generate(cast(vsla.Store, recorder), groups=2, seed=3, client_ids=True, one_by_one=True)
    assert {name for name, *_ in recorder.calls} >= {
        "add_group",
        "add_members",
        "start_cycle",
        "record_meeting",
        "add_referrals",
        "add_livelihood_supports",
        "add_gal_sessions",
    }
    before = snapshot(store)
    for name, args, kwargs, result in recorder.calls:
        again = getattr(store, name)(*args, **kwargs)
        # the records as they are now (a member who left, a cycle shared out since)
        assert again == now(store, result), name
        assert ids(again) == ids(result), name
    assert snapshot(store) == before
    # one field of one meeting changed, sent in a batch: a conflict naming that field,
    # nothing written
    sent = [c[1] for c in recorder.calls if c[0] == "record_meeting"]
    cycle_id = sent[0][0]
    meetings = [meeting for cycle, meeting in sent if cycle == cycle_id]
    fifth = meetings[4]
    member, n = next(iter(fifth.share_purchases.items()))
    changed = fifth.model_copy(update={"share_purchases": {**fifth.share_purchases, member: n + 1}})
    e = conflict(lambda: store.record_meetings(cycle_id, [*meetings[:4], changed]), store)
    assert [(d.field, d.stored, d.given) for d in e.differences] == [
        (f"share_purchases.{member}", n, n + 1)
    ]
    assert e.client_id == fifth.client_id


def test_a_meeting_sent_again_to_another_cycle_is_a_conflict(store: vsla.Store) -> None:
    """The cycle a meeting is for is part of what it says: another group's cycle of the
    same programme (an app's mistake) is a conflict naming it."""
    one, two = build(store, code="A"), build(store, code="B")
    meeting = vsla.MeetingInput(date=START, share_purchases={one.id("Y Hoa"): 1}, client_id="m")
    one.meet(START, share_purchases={one.id("Y Hoa"): 1}, client_id="m")
    e = conflict(lambda: store.record_meeting(two.cycle.id, meeting), store)
    assert [(d.field, d.stored, d.given) for d in e.differences] == [
        ("cycle_id", one.cycle.id, two.cycle.id)
    ]
