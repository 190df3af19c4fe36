"""A smoke test of the benchmarks at a trivial size: they run; nothing is timed here."""

from __future__ import annotations

import datetime as dt
import tempfile
from contextlib import nullcontext
from decimal import Decimal
from pathlib import Path

import pytest
from benchmarks import run as bench
from sqlalchemy import create_engine, select, text

import vsla
from tests.conftest import BACKENDS, POSTGRES_URL, own_pg_schema
from vsla.demo import generate

WEEK = dt.timedelta(weeks=1)
START = dt.date(2024, 1, 1)


def test_the_benchmarks_run_at_a_trivial_size() -> None:
    lines: list[str] = []
    measures = bench.run([1, 2], {"sqlite": bench.sqlite_store}, sample=1, report=lines.append)
    assert {m.what for m in measures} == {
        "import_cycle (cycle)",
        "record_meeting x1",
        "generate",
        "group_indicators_all",
        "programme_indicators",
    }
    assert {m.groups for m in measures if m.what == "generate"} == {1, 2}
    assert all(m.ratio is not None for m in measures)
    batch = [m for m in measures if m.what in (bench.IMPORT, bench.ONE_BY_ONE)]
    assert len({m.units for m in batch}) == 1  # the same meetings both ways
    assert set(bench.batch_speedups(measures)) == {"sqlite"}
    assert "group_indicators_all" in bench.table(measures)
    assert lines


def test_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--sizes", "1", "--sample", "1", "--sqlite-only"]) == 0
    out = capsys.readouterr().out
    assert "x baseline" in out
    assert "import_cycle is" in out


def test_the_national_benchmark_runs_at_a_trivial_size(capsys: pytest.CaptureFixture[str]) -> None:
    """Two groups generated, cloned to five; nothing is timed here, but the three dashboards
    (vsla, the hand-written SQL, pandas) must give the same figures or it stops."""
    from benchmarks import scale

    argv = ["--sizes", "2,5", "--template", "2", "--sample", "1", "--sqlite-only"]
    assert scale.main(argv) == 0
    out = capsys.readouterr().out
    assert "== sqlite, 5 groups" in out
    assert out.count("same figures: yes") == 2
    assert "bulk import: library" in out
    assert out.count("; the median of ") == 2  # three imports a size, the median of record
    assert "30-member meeting: median" in out


def test_the_existing_group_meetings_go_to_open_cycles_only() -> None:
    """``existing_meeting_latencies`` on the demo's first four groups (seed 2021): three
    cycles are shared out, one (KT-TMR-001, 47 meetings) is open with room before its end,
    so exactly one meeting is timed, written a week after that cycle's last meeting."""
    from benchmarks import scale

    store = vsla.open("sqlite://")
    summary = generate(store, groups=4, seed=2021, weekly=True)

    def held() -> dict[str, list[dt.date]]:
        return {
            g.code: [m.date for m in store.meetings(store.cycles(g.id)[-1].id)]
            for g in store.groups(summary.programme_id)
        }

    before = held()
    timed = scale.existing_meeting_latencies(store, summary.programme_id, meetings=3)
    after = held()
    assert len(timed) == 1
    assert {code: len(days) for code, days in before.items()} == {
        "KT-DG-001": 51, "KT-KP-001": 51, "KT-ST-001": 51, "KT-TMR-001": 47,
    }  # fmt: skip
    assert after["KT-TMR-001"] == [*before["KT-TMR-001"], before["KT-TMR-001"][-1] + WEEK]
    assert {k: v for k, v in after.items() if k != "KT-TMR-001"} == {
        k: v for k, v in before.items() if k != "KT-TMR-001"
    }
    store.close()


