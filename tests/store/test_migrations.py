"""Schema versions: a database made by vsla 0.1 is upgraded with every row and figure kept,
the tables equal the head revision, and what cannot be opened is refused, untouched.

``data/v0_1_demo.sql`` is the ``sqlite3`` dump of a database made by the released vsla 0.1
(commit 58489fb): ``generate(vsla.open(path), groups=2, seed=4)``, two groups
(one a GAL pilot) with a cycle each, shared out, three member exits and a written-off loan.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, String, bindparam, create_engine, inspect, select, text
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table

import vsla
from tests import conftest
from tests.conftest import BACKENDS, POSTGRES_URL, snapshot
from tests.store import figures
from vsla.demo import generate
from vsla.reports import group_indicators
from vsla.store import schema, tables
from vsla.store.schema import SCHEMA_HEAD

DUMP = Path(__file__).with_name("data") / "v0_1_demo.sql"
AS_OF = dt.date(2025, 4, 7)  # the demo's last meeting
MID = dt.date(2024, 9, 2)  # both cycles running, loans out
PG_SCHEMA = f"vsla_mig_{os.getpid()}"  # this module's own schema: never another test's

# Figures computed by the released vsla 0.1 on the database of the dump (checked by hand
# against `vsla report` of that version): (group code, cycle) -> ...
SHARE_OUT = {  # distributable, total shares, total payout, remainder
    "KT-DG-001": (13_329_750, 1185, 13_329_741, 9),
    "KT-TMR-001": (10_527_050, 985, 10_527_043, 7),
}
ON_MID = {  # members, savings, loan fund cash, loans outstanding, attendance num/den
    "KT-DG-001": (22, 8_590_000, 965_000, 8_440_000, 399, 426),
    "KT-TMR-001": (19, 4_380_000, 2_888_250, 1_670_000, 186, 209),
}
ROWS = {
    "programmes": 1,
    "groups": 2,
    "members": 43,
    "cycles": 2,
    "officers": 16,
    "meetings": 52,
    "attendance": 1086,
    "loans": 107,
    "entries": 1999,
    "referrals": 6,
    "livelihood_supports": 8,
    "gal_sessions": 9,
}


# ---------------------------------------------------------------------------- helpers


def sqlite_engine(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}")


def pg_engine() -> Engine:
    assert POSTGRES_URL
    return create_engine(POSTGRES_URL, connect_args={"options": f"-c search_path={PG_SCHEMA}"})


def reset_pg_schema() -> None:
    conftest.reset_pg_schema(PG_SCHEMA)


@pytest.fixture(scope="module", autouse=True)
def _drop_pg_schema() -> Iterator[None]:
    yield
    if POSTGRES_URL:
        conftest.reset_pg_schema(PG_SCHEMA, create=False)


def load_dump(path: Path) -> None:
    """A SQLite file holding the vsla 0.1 database of the dump, as that version left it."""
    conn = sqlite3.connect(path)
    conn.executescript(DUMP.read_text(encoding="utf-8"))
    conn.close()


@pytest.fixture(scope="module")
def dump_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The dump in a SQLite file, never upgraded: the rows and figures to compare with."""
    path = tmp_path_factory.mktemp("v0_1") / "reference.db"
    load_dump(path)
    engine = sqlite_engine(path)
    yield engine
    engine.dispose()


def empty_database(backend: str, tmp_path: Path) -> Engine:
    if backend == "sqlite":
        return sqlite_engine(tmp_path / "vsla.db")
    reset_pg_schema()
    return pg_engine()


def copy_rows(source: Engine, target: Engine) -> None:
    """Every row of the source's tables, ids kept, types converted by SQLAlchemy (the
    columns the source has: later revisions add some, and rename loans.ref)."""
    with source.connect() as src, target.begin() as dst:
        found = set(inspect(src).get_table_names())
        for table in tables.metadata.sorted_tables:
            if table.name not in found:
                continue
            present = [c["name"] for c in inspect(src).get_columns(table.name)]
            typed = {c.name: c.type for c in table.c}
            clause = sa_table(table.name, *(sa_column(n, typed.get(n, String())) for n in present))
            query = select(*clause.c).order_by(*(clause.c[c.name] for c in table.primary_key))
            rows = [r._asdict() for r in src.execute(query)]
            if rows:
                dst.execute(clause.insert().values({n: bindparam(n) for n in present}), rows)
            if dst.dialect.name == "postgresql" and "id" in table.c:  # serials after the ids
                dst.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )


