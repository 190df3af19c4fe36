"""Linkage readiness, worked out from the raw tables a second way, on the corrected programme
of ``test_money_oracle.py`` (the demo's four groups with loan entries and share purchases
reversed and loans written off), on SQLite and PostgreSQL.

``test_readiness.py`` checks every figure on a hand-built programme. Here each criterion is
read again from docs/readiness.md alone, from the rows of the tables as SQL returns them:

- a group: cycles shared out by the date; attendance over the running cycle's meetings at
  which attendance was taken (present and represented / members active that day); PAR 30
  by the arrears oracle of ``tests/unit/test_arrears_oracle.py``; principal written off /
  principal disbursed over every cycle; the running cycle's savings against the previous
  cycle's at the same number of days since its start; officers of the running cycle still
  members;
- a member active on the date with no referral by then: the latest 12 meetings of the group
  (minutes recorded) held while a member, those at which they bought shares (a purchase
  reversed by the date does not count), their loans of every cycle overdue at the close of
  some day or written off (the oracle on every day from the disbursement to the date; a
  loan whose disbursement was reversed by then never happened), and those repaid in full
  and never late;
- a district: ``ceil(15 % × members)`` less the members referred, never below 0.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

import vsla
from tests.store.test_money_oracle import (
    active,
    corrected,
    loan_moves,
    loan_risk,
    raw_rows,
    reached,
)
from tests.unit.test_arrears_oracle import Move, first_unmet, obligations
from vsla.domain.ledger import EntryKind
from vsla.domain.readiness import ReadinessCriteria, evaluate_member

__all__ = ["corrected"]  # the fixture, shared with the money oracle

WINDOW, MIN_HELD = 12, 4  # the defaults of ReadinessCriteria


def _days_overdue(loan: Any, moves: list[Move], day: dt.date) -> int:
    """Days overdue at the close of ``day`` by docs/loans.md: since the payable date of the
    earliest obligation (interest or principal, each met by its own payments in date order)
    not met; 0 for a loan cancelled, settled or written off. Unlike the portfolio at risk,
    a loan whose principal is repaid but whose interest is not is still overdue."""
    known = [m for m in moves if m[0] <= day]

    def total(*kinds: EntryKind, by: dt.date | None = None) -> int:
        return sum(a for _, eff, k, a in known if k in kinds and (by is None or eff <= by))

    lent = total(EntryKind.LOAN_DISBURSEMENT)
    repaid = total(EntryKind.PRINCIPAL_REPAYMENT)
    written = total(EntryKind.WRITE_OFF, EntryKind.INTEREST_WRITE_OFF)
    if lent == 0 or (written and repaid + total(EntryKind.WRITE_OFF) >= lent):
        return 0
    rate, d0, term = Decimal(loan.interest_rate), loan.disbursed_on, loan.term_months
    interest, principal = obligations(
        loan.principal, rate, term, loan.method, loan.principal_schedule, known, disbursed_on=d0
    )
    k = term + 1  # months begun after the term, charged while principal is owed
    while (end := d0 + relativedelta(months=k)) < day:
        begins = d0 + relativedelta(months=k - 1)
        owed = lent - total(EntryKind.PRINCIPAL_REPAYMENT, EntryKind.WRITE_OFF, by=begins)
        if owed > 0:
            base = owed if loan.method == "declining" else loan.principal
            interest.append((end, int((rate * base).quantize(Decimal(1), ROUND_HALF_UP))))
        k += 1
    unmet = [
        d
        for d in (
            first_unmet(interest, total(EntryKind.INTEREST_PAYMENT)),
            first_unmet(principal, repaid),
        )
        if d is not None
    ]
    return max(0, (day - min(unmet)).days) if unmet else 0


class _Programme:
    """The rows, and what the criteria share: each loan's moves, each cycle's entries."""

    def __init__(self, rows: dict[str, list[Any]], on: dt.date) -> None:
        self.rows, self.on = rows, on
        self.moves = loan_moves(rows)
        self.entries: dict[int, list[Any]] = defaultdict(list)
        for e in rows["entries"]:
            if e.date <= on:
                self.entries[e.cycle_id].append(e)
        self.groups = [g for g in rows["groups"] if g.established_on <= on]

    def risk(self, loan: Any, day: dt.date) -> tuple[int, int] | None:
        return loan_risk(loan, self.moves[loan.id], day)

    def cycles(self, group: Any) -> list[Any]:
        mine = [c for c in self.rows["cycles"] if c.group_id == group.id]
        return sorted((c for c in mine if c.start_date <= self.on), key=lambda c: c.start_date)

    def group(self, group: Any) -> dict[str, Any]:
        on, rows = self.on, self.rows
        cycles = self.cycles(group)
        running = cycles[-1] if cycles else None
        members = {m.id: m for m in rows["members"] if m.group_id == group.id}
        attended = expected = 0
        at_risk = outstanding = 0
        savings_now, savings_before = 0, None
        officers = 0
        if running is not None:
            taken: dict[int, dict[int, str]] = defaultdict(dict)
            for a in rows["attendance"]:
                taken[a.meeting_id][a.member_id] = a.status
            for meeting in rows["meetings"]:
                if meeting.cycle_id != running.id or meeting.date > on or not taken[meeting.id]:
                    continue
                for m in members.values():
                    if active(m, meeting.date):
                        expected += 1
                        attended += taken[meeting.id].get(m.id) in ("present", "represented")
            for loan in rows["loans"]:
                if loan.cycle_id == running.id and (risk := self.risk(loan, on)) is not None:
                    outstanding += risk[1]
                    at_risk += risk[1] if risk[0] > 30 else 0
            savings_now = sum(e.shares for e in self.entries[running.id]) * running.share_value
            if len(cycles) >= 2:
                previous = cycles[-2]
                cut = previous.start_date + (on - running.start_date)
                shares = sum(e.shares for e in self.entries[previous.id] if e.date <= cut)
                savings_before = shares * previous.share_value
            officers = len(
                {
                    o.member_id
                    for o in rows["officers"]
                    if o.cycle_id == running.id and active(members[o.member_id], on)
                }
            )
        paid: dict[str, int] = defaultdict(int)
        for c in cycles:
            for e in self.entries[c.id]:
                paid[e.kind] += e.amount
        shared = sum(1 for c in cycles if c.shared_out_on is not None and c.shared_out_on <= on)
        return {
            "cycles_completed": shared,
            "attendance_rate": (attended, expected),
            "par_30": (at_risk, outstanding),
            "write_off_ratio": (paid["write_off"], paid["loan_disbursement"]),
            "savings_now": savings_now,
            "savings_before": savings_before,
            "officers": officers,
        }

    def member(
        self, member: Any, group: Any, window: int = WINDOW, max_days_late: int = 0
    ) -> dict[str, Any]:
        on, rows = self.on, self.rows
        cycles = {c.id for c in self.cycles(group)}
        held = sorted(
            (
                m
                for m in rows["meetings"]
                if m.cycle_id in cycles
                and m.minutes_recorded
                and m.date <= on
                and active(member, m.date)
            ),
            key=lambda m: m.date,
        )[-window:]
        by_id = {e.id: e for c in cycles for e in self.entries[c]}
        bought: dict[int, int] = defaultdict(int)  # meeting id -> net shares bought there
        for e in by_id.values():
            if e.member_id != member.id:
                continue
            original = by_id.get(e.reverses_id) if e.reverses_id is not None else e
            if original is not None and original.kind == "share_purchase":
                bought[original.meeting_id] += e.shares
        saved = sum(1 for m in held if bought[m.id] > 0)
        late = on_time = 0
        most = 0
        for loan in rows["loans"]:
            if loan.member_id != member.id or loan.disbursed_on > on:
                continue
            known = [m for m in self.moves[loan.id] if m[0] <= on]
            lent = sum(a for _, _, kind, a in known if kind is EntryKind.LOAN_DISBURSEMENT)
            if lent == 0:  # its disbursement reversed by then: the loan never happened
                continue
            days = [
                _days_overdue(loan, self.moves[loan.id], loan.disbursed_on + dt.timedelta(n))
                for n in range((on - loan.disbursed_on).days + 1)
            ]
            most = max([most, *days])
            written = sum(a for _, _, kind, a in known if kind is EntryKind.WRITE_OFF)
            if any(d > max_days_late for d in days) or written > 0:
                late += 1
            elif self.risk(loan, on) is None and days[-1] == 0:
                on_time += 1
        return {
            "meetings_held": len(held),
            "saving_rate": (saved, len(held)),
            "late_loans": late,
            "loans_repaid_on_time": on_time,
            "most_days_overdue": most,
        }


def _ready(figures: dict[str, Any]) -> bool:
    """Every group criterion passes at its default: a rate with nothing below it fails an
    "at least" and passes an "at most"; a first cycle passes savings growth."""
    attended, expected = figures["attendance_rate"]
    at_risk, outstanding = figures["par_30"]
    written, lent = figures["write_off_ratio"]
    now, before = figures["savings_now"], figures["savings_before"]
    return bool(
        figures["cycles_completed"] >= 1
        and expected > 0
        and 100 * attended >= 80 * expected
        and 100 * at_risk <= 5 * outstanding
        and 100 * written <= 2 * lent
        and (before is None or (before > 0 and now >= before))
        and figures["officers"] >= 5
    )


def _shortlisted(
    figures: dict[str, Any], rules: ReadinessCriteria | None = None, group_ready: bool = False
) -> bool:
    """Every member criterion passes (the defaults unless ``rules``)."""
    c = rules or ReadinessCriteria()
    saved, held = figures["saving_rate"]
    return bool(
        held >= c.min_meetings_held
        and held > 0
        and Decimal(saved) >= c.min_saving_rate * held
        and figures["late_loans"] <= c.max_late_loans
        and figures["loans_repaid_on_time"] >= c.min_loans_repaid_on_time
        and (group_ready or not c.only_ready_groups)
    )


@pytest.mark.parametrize("days_back", [200, 60, 0])
def test_readiness_agrees_with_the_raw_tables(
    corrected: tuple[vsla.Store, dt.date, int], days_back: int
) -> None:
    store, last, _ = corrected
    on = last - dt.timedelta(days=days_back)
    rows = raw_rows(store)
    programme = _Programme(rows, on)
    report = vsla.linkage_readiness(store, 1, on)

    # the groups: each criterion's value (a ratio as numerator and denominator)
    want_groups = {g.code: programme.group(g) for g in programme.groups}
    got_groups: dict[str, dict[str, Any]] = {}
    for g in report.groups:
        figures: dict[str, Any] = {}
        for c in g.criteria:
            whole = c.name in ("cycles_completed", "officers")
            figures[c.name] = c.value if whole else (c.numerator, c.denominator)
        want = want_groups[g.group_code]
        now, before = want["savings_now"], want["savings_before"]
        # growth = now / before - 1 = (now - before) / before; a first cycle: now / 0
        assert figures.pop("savings_growth") == (now - (before or 0), before or 0)
        assert g.ready == _ready(want), g.group_code
        got_groups[g.group_code] = figures
    for want in want_groups.values():
        del want["savings_now"], want["savings_before"]
    assert got_groups == want_groups
    # both verdicts are compared: the seed makes a group ready 60 days back, none at the end
    assert not all(g.ready for g in report.groups)
    assert any(g.ready for g in report.groups) == (days_back == 60)

    # the members judged: active, no referral by the date
    referred = reached(rows, on)[0]
    groups = {g.id: g for g in programme.groups}
    judged = {
        m.id: programme.member(m, groups[m.group_id])
        for m in rows["members"]
        if m.group_id in groups and active(m, on) and m.id not in referred
    }
    shortlist = {m_id for m_id, figures in judged.items() if _shortlisted(figures)}
    assert {m.member_id for m in report.shortlist} == shortlist
    # every member judged, shortlisted or not, from the facts the report was made from
    facts = store.readiness_facts(1, on, saving_window_meetings=WINDOW)
    assert {h.member_id for h in facts.members} == set(judged)
    for h in facts.members:
        m = evaluate_member(h, ReadinessCriteria(), on, group_ready=False)
        saving = m.result("saving_rate")
        assert {
            "meetings_held": m.result("meetings_held").value,
            "saving_rate": (saving.numerator, saving.denominator),
            "late_loans": m.result("late_loans").value,
            "loans_repaid_on_time": m.result("loans_repaid_on_time").value,
            "most_days_overdue": m.most_days_overdue,
        } == judged[h.member_id], h.full_name
    for m in report.shortlist:
        figures = judged[m.member_id]
        got = {c.name: c.value for c in m.criteria}
        assert got["meetings_held"] == figures["meetings_held"]
        saving = m.result("saving_rate")
        assert (saving.numerator, saving.denominator) == figures["saving_rate"]
        assert got["late_loans"] == figures["late_loans"] == 0
        assert got["loans_repaid_on_time"] == figures["loans_repaid_on_time"]
        assert m.most_days_overdue == figures["most_days_overdue"] == 0
    # the test reaches both sides of every member criterion
    assert shortlist
    assert len(shortlist) < len(judged)
    assert any(f["late_loans"] for f in judged.values())
    assert any(f["meetings_held"] >= MIN_HELD and not _shortlisted(f) for f in judged.values())

    # members to refer, per district and in total
    on_roll = [m for m in rows["members"] if m.group_id in groups and active(m, on)]
    lines: dict[str, list[Any]] = defaultdict(list)
    for m in on_roll:
        lines[groups[m.group_id].district].append(m)
    want_needs = {}
    for district, people in [("", on_roll), *lines.items()]:
        n_referred = sum(1 for m in people if m.id in referred)
        want_needs[district] = (
            len(people),
            n_referred,
            max(0, -(-3 * len(people) // 20) - n_referred),
            sum(1 for m in people if m.id in shortlist),
        )
    got_needs = {
        n.district if n.dimension == "district" else "": (
            n.members,
            n.referred,
            n.members_to_refer,
            n.shortlisted,
        )
        for n in report.needs
    }
    assert got_needs == want_needs


def test_the_shortlist_under_other_thresholds(
    corrected: tuple[vsla.Store, dt.date, int],
) -> None:
    """Every member threshold moved off its default (a window of 8 meetings, 6 held, 90 %
    saved, a loan 6 days late forgiven, one late loan allowed, one loan repaid on time
    required, ready groups only), on the date a group is ready."""
    store, last, _ = corrected
    on = last - dt.timedelta(days=60)
    rules = ReadinessCriteria(
        saving_window_meetings=8,
        min_meetings_held=6,
        min_saving_rate=Decimal("0.9"),
        max_days_late=6,
        max_late_loans=1,
        min_loans_repaid_on_time=1,
        only_ready_groups=True,
    )
    rows = raw_rows(store)
    programme = _Programme(rows, on)
    ready = {g.id: _ready(programme.group(g)) for g in programme.groups}
    assert any(ready.values())
    referred = reached(rows, on)[0]
    groups = {g.id: g for g in programme.groups}
    judged = {
        m.id: (programme.member(m, groups[m.group_id], 8, 6), ready[m.group_id])
        for m in rows["members"]
        if m.group_id in groups and active(m, on) and m.id not in referred
    }
    want = {m_id for m_id, (f, in_ready) in judged.items() if _shortlisted(f, rules, in_ready)}
    names = ("meetings_held", "late_loans", "loans_repaid_on_time")
    for h in store.readiness_facts(1, on, saving_window_meetings=8).members:
        figures, in_ready = judged[h.member_id]
        m = evaluate_member(h, rules, on, group_ready=in_ready)
        got = {name: m.result(name).value for name in names}
        assert got == {name: figures[name] for name in names}, h.full_name
        assert m.result("group_ready").passed == in_ready
    report = vsla.linkage_readiness(store, 1, on, criteria=rules)
    assert {m.member_id for m in report.shortlist} == want
    assert want  # someone qualifies, and the moved thresholds matter:
    assert want != {m.member_id for m in vsla.linkage_readiness(store, 1, on).shortlist}
    lenient = sum(1 for f, _ in judged.values() if 0 < f["most_days_overdue"] <= 6)
    assert lenient > 0  # loans 1 to 6 days late, late by default, forgiven here
