"""Where the bulk import's time goes: ``python -m benchmarks.import_parts``.

The import measure of ``make bench`` (:func:`benchmarks.scale.measure_import`: 20 groups
through the library's write path against the driver's ``executemany`` of the same rows),
run once on a fresh database, with the time spent in each part of the write path summed
and printed beside the ratio: the store's public calls, and inside ``import_cycle`` (a
cycle's meetings, exits, write-off and share-out in one call) the planning, the state
loads, the loan marks and the inserts (per table). A part called
inside another is counted in both, so the lines do not add up. Last, what the target of
0.5 leaves: the time a row may take beyond the library's own inserts, beside what merely
making the three objects of one entry costs (:func:`floor`); and what is left for checking
and writing each meeting once the store's other calls and the meetings' inserts have taken
their share (:func:`meetings_allowance`). And how far each design of docs/performance.md
could take the ratio at most (:func:`bounds`): the ratio the same run would have had if
the part a design removes had cost nothing. ``--runs N`` repeats the whole measure on a
fresh database each time and prints the medians: one run is not a figure (ten runs of the
same code gave ratios from 0.30 to 0.71 within minutes on the machine of record). Each
run also times copies of the same rows alike (foreign keys enforced on SQLite, as the
store's connection has them; the change feed's and the client ids' rows copied too: what
the library's writes do beside the rows) and plain ones around them (A B B A,
:func:`benchmarks.scale.measure_import`), and prints both ratios.

```sh
.venv/bin/python -m benchmarks.import_parts                 # SQLite
.venv/bin/python -m benchmarks.import_parts --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
.venv/bin/python -m benchmarks.import_parts --runs 6      # six measures, and their medians
```

Times are nanoseconds of ``time.perf_counter_ns`` around each call (no profiler: its own
cost would change the shares); nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import vsla
import vsla.store.base as store_base
import vsla.store.meetings as store_meetings
import vsla.store.rows as store_rows
from benchmarks import scale
from vsla.demo import generate
from vsla.domain.cyclestate import PlannedEntry
from vsla.domain.ledger import EntryKind

CYCLE_CALL = "import_cycle"  # the call that writes a cycle's meetings and other events
MEETING_INSERTS = f"inserts inside {CYCLE_CALL}"
PLANNING = "planning a meeting (plan_meeting)"
ADVANCE = "carrying the state on (advance)"
MARKS = "loan marks of the meetings"
STATE = "loading a cycle's state (every call)"
ALIKE = "executemany alike (foreign keys checked, change feed and client ids copied; A B B A)"

_CALLS = ("import_cycle", "record_meetings", "share_out", "settle_member_exit", "add_members",
          "start_cycle", "add_group", "add_referrals", "add_livelihood_supports",
          "add_gal_session", "add_gal_sessions", "write_off")  # fmt: skip


class Parts:
    """Nanoseconds and calls per part, summed while the import runs."""

    def __init__(self) -> None:
        self.ns: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._undo: list[Callable[[], None]] = []
        self._open: Counter[str] = Counter()  # parts running now (a call inside another)

    def time(self, owner: Any, name: str, label: str | None = None) -> None:
        """Sum the time of ``owner.name`` (a module's function or a class's method)."""
        inner = getattr(owner, name)
        key = label or name

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter_ns()
            self._open[key] += 1
            try:
                return inner(*args, **kwargs)
            finally:
                self._open[key] -= 1
                self.ns[key] += time.perf_counter_ns() - start
                self.calls[key] += 1

        setattr(owner, name, timed)
        self._undo.append(lambda: setattr(owner, name, inner))

    def by_table(self, module: Any) -> None:
        """Sum ``insert_values`` (every bulk insert ends in it) as ``module`` calls it, per
        table (rows counted, not calls)."""
        inner = module.insert_values

        def timed(conn: Any, table: Any, names: Any, values: Sequence[Any]) -> None:
            start = time.perf_counter_ns()
            try:
                inner(conn, table, names, values)
            finally:
                spent = time.perf_counter_ns() - start
                self.ns[f"insert {table.name}"] += spent
                self.calls[f"insert {table.name}"] += len(values)
                if self._open[CYCLE_CALL]:
                    self.ns[MEETING_INSERTS] += spent
                    self.calls[MEETING_INSERTS] += len(values)

        module.insert_values = timed
        self._undo.append(lambda: setattr(module, "insert_values", inner))

    def undo(self) -> None:
        for step in reversed(self._undo):
            step()

    def lines(self) -> Iterator[str]:
        for title, keep in (
            ("the store's calls", lambda key: key in _CALLS),
            ("parts of them", lambda key: key not in _CALLS and not key.startswith("insert ")),
            ("the inserts, by table", lambda key: key.startswith("insert ")),
        ):
            yield title
            for key, ns in self.ns.most_common():
                if keep(key):
                    unit = (
                        "rows" if key.startswith("insert ") or key == MEETING_INSERTS else "calls"
                    )
                    yield f"  {key:36} {ns / 1e6:9.1f} ms  ({self.calls[key]:,} {unit})"


def other_calls(parts: Parts) -> int:
    """Nanoseconds in the store's calls other than ``import_cycle``, inserts included."""
    return sum(ns for key, ns in parts.ns.items() if key in _CALLS and key != CYCLE_CALL)


