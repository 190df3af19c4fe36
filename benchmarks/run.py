"""Benchmarks: how ``vsla`` scales from one province (91 groups) to a national programme.

``make bench`` (or ``python benchmarks/run.py``) generates demo programmes of increasing
size (:func:`vsla.demo.generate`) into a SQLite file, and into PostgreSQL when
``VSLA_TEST_POSTGRES_URL`` is set (its tables are dropped and re-created: use a scratch
database), and times:

- generation: meetings written per second, and the time per meeting as a ratio of the time
  per meeting of the smallest programme of the same run (near 1: it scales linearly);
- ``Store.import_cycle`` (a cycle's whole history in one call) against the calls one by
  one (``record_meeting`` for each meeting, ``settle_member_exit``, ``write_off``,
  ``share_out``), for the same cycles of the same groups: the speed-up of the import;
- ``group_indicators_all`` and ``programme_indicators`` on the report date (best of 3),
  with the same per-group ratio against the smallest programme.

Times are measured with :func:`time.perf_counter_ns` (whole nanoseconds) and shown with
:class:`~decimal.Decimal`: no float. Nothing here is asserted: speed is measured, not tested.

Options: ``--sizes 91,910`` (default ``91,273``: a few minutes), ``--full`` (91, 910 and
10,000 groups: hours, and gigabytes of disk), ``--sample 10`` (groups in the import
comparison), ``--seed``, ``--sqlite-only``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

import vsla
from vsla.demo import DemoSummary, generate
from vsla.store import tables

DEFAULT_SIZES = (91, 273)
FULL_SIZES = (91, 910, 10_000)
POSTGRES_ENV = "VSLA_TEST_POSTGRES_URL"
NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Measure:
    """One timed operation. ``units`` are what ``per_unit_ns`` divides by (meetings for
    generation and recording, groups for indicators)."""

    backend: str
    groups: int
    what: str
    ns: int
    units: int
    unit: str
    ratio: Decimal | None = None  # per-unit time / the same at the baseline size

    @property
    def per_unit_ns(self) -> int:
        return self.ns // max(self.units, 1)

    @property
    def per_second(self) -> int:
        return self.units * NS // max(self.ns, 1)


Backend = Callable[[], AbstractContextManager[vsla.Store]]


@contextmanager
def sqlite_store() -> Iterator[vsla.Store]:
    """A store on a new SQLite file in a temporary directory (a file, as in real use)."""
    with tempfile.TemporaryDirectory(prefix="vsla-bench-") as folder:
        store = vsla.open(Path(folder) / "bench.db")
        try:
            yield store
        finally:
            store.close()


def postgres_backend(url: str) -> Backend:
    @contextmanager
    def store() -> Iterator[vsla.Store]:
        engine = create_engine(url)
        tables.metadata.drop_all(engine)
        s = vsla.open(engine)
        try:
            yield s
        finally:
            tables.metadata.drop_all(engine)
            s.close()

    return store


def measure_generation(
    backend: str, store: vsla.Store, groups: int, seed: int
) -> tuple[Measure, DemoSummary]:
    start = time.perf_counter_ns()
    summary = generate(store, groups=groups, seed=seed)
    ns = time.perf_counter_ns() - start
    return Measure(backend, groups, "generate", ns, summary.meetings, "meeting"), summary


# the calls that write a cycle's meetings and other events, one way or the other
_RECORDING = ("import_cycle", "record_meetings", "settle_member_exit", "write_off", "share_out")


def _time_recording(store: vsla.Store) -> list[int]:
    """Wrap the store's calls that write a cycle's events (``record_meeting`` calls
    ``record_meetings``) so that the time spent in them adds up in the returned one-item
    list."""
    spent = [0]
    for name in _RECORDING:
        inner = getattr(store, name)

        def timed(*args: Any, __inner: Any = inner, **kwargs: Any) -> Any:
            start = time.perf_counter_ns()
            try:
                return __inner(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter_ns() - start

        setattr(store, name, timed)  # an instance override
    return spent


IMPORT = "import_cycle (cycle)"
ONE_BY_ONE = "record_meeting x1"


def measure_batches(backend: str, open_store: Backend, groups: int, seed: int) -> list[Measure]:
    """The same demo groups' cycles written with one ``import_cycle`` each, then call by
    call; only the time spent in the store's calls that write a cycle's events counts."""
    out = []
    for what, one_by_one in ((IMPORT, False), (ONE_BY_ONE, True)):
        with open_store() as store:
            spent = _time_recording(store)
            summary = generate(store, groups=groups, seed=seed, one_by_one=one_by_one)
            out.append(Measure(backend, groups, what, spent[0], summary.meetings, "meeting"))
    return out


def _best_of(repeats: int, action: Callable[[], object]) -> int:
    """The shortest of ``repeats`` runs, in nanoseconds (the least disturbed by the rest of
    the machine)."""
    best = None
    for _ in range(repeats):
        start = time.perf_counter_ns()
        action()
        ns = time.perf_counter_ns() - start
        best = ns if best is None else min(best, ns)
    assert best is not None
    return best


def measure_indicators(
    backend: str, store: vsla.Store, summary: DemoSummary, repeats: int = 3
) -> list[Measure]:
    from vsla.reports import group_indicators_all, programme_indicators

    on, pid, groups = summary.as_of, summary.programme_id, summary.groups
    reported = len(group_indicators_all(store, on, programme_id=pid))
    ns_all = _best_of(repeats, lambda: group_indicators_all(store, on, programme_id=pid))
    ns_programme = _best_of(repeats, lambda: programme_indicators(store, pid, on))
    return [
        Measure(backend, groups, "group_indicators_all", ns_all, reported, "group"),
        Measure(backend, groups, "programme_indicators", ns_programme, groups, "group"),
    ]


def with_ratios(measures: Sequence[Measure]) -> list[Measure]:
    """Each measure's per-unit time against the smallest programme's, same backend and
    operation (the baseline of this run)."""
    base: dict[tuple[str, str], Measure] = {}
    for m in sorted(measures, key=lambda m: m.groups):
        base.setdefault((m.backend, m.what), m)
    out = []
    for m in measures:
        b = base[(m.backend, m.what)]
        ratio = Decimal(m.per_unit_ns) / Decimal(max(b.per_unit_ns, 1))
        out.append(Measure(m.backend, m.groups, m.what, m.ns, m.units, m.unit, _places(ratio, 2)))
    return out


def batch_speedups(measures: Sequence[Measure]) -> dict[str, Decimal]:
    """The calls one by one / import_cycle, per backend."""
    out = {}
    for backend in sorted({m.backend for m in measures}):
        batch = [m for m in measures if m.backend == backend and m.what == IMPORT]
        single = [m for m in measures if m.backend == backend and m.what == ONE_BY_ONE]
        if batch and single:
            out[backend] = _places(Decimal(single[0].ns) / Decimal(max(batch[0].ns, 1)), 2)
    return out


def _places(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def seconds(ns: int) -> str:
    return str(_places(Decimal(ns) / NS, 3))


def run(
    sizes: Sequence[int],
    backends: dict[str, Backend],
    *,
    seed: int = 2021,
    sample: int = 10,
    report: Callable[[str], None] = print,
) -> list[Measure]:
    """Run every measure; ``report`` gets one line of progress per step."""
    measures: list[Measure] = []
    for name, open_store in backends.items():
        report(f"[{name}] import_cycle vs one by one, {sample} groups …")
        measures += measure_batches(name, open_store, sample, seed)
        for groups in sorted(sizes):
            report(f"[{name}] {groups:,} groups: generate …")
            with open_store() as store:
                generation, summary = measure_generation(name, store, groups, seed)
                measures.append(generation)
                report(f"[{name}] {groups:,} groups: indicators …")
                measures += measure_indicators(name, store, summary)
    return with_ratios(measures)


def table(measures: Sequence[Measure]) -> str:
    header = ("backend", "groups", "operation", "seconds", "units", "per second", "per unit ms",
              "x baseline")  # fmt: skip
    rows = [header] + [
        (
            m.backend,
            f"{m.groups:,}",
            m.what,
            seconds(m.ns),
            f"{m.units:,} {m.unit}s",
            f"{m.per_second:,}",
            str(_places(Decimal(m.per_unit_ns) / 1_000_000, 3)),
            "" if m.ratio is None else str(m.ratio),
        )
        for m in measures
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.ljust(w) if i in (0, 2) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", help="comma-separated group counts (default 91,273)")
    parser.add_argument("--full", action="store_true", help="91, 910 and 10,000 groups")
    parser.add_argument("--sample", type=int, default=10, help="groups in the batch test")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = tuple(int(s) for s in args.sizes.split(","))
    else:
        sizes = FULL_SIZES if args.full else DEFAULT_SIZES
    backends: dict[str, Backend] = {"sqlite": sqlite_store}
    url = os.environ.get(POSTGRES_ENV)
    if url and not args.sqlite_only:
        backends["postgresql"] = postgres_backend(url)
    started = dt.datetime.now().replace(microsecond=0).isoformat(" ")
    python = sys.version.split()[0]
    print(f"vsla {vsla.__version__} benchmarks, {started}, Python {python}")
    print(f"sizes {', '.join(f'{s:,}' for s in sizes)} groups; backends {', '.join(backends)}")
    measures = run(sizes, backends, seed=args.seed, sample=args.sample, report=print)
    print()
    print(table(measures))
    print()
    for backend, speedup in batch_speedups(measures).items():
        print(f"{backend}: import_cycle is {speedup} x as fast as the calls one by one")
    print("x baseline: time per unit / the same at the smallest size (near 1: linear scaling)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
