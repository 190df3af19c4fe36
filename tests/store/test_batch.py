"""``Store.record_meetings`` (a batch) behaves exactly like recording the same meetings one
by one: same entries, same balances; and if any meeting would be refused, the batch writes
nothing at all."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vsla
from tests.conftest import BACKENDS, fresh_store, snapshot
from tests.strategies import constitutions, meetings

START = dt.date(2024, 1, 1)


def _open(backend: str, rules: vsla.Constitution) -> tuple[vsla.Store, int, list[int]]:
    store = fresh_store(backend)
    group = store.add_group(vsla.NewGroup(code="B1", name="Tổ Đăk Pék", established_on=START))
    members = store.add_members(
        [
            vsla.NewMember(group_id=group.id, full_name=f"Y Mơ {i}", sex="F", joined_on=START)
            for i in range(4)
        ]
    )
    cycle = store.start_cycle(
        group.id, start=START, end=START + dt.timedelta(days=300), constitution=rules
    )
    return store, cycle.id, [m.id for m in members]


def _shape(entries: list[vsla.LedgerEntry]) -> list[tuple[Any, ...]]:
    return [(e.date, e.kind, e.amount, e.member_id, e.loan_id, e.shares, e.memo) for e in entries]


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=constitutions(), data=st.data())
def test_batch_equals_one_by_one(
    backend: str, rules: vsla.Constitution, data: st.DataObject
) -> None:
    one, cycle_one, ids = _open(backend, rules)
    inputs: list[vsla.MeetingInput] = []
    refused = False
    for week in range(1, 7):
        loan_ids = [loan.id for loan in one.loans(cycle_one)]
        kwargs = data.draw(meetings(ids, loan_ids, rules))
        # A loan made earlier in a batch has no id until the batch is written: a later
        # meeting of the batch names it by its ref, so every loan gets one and every
        # repayment names its loan by it (the one-by-one store takes the same inputs).
        refs = {loan.id: loan.client_id for loan in one.loans(cycle_one)}
        loans = cast(list[vsla.LoanRequest], kwargs["loans"])
        repayments = cast(list[vsla.Repayment], kwargs["repayments"])
        kwargs["loans"] = [
            loan.model_copy(update={"client_id": f"loan-{week}-{n}"})
            for n, loan in enumerate(loans)
        ]
        kwargs["repayments"] = [
            vsla.Repayment(loan_ref=refs[r.loan_id], amount=r.amount)
            for r in repayments
            if r.loan_id is not None
        ]
        meeting = vsla.MeetingInput(date=START + dt.timedelta(days=7 * week), **kwargs)
        inputs.append(meeting)
        try:
            one.record_meeting(cycle_one, meeting)
        except vsla.VslaError:
            refused = True
            break
    expected = _shape(one.entries(cycle_one))
    one.close()

    batch, cycle_batch, _ = _open(backend, rules)
    before = snapshot(batch)
    if refused:
        with pytest.raises(vsla.VslaError):
            batch.record_meetings(cycle_batch, inputs)
        assert snapshot(batch) == before
    else:
        records = batch.record_meetings(cycle_batch, inputs)
        assert [r.number for r in records] == list(range(1, len(inputs) + 1))
        assert _shape(batch.entries(cycle_batch)) == expected
    batch.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_loan_copied_with_a_client_id_is_repaid_by_it_in_the_same_batch(backend: str) -> None:
    """A request changed with pydantic's ``model_copy(update={"client_id": ...})`` keeps its
    old ``ref`` (None): the planner reads the client id, so the loan is stored with it and a
    later meeting of the same batch repays it by ``loan_ref``. Share value 10.000 ₫, no
    interest: the 50.000 ₫ loan less a 20.000 ₫ repayment leaves 30.000 ₫ outstanding."""
    rules = vsla.Constitution(
        share_value=10_000, social_fund_contribution=0, interest_rate=0, max_loan_multiple=3
    )
    store, cycle_id, ids = _open(backend, rules)
    buy = dict.fromkeys(ids, 2)
    request = vsla.LoanRequest(member_id=ids[0], principal=50_000, term_months=2)
    first = vsla.MeetingInput(
        date=START + dt.timedelta(days=7),
        share_purchases=buy,
        loans=[request.model_copy(update={"client_id": "phone-7/loan-1"})],
    )
    second = vsla.MeetingInput(
        date=START + dt.timedelta(days=14),
        repayments=[vsla.Repayment(loan_ref="phone-7/loan-1", amount=20_000)],
    )
    store.record_meetings(cycle_id, [first, second])
    [loan] = store.loans(cycle_id)
    assert loan.client_id == "phone-7/loan-1"
    position = store.loan_position(loan.id, START + dt.timedelta(days=14))
    assert position.principal_outstanding == 50_000 - 20_000
    store.close()


def test_what_each_call_returns_is_what_reading_it_back_gives(store: vsla.Store) -> None:
    """The records a write returns are built from its validated input and the ids the
    database gave, not validated again: they must equal, field for field (and in the fields
    they say were set), what the read calls give for the same rows, names in NFC included
    ("Y Hoa" given decomposed)."""
    day = dt.date(2024, 1, 8)
    group = store.add_group(
        vsla.NewGroup(
            code="KT-DG-009",
            name="Tổ Đăk Nhoong",
            established_on=day,
            gal_pilot_since=day,
            client_id="g-9",
        )
    )
    members = store.add_members(
        [
            vsla.NewMember(
                group_id=group.id,
                full_name="Y Ho\u0061\u0300",  # "Y Hoà" with a combining grave accent
                sex=vsla.Sex.FEMALE,
                joined_on=day,
                client_id="m-1",
            ),
            vsla.NewMember(
                group_id=group.id, full_name="A Blưp", sex=vsla.Sex.MALE, number=7, joined_on=day
            ),
        ]
    )
    [referral] = store.add_referrals(
        [
            vsla.NewReferral(
                member_id=members[0].id,
                institution="vbsp",
                service="savings_account",
                referred_on=day,
                client_id="r-1",
            )
        ]
    )
    [support] = store.add_livelihood_supports(
        [
            vsla.NewLivelihoodSupport(
                member_id=members[1].id, kind="training", received_on=day, value=150_000
            )
        ]
    )
    [session] = store.add_gal_sessions(
        [vsla.NewGalSession(group_id=group.id, held_on=day, tool="vision_journey", women=5)]
    )
    pairs: list[tuple[Any, Any]] = [
        (group, store.group(group.id)),
        (members, store.members(group.id)),
        ([referral], store.referrals(group_id=group.id)),
        ([support], store.livelihood_supports(group_id=group.id)),
        ([session], store.gal_sessions(group.id)),
    ]
    for returned, read in pairs:
        assert returned == read
        for a, b in zip(
            returned if isinstance(returned, list) else [returned],
            read if isinstance(read, list) else [read],
            strict=True,
        ):
            assert type(a) is type(b)
            assert a.model_dump() == b.model_dump()
            assert a.model_fields_set == b.model_fields_set
    assert members[0].full_name == "Y Ho\u00e0"  # composed: NFC, as validation made it
    assert [m.number for m in members] == [1, 7]
