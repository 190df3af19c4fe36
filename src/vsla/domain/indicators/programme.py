"""The programme figures of docs/indicators.md on a date: :class:`ProgrammeReport`, for the
whole programme, a district or a group, with breakdowns and targets, built from
:class:`~.facts.ProgrammeFacts` (or, for the district lines only,
:class:`~.facts.DistrictFacts`)."""

from __future__ import annotations

__all__ = [
    "BREAKDOWNS",
    "ProgrammeLine",
    "ProgrammeReport",
    "chosen_breakdowns",
    "programme_report_from_district_facts",
    "programme_report_from_facts",
]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import ClassVar, Literal

from vsla.domain.base import Record
from vsla.domain.entities import Group, GroupStatus, Programme, Sex
from vsla.domain.indicators.facts import (
    DistrictFacts,
    MembersPolicy,
    PopulationFacts,
    ProgrammeFacts,
)
from vsla.domain.indicators.formulas import (
    Indicator,
    count_against_target,
    linked_rate,
    livelihood_support_rate,
    pct_women,
    referral_rate,
)
from vsla.domain.indicators.money import GroupCash, MoneyCell, money_figures
from vsla.domain.indicators.rows import flat_kinds, flat_row, text_order
from vsla.domain.tabular import ColumnKind, ReportRow, Tabular
from vsla.errors import InvalidInput


class ProgrammeLine(Record):
    """One line of a programme breakdown (a district, a group, a sex, an ethnicity, or GAL
    pilots vs other groups). ``groups_active`` and ``gal_pilot_groups`` are ``None`` on the
    lines by sex and ethnicity, where groups are not split."""

    dimension: Literal["district", "group", "sex", "ethnicity", "gal_status"]
    key: str
    label: str
    groups_active: int | None
    gal_pilot_groups: int | None
    members: int
    women: int
    referred: int
    linked: int
    supported: int
    referral_rate: Indicator
    linked_rate: Indicator
    livelihood_support_rate: Indicator
    members_saving: int
    savings: int
    savings_per_member: Indicator
    loans_active: int
    loans_outstanding: int
    at_risk_1: int
    at_risk_30: int
    par_1: Indicator
    par_30: Indicator
    share_out_payouts: int
    loan_fund_cash: int | None
    social_fund_cash: int | None
    loan_fund_utilization: Indicator | None
    interest_earned: int | None
    fines_earned: int | None
    net_income: int | None
    return_on_savings: Indicator | None


_LINE_FIGURES = tuple(
    name for name in ProgrammeLine.model_fields if name not in ("dimension", "key", "label")
)


_AMOUNTS = frozenset({"savings_per_member"})
"""The :class:`Indicator` figures that are an amount per person, not a ratio."""

_MONEY_FIGURES = _LINE_FIGURES[_LINE_FIGURES.index("members_saving") :]


