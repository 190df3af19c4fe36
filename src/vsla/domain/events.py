"""A cycle's events other than meetings, planned in memory one after another: a member's
exit, a write-off, the share-out.

:meth:`vsla.Store.import_cycle` records a cycle's whole history in one call. Its meetings
go through :func:`~vsla.domain.meeting.plan_meeting` and
:func:`~vsla.domain.meeting.advance`; its other events through :func:`plan_event`, which
applies the same planner as the store's own call for that event
(:func:`~vsla.domain.settlement.plan_member_exit`,
:func:`~vsla.domain.corrections.plan_write_off`,
:func:`~vsla.domain.settlement.plan_share_out`) and returns the state the event leaves:
the entries counted in, the member gone from ``on``, the cycle closed. So each event is
checked against what the events before it left, as if each had been its own call.
"""

from __future__ import annotations

__all__ = ["EventPlan", "plan_event"]

from dataclasses import dataclass, replace

from vsla.domain.corrections import plan_write_off
from vsla.domain.cyclestate import CycleState
from vsla.domain.inputs import ExitInput, ShareOutInput, WriteOffInput
from vsla.domain.meeting import MeetingPlan, advance
from vsla.domain.settlement import plan_member_exit, plan_share_out
from vsla.domain.shareout import ExitSettlement, ShareOutResult
from vsla.errors import NotFound


@dataclass(frozen=True, slots=True)
class EventPlan:
    """An event planned: its entries (a meeting plan with no attendance and no new loan),
    the state after it, and the settlement it made (an exit's or the share-out's)."""

    plan: MeetingPlan
    state: CycleState
    exit: ExitSettlement | None = None
    share_out: ShareOutResult[int] | None = None


def plan_event(state: CycleState, event: ExitInput | WriteOffInput | ShareOutInput) -> EventPlan:
    """Check ``event`` against ``state`` and plan it; raise the first broken rule as a
    :class:`~vsla.errors.VslaError`, exactly as the store's own call for it would."""
    if isinstance(event, ExitInput):
        settlement, planned = plan_member_exit(
            state, event.member_id, on=event.on, reason=event.reason
        )
        plan = MeetingPlan(date=event.on, attendance={}, entries=planned)
        after = advance(state, plan, [], minutes=False)
        member = after.members[event.member_id]
        left = member.model_copy(update={"left_on": event.on, "exit_reason": event.reason})
        members = {**after.members, event.member_id: left}
        return EventPlan(plan, replace(after, members=members), exit=settlement)
    if isinstance(event, WriteOffInput):
        loan_id = _loan_id(state, event)
        planned = plan_write_off(state, loan_id, on=event.on, reason=event.reason)
        plan = MeetingPlan(date=event.on, attendance={}, entries=planned)
        return EventPlan(plan, advance(state, plan, [], minutes=False))
    result, planned = plan_share_out(state, event.on)
    plan = MeetingPlan(date=event.on, attendance={}, entries=planned)
    after = advance(state, plan, [], minutes=False)
    closed = after.cycle.model_copy(update={"shared_out_on": event.on})
    return EventPlan(plan, replace(after, cycle=closed), share_out=result)


def _loan_id(state: CycleState, event: WriteOffInput) -> int:
    """The id of the loan a write-off names (a loan made earlier in the same import has a
    stand-in id until it is written); :class:`~vsla.errors.NotFound` when there is none."""
    if event.loan_id is not None:
        return event.loan_id  # plan_write_off names a loan that is not the cycle's
    for loan in state.loans.values():
        if loan.ref == event.loan_ref:
            return loan.id
    raise NotFound(
        f"{state.group_label}, {event.on}: loan {event.loan} named by a write-off is not a "
        "loan of this cycle",
        rule="loan_of_cycle",
        group_code=state.group_code,
        field="loan_ref",
    )