def test_cloning_copies_every_row_of_the_template(tmp_path: Path) -> None:
    """Cloning 2 groups to 5: the template (groups 1, 2), one whole copy (3, 4), then a copy
    of group 1 alone (5): 45 members + 45 + group 1's 17 = 107. The programme row itself is
    not copied, and both dashboards count the copies alike."""
    from benchmarks import scale

    url = f"sqlite:///{tmp_path / 'clone.db'}"
    store = vsla.open(url)
    generate(store, groups=2, seed=3, weekly=True)
    store.close()
    engine = create_engine(url)
    before = scale.row_counts(engine)
    with engine.connect() as conn:
        first_group = conn.execute(
            text("SELECT count(*) FROM members WHERE group_id = 1")
        ).scalar_one()
    scale.clone(engine, 5)
    after = scale.row_counts(engine)
    assert after["programmes"] == before["programmes"] == 1
    assert after["groups"] == 5
    assert (before["members"], first_group) == (45, 17)
    assert after["members"] == 2 * before["members"] + first_group == 107
    on = dt.date(2025, 4, 7)
    reopened = vsla.open(url)
    assert scale.dashboard_sql(engine, 1, on) == scale.dashboard_vsla(reopened, 1, on)
    reopened.close()
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_library_writes_again_after_the_executemany_copy(backend: str) -> None:
    """The import measure copies the rows it wrote with explicit ids (shifted past the
    last); a group added through the library afterwards must still get a free id, on
    PostgreSQL too (where the sequences do not follow explicit ids by themselves). Demo
    seed 2021, then one group imported (id 2), copied (3), copied alike twice (4, 5) and
    copied once more (6): the next group added gets id 7.

    Each copy holds exactly the library's rows once more (not the earlier copies' rows
    too): each copied table gains five times what the import wrote, once by the import and
    once by each of the four copies; the change feed and the client ids are copied by the
    copies alike only."""
    from benchmarks import scale

    from vsla.store import tables as t

    schemas = own_pg_schema("vsla_bench_copy") if backend == "postgresql" else nullcontext()
    with schemas as schema, tempfile.TemporaryDirectory() as folder:
        url = (
            f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
            if schema
            else f"sqlite:///{Path(folder) / 'copy.db'}"
        )
        where = scale.Backend(backend, url)
        store = vsla.open(url)
        generate(store, groups=1, seed=2021, weekly=True, code_prefix="W")
        store.close()
        engine = create_engine(url)

        def changes() -> list[tuple[str, list[int]]]:
            """The change feed's rows, (kind, record ids), in the order written."""
            with engine.connect() as conn:
                query = select(t.changes.c.kind, t.changes.c.record_ids).order_by(t.changes.c.id)
                return [(kind, list(ids)) for kind, ids in conn.execute(query)]

        start, feed = scale.row_counts(engine), len(changes())
        measured = scale.measure_import(where, 1, 2022, alike=True)
        assert measured.rows > 0
        assert measured.alike_ns is not None
        assert measured.plain_ns is not None
        end = scale.row_counts(engine)
        for name, wrote in measured.per_table.items():
            assert end[name] - start[name] == 5 * wrote, name  # the import, then four copies
        assert end["groups"] == 6
        store = vsla.open(url)
        new = vsla.NewGroup(code="KT-NEW-001", name="Nhóm mới", established_on=START)
        gid = store.add_group(new).id
        store.close()
        assert gid == 7
        # the change feed: the import's rows, then the same rows again by each copy alike,
        # in the same order, then the one row of the group just added
        *copied, added = changes()[feed:]
        n = len(copied) // 3
        assert n > 0
        assert len(copied) == 3 * n
        assert copied[:n] == copied[n : 2 * n] == copied[2 * n :]
        assert added == ("group", [gid])
        # programmes: the demo's (1), the import's (2), then the copies' (3 to 6): the
        # import's client ids are copied under the programmes of the copies alike only
        with engine.connect() as conn:
            keys: dict[int, int] = dict(
                conn.execute(
                    text("SELECT programme_key, count(*) FROM client_ids GROUP BY programme_key")
                ).all()
            )
        assert keys[2] > 0
        assert keys[4] == keys[5] == keys[2]
        assert 3 not in keys
        assert 6 not in keys
        engine.dispose()


def test_percentile_is_the_nearest_rank() -> None:
    from benchmarks import scale

    values = list(range(1, 21))  # 1..20: the 95th percentile is the 19th value, the median the 10th
    assert (scale.percentile(values, 50), scale.percentile(values, 95)) == (10, 19)
    assert scale.percentile([7], 95) == 7