class ProgrammeReport(Record, Tabular):
    """The programme figures of docs/indicators.md on a date, for the whole programme, a
    district or a group, with breakdowns and targets, and its money (docs/indicators.md,
    "The programme's money")."""

    amount_columns: ClassVar[frozenset[str]] = _AMOUNTS

    programme_id: int
    programme_name: str
    on: dt.date
    period_start: dt.date
    period_end: dt.date
    members_policy: MembersPolicy
    district: str | None
    group_id: int | None
    groups_active: Indicator
    gal_pilot_groups: Indicator
    members: int
    women: int
    pct_women: Indicator
    referred: int
    linked: int
    supported: int
    referral_rate: Indicator
    linked_rate: Indicator
    livelihood_support_rate: Indicator
    members_saving: int
    savings: int
    savings_per_member: Indicator
    loans_active: int
    loans_outstanding: int
    at_risk_1: int
    at_risk_30: int
    par_1: Indicator
    par_30: Indicator
    share_out_payouts: int
    loan_fund_cash: int | None
    social_fund_cash: int | None
    loan_fund_utilization: Indicator | None
    interest_earned: int | None
    fines_earned: int | None
    net_income: int | None
    return_on_savings: Indicator | None
    by_district: tuple[ProgrammeLine, ...]
    by_group: tuple[ProgrammeLine, ...]
    by_sex: tuple[ProgrammeLine, ...]
    by_ethnicity: tuple[ProgrammeLine, ...]
    by_gal_status: tuple[ProgrammeLine, ...]

    def line(self, dimension: str, key: str) -> ProgrammeLine:
        """The breakdown line for ``key`` (a district, a group code, "F", "pilot", ...)."""
        for line in self.lines():
            if line.dimension == dimension and line.key == key:
                return line
        raise KeyError(f"no {dimension} line {key!r}")

    def lines(self) -> tuple[ProgrammeLine, ...]:
        return (
            *self.by_district,
            *self.by_group,
            *self.by_sex,
            *self.by_ethnicity,
            *self.by_gal_status,
        )

    def declared_kinds(self) -> dict[str, ColumnKind]:
        """Rates are ratios and the ``_met`` columns flags even where no row has a value."""
        kinds = flat_kinds(self, _LINE_FIGURES[2:], _AMOUNTS)
        for name in ("groups_active", "gal_pilot_groups"):
            kinds.update({name: ColumnKind.WHOLE, f"{name}_target": ColumnKind.WHOLE})
            kinds[f"{name}_met"] = ColumnKind.FLAG
        return kinds

    def rows(self) -> list[ReportRow]:
        """Flat rows: the scope as a whole (``dimension="programme"``, or ``"district"`` /
        ``"group"`` when the report is filtered), then every breakdown line; the same keys in
        every row."""
        ids: ReportRow = {
            "programme_id": self.programme_id,
            "on": self.on,
            "members_policy": self.members_policy.value,
        }
        if self.group_id is not None:
            scope, key = "group", str(self.group_id)
        elif self.district is not None:
            scope, key = "district", self.district
        else:
            scope, key = "programme", str(self.programme_id)
        main: ReportRow = {
            **ids,
            "dimension": scope,
            "key": key,
            "label": self.programme_name,
        }
        for name in ("groups_active", "gal_pilot_groups"):
            count: Indicator = getattr(self, name)
            main[name] = count.numerator
            main[f"{name}_target"] = count.target
            main[f"{name}_met"] = count.met
        main.update(flat_row(self, _LINE_FIGURES[2:]))
        out = [main]
        for line in self.lines():
            row = dict.fromkeys(main)
            row.update(ids)
            row.update(dimension=line.dimension, key=line.key, label=line.label)
            row.update(flat_row(line, _LINE_FIGURES))
            out.append(row)
        return out


def _programme_line(
    dimension: Literal["district", "group", "sex", "ethnicity", "gal_status"],
    key: str,
    label: str,
    counts: tuple[int, int] | None,
    cells: Iterable[tuple[str, PopulationFacts]],
    programme: Programme,
    money: Iterable[MoneyCell] = (),
    cash: Iterable[GroupCash] | None = None,
) -> ProgrammeLine:
    """One breakdown line; ``counts`` is (groups active, GAL pilot groups), ``None`` on the
    lines that do not split groups (sex, ethnicity), as ``cash`` is."""
    total = PopulationFacts()
    women = 0
    for sex, cell in cells:
        total = total + cell
        if sex == Sex.FEMALE.value:
            women += cell.members
    targets = programme.targets
    return ProgrammeLine(
        dimension=dimension,
        key=key,
        label=label,
        groups_active=None if counts is None else counts[0],
        gal_pilot_groups=None if counts is None else counts[1],
        members=total.members,
        women=women,
        referred=total.referred,
        linked=total.linked,
        supported=total.supported,
        referral_rate=referral_rate(total.referred, total.members, targets.referral_rate),
        linked_rate=linked_rate(total.linked, total.members),
        livelihood_support_rate=livelihood_support_rate(
            total.supported, total.members, targets.livelihood_support_rate
        ),
        **money_figures(money, None if counts is None else cash or (), total.members),
    )


def _groups_active(groups: Iterable[Group]) -> int:
    return sum(1 for g in groups if g.status is GroupStatus.ACTIVE)


def _gal_pilots(groups: Iterable[Group], on: dt.date) -> int:
    return sum(1 for g in groups if g.is_gal_pilot(on))


BREAKDOWNS: tuple[str, ...] = ("district", "group", "sex", "ethnicity", "gal_status")
"""The breakdowns of a programme report, in the order of :meth:`ProgrammeReport.lines`."""


def chosen_breakdowns(names: Iterable[str] | None) -> frozenset[str]:
    """The breakdowns asked for, checked.

    ```pycon
    >>> sorted(chosen_breakdowns(["district"]))
    ['district']
    >>> chosen_breakdowns(["village"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    vsla.errors.InvalidInput: unknown breakdown 'village': choose among district, group, ...

    ```
    """
    if names is None:
        return frozenset(BREAKDOWNS)
    if isinstance(names, str):
        raise InvalidInput(f"breakdowns must be a list of names, got {names!r}")
    chosen = frozenset(names)
    for name in sorted(chosen - set(BREAKDOWNS)):
        raise InvalidInput(f"unknown breakdown {name!r}: choose among {', '.join(BREAKDOWNS)}")
    return chosen


