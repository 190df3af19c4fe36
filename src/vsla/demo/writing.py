"""Writing a planned group through the store's public API, counting what was written."""

from __future__ import annotations

__all__ = ["Counts", "write_group"]

from collections.abc import Callable
from dataclasses import dataclass

from vsla.demo.plans import Draft, GroupPlan
from vsla.domain.activity import NewGalSession, NewLivelihoodSupport, NewReferral
from vsla.domain.entities import NewGroup, NewMember
from vsla.domain.inputs import CycleEvent, ExitInput, ShareOutInput, WriteOffInput
from vsla.domain.ledger import EntryKind
from vsla.domain.meeting import (
    Expense,
    FinePaid,
    LoanRequest,
    MeetingInput,
    Repayment,
    SocialFundGrant,
)
from vsla.store.store import Store


@dataclass(slots=True)
class Counts:
    """What :func:`write_group` wrote, summed over the groups."""

    members: int = 0
    meetings: int = 0
    loans: int = 0
    referrals: int = 0
    supports: int = 0
    gal_sessions: int = 0
    shared_out: int = 0
    exits: int = 0
    written_off: int = 0
    record_calls: int = 0


def write_group(
    store: Store,
    programme_id: int,
    plan: GroupPlan,
    counts: Counts,
    *,
    one_by_one: bool,
    client_ids: bool = False,
) -> None:
    """Write a planned group: its registration calls, then its cycle's whole history with
    one ``Store.import_cycle`` (or, ``one_by_one``, call by call). Its loans always carry a
    client id (``<code>/L<n>``), by which a repayment or the write-off names them; with
    ``client_ids`` every other record gets one too (``<code>/m<n>``,
    ``<code>/meeting/<date>``, ...), as a data-entry app would."""
    layout = plan.layout
    code = layout.code

    def cid(suffix: str) -> str | None:
        return f"{code}/{suffix}" if client_ids else None

    group = store.add_group(
        NewGroup(
            code=layout.code,
            name=plan.name,
            programme_id=programme_id,
            district=layout.district,
            commune=layout.commune,
            village=layout.village,
            established_on=plan.start,
            gal_pilot_since=plan.gal_pilot_since,
            client_id=cid("group"),
        )
    )
    members = store.add_members(
        [
            NewMember(
                group_id=group.id,
                full_name=m.full_name,
                sex=m.sex,
                birth_year=m.birth_year,
                ethnicity=m.ethnicity,
                phone=m.phone,
                joined_on=plan.start,
                gal_champion_since=m.champion_since,
                client_id=cid(f"m{i}"),
            )
            for i, m in enumerate(plan.members)
        ]
    )
    ids = [m.id for m in members]
    cycle = store.start_cycle(
        group.id,
        start=plan.start,
        end=plan.end,
        constitution=plan.constitution,
        officers={ids[i]: roles for i, roles in plan.officers.items()},
        client_id=cid("cycle/1"),
    )
    counts.members += len(members)

    def meeting_input(d: Draft) -> MeetingInput:
        return MeetingInput(
            date=d.date,
            client_id=cid(f"meeting/{d.date}"),
            attendance={ids[m]: s for m, s in d.attendance.items()},
            social_fund_contributions={ids[m]: a for m, a in d.contributions.items()},
            share_purchases={ids[m]: n for m, n in d.shares.items()},
            fines=[FinePaid(member_id=ids[m], fine=f) for m, f in d.fines],
            repayments=[
                Repayment(loan_ref=f"{code}/L{k}", amount=a, client_id=cid(f"L{k}/{d.date}"))
                for k, a in d.repayments
            ],
            social_fund_grants=[
                SocialFundGrant(member_id=ids[m], amount=a, reason=r) for m, a, r in d.grants
            ],
            expenses=[Expense(amount=a, memo=memo) for a, memo in d.expenses],
            loans=[
                LoanRequest(
                    member_id=ids[m],
                    principal=p,
                    term_months=n,
                    purpose=purpose,
                    client_id=f"{code}/L{key}",
                )
                for key, m, p, n, purpose in d.loans
            ],
        )

    # Loans carry a client id ("<code>/L<key>", unique in the programme): a repayment or
    # the write-off names its loan by it, even one made earlier in the same import.
    if one_by_one:
        _write_one_by_one(store, plan, cycle.id, ids, counts, meeting_input)
    else:
        events: list[CycleEvent] = []
        for i, draft in enumerate(plan.meetings):
            events.append(meeting_input(draft))
            for m, reason in plan.exits.get(i, ()):
                events.append(ExitInput(member_id=ids[m], on=draft.date, reason=reason))
        if plan.write_off is not None:
            key, on = plan.write_off
            events.append(WriteOffInput(loan_ref=f"{code}/L{key}", on=on, reason=_WRITE_OFF))
        if plan.share_out_on is not None:
            events.append(ShareOutInput(on=plan.share_out_on))
        store.import_cycle(cycle.id, events)
        counts.record_calls += 1
        counts.meetings += len(plan.meetings)
        counts.loans += sum(len(d.loans) for d in plan.meetings)
        counts.exits += sum(len(left) for left in plan.exits.values())
        counts.written_off += plan.write_off is not None
        counts.shared_out += plan.share_out_on is not None
    if plan.referrals:
        store.add_referrals(
            [
                NewReferral(
                    member_id=ids[m],
                    institution=institution,
                    service=service,
                    referred_on=on,
                    outcome=outcome,
                    outcome_on=outcome_on,
                    client_id=cid(f"referral/{j}"),
                )
                for j, (m, institution, service, on, outcome, outcome_on) in enumerate(
                    plan.referrals
                )
            ]
        )
        counts.referrals += len(plan.referrals)
    if plan.supports:
        store.add_livelihood_supports(
            [
                NewLivelihoodSupport(
                    member_id=ids[m],
                    kind=kind,
                    provider=provider,
                    received_on=on,
                    value=value,
                    client_id=cid(f"support/{j}"),
                )
                for j, (m, kind, provider, on, value) in enumerate(plan.supports)
            ]
        )
        counts.supports += len(plan.supports)
    if plan.gal_sessions:
        store.add_gal_sessions(
            [
                NewGalSession(
                    group_id=group.id,
                    held_on=on,
                    tool=tool,
                    women=women,
                    men=men,
                    reached_by_peer_sharing=reached,
                    client_id=cid(f"gal/{j}"),
                )
                for j, (on, tool, women, men, reached) in enumerate(plan.gal_sessions)
            ]
        )
        counts.gal_sessions += len(plan.gal_sessions)


