"""The programme's people figures (members, women, referred, linked, supported, groups
active, GAL pilots) worked out from the raw tables a second way, on the corrected programme
of ``test_money_oracle.py`` (with late joiners, a member who left, second cycles), under
both members policies, for the whole programme and every breakdown, on SQLite and
PostgreSQL.

The rules, from docs/indicators.md ("Programme indicators"): the groups of a report are
those established on or before the date; a member counts, under ``active_on_date``, when
joined on or before the date and not yet left, and under ``ever_in_period`` when joined on
or before the earlier of the date and the period end and not left on or before the period
start; referred = counted members with a referral dated on or before the date, linked =
with a referral accessed on or before it, supported = with a livelihood support received on
or before it, each member once; rates over the line's members.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

import vsla
from tests.store.test_money_oracle import active, corrected, line_key, raw_rows, reached
from vsla.reports import programme_indicators

__all__ = ["corrected"]  # the fixture, shared with the money oracle

PEOPLE = ("members", "women", "referred", "linked", "supported")
RATES = {"referral_rate": "referred", "linked_rate": "linked",
         "livelihood_support_rate": "supported"}  # fmt: skip


def _counted(member: Any, on: dt.date, policy: str, programme: Any) -> bool:
    if policy == "active_on_date":
        return active(member, on)
    return bool(
        member.joined_on <= min(on, programme.period_end)
        and (member.left_on is None or member.left_on > programme.period_start)
    )


def _expected(
    rows: dict[str, list[Any]], on: dt.date, policy: str, dimension: str | None
) -> dict[str, dict[str, Any]]:
    """Each line's people figures (one line, key "", without a dimension)."""
    programme = rows["programmes"][0]
    groups = {g.id: g for g in rows["groups"] if g.established_on <= on}
    referred, linked, supported = reached(rows, on)
    splits_groups = dimension in (None, "district", "group", "gal_status")
    out: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(PEOPLE, 0))
    if splits_groups:  # every group has a line, and counts itself there
        for group in groups.values():
            line = out["" if dimension is None else line_key(dimension, group, None, on)]
            line["groups_active"] = line.get("groups_active", 0) + (group.status == "active")
            pilot = group.gal_pilot_since is not None and group.gal_pilot_since <= on
            line["gal_pilot_groups"] = line.get("gal_pilot_groups", 0) + pilot
    for m in rows["members"]:
        group = groups.get(m.group_id)
        if group is None or not _counted(m, on, policy, programme):
            continue
        line = out["" if dimension is None else line_key(dimension, group, m, on)]
        line["members"] += 1
        line["women"] += m.sex == "F"
        line["referred"] += m.id in referred
        line["linked"] += m.id in linked
        line["supported"] += m.id in supported
    for line in out.values():
        if not splits_groups:
            line["groups_active"] = line["gal_pilot_groups"] = None
        for rate, count in RATES.items():
            line[rate] = (line[count], line["members"])
    return dict(out)


def _figures(line: Any) -> dict[str, Any]:
    got = {name: getattr(line, name) for name in (*PEOPLE, "groups_active", "gal_pilot_groups")}
    for name in ("groups_active", "gal_pilot_groups"):
        if isinstance(got[name], vsla.Indicator):  # the report's total: a count against 91
            got[name] = got[name].numerator
    for rate in RATES:
        indicator = getattr(line, rate)
        got[rate] = (indicator.numerator, indicator.denominator)
    return got


def _on(rows: dict[str, list[Any]], last: dt.date, when: str) -> dt.date:
    """The report date: days before the last, or the day of the middle referral, support
    or accessed outcome (what is dated that day counts: a boundary to get wrong)."""
    if when.isdigit():
        return last - dt.timedelta(days=int(when))
    days = sorted(
        {
            "referral": [r.referred_on for r in rows["referrals"]],
            "support": [s.received_on for s in rows["supports"]],
            "outcome": [r.outcome_on for r in rows["referrals"] if r.outcome == "accessed"],
        }[when]
    )
    middle: dt.date = days[len(days) // 2]
    return middle


@pytest.mark.parametrize("policy", ["active_on_date", "ever_in_period"])
@pytest.mark.parametrize("when", ["300", "100", "0", "referral", "support", "outcome"])
def test_people_figures_agree_with_the_raw_tables(
    corrected: tuple[vsla.Store, dt.date, int], when: str, policy: str
) -> None:
    store, last, _ = corrected
    rows = raw_rows(store)
    on = _on(rows, last, when)
    assert len(rows["programmes"]) == 1
    report = programme_indicators(store, 1, on, members_policy=vsla.MembersPolicy(policy))
    assert _figures(report) == _expected(rows, on, policy, None)[""]
    for dimension, lines in (
        ("district", report.by_district),
        ("group", report.by_group),
        ("sex", report.by_sex),
        ("ethnicity", report.by_ethnicity),
        ("gal_status", report.by_gal_status),
    ):
        want = _expected(rows, on, policy, dimension)
        got = {line.key: _figures(line) for line in lines}
        # a line shown with nobody in it (both sexes always are) has every figure 0
        empty: dict[str, Any] = {k: (0, 0) if k in RATES else 0 for k in _figures(lines[0])}
        if dimension in ("sex", "ethnicity"):
            empty["groups_active"] = empty["gal_pilot_groups"] = None
        assert got == {key: want.get(key, empty) for key in got}, dimension
        assert set(want) <= set(got), dimension
    # every figure has something to count, and both policies differ here: the member who
    # left is counted only as an ever-member
    if when == "0":
        total = _expected(rows, on, policy, None)[""]
        assert all(total[name] > 0 for name in PEOPLE), total
        ever = _expected(rows, on, "ever_in_period", None)[""]["members"]
        assert ever > _expected(rows, on, "active_on_date", None)[""]["members"]
