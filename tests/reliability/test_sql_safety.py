"""SQL safety: every statement is parameterised, and hostile text is stored as it is.

(a) The source is scanned with ``ast`` for SQL text built from non-literal parts (f-strings,
``%``, ``.format``, ``+``) passed to ``text()``, ``exec_driver_sql()``, ``.execute()`` or a
``COPY`` (``.copy()``).
(b) Hostile strings go into every free-text field on SQLite and PostgreSQL and come back
byte-identical, with every table still there; a NUL is refused with InvalidInput.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect as sa_inspect

import vsla
from tests.conftest import BACKENDS, fresh_store
from vsla.store import tables

SRC = Path(vsla.__file__).parent
SQL_CALLS = {"text", "exec_driver_sql", "execute", "copy"}
# (file, function or method) -> why a dynamic SQL string there is safe.
ALLOWED: dict[tuple[str, str], str] = {
    ("store/rows.py", "insert_values"): (
        "the table and column names come from the SQLAlchemy metadata (each name given is "
        "looked up in the table's columns first), never from data; "
        "every value is bound to a '?' placeholder (SQLite) or streamed as COPY data, which "
        "psycopg escapes (PostgreSQL)"
    ),
    ("store/rows.py", "_insert_sqlite"): (
        "called by insert_values only, with the table's and columns' names as the SQLAlchemy "
        "metadata spells them; the statement repeats a group of '?' placeholders a power of "
        "two times, and every value is bound to one of them"
    ),
    ("store/transactions.py", "sqlite_on_connect"): (
        "PRAGMA busy_timeout takes no parameters; the value is int() of a module constant"
    ),
}


def _dynamic(node: ast.expr) -> bool:
    """Whether the expression builds a string from non-literal parts."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return not (_literal(node.left) and _literal(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("format", "join") and _literal(node.func.value)
    return False


def _literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.BinOp) and _literal(node.left) and _literal(node.right)
    )


def dynamic_sql() -> set[tuple[str, str, int]]:
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        scopes: list[tuple[str, ast.AST]] = [
            (f.name, f)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        scopes += [
            ("<module>", stmt)
            for stmt in tree.body
            if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ]
        for where, scope in scopes:
            for node in ast.walk(scope):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in SQL_CALLS and _dynamic(node.args[0]):
                    found.add((str(path.relative_to(SRC)), where, node.lineno))
    return found


def test_the_scan_finds_dynamic_sql() -> None:
    sample = 'def f(conn, t):\n    conn.execute(text(f"DROP TABLE {t}"))\n'
    node = ast.parse(sample).body[0].body[0].value  # type: ignore[attr-defined]
    assert _dynamic(node.args[0].args[0])
    assert not _dynamic(ast.parse('"SELECT 1"').body[0].value)  # type: ignore[attr-defined]


def test_no_sql_is_built_from_values() -> None:
    found = {(f, w, n) for f, w, n in dynamic_sql() if (f, w) not in ALLOWED}
    assert found == set(), f"SQL built from non-literal parts (parameterise it): {found}"


HOSTILE = [
    "'); DROP TABLE entries; --",
    "Robert'); DELETE FROM members WHERE ('1'='1",
    '"; DROP TABLE groups; --',
    "\\'; SELECT pg_sleep(1); --",
    "%s %(name)s {0} :id ?",
    "Đắk Glei \u202e \ufeff 🐃",
    "\t tab and\nnewline\r\n",
    "x" * 2_000,
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40),
)


def _roundtrip(store: vsla.Store, text: str, n: int) -> None:
    day = dt.date(2024, 1, 8)
    label = text.strip() or "x"
    group = store.add_group(
        vsla.NewGroup(code=f"G{n}", name=label, district=label, commune=label, established_on=day)
    )
    member = store.add_member(
        vsla.NewMember(
            group_id=group.id,
            full_name=label,
            sex=vsla.Sex.FEMALE,
            phone=text[:32],
            joined_on=day,
            ethnicity=label,
        )
    )
    referral = store.add_referral(
        vsla.NewReferral(
            member_id=member.id,
            institution=vsla.Institution.VBSP,
            service=label,
            referred_on=day,
            note=text,
        )
    )
    support = store.add_livelihood_support(
        vsla.NewLivelihoodSupport(
            member_id=member.id,
            kind=vsla.SupportKind.INPUTS,
            provider=text,
            received_on=day,
            note=text,
        )
    )
    cycle = store.start_cycle(
        group.id,
        start=day,
        end=dt.date(2024, 12, 1),
        constitution=vsla.Constitution(
            share_value=1_000,
            interest_rate=0,
            fines={label: 500},
        ),
    )
    ref = f"{label[:48]}/{n}"  # a loan's ref is its client id: unique among the loans
    store.record_meeting(
        cycle.id,
        vsla.MeetingInput(
            date=day,
            share_purchases={member.id: 5},
            fines=[vsla.FinePaid(member_id=member.id, fine=label)],
            other_income=[vsla.Income(amount=100, memo=text)],
            loans=[vsla.LoanRequest(member_id=member.id, principal=1_000, term_months=1, ref=ref)],
        ),
    )
    assert store.group(group.code).name == label
    assert store.group(group.id).district == label
    got = store.member(member.id)
    assert (got.full_name, got.phone, got.ethnicity) == (label, text[:32], label)
    assert store.referrals(member_id=member.id) == [referral]
    assert store.livelihood_supports(member_id=member.id) == [support]
    assert store.cycle(cycle.id).constitution.fines == {label: 500}
    memos = {e.memo for e in store.entries(cycle.id)}
    assert text in memos
    assert store.loans(cycle.id)[0].ref == ref
    with store.engine.connect() as conn:
        names = set(sa_inspect(conn).get_table_names())
    assert set(tables.metadata.tables) <= names


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_text_is_stored_byte_identical(backend: str) -> None:
    store = fresh_store(backend)
    counter = iter(range(10**6))

    @settings(
        max_examples=25 if backend == "sqlite" else 10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(text=hostile)
    def run(text: str) -> None:
        _roundtrip(store, text, next(counter))

    try:
        for i, text in enumerate(HOSTILE):
            _roundtrip(store, text, 10**7 + i)
        run()
    finally:
        store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_nul_in_text_is_invalid_input_on_every_backend(backend: str) -> None:
    store = fresh_store(backend)
    try:
        with pytest.raises(vsla.InvalidInput, match="NUL"):
            vsla.NewGroup(code="N", name="a\x00b", established_on=dt.date(2024, 1, 8))
        with pytest.raises(vsla.InvalidInput, match="NUL"):
            store.group("KT\x00")
        assert store.groups() == []
    finally:
        store.close()


def test_text_longer_than_its_column_is_invalid_input() -> None:
    """PostgreSQL refuses a phone of 33 characters (SQLite would keep it): refused up front."""
    with pytest.raises(vsla.InvalidInput, match="phone"):
        vsla.NewMember(
            group_id=1, full_name="Y Hoa", sex="F", phone="0" * 33, joined_on=dt.date(2024, 1, 8)
        )
    with pytest.raises(vsla.InvalidConstitution, match="too many digits"):
        vsla.Constitution(share_value=1_000, interest_rate="0." + "1" * 40)
