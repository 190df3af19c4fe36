"""Planning a demo programme: where each group is, its members, rules and officers, its
cycle (simulated), and its referrals, livelihood support and GAL sessions.
"""

from __future__ import annotations

__all__ = ["MEETINGS_PER_CYCLE", "default_as_of", "gal_pilot_count", "group_layouts", "plan_group"]

import datetime as dt
import random
from decimal import Decimal

from vsla.demo.data import (
    COMMUNES,
    DISTRICT_CODES,
    DISTRICT_WEIGHTS,
    ETHNIC_MIX,
    GAL_TOOLS,
    GIVEN_F,
    GIVEN_M,
    INSTITUTIONS,
    JARAI_F,
    JARAI_FAMILY,
    JARAI_M,
    KINH_F,
    KINH_FAMILY,
    KINH_M,
    KINH_MIDDLE_M,
    PHONE_PREFIXES,
    RATES,
    REFERRAL_BASE,
    SPREAD,
    SUPPORT_BASE,
    SUPPORTS,
    VILLAGES,
)
from vsla.demo.plans import GroupLayout, GroupPlan, MemberPlan, chance, weighted
from vsla.demo.simulation import CycleSimulator
from vsla.domain.activity import ReferralOutcome
from vsla.domain.constitution import Constitution, InterestMethod, MeetingFrequency, meeting_dates
from vsla.domain.entities import KON_TUM_DISTRICTS, OfficerRole, Sex

MEETINGS_PER_CYCLE = 26
"""Fortnightly meetings in a demo cycle (350 days from the first to the last)."""


def default_as_of(start: dt.date) -> dt.date:
    """The default report date: 65 weeks (15 months) after ``start``, a meeting day.

    >>> default_as_of(dt.date(2024, 1, 8))
    datetime.date(2025, 4, 7)
    """
    return start + dt.timedelta(weeks=65)


def gal_pilot_count(groups: int) -> int:
    """GAL pilots in a demo of ``groups`` groups: 55 of 91, rounded half up.

    >>> gal_pilot_count(91), gal_pilot_count(6), gal_pilot_count(10_000)
    (55, 4, 6044)
    """
    return (groups * 55 * 2 + 91) // (91 * 2)


def allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``total`` over the keys in proportion to ``weights`` (largest remainder)."""
    whole = sum(weights.values())
    counts = {k: total * w // whole for k, w in weights.items()}
    rest = sorted(weights, key=lambda k: (-(total * weights[k] % whole), list(weights).index(k)))
    for k in rest[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def group_layouts(
    rng: random.Random, groups: int, start: dt.date, as_of: dt.date, prefix: str = "KT"
) -> list[GroupLayout]:
    """Where each group is, when its cycle starts, and whether it is a GAL pilot."""
    counts = allocate(groups, DISTRICT_WEIGHTS)
    offsets = [i * 26 // groups for i in range(groups)]  # weeks, spread evenly over 6 months
    rng.shuffle(offsets)
    pilots = set(rng.sample(range(groups), gal_pilot_count(groups)))
    referral_spread = list(SPREAD)
    support_spread = list(SPREAD)
    rng.shuffle(referral_spread)
    rng.shuffle(support_spread)
    districts = list(KON_TUM_DISTRICTS)
    out: list[GroupLayout] = []
    for d, district in enumerate(districts):
        for n in range(1, counts[district] + 1):
            i = len(out)
            out.append(
                GroupLayout(
                    index=i,
                    code=f"{prefix}-{DISTRICT_CODES[district]}-{n:03d}",
                    district=district,
                    commune=rng.choice(COMMUNES[district]),
                    village=rng.choice(VILLAGES),
                    start=start + dt.timedelta(weeks=offsets[i]),
                    gal_pilot=i in pilots,
                    referral_rate=REFERRAL_BASE * referral_spread[d],
                    support_rate=SUPPORT_BASE * support_spread[d],
                    write_off_here=False,
                )
            )
    # exactly one loan is written off, in the group that started first
    first = min(range(len(out)), key=lambda i: (out[i].start, i))
    if out and out[first].start <= as_of:
        out[first].write_off_here = True
    return out


def draw_name(rng: random.Random, ethnicity: str, sex: Sex) -> str:
    female = sex is Sex.FEMALE
    if ethnicity == "Kinh" or chance(rng, 120):
        family = rng.choice(KINH_FAMILY if ethnicity == "Kinh" else ("Đinh", "Hồ", "A Lăng"))
        middle = "Thị" if female else rng.choice(KINH_MIDDLE_M)
        given = rng.choice(KINH_F if female else KINH_M)
        return f"{family} {middle} {given}"
    if ethnicity in ("Gia Rai", "Rơ Măm") and chance(rng, 800):
        family = rng.choice(JARAI_FAMILY)
        if female:
            return f"{family} H'{rng.choice(JARAI_F)}"
        return f"{family} {rng.choice(JARAI_M)}"
    return f"{'Y' if female else 'A'} {rng.choice(GIVEN_F if female else GIVEN_M)}"


def draw_members(rng: random.Random, layout: GroupLayout) -> list[MemberPlan]:
    n = 15 + rng.randint(0, 8) + rng.randint(0, 7)  # 15 to 30, mostly about 22
    mix = ETHNIC_MIX[layout.district]
    main = weighted(rng, mix)
    women = 1000 if chance(rng, 300) else rng.randint(550, 850)  # per mille
    out: list[MemberPlan] = []
    names: set[str] = set()
    for _ in range(n):
        sex = Sex.FEMALE if chance(rng, women) else Sex.MALE
        ethnicity = main if chance(rng, 800) else weighted(rng, mix)
        name = draw_name(rng, ethnicity, sex)
        for _retry in range(5):  # avoid two members of one group with the same name
            if name not in names:
                break
            name = draw_name(rng, ethnicity, sex)
        names.add(name)
        phone = None
        if chance(rng, 450):
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
        out.append(
            MemberPlan(
                full_name=name,
                sex=sex,
                ethnicity=ethnicity,
                birth_year=1962 + rng.randint(0, 21) + rng.randint(0, 22),
                phone=phone,
                reliability=rng.randint(720, 980),
                preferred_shares=0,
            )
        )
    if all(m.sex is Sex.MALE for m in out):  # a VSLA without women is not plausible
        out[0].sex = Sex.FEMALE
        out[0].full_name = draw_name(rng, out[0].ethnicity, Sex.FEMALE)
    return out


def draw_constitution(rng: random.Random, frequency: MeetingFrequency) -> Constitution:
    return Constitution(
        share_value=rng.choice((10_000, 10_000, 20_000, 20_000, 25_000, 30_000, 40_000, 50_000)),
        min_shares_per_meeting=0 if chance(rng, 200) else 1,
        max_shares_per_meeting=rng.choice((5, 5, 5, 4, 10)),
        social_fund_contribution=rng.choice((0, 2_000, 5_000, 5_000, 10_000)),
        interest_rate=rng.choice(RATES),
        interest_method=InterestMethod.FLAT if chance(rng, 200) else InterestMethod.DECLINING,
        meeting_frequency=frequency,
        fines={"absence": rng.choice((5_000, 10_000)), "late": rng.choice((1_000, 2_000))},
        cash_step=1_000 if chance(rng, 300) else 1,
    )


def draw_officers(
    rng: random.Random, members: list[MemberPlan]
) -> dict[int, tuple[OfficerRole, ...]]:
    order = list(range(len(members)))
    rng.shuffle(order)
    order.sort(key=lambda i: members[i].sex is not Sex.FEMALE and chance(rng, 700))
    roles = (
        OfficerRole.CHAIR,
        OfficerRole.SECRETARY,
        OfficerRole.BOX_KEEPER,
        OfficerRole.MONEY_COUNTER,
        OfficerRole.MONEY_COUNTER,
        OfficerRole.KEY_HOLDER,
        OfficerRole.KEY_HOLDER,
        OfficerRole.KEY_HOLDER,
    )
    return {order[i]: (role,) for i, role in enumerate(roles)}


def plan_group(rng: random.Random, layout: GroupLayout, as_of: dt.date, weekly: bool) -> GroupPlan:
    members = draw_members(rng, layout)
    frequency = MeetingFrequency.WEEKLY if weekly else MeetingFrequency.FORTNIGHTLY
    rules = draw_constitution(rng, frequency)
    officers = draw_officers(rng, members)
    start = layout.start
    # the same 50 weeks from the first to the last meeting: 51 weekly or 26 fortnightly
    dates = meeting_dates(
        start, start + dt.timedelta(weeks=2 * (MEETINGS_PER_CYCLE - 1)), frequency
    )
    end = dates[-1]
    recorded = [d for d in dates if d <= as_of]
    completes = end <= as_of
    pilot_since: dt.date | None = None
    if layout.gal_pilot:  # from 0 to 4 months into the cycle, by the report date if possible
        pilot_since = max(start, min(start + dt.timedelta(days=rng.randrange(0, 121)), as_of))
    cycle = CycleSimulator(
        rng,
        members,
        rules,
        dates,
        len(recorded) - 1,
        completes,
        set(officers),
        layout.write_off_here,
        rng.choice((0, 0, 0, 1, 1, 2)),
    )
    drafts = cycle.run() if recorded else []
    write_off = None
    if cycle.write_off_key is not None:
        write_off = (cycle.write_off_key, recorded[-1])
    plan = GroupPlan(
        layout=layout,
        name=f"Tổ tiết kiệm thôn {layout.village}",
        gal_pilot_since=pilot_since,
        members=members,
        constitution=rules,
        officers=officers,
        start=start,
        end=end,
        meetings=drafts,
        exits=cycle.exits,
        write_off=write_off,
        share_out_on=end if completes else None,
        referrals=[],
        supports=[],
        gal_sessions=[],
    )
    plan_activity(rng, plan, as_of)
    return plan


def draw_count(rng: random.Random, rate: Decimal, n: int) -> int:
    """``rate × n`` rounded at random (up with the probability of its fraction)."""
    exact = rate * n
    whole = int(exact)
    return whole + (1 if rng.randrange(10**6) < (exact - whole) * 10**6 else 0)


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def plan_activity(rng: random.Random, plan: GroupPlan, as_of: dt.date) -> None:
    """Referrals, livelihood support, GAL champions and sessions of one group."""
    first, last = plan.start + dt.timedelta(days=30), as_of - dt.timedelta(days=1)
    active = [i for i, m in enumerate(plan.members) if m.left_on is None]
    if first <= last:
        referred = rng.sample(
            active, min(len(active), draw_count(rng, plan.layout.referral_rate, len(active)))
        )
        for m in referred:
            for _ in range(2 if chance(rng, 100) else 1):
                institution = weighted(rng, [(i, w) for i, w, _ in INSTITUTIONS])
                services = next(s for i, _, s in INSTITUTIONS if i is institution)
                on = day_between(rng, first, last)
                outcome, outcome_on = ReferralOutcome.PENDING, None
                later = on + dt.timedelta(days=rng.randint(7, 60))
                if later <= as_of:
                    outcome = weighted(
                        rng,
                        (
                            (ReferralOutcome.ACCESSED, 55),
                            (ReferralOutcome.DECLINED, 15),
                            (ReferralOutcome.PENDING, 30),
                        ),
                    )
                    outcome_on = None if outcome is ReferralOutcome.PENDING else later
                plan.referrals.append(
                    (m, institution, rng.choice(services), on, outcome, outcome_on)
                )
        supported = rng.sample(
            active, min(len(active), draw_count(rng, plan.layout.support_rate, len(active)))
        )
        for m in supported:
            for _ in range(2 if chance(rng, 150) else 1):
                kind = weighted(rng, [(k, w) for k, w, _, _ in SUPPORTS])
                providers, (low, high) = next((p, v) for k, _, p, v in SUPPORTS if k is kind)
                value = rng.randrange(low, high + 1, 100_000) if high else 0
                plan.supports.append(
                    (m, kind, rng.choice(providers), day_between(rng, first, last), value)
                )
    since = plan.gal_pilot_since
    if since is None:
        return
    women = sum(1 for m in plan.members if m.sex is Sex.FEMALE)
    men = len(plan.members) - women
    for m in rng.sample(range(len(plan.members)), rng.randint(1, 3)):
        champion = min(since + dt.timedelta(days=rng.randint(30, 90)), as_of)
        plan.members[m].champion_since = max(champion, since)
    until = min(as_of, plan.end)
    day = since
    for k in range(rng.randint(4, 9)):
        if day > until:
            break
        plan.gal_sessions.append(
            (
                day,
                GAL_TOOLS[min(k, len(GAL_TOOLS) - 1)],
                women * rng.randint(60, 100) // 100,
                men * rng.randint(30, 100) // 100,
                rng.randint(0, 4) * rng.randint(1, 5),
            )
        )
        day += dt.timedelta(days=rng.randint(28, 45))