def test_the_import_of_record_is_the_median_of_the_imports() -> None:
    """Three imports with ratios 1.0 / 2.5 = 0.40, 1.0 / 1.7 = 0.59 (rounded to hundredths)
    and 1.0 / 2.0 = 0.50: the median is 0.50, whatever order they ran in; of two, the upper
    middle one (0.59). The report prints the one of record and the three."""
    from benchmarks import scale

    def run(library_ms: int) -> scale.ImportMeasure:  # tenths of a millisecond
        return scale.ImportMeasure(1_000, library_ms * 100_000, 1_000_000)

    slow, fast, middle = run(25), run(17), run(20)
    assert [str(m.ratio) for m in (slow, fast, middle)] == ["0.40", "0.59", "0.50"]
    assert scale.median_import([slow, fast, middle]) is middle
    assert scale.median_import([fast, middle, slow]) is middle
    assert scale.median_import([slow, fast]) is fast


def test_the_ratio_alike_is_the_copy_alike_over_the_library() -> None:
    """Library 5.0 ms, executemany 1.0 ms, the copies alike 2.0 ms and the plain ones around
    them 1.5 ms (means): 1.0 / 5.0 = 0.20, 2.0 / 5.0 = 0.40 and 1.5 / 5.0 = 0.30; without
    the copies alike there are no such ratios."""
    from benchmarks import scale

    measured = scale.ImportMeasure(1_000, 5_000_000, 1_000_000, {}, 2_000_000, 1_500_000)
    assert (measured.ratio, measured.alike_ratio, measured.plain_ratio) == (
        Decimal("0.20"),
        Decimal("0.40"),
        Decimal("0.30"),
    )
    plain = scale.ImportMeasure(1_000, 5_000_000, 1_000_000)
    assert (plain.alike_ratio, plain.plain_ratio) == (None, None)


def test_the_import_budget_is_twice_executemany_less_the_inserts_a_row() -> None:
    """0.5 of the ``executemany`` rate allows the library twice its time: 2 x 1.0 ms = 2.0 ms
    for 1,000 rows; its inserts took 0.6 + 0.2 ms, so (2,000,000 - 800,000) ns / 1,000 rows
    = 1,200 ns a row for the rest. Parts not named "insert ..." do not count; inserts over
    the whole allowance leave a negative budget: (2,000,000 - 2,500,000) / 1,000 = -500."""
    from benchmarks import import_parts, scale

    measured = scale.ImportMeasure(rows=1_000, library_ns=5_000_000, executemany_ns=1_000_000)
    parts = import_parts.Parts()
    parts.ns.update({"insert entries": 600_000, "insert attendance": 200_000, "_state": 9})
    assert import_parts.budget(measured, parts) == 1_200
    parts.ns["insert entries"] = 2_300_000
    assert import_parts.budget(measured, parts) == -500


def test_what_the_meetings_may_take_is_what_the_other_calls_and_the_inserts_leave() -> None:
    """Twice an ``executemany`` of 1.0 ms is 2.0 ms; the GAL sessions took 0.5 ms and the
    members 0.25 ms (their inserts counted in their calls), import_cycle's inserts 0.75 ms:
    2,000,000 - 500,000 - 250,000 - 750,000 = 500,000 ns for checking every meeting. Parts
    inside a call (the state, the inserts by table) and import_cycle's own time do not
    count again; with GAL sessions of 1.5 ms the allowance is 2,000,000 - 1,500,000 -
    250,000 - 750,000 = -500,000: no speed of the meeting checks would reach 0.5."""
    from benchmarks import import_parts, scale

    measured = scale.ImportMeasure(rows=1_000, library_ns=9_000_000, executemany_ns=1_000_000)
    parts = import_parts.Parts()
    parts.ns.update({
        "add_gal_session": 500_000, "add_members": 250_000, import_parts.MEETING_INSERTS: 750_000,
        "import_cycle": 4_000_000, "insert entries": 700_000,
        "loading a cycle's state (every call)": 300_000,
    })  # fmt: skip
    assert import_parts.meetings_allowance(measured, parts) == 500_000
    parts.ns["add_gal_session"] = 1_500_000
    assert import_parts.meetings_allowance(measured, parts) == -500_000