def programme_report_from_facts(
    programme: Programme,
    on: dt.date,
    facts: ProgrammeFacts,
    *,
    members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
    district: str | None = None,
    group_id: int | None = None,
    breakdowns: Iterable[str] | None = None,
) -> ProgrammeReport:
    """The programme report of docs/indicators.md from the facts of its scope.

    The count targets (91 groups, 55 GAL pilots) are programme-wide: they are compared only
    when the report covers the whole programme (no district, no group). The rate targets
    (15 %) apply to every scope and every breakdown line. ``breakdowns`` names the
    breakdowns to build (default: all of :data:`BREAKDOWNS`); the others stay empty, which
    spares a dashboard of 10,000 groups the 10,000 lines of ``by_group``.
    """
    wanted = chosen_breakdowns(breakdowns)
    groups = sorted(facts.groups, key=lambda g: g.id)
    by_id = {g.id: g for g in groups}
    cells = [(by_id[gid], sex, eth, cell) for (gid, sex, eth), cell in facts.cells.items()]
    cash = facts.money.cash

    def line(
        dimension: Literal["district", "group", "sex", "ethnicity", "gal_status", ""],
        key: str,
        label: str,
        keep_groups: Sequence[Group] | None,
        picked: Iterable[tuple[str, PopulationFacts]],
    ) -> ProgrammeLine:
        counts = (
            None
            if keep_groups is None
            else (_groups_active(keep_groups), _gal_pilots(keep_groups, on))
        )
        kept_cash = (
            None if keep_groups is None else [cash[g.id] for g in keep_groups if g.id in cash]
        )
        return _programme_line(
            dimension or "group",
            key,
            label,
            counts,
            picked,
            programme,
            money[(dimension, key)],
            kept_cash,
        )

    def buckets(g: Group, sex: str, eth: str) -> Iterable[tuple[str, str]]:
        for dimension, key in (
            ("district", g.district),
            ("group", g.code),
            ("sex", sex),
            ("ethnicity", eth),
            ("gal_status", "pilot" if g.is_gal_pilot(on) else "other"),
            ("", ""),  # the whole scope
        ):
            if dimension in wanted or not dimension:
                yield dimension, key

    # one pass over the cells and the groups, bucketed by every dimension
    people: dict[tuple[str, str], list[tuple[str, PopulationFacts]]] = defaultdict(list)
    for g, sex, eth, cell in cells:
        for bucket in buckets(g, sex, eth):
            people[bucket].append((sex, cell))
    money: dict[tuple[str, str], list[MoneyCell]] = defaultdict(list)
    for (gid, sex, eth), money_cell in facts.money.cells.items():
        for bucket in buckets(by_id[gid], sex, eth):
            money[bucket].append(money_cell)
    in_district: dict[str, list[Group]] = defaultdict(list)
    in_status: dict[str, list[Group]] = defaultdict(list)
    for g in groups:
        in_district[g.district].append(g)
        in_status["pilot" if g.is_gal_pilot(on) else "other"].append(g)

    by_district = tuple(
        line("district", d, d, in_district[d], people[("district", d)])
        for d in sorted(in_district, key=text_order)
        if "district" in wanted
    )
    by_group = tuple(
        line("group", g.code, g.name, [g], people[("group", g.code)])
        for g in groups
        if "group" in wanted
    )
    by_sex = tuple(
        line("sex", s.value, s.name.lower(), None, people[("sex", s.value)])
        for s in Sex
        if "sex" in wanted
    )
    ethnicities = sorted({eth for _, _, eth, _ in cells}, key=text_order)
    by_ethnicity = tuple(
        line("ethnicity", e, e, None, people[("ethnicity", e)])
        for e in ethnicities
        if "ethnicity" in wanted
    )
    by_gal_status = tuple(
        line("gal_status", key, label, in_status[key], people[("gal_status", key)])
        for key, label in (("pilot", "GAL pilot groups"), ("other", "other groups"))
        if "gal_status" in wanted
    )
    whole_line = line("", "", "", groups, people[("", "")])
    return _programme_report(
        programme,
        on,
        members_policy,
        district,
        group_id,
        whole_line,
        by_district=by_district,
        by_group=by_group,
        by_sex=by_sex,
        by_ethnicity=by_ethnicity,
        by_gal_status=by_gal_status,
    )