def meetings_allowance(result: scale.ImportMeasure, parts: Parts) -> int:
    """Nanoseconds the checks and writing of every meeting (beyond their inserts) could take
    and the import still run at 0.5 of the ``executemany`` rate: twice the ``executemany``
    time, less the store's other calls (registrations, referrals, GAL sessions, ..., their
    inserts included) and the inserts made inside ``import_cycle``. Negative: those alone
    are over, and no speed of the meeting checks reaches 0.5 with these calls."""
    return 2 * result.executemany_ns - other_calls(parts) - parts.ns[MEETING_INSERTS]


def _inserts(parts: Parts) -> int:
    """Nanoseconds in every insert (the "insert ..." parts, whichever call made them)."""
    return sum(ns for key, ns in parts.ns.items() if key.startswith("insert "))


def budget(result: scale.ImportMeasure, parts: Parts) -> int:
    """Nanoseconds a row the library could spend beyond its own inserts and still write at
    0.5 of the ``executemany`` rate: twice the ``executemany`` time, less the inserts (the
    "insert" parts), over the rows (negative: the inserts alone are over)."""
    return (2 * result.executemany_ns - _inserts(parts)) // max(result.rows, 1)


def bounds(result: scale.ImportMeasure, parts: Parts) -> dict[str, Decimal]:
    """The ratio this run would have had if the part each design removes had cost nothing
    (its inserts, which any design still makes, kept): the most that design could give.

    - a planner of a whole cycle: the meetings' planning and the state carried from one to
      the next (``plan_meeting``, ``advance``);
    - the loan marks worked out in one pass: their Python (their inserts kept);
    - a whole group in one call: the store's calls around ``import_cycle`` and the state
      load, beyond their inserts;
    - all three at once."""
    planner = parts.ns[PLANNING] + parts.ns[ADVANCE]
    marks = max(0, parts.ns[MARKS] - parts.ns["insert loan_marks"])
    around = other_calls(parts) - (_inserts(parts) - parts.ns[MEETING_INSERTS])
    group = max(0, around) + parts.ns[STATE]

    def without(ns: int) -> Decimal:
        return scale._places(
            Decimal(result.executemany_ns) / Decimal(max(result.library_ns - ns, 1))
        )

    return {
        "as measured": result.ratio,
        "a cycle planner": without(planner),
        "loan marks in one pass": without(marks),
        "a group in one call": without(group),
        "all three": without(planner + marks + group),
    }