_WRITE_OFF = "thành viên chuyển đi, tổ quyết định xóa nợ (moved away)"


def _write_one_by_one(
    store: Store,
    plan: GroupPlan,
    cycle_id: int,
    ids: list[int],
    counts: Counts,
    meeting_input: Callable[[Draft], MeetingInput],
) -> None:
    """Write a planned cycle call by call, as an app recording each meeting as it happens:
    ``record_meeting`` for each meeting, ``settle_member_exit``, ``write_off`` and
    ``share_out`` for the rest (the baseline the benchmarks compare the import with)."""
    loan_ids: dict[int, int] = {}
    for i, draft in enumerate(plan.meetings):
        record = store.record_meeting(cycle_id, meeting_input(draft))
        counts.record_calls += 1
        new = [e.loan_id for e in record.entries if e.kind is EntryKind.LOAN_DISBURSEMENT]
        for (key, *_), loan_id in zip(draft.loans, new, strict=True):
            assert loan_id is not None
            loan_ids[key] = loan_id
        counts.meetings += 1
        counts.loans += len(draft.loans)
        for m, reason in plan.exits.get(i, ()):
            store.settle_member_exit(ids[m], on=draft.date, reason=reason)
            counts.exits += 1
    if plan.write_off is not None:
        key, on = plan.write_off
        store.write_off(loan_ids[key], on=on, reason=_WRITE_OFF)
        counts.written_off += 1
    if plan.share_out_on is not None:
        store.share_out(cycle_id, on=plan.share_out_on)
        counts.shared_out += 1