def _programme_report(
    programme: Programme,
    on: dt.date,
    members_policy: MembersPolicy,
    district: str | None,
    group_id: int | None,
    whole_line: ProgrammeLine,
    *,
    by_district: tuple[ProgrammeLine, ...] = (),
    by_group: tuple[ProgrammeLine, ...] = (),
    by_sex: tuple[ProgrammeLine, ...] = (),
    by_ethnicity: tuple[ProgrammeLine, ...] = (),
    by_gal_status: tuple[ProgrammeLine, ...] = (),
) -> ProgrammeReport:
    """The report around its whole-scope line (which carries the group counts)."""
    whole = district is None and group_id is None
    targets = programme.targets
    return ProgrammeReport(
        programme_id=programme.id,
        programme_name=programme.name,
        on=on,
        period_start=programme.period_start,
        period_end=programme.period_end,
        members_policy=members_policy,
        district=district,
        group_id=group_id,
        groups_active=count_against_target(
            "groups_active", whole_line.groups_active or 0, targets.groups if whole else None
        ),
        gal_pilot_groups=count_against_target(
            "gal_pilot_groups",
            whole_line.gal_pilot_groups or 0,
            targets.gal_pilot_groups if whole else None,
        ),
        members=whole_line.members,
        women=whole_line.women,
        pct_women=pct_women(whole_line.women, whole_line.members),
        referred=whole_line.referred,
        linked=whole_line.linked,
        supported=whole_line.supported,
        referral_rate=whole_line.referral_rate,
        linked_rate=whole_line.linked_rate,
        livelihood_support_rate=whole_line.livelihood_support_rate,
        **{name: getattr(whole_line, name) for name in _MONEY_FIGURES},
        by_district=by_district,
        by_group=by_group,
        by_sex=by_sex,
        by_ethnicity=by_ethnicity,
        by_gal_status=by_gal_status,
    )


def programme_report_from_district_facts(
    programme: Programme,
    on: dt.date,
    facts: DistrictFacts,
    *,
    members_policy: MembersPolicy = MembersPolicy.ACTIVE_ON_DATE,
    district: str | None = None,
    group_id: int | None = None,
    with_districts: bool = True,
) -> ProgrammeReport:
    """The report with only its district lines (or none: ``with_districts=False``), from
    facts summed per district.

    It equals :func:`programme_report_from_facts` with ``breakdowns=["district"]`` on the
    same data (the same line builder; the tests hold the two paths equal): for 10,000 groups
    the database returns ten districts instead of tens of thousands of cells.

    ```pycon
    >>> from vsla.domain.entities import Programme
    >>> p = Programme(id=1, name="Kon Tum", province="Kon Tum")
    >>> facts = DistrictFacts(
    ...     groups={"Đắk Glei": (12, 7), "Kon Tum": (6, 4)},
    ...     cells={("Đắk Glei", "F"): PopulationFacts(200, 40, 10, 30),
    ...            ("Đắk Glei", "M"): PopulationFacts(60, 5, 1, 9),
    ...            ("Kon Tum", "F"): PopulationFacts(100, 10, 2, 20)})
    >>> r = programme_report_from_district_facts(p, dt.date(2025, 4, 7), facts)
    >>> [(d.key, d.groups_active, d.members, d.women, d.referred) for d in r.by_district]
    [('Đắk Glei', 12, 260, 200, 45), ('Kon Tum', 6, 100, 100, 10)]
    >>> r.groups_active.value, r.members, r.referral_rate.value  # 18 groups; 55 / 360
    (Decimal('18'), 360, Decimal('0.1527777777777777777777777778'))

    ```
    """
    people: dict[str, list[tuple[str, PopulationFacts]]] = defaultdict(list)
    for (where, sex), cell in facts.cells.items():
        people[where].append((sex, cell))
    money: dict[str, list[MoneyCell]] = defaultdict(list)
    for (where, *_), money_cell in facts.money.cells.items():
        money[where].append(money_cell)
    cash = facts.money.cash
    by_district = tuple(
        _programme_line(
            "district",
            d,
            d,
            facts.groups[d],
            people[d],
            programme,
            money[d],
            [cash[d]] if d in cash else [],
        )
        for d in sorted(facts.groups, key=text_order)
        if with_districts
    )
    counts = (
        sum(active for active, _ in facts.groups.values()),
        sum(pilots for _, pilots in facts.groups.values()),
    )
    whole_line = _programme_line(
        "group",
        "",
        "",
        counts,
        [(sex, cell) for (_, sex), cell in facts.cells.items()],
        programme,
        facts.money.cells.values(),
        cash.values(),
    )
    return _programme_report(
        programme, on, members_policy, district, group_id, whole_line, by_district=by_district
    )