def floor(rows: int = 20_000, repeats: int = 3) -> dict[str, int]:
    """Nanoseconds a row (best of ``repeats``) of the three objects the meeting path makes
    for every entry, with no rule checked and nothing written: the planned entry, its row
    of values and the entry the call returns. The least any planner of typed entries spends
    before its first check."""
    day = dt.date(2024, 1, 1)
    best = {"planned entry": 0, "row of values": 0, "entry returned": 0}
    for n in range(repeats):
        start = time.perf_counter_ns()
        planned = [PlannedEntry(EntryKind.SHARE_PURCHASE, 20_000, member_id=i, shares=2)
                   for i in range(rows)]  # fmt: skip
        made = time.perf_counter_ns()
        values = [store_rows.entry_values(1, 1, day, p, None) for p in planned]
        rowed = time.perf_counter_ns()
        returned = list(map(store_rows.written_entry, range(rows), values, planned))
        done = time.perf_counter_ns()
        assert len(returned) == rows
        for key, ns in zip(best, (made - start, rowed - made, done - rowed), strict=True):
            best[key] = ns if n == 0 else min(best[key], ns)
    return {key: ns // rows for key, ns in best.items()}


def measure(backend: scale.Backend, sample: int, seed: int) -> tuple[scale.ImportMeasure, Parts]:
    scale.reset(backend)
    store = vsla.open(backend.url)
    generate(store, groups=1, seed=seed, weekly=True, code_prefix="W")  # schema, programme
    store.close()
    parts = Parts()
    for name in _CALLS:
        parts.time(vsla.Store, name)
    parts.time(store_meetings, "plan_meeting", PLANNING)
    parts.time(store_meetings, "advance", ADVANCE)
    parts.time(store_meetings.MeetingStore, "_write_rows", "writing planned meetings")
    parts.time(store_meetings, "refresh_loan_marks", MARKS)
    parts.time(store_base.StoreBase, "_state", STATE)
    for module in (store_rows, store_meetings):
        parts.by_table(module)
    try:
        result = scale.measure_import(backend, sample, seed + 1, alike=True)
    finally:
        parts.undo()
    return result, parts


def _backend(postgres: str | None) -> AbstractContextManager[scale.Backend]:
    """PostgreSQL at the URL ``postgres``, or a fresh SQLite file."""
    return scale.postgres_backend(postgres) if postgres else scale.sqlite_backend()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--postgres", metavar="URL", help="measure on PostgreSQL at URL")
    parser.add_argument("--sample", type=int, default=scale.SAMPLE, help="groups imported")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=1, help="measures (a fresh database each)")
    args = parser.parse_args(argv)
    if args.runs > 1:
        return _repeated(args.postgres, args.sample, args.seed, args.runs)
    with _backend(args.postgres) as backend:
        result, parts = measure(backend, args.sample, args.seed)
    print(
        f"{backend.name}: {result.rows:,} rows; library {result.library_ns / 1e6:.1f} ms, "
        f"executemany {result.executemany_ns / 1e6:.1f} ms: ratio {result.ratio}"
    )
    assert result.alike_ns is not None  # measure() always times the copies alike
    assert result.plain_ns is not None
    print(
        f"  {ALIKE}: {result.alike_ns / 1e6:.1f} ms, ratio {result.alike_ratio}; "
        f"the plain copies around it: {result.plain_ns / 1e6:.1f} ms, "
        f"ratio {result.plain_ratio}"
    )
    for line in parts.lines():
        print(line)
    print("at 0.5 of executemany")
    print(f"  beyond its inserts, a row may take    {budget(result, parts) / 1e3:9.2f} µs")
    for key, ns in floor().items():
        print(f"  {'making its ' + key + ' alone':36} {ns / 1e3:9.2f} µs  (an entry, no rule)")
    left = meetings_allowance(result, parts)
    meetings = max(parts.calls[PLANNING], 1)
    inserts = parts.ns[MEETING_INSERTS]
    others = other_calls(parts)
    now = parts.ns[CYCLE_CALL] - inserts
    print(f"  twice executemany                    {2 * result.executemany_ns / 1e6:9.1f} ms")
    print(f"  the other calls (their inserts too)  {others / 1e6:9.1f} ms")
    print(f"  the inserts of import_cycle          {inserts / 1e6:9.1f} ms")
    each, spent = left / meetings / 1e3, now / meetings / 1e3
    print(f"  {f'left to check {meetings:,} meetings':36} {left / 1e6:9.1f} ms  "
          f"({each:.1f} µs a meeting; they take {spent:.1f} µs now)")  # fmt: skip
    print("the ratio if a part cost nothing (the most a design could give)")
    for name, ratio in bounds(result, parts).items():
        print(f"  {name:36} {ratio:>9}")
    return 0


def _repeated(postgres: str | None, sample: int, seed: int, runs: int) -> int:
    """``runs`` measures, each on a fresh database and with groups of its own: a line each
    (the library's and ``executemany``'s times, the ratio and its bounds), then the median
    of each column."""
    rows: list[tuple[int, int, dict[str, Decimal]]] = []
    for n in range(runs):
        with _backend(postgres) as backend:
            result, parts = measure(backend, sample, seed + 10 * n)
        plain, alike = result.plain_ratio, result.alike_ratio
        assert plain is not None  # measure() always times the copies alike
        assert alike is not None
        ratios = {**bounds(result, parts), "plain (A B B A)": plain, "alike (A B B A)": alike}
        rows.append((result.library_ns, result.executemany_ns, ratios))
        name = backend.name
    names = list(rows[0][2])
    print(f"{name}: {runs} measures of {sample} groups; the ratio as measured, then if a part "
          "cost nothing, then against the plain copies and the copies alike")  # fmt: skip
    print(f"  {'library':>9} {'executemany':>12}  " + "  ".join(f"{n:>22}" for n in names))
    for library, executemany, ratios in rows:
        print(f"  {library / 1e6:7.0f}ms {executemany / 1e6:10.0f}ms  "
              + "  ".join(f"{ratios[n]:>22}" for n in names))  # fmt: skip
    medians = [scale._places(statistics.median(r[2][n] for r in rows)) for n in names]
    print(f"  {statistics.median(r[0] for r in rows) / 1e6:7.0f}ms "
          f"{statistics.median(r[1] for r in rows) / 1e6:10.0f}ms  "
          + "  ".join(f"{m:>22}" for m in medians) + "  (medians)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