def migrate(engine: Engine, revision: str) -> None:
    """Run the migrations from an empty database to ``revision``, as Alembic would."""
    with engine.begin() as conn:
        command.upgrade(schema.alembic_config(conn), revision)


def legacy_database(backend: str, tmp_path: Path, dump: Engine, *, stamped: bool) -> Engine:
    """The vsla 0.1 database of the dump on ``backend``: with no version table as 0.1 left
    it, or (``stamped``) at revision 0001 of the version table."""
    if backend == "sqlite":
        path = tmp_path / "v0_1.db"
        load_dump(path)
        engine = sqlite_engine(path)
        if stamped:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
                conn.execute(text("INSERT INTO alembic_version VALUES ('0001')"))
        return engine
    reset_pg_schema()
    engine = pg_engine()
    migrate(engine, "0001")  # the first schema, built by its revision
    if not stamped:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
    copy_rows(dump, engine)
    return engine


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in sorted(schema.FIRST_SCHEMA_TABLES)
        }


def index_names(engine: Engine) -> set[str]:
    return {str(ix["name"]) for ix in inspect(engine).get_indexes("entries")}


def differences(engine: Engine) -> list[Any]:
    """What Alembic's autogenerate finds between the database and ``tables.metadata``."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, tables.metadata))


def file_bytes(path: Path) -> bytes:
    return path.read_bytes()


# ---------------------------------------------------------------------------- revisions


def test_the_head_constant_is_the_head_of_the_scripts() -> None:
    script = ScriptDirectory.from_config(schema.alembic_config())
    assert script.get_heads() == [SCHEMA_HEAD]
    revisions = [s.revision for s in script.walk_revisions("base", "heads")]
    assert revisions == ["0006", "0005", "0004", "0003", "0002", "0001"]
    assert schema.known_revisions() == {"0001", "0002", "0003", "0004", "0005", "0006"}
    names = sorted(p.name for p in (schema.MIGRATIONS / "versions").glob("*.py"))
    assert names == [
        "0001_first_schema.py",
        "0002_entries_cycle_member_index.py",
        "0003_entry_origin.py",
        "0004_client_ids_and_changes.py",
        "0005_bigint_ids.py",
        "0006_loan_marks.py",
    ]


def test_the_first_revision_is_the_released_schema(tmp_path: Path) -> None:
    """Revision 0001 creates exactly the tables vsla 0.1 made: same tables, columns and
    constraints as the dump (compared as SQLite reflects them)."""
    released = tmp_path / "released.db"
    load_dump(released)
    migrated = sqlite_engine(tmp_path / "migrated.db")
    migrate(migrated, "0001")
    old, new = inspect(sqlite_engine(released)), inspect(migrated)
    assert set(new.get_table_names()) - {"alembic_version"} == schema.FIRST_SCHEMA_TABLES
    for name in sorted(schema.FIRST_SCHEMA_TABLES):
        assert [(c["name"], str(c["type"]), c["nullable"]) for c in new.get_columns(name)] == [
            (c["name"], str(c["type"]), c["nullable"]) for c in old.get_columns(name)
        ], name
        assert new.get_pk_constraint(name) == old.get_pk_constraint(name), name
        assert sorted(new.get_foreign_keys(name), key=lambda f: str(f["name"])) == sorted(
            old.get_foreign_keys(name), key=lambda f: str(f["name"])
        ), name
        assert sorted(new.get_unique_constraints(name), key=lambda u: str(u["name"])) == sorted(
            old.get_unique_constraints(name), key=lambda u: str(u["name"])
        ), name
        assert sorted(new.get_indexes(name), key=lambda i: str(i["name"])) == sorted(
            old.get_indexes(name), key=lambda i: str(i["name"])
        ), name


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_tables_equal_the_head_revision(backend: str, tmp_path: Path) -> None:
    """``tables.py`` and the migrations describe the same schema: autogenerate finds no
    difference between the metadata and a database upgraded from empty."""
    engine = empty_database(backend, tmp_path)
    migrate(engine, "head")
    assert differences(engine) == []
    assert schema.schema_version(engine) == SCHEMA_HEAD
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_new_database_is_stamped_at_the_head(backend: str, tmp_path: Path) -> None:
    engine = empty_database(backend, tmp_path)
    assert schema.schema_version(engine) is None
    store = vsla.open(engine)
    assert schema.schema_version(engine) == SCHEMA_HEAD
    assert differences(engine) == []  # create_all made what the migrations would make
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [("0006",)]
    store.close()
    engine.dispose()


def test_opening_a_current_database_writes_nothing_and_loads_no_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vsla.db"
    vsla.open(path).close()
    before = file_bytes(path)

    def forbidden(*_: object) -> None:
        raise AssertionError("the migration scripts were loaded")

    monkeypatch.setattr(schema, "known_revisions", forbidden)
    monkeypatch.setattr(schema, "_upgrade", forbidden)
    with vsla.open(path) as store:
        assert store.programmes() == []
    assert file_bytes(path) == before


def test_a_new_in_memory_store_does_not_load_alembic() -> None:
    """The fast path (tests open about a thousand in-memory stores) never imports Alembic's
    script machinery; checked in a fresh interpreter."""
    import subprocess

    code = (
        "import sys, vsla; s = vsla.open(':memory:'); s.close(); vsla.open(s.engine); "
        "print(sorted(m for m in sys.modules if m.startswith('alembic.script')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------------------- upgrades


@pytest.mark.parametrize("stamped", [False, True], ids=["v0.1-unversioned", "at-0001"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_database_of_the_first_schema_is_upgraded_with_every_figure_kept(
    backend: str, stamped: bool, tmp_path: Path, dump_engine: Engine
) -> None:
    # the figures vsla 0.1 computed on the un-upgraded database (tests/store/figures.py)
    expected = json.loads(figures.FIXTURE.read_text(encoding="utf-8"))
    engine = legacy_database(backend, tmp_path, dump_engine, stamped=stamped)
    assert row_counts(engine) == ROWS
    assert schema.schema_version(engine) == "0001"
    assert "ix_entries_cycle_member" not in index_names(engine)

    store = vsla.open(engine)

    assert schema.schema_version(engine) == SCHEMA_HEAD
    assert "ix_entries_cycle_member" in index_names(engine)
    assert differences(engine) == []
    assert row_counts(engine) == ROWS
    assert figures.covered(expected, figures.figures(store)) == expected
    for group in store.groups():
        (cycle,) = store.cycles(group.id)
        result = store.share_out_result(cycle.id)
        assert (
            result.distributable,
            result.total_shares,
            result.total_payout,
            result.remainder,
        ) == SHARE_OUT[group.code]
        gi = group_indicators(store, group.id, MID)
        assert (
            gi.members,
            gi.savings,
            gi.loan_fund_cash,
            gi.loans_outstanding,
            gi.attendance_rate.numerator,
            gi.attendance_rate.denominator,
        ) == ON_MID[group.code]
    # revision 0003 gave each entry its origin: of the dump's 1,999 entries, 3 exit payouts,
    # 40 share-out payouts and 1 write-off; the other 1,955 were written by meetings
    with engine.connect() as conn:
        origins: dict[str, int] = dict(
            conn.execute(text("SELECT origin, count(*) FROM entries GROUP BY origin")).all()
        )
    assert origins == {"meeting": 1955, "exit_payout": 3, "share_out_payout": 40, "write_off": 1}
    # and the upgraded database takes new rows
    group = store.group("KT-DG-001")
    member = store.add_member(
        vsla.NewMember(
            group_id=group.id,
            full_name="Y Blưp",
            sex=vsla.Sex.FEMALE,
            ethnicity="Ba Na",
            joined_on=AS_OF,
        )
    )
    assert member.number == max(m.number for m in store.members(group.id))
    store.close()
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_revision_0005_makes_ids_64_bit(backend: str, tmp_path: Path, dump_engine: Engine) -> None:
    """Revision 0005: on PostgreSQL every id and every column pointing at one is ``bigint``
    after the upgrade, so rows numbered past 2^31 = 2,147,483,648 are stored and found again;
    on SQLite ids are ``INTEGER`` (the 64-bit rowid) before and after."""
    engine = legacy_database(backend, tmp_path, dump_engine, stamped=True)
    store = vsla.open(engine)
    assert schema.schema_version(engine) == SCHEMA_HEAD
    columns = {c["name"]: str(c["type"]) for c in inspect(engine).get_columns("entries")}
    wide = "BIGINT" if backend == "postgresql" else "INTEGER"
    for name in ("id", "cycle_id", "meeting_id", "member_id", "loan_id", "reverses_id"):
        assert columns[name] == wide, name
    past = 3_000_000_000  # > 2^31 - 1, the largest 32-bit id
    with engine.begin() as conn:
        if backend == "postgresql":
            for table in ("members", "referrals"):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {past})")
                )
        else:  # SQLite numbers a new row max(rowid) + 1: a copy of a referral at `past`
            names = [c["name"] for c in inspect(conn).get_columns("referrals") if c["name"] != "id"]
            listed = ", ".join(names)
            conn.execute(
                text(
                    f"INSERT INTO referrals (id, {listed}) "
                    f"SELECT {past}, {listed} FROM referrals ORDER BY id LIMIT 1"
                )
            )
    group = store.group("KT-DG-001")
    member = store.add_member(
        vsla.NewMember(group_id=group.id, full_name="Y Blưp", sex=vsla.Sex.FEMALE, joined_on=AS_OF)
    )
    referral = store.add_referral(
        vsla.NewReferral(
            member_id=member.id,
            institution=vsla.Institution.VBSP,
            service="savings account",
            referred_on=AS_OF,
        )
    )
    assert referral.id == past + 1
    if backend == "postgresql":
        assert member.id == past + 1
    assert store.member(member.id).full_name == "Y Blưp"
    assert [r.id for r in store.referrals(member_id=member.id)] == [referral.id]
    store.close()
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_revision_0004_keeps_the_refs_and_feeds_every_record(
    backend: str, tmp_path: Path, dump_engine: Engine
) -> None:
    """Revision 0004: a loan's ref is its client id (every value kept), the other records
    have none yet, and the change feed starts with every record the database held, so an
    app's first pull brings all of it; the writes after it come next, in commit order."""
    engine = legacy_database(backend, tmp_path, dump_engine, stamped=True)
    with engine.connect() as conn:
        refs: dict[int, str | None] = dict(conn.execute(text("SELECT id, ref FROM loans")).all())
    store = vsla.open(engine)
    assert schema.schema_version(engine) == SCHEMA_HEAD
    loans = [loan for g in store.groups() for c in store.cycles(g.id) for loan in store.loans(c.id)]
    assert {loan.id: loan.client_id for loan in loans} == refs
    assert all(loan.ref == loan.client_id for loan in loans)
    assert {g.client_id for g in store.groups()} == {None}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM client_ids")).scalar_one() == 0
    pulled = store.changes(None, limit=100_000)
    assert not pulled.more
    kinds: dict[str, int] = {}
    for change in pulled.changes:
        kinds[change.kind.value] = kinds.get(change.kind.value, 0) + 1
    assert kinds == {
        "programme": ROWS["programmes"],
        "group": ROWS["groups"],
        "member": ROWS["members"],
        "cycle": ROWS["cycles"],
        "meeting": ROWS["meetings"],
        "loan": ROWS["loans"],
        "entry": ROWS["entries"],
        "referral": ROWS["referrals"],
        "livelihood_support": ROWS["livelihood_supports"],
        "gal_session": ROWS["gal_sessions"],
    }
    # the next write, with a client id, comes after them; sent again, it is the same member
    group = store.group("KT-DG-001")
    new = vsla.NewMember(
        group_id=group.id, full_name="Y Blưp", sex=vsla.Sex.FEMALE, joined_on=AS_OF, client_id="m-1"
    )
    member = store.add_member(new)
    assert store.add_member(new) == member
    after = store.changes(pulled.cursor)
    assert [(c.kind.value, c.id) for c in after.changes] == [("member", member.id)]
    assert store.changes(after.cursor).changes == ()
    store.close()
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_failed_upgrade_leaves_the_database_as_it_was(
    backend: str, tmp_path: Path, dump_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stamping 0001 and every revision run in one transaction: when the last step fails,
    neither the version table nor the new index remains."""
    engine = legacy_database(backend, tmp_path, dump_engine, stamped=False)
    real = command.upgrade

    def upgrade_then_fail(config: Any, revision: str) -> None:
        real(config, revision)
        raise RuntimeError("the power went out")

    monkeypatch.setattr(command, "upgrade", upgrade_then_fail)
    with pytest.raises(RuntimeError, match="power"):
        vsla.open(engine)
    assert "alembic_version" not in inspect(engine).get_table_names()
    assert "ix_entries_cycle_member" not in index_names(engine)
    assert schema.schema_version(engine) == "0001"
    monkeypatch.undo()
    vsla.open(engine)
    assert schema.schema_version(engine) == SCHEMA_HEAD
    engine.dispose()


def test_upgrade_database_upgrades_a_file(tmp_path: Path) -> None:
    path = tmp_path / "v0_1.db"
    load_dump(path)
    assert vsla.upgrade_database(path) == SCHEMA_HEAD
    assert schema.schema_version(path) == SCHEMA_HEAD
    assert vsla.upgrade_database(str(path)) == SCHEMA_HEAD  # again: nothing to do


# ---------------------------------------------------------------------------- refusals


def set_version(engine: Engine, version: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})


def test_a_newer_database_is_refused_and_left_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "vsla.db"
    with vsla.open(path) as store:
        generate(store, groups=1, seed=2)
        set_version(store.engine, "9999")
    before = file_bytes(path)
    with pytest.raises(vsla.SchemaMismatch) as refused:
        vsla.open(path)
    assert str(refused.value) == (
        "database schema version 9999 is newer than this vsla (0006); upgrade vsla"
    )
    with pytest.raises(vsla.SchemaMismatch):
        vsla.upgrade_database(path)
    assert file_bytes(path) == before


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_newer_database_is_refused_and_nothing_is_written(backend: str, tmp_path: Path) -> None:
    engine = empty_database(backend, tmp_path)
    store = vsla.open(engine)
    generate(store, groups=1, seed=2)
    set_version(engine, "9999")
    before = snapshot(store)
    with pytest.raises(vsla.SchemaMismatch, match=r"9999 is newer than this vsla \(0006\)"):
        vsla.open(engine)
    assert snapshot(store) == before
    assert schema.schema_version(engine) == "9999"
    store.close()
    engine.dispose()


@pytest.mark.parametrize("stamped", [False, True], ids=["v0.1-unversioned", "at-0001"])
def test_upgrade_false_refuses_an_older_database_naming_both_versions(
    stamped: bool, tmp_path: Path, dump_engine: Engine
) -> None:
    engine = legacy_database("sqlite", tmp_path, dump_engine, stamped=stamped)
    engine.dispose()
    path = tmp_path / "v0_1.db"
    before = file_bytes(path)
    with pytest.raises(vsla.SchemaMismatch) as refused:
        vsla.open(path, upgrade=False)
    message = str(refused.value)
    assert "0001" in message
    assert "0006" in message
    assert "vsla.upgrade_database" in message
    assert file_bytes(path) == before
    with vsla.open(path) as store:  # upgrading is the default
        assert len(store.groups()) == 2
    assert schema.schema_version(path) == SCHEMA_HEAD


def test_a_database_with_only_some_vsla_tables_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    engine = sqlite_engine(path)
    tables.metadata.create_all(engine, tables=[tables.programmes, tables.groups])
    engine.dispose()
    before = file_bytes(path)
    with pytest.raises(vsla.SchemaMismatch, match="some of vsla's tables"):
        vsla.open(path)
    assert file_bytes(path) == before


def test_another_applications_version_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "theirs.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    before = file_bytes(path)
    with pytest.raises(vsla.SchemaMismatch, match="another application"):
        vsla.open(path)
    assert file_bytes(path) == before


def test_a_database_with_other_tables_only_gets_vsla_tables(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('kept')")
    with vsla.open(path) as store:
        assert store.programmes() == []
    assert schema.schema_version(path) == SCHEMA_HEAD
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT body FROM notes").fetchall() == [("kept",)]


def test_create_false_leaves_an_empty_database_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    vsla.open(path, create=False).close()
    assert schema.schema_version(path) is None
    assert inspect(sqlite_engine(path)).get_table_names() == []
    vsla.open(path).close()
    assert schema.schema_version(path) == SCHEMA_HEAD


def test_revision_0003_reads_the_old_memos_once(tmp_path: Path) -> None:
    """Every rule of the backfill: a row of each kind of memo vsla 0.1 wrote, at 0002."""
    engine = sqlite_engine(tmp_path / "at-0002.db")
    migrate(engine, "0002")
    rows = [  # (kind, memo, reverses_id) -> the origin expected
        ("share_purchase", "", None, "meeting"),
        ("interest_payment", "upfront", None, "upfront_interest"),
        ("interest_payment", "netted at exit", None, "netted_at_exit"),
        ("principal_repayment", "netted at exit", None, "netted_at_exit"),
        ("interest_payment", "netted at share-out", None, "netted_at_share_out"),
        ("principal_repayment", "netted at share-out", None, "netted_at_share_out"),
        ("exit_payout", "exit: moved", None, "exit_payout"),
        ("share_out_payout", "", None, "share_out_payout"),
        ("transfer_to_social_fund", "share-out remainder", None, "remainder_transfer"),
        ("opening_loan_fund", "carried from cycle 1", None, "opening_carry"),
        ("opening_social_fund", "carried from cycle 1", None, "opening_carry"),
        ("write_off", "upfront", None, "write_off"),  # a reason, not a rule
        ("fine", "upfront", None, "meeting"),  # a fine someone named "upfront"
        ("fine", "late", 13, "reversal"),
    ]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO groups (id, code, name, province, district, commune, "
                "village, established_on, status) VALUES (1, 'G', 'G', '', '', '', "
                "'', '2024-01-01', 'active')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO cycles (id, group_id, number, start_date, end_date, "
                "share_value, constitution) VALUES (1, 1, 1, '2024-01-01', "
                "'2024-12-31', 1000, '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO meetings (id, cycle_id, date, number, minutes_recorded) "
                "VALUES (1, 1, '2024-01-08', 1, 1)"
            )
        )
        for i, (kind, memo, reverses, _) in enumerate(rows, start=1):
            conn.execute(
                text(
                    "INSERT INTO entries (id, cycle_id, meeting_id, date, kind, amount, shares, "
                    "memo, reverses_id) VALUES (:id, 1, 1, '2024-01-08', :kind, 1, 0, :memo, "
                    ":reverses)"
                ),
                {"id": i, "kind": kind, "memo": memo, "reverses": reverses},
            )
    migrate(engine, "0003")
    with engine.connect() as conn:
        got = [r[0] for r in conn.execute(text("SELECT origin FROM entries ORDER BY id"))]
    assert got == [origin for *_, origin in rows]


@pytest.mark.parametrize("backend", BACKENDS)
def test_revision_0006_fills_the_loan_marks_from_the_ledger(
    backend: str, tmp_path: Path, dump_engine: Engine
) -> None:
    """Revision 0006 creates ``loan_marks`` and fills it from the entries already there: every
    loan agrees with its ledger, and the programme's portfolio at risk read from the marks
    equals the one worked out from each loan's history, on the dump's date and a past one."""
    engine = legacy_database(backend, tmp_path, dump_engine, stamped=True)
    store = vsla.open(engine)
    assert schema.schema_version(engine) == SCHEMA_HEAD
    with engine.connect() as conn:
        marks, loans = conn.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT loan_id) FROM loan_marks")
        ).one()
    assert marks >= loans > 0
    assert store.verify_loan_marks() == []
    from vsla.reports import indicators, reference

    [programme] = store.programmes()
    owing = []
    for on in (AS_OF, AS_OF - dt.timedelta(days=90), AS_OF - dt.timedelta(days=180)):
        fast = indicators.programme_indicators(store, programme.id, on)
        assert fast == reference.programme_indicators(store, programme.id, on)
        owing.append(fast.loans_outstanding)
    assert max(owing) > 0  # loans were owing on some of those days
    store.close()
    engine.dispose()
