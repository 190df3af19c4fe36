"""GAL pilots against the other groups, worked out from the raw tables a second way, on the
corrected programme of ``test_money_oracle.py``, on SQLite and PostgreSQL.

From docs/indicators.md ("GAL pilots vs other groups") alone: the pilots are the groups with
``gal_pilot_since`` on or before the date, the others the rest of the groups established by
then; members are those active on the date; officers, loans, savings and attendance are
those of each group's running cycle (loans disbursed by the date, a cancelled one left out;
attendance at the meetings where it was taken, a member with no row absent); referrals,
links and supports as in the programme report; sessions held on or before the date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

import vsla
from tests.store.test_money_oracle import active, corrected, loan_moves, raw_rows, reached
from vsla.domain.ledger import EntryKind
from vsla.reports import gal_comparison

__all__ = ["corrected"]  # the fixture, shared with the money oracle

COUNTS = ("groups", "members", "women", "champions", "gal_sessions", "session_women",
          "session_men", "reached_by_peer_sharing")  # fmt: skip
PARTS = ("women_officers", "officers", "women_loans", "loans", "women_lent", "lent",
         "women_savings", "women_attended", "women_expected", "referred", "linked",
         "supported")  # fmt: skip


def _side(rows: dict[str, list[Any]], groups: list[Any], on: dt.date) -> dict[str, Any]:
    ids = {g.id for g in groups}
    members = {m.id: m for m in rows["members"] if m.group_id in ids}
    on_roll = [m for m in members.values() if active(m, on)]
    women = [m for m in on_roll if m.sex == "F"]
    side: dict[str, Any] = dict.fromkeys((*COUNTS, *PARTS), 0)
    side |= {"groups": len(groups), "members": len(on_roll), "women": len(women)}
    side["champions"] = sum(
        1 for m in on_roll if m.gal_champion_since is not None and m.gal_champion_since <= on
    )
    running = {}
    for g in groups:
        started = [c for c in rows["cycles"] if c.group_id == g.id and c.start_date <= on]
        if started:
            running[g.id] = max(started, key=lambda c: c.start_date)
    cycles = {c.id: c for c in running.values()}
    officers = {o.member_id for o in rows["officers"] if o.cycle_id in cycles}
    side["officers"] = sum(1 for m in on_roll if m.id in officers)
    side["women_officers"] = sum(1 for m in women if m.id in officers)
    moves = loan_moves(rows)
    for loan in rows["loans"]:
        if loan.cycle_id not in cycles:
            continue
        lent = sum(
            a for rec, _, kind, a in moves[loan.id]
            if rec <= on and kind is EntryKind.LOAN_DISBURSEMENT
        )  # fmt: skip
        if lent > 0:
            woman = members[loan.member_id].sex == "F"
            side["loans"] += 1
            side["lent"] += lent
            side["women_loans"] += woman
            side["women_lent"] += lent if woman else 0
    shares: dict[int, int] = defaultdict(int)
    for e in rows["entries"]:
        if e.cycle_id in cycles and e.date <= on and e.member_id is not None:
            shares[e.member_id] += e.shares
    for m in women:
        cycle = running.get(m.group_id)
        side["women_savings"] += shares[m.id] * cycle.share_value if cycle else 0
    taken: dict[int, dict[int, str]] = defaultdict(dict)
    for a in rows["attendance"]:
        taken[a.meeting_id][a.member_id] = a.status
    for mt in rows["meetings"]:
        if mt.cycle_id in cycles and mt.date <= on and taken[mt.id]:
            group = cycles[mt.cycle_id].group_id
            for m in members.values():
                if m.group_id == group and m.sex == "F" and active(m, mt.date):
                    side["women_expected"] += 1
                    side["women_attended"] += taken[mt.id].get(m.id) in ("present", "represented")
    for name, who in zip(("referred", "linked", "supported"), reached(rows, on), strict=True):
        side[name] = sum(1 for m in on_roll if m.id in who)
    by_tool: dict[str, int] = defaultdict(int)
    for s in rows["sessions"]:
        if s.group_id in ids and s.held_on <= on:
            side["gal_sessions"] += 1
            side["session_women"] += s.women
            side["session_men"] += s.men
            side["reached_by_peer_sharing"] += s.reached_by_peer_sharing
            by_tool[s.tool] += 1
    side["sessions_by_tool"] = dict(by_tool)
    return side


def _figures(side: dict[str, Any]) -> dict[str, Any]:
    """The report's figures from the parts: counts, and each ratio as (numerator,
    denominator)."""
    out = {name: side[name] for name in COUNTS}
    out["sessions_by_tool"] = side["sessions_by_tool"]
    out |= {
        "women_share_of_members": (side["women"], side["members"]),
        "women_share_of_officers": (side["women_officers"], side["officers"]),
        "women_share_of_loans": (side["women_loans"], side["loans"]),
        "women_share_of_loan_value": (side["women_lent"], side["lent"]),
        "savings_per_woman": (side["women_savings"], side["women"]),
        "women_attendance_rate": (side["women_attended"], side["women_expected"]),
        "referral_rate": (side["referred"], side["members"]),
        "linked_rate": (side["linked"], side["members"]),
        "livelihood_support_rate": (side["supported"], side["members"]),
    }
    return out


def _got(side: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in type(side).model_fields:
        if name == "pilot":
            continue
        value = getattr(side, name)
        if isinstance(value, vsla.Indicator):
            value = (value.numerator, value.denominator)
        elif name == "sessions_by_tool":
            value = {tool.value: n for tool, n in value.items() if n}
        out[name] = value
    return out


@pytest.mark.parametrize("days_back", [300, 100, 0])
def test_gal_comparison_agrees_with_the_raw_tables(
    corrected: tuple[vsla.Store, dt.date, int], days_back: int
) -> None:
    store, last, _ = corrected
    on = last - dt.timedelta(days=days_back)
    rows = raw_rows(store)
    groups = [g for g in rows["groups"] if g.established_on <= on]
    pilots = [g for g in groups if g.gal_pilot_since is not None and g.gal_pilot_since <= on]
    others = [g for g in groups if g not in pilots]
    report = gal_comparison(store, 1, on)
    want = {"pilot": _side(rows, pilots, on), "other": _side(rows, others, on)}
    assert _got(report.pilot) == _figures(want["pilot"])
    assert _got(report.other) == _figures(want["other"])
    if days_back == 100:  # both sides have groups, loans to women, sessions
        for side in want.values():
            assert side["groups"] > 0
            assert side["women_loans"] > 0
        assert want["pilot"]["gal_sessions"] > 0
