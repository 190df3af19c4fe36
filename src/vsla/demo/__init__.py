"""A synthetic, deterministic Kon Tum programme for demos, tutorials and benchmarks.

:func:`generate` builds one programme (the Project 8 targets: 91 groups, 55 GAL pilots,
15 % referral, 15 % livelihood support) with ``groups`` savings groups spread over the ten
districts of Kon Tum, their members, one cycle of fortnightly meetings per group, loans and
repayments, member exits, a write-off, share-outs, referrals to formal finance, livelihood
support and GAL sessions. Everything is drawn from ``random.Random`` objects seeded from
``seed``: the same arguments give the same database content, row for row.

Every figure goes through the library's own recording paths (``Store.record_meetings``,
``settle_member_exit``, ``write_off``, ``share_out``, ``add_referrals``, ...), so the data
obey every rule a real group's data obey. The generator plans each cycle in memory first,
tracking both boxes, every member's shares and every loan with the pure loan functions
(:func:`vsla.position`, :func:`vsla.allocate_payment`), so each planned meeting is valid;
a meeting the store refuses is a bug of the generator, and it is raised, never swallowed.

The package: :mod:`vsla.demo.data` holds the reference tables (districts, communes,
villages, names by ethnic group, weights); :mod:`vsla.demo.planning` draws each group and
its activity, :mod:`vsla.demo.simulation` plans its cycle's meetings (both into the plans
of :mod:`vsla.demo.plans`), and :mod:`vsla.demo.writing` writes a plan through the store.

The timeline (``docs/demo.md``): cycles start on ``start`` plus 0 to 25 whole weeks, one
group after another, and last 26 fortnightly meetings (350 days). ``as_of`` (default:
:func:`default_as_of`, 15 months after ``start``) is the report date: no meeting is
recorded after it. A cycle whose last meeting falls on or before ``as_of`` is shared out
at that meeting (about 60 % of the groups); the others are mid-cycle on ``as_of``, with
loans outstanding and some of them overdue. ``as_of`` falls on a meeting day of half the
groups, so the report date of ``vsla report`` (the latest meeting) is ``as_of`` itself.

>>> import vsla
>>> from vsla.demo import generate
>>> store = vsla.open(":memory:")
>>> summary = generate(store, groups=2, seed=7)
>>> summary.groups, summary.as_of.isoformat()
(2, '2025-04-07')
>>> summary.written_off
1
"""

from __future__ import annotations

__all__ = [
    "DEMO_PROGRAMME_NAME",
    "DISTRICT_CODES",
    "DemoSummary",
    "default_as_of",
    "gal_pilot_count",
    "generate",
    "is_demo_database",
]

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vsla.demo.data import DISTRICT_CODES
from vsla.demo.planning import MEETINGS_PER_CYCLE as MEETINGS_PER_CYCLE
from vsla.demo.planning import default_as_of, gal_pilot_count, group_layouts, plan_group
from vsla.demo.writing import Counts, write_group
from vsla.domain.entities import NewProgramme
from vsla.errors import InvalidInput, VslaError
from vsla.store.schema import SCHEMA_HEAD, schema_version
from vsla.store.store import Store, open_store

DEMO_PROGRAMME_NAME = "Kon Tum - Dự án 8 (dữ liệu mô phỏng)"
"""The name of the programme :func:`generate` writes: how a demo database is told apart."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What :func:`generate` wrote."""

    programme_id: int
    groups: int
    gal_pilots: int
    members: int
    meetings: int
    loans: int
    entries: int
    referrals: int
    supports: int
    gal_sessions: int
    shared_out: int
    exits: int
    written_off: int
    record_calls: int
    as_of: dt.date


def generate(
    store: Store,
    *,
    groups: int = 91,
    seed: int = 2021,
    start: dt.date = dt.date(2024, 1, 8),
    as_of: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    one_by_one: bool = False,
    weekly: bool = False,
    code_prefix: str = "KT",
    client_ids: bool = False,
) -> DemoSummary:
    """Generate a synthetic Kon Tum programme of ``groups`` groups into ``store``.

    Deterministic: the same ``groups``, ``seed``, ``start`` and ``as_of`` write the same
    rows. ``as_of`` (default :func:`default_as_of`) is the report date: nothing is
    recorded after it. Each group is written in one transaction (``Store.transaction``);
    ``progress(done, total)`` is called after each group.
    ``one_by_one`` records each meeting with ``Store.record_meeting`` instead of batches
    (the baseline of the benchmarks); the data written are the same.
    ``weekly`` holds the meetings every week instead of every fortnight (51 meetings over
    the same 350 days: the national-scale benchmark's cycle). ``code_prefix`` starts every
    group code (``KT-DG-001``): another prefix lets a second programme share the database.
    ``client_ids`` gives every record a client id, as a data-entry app would (docs/sync.md);
    loans always have one (``KT-DG-001/L3``).
    """
    if groups < 1:
        raise InvalidInput(f"a demo programme needs at least one group, got {groups}")
    report_on = default_as_of(start) if as_of is None else as_of
    if report_on < start:
        raise InvalidInput(f"the report date {report_on} is before the start {start}")
    rng = random.Random(f"vsla-demo/{seed}")
    programme = store.add_programme(NewProgramme(name=DEMO_PROGRAMME_NAME, province="Kon Tum"))
    layouts = group_layouts(rng, groups, start, report_on, code_prefix)
    counts = Counts()
    for layout in layouts:
        group_rng = random.Random(f"vsla-demo/{seed}/{layout.index}")
        plan = plan_group(group_rng, layout, report_on, weekly)
        with store.transaction():  # a group is written whole, or not at all
            write_group(
                store, programme.id, plan, counts, one_by_one=one_by_one, client_ids=client_ids
            )
        if progress is not None:
            progress(layout.index + 1, groups)
    return DemoSummary(
        programme_id=programme.id,
        groups=groups,
        gal_pilots=sum(1 for g in layouts if g.gal_pilot),
        members=counts.members,
        meetings=counts.meetings,
        loans=counts.loans,
        entries=store.entry_count(programme.id),
        referrals=counts.referrals,
        supports=counts.supports,
        gal_sessions=counts.gal_sessions,
        shared_out=counts.shared_out,
        exits=counts.exits,
        written_off=counts.written_off,
        record_calls=counts.record_calls,
        as_of=report_on,
    )


def is_demo_database(path: str | Path) -> bool:
    """Whether the SQLite file ``path`` is a vsla demo database (what ``vsla demo`` wrote),
    which ``vsla demo`` may replace: every programme in it is the demo's and every group
    belongs to one. Reads the file read-only; a file that is not a vsla database (another
    application's, a text file) is not one, and neither is a missing file.
    """
    file = Path(path)
    if not file.is_file():
        return False
    read_only = f"sqlite:///{file.resolve().as_uri()}?mode=ro&uri=true"
    try:
        store = open_store(read_only, create=False, upgrade=False)
    except VslaError:
        return False
    try:
        if schema_version(store.engine) != SCHEMA_HEAD:  # another application's file
            return False
        programmes = {p.id for p in store.programmes() if p.name == DEMO_PROGRAMME_NAME}
        everything = len(programmes) == len(store.programmes())
        return (
            bool(programmes)
            and everything
            and all(g.programme_id in programmes for g in store.groups())
        )
    except VslaError:
        return False
    finally:
        store.close()