def test_each_design_is_bounded_by_the_ratio_without_the_part_it_removes() -> None:
    """An ``executemany`` of 1.0 ms against a library of 5.0 ms: 1.0 / 5.0 = 0.20 as
    measured. Planning 1.0 ms and advancing 0.25 ms: 1.0 / (5.0 - 1.25) = 0.266.. -> 0.27.
    Loan marks 0.6 ms of which 0.1 ms their insert: 1.0 / (5.0 - 0.5) = 0.222.. -> 0.22.
    The calls around import_cycle 0.6 ms (add_members 0.4 with its insert of 0.15,
    add_group 0.2 with 0.05), the state load 0.35 ms: the inserts are 0.15 + 0.05 + 0.7
    (entries) + 0.1 (loan marks) = 1.0 ms, 0.8 of them inside import_cycle, so the group
    call removes 0.6 - 0.2 + 0.35 = 0.75 ms (import_cycle's own 3.9 ms is not one of the
    calls around it): 1.0 / 4.25 = 0.235.. -> 0.24. All three: 1.25 + 0.5 + 0.75 = 2.5 ms,
    1.0 / 2.5 = 0.40."""
    from benchmarks import import_parts, scale

    measured = scale.ImportMeasure(rows=1_000, library_ns=5_000_000, executemany_ns=1_000_000)
    parts = import_parts.Parts()
    parts.ns.update({
        import_parts.PLANNING: 1_000_000, import_parts.ADVANCE: 250_000,
        import_parts.MARKS: 600_000, "insert loan_marks": 100_000,
        "add_members": 400_000, "insert members": 150_000,
        "add_group": 200_000, "insert groups": 50_000,
        "insert entries": 700_000, import_parts.MEETING_INSERTS: 800_000,
        import_parts.STATE: 350_000, "import_cycle": 3_900_000,
    })  # fmt: skip
    assert {k: str(v) for k, v in import_parts.bounds(measured, parts).items()} == {
        "as measured": "0.20",
        "a cycle planner": "0.27",
        "loan marks in one pass": "0.22",
        "a group in one call": "0.24",
        "all three": "0.40",
    }


def test_repeated_measures_print_a_line_each_and_their_medians(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--runs 2``: two measures on fresh databases, a line each and a line of medians."""
    from benchmarks import import_parts

    assert import_parts.main(["--sample", "1", "--runs", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("sqlite: 2 measures of 1 groups")
    assert "a cycle planner" in out[1]
    assert "alike (A B B A)" in out[1]
    assert len(out) == 5
    assert out[-1].endswith("(medians)")


def test_the_import_breakdown_runs_and_leaves_the_store_as_it_was(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``python -m benchmarks.import_parts`` on one group: it prints the ratio and a line per
    part (nothing is timed here), and puts back every function it wrapped."""
    from benchmarks import import_parts

    import vsla.store.meetings as store_meetings
    import vsla.store.rows as store_rows

    before = (
        vsla.Store.import_cycle,
        vars(store_meetings)["plan_meeting"],
        store_rows.insert_values,
        vars(store_meetings)["insert_values"],
    )
    assert import_parts.main(["--sample", "1"]) == 0
    out = capsys.readouterr().out
    assert "sqlite:" in out
    assert "ratio" in out
    assert "executemany alike" in out
    assert "import_cycle" in out
    assert "insert entries" in out
    assert "beyond its inserts, a row may take" in out
    assert "making its entry returned alone" in out
    assert "inserts inside import_cycle" in out
    assert "left to check" in out
    assert "a group in one call" in out
    after = (
        vsla.Store.import_cycle,
        vars(store_meetings)["plan_meeting"],
        store_rows.insert_values,
        vars(store_meetings)["insert_values"],
    )
    assert after == before
