"""The programme export, its re-import (same figures, on SQLite and PostgreSQL), and the
pseudonymised export (no name, phone or free text anywhere in the bytes)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import vsla
from tests.conftest import snapshot
from tests.io import dataset
from vsla.io import ImportKind, export_programme, import_file
from vsla.store import tables
from vsla.store import tables as t

ON = (dt.date(2024, 2, 1), dt.date(2024, 5, 1), dt.date(2024, 12, 31))


def emptied(store: vsla.Store) -> vsla.Store:
    """The same database with every table dropped and created again: an empty store."""
    tables.metadata.drop_all(store.engine)
    tables.metadata.create_all(store.engine)
    return store


def figures(store: vsla.Store, *, personal: bool = True) -> dict[Any, Any]:
    """Everything a report could show, with database ids replaced by what they stand for
    (member numbers, positions in a list). ``personal=False`` leaves out names, phones and
    free text (for a pseudonymised export)."""
    out: dict[Any, Any] = {
        "programmes": [p.model_dump(exclude={"id"}) for p in store.programmes()],
        "groups": [g.model_dump(exclude={"id", "programme_id"}) for g in store.groups()],
    }
    for g in store.groups():
        members = store.members(g.id)
        number = {m.id: m.number for m in members}
        drop = {"id", "group_id"} | (set() if personal else {"full_name", "phone"})
        out[g.code, "members"] = [m.model_dump(exclude=drop) for m in members]
        for c in store.cycles(g.id):
            key = (g.code, c.number)
            out[key, "cycle"] = (c.start_date, c.end_date, c.shared_out_on, c.constitution)
            out[key, "officers"] = sorted((number[m], r) for m, r in c.officers.items())
            out[key, "balances"] = store.balances(c.id)
            out[key, "balances on"] = [store.balances(c.id, on) for on in ON]
            out[key, "member balances"] = sorted(
                (
                    *(number[b.member_id], b.shares, b.savings, b.social_fund_contributions),
                    *(b.fines, b.principal_outstanding),
                )
                for b in store.member_balances(c.id)
            )
            loans = store.loans(c.id)
            loan_at = {loan.id: i for i, loan in enumerate(loans)}
            out[key, "loans"] = [
                (
                    *(number[loan.member_id], loan.terms, loan.purpose),
                    *(
                        store.loan_position(loan.id, on)
                        for on in ON
                        if on >= loan.terms.disbursed_on
                    ),
                )
                for loan in loans
            ]
            entries = store.entries(c.id)
            entry_at = {e.id: i for i, e in enumerate(entries)}
            out[key, "entries"] = [
                (
                    *(e.date, e.kind, e.amount, e.shares),
                    None if e.member_id is None else number[e.member_id],
                    None if e.loan_id is None else loan_at[e.loan_id],
                    None if e.reverses_id is None else entry_at[e.reverses_id],
                    e.memo.split(": ", 1)[-1] if e.reverses_id else e.memo,
                )
                for e in entries
            ]
            if not personal:
                out[key, "entries"] = [row[:-1] for row in out[key, "entries"]]
            out[key, "meetings"] = [
                (m.date, m.number, sorted((number[k], v) for k, v in m.attendance.items()))
                for m in store.meetings(c.id)
            ]
    member_number = {m.id: (g.code, m.number) for g in store.groups() for m in store.members(g.id)}
    out["referrals"] = [
        (
            *(member_number[r.member_id], r.institution, r.service, r.referred_on, r.outcome),
            *(r.outcome_on, r.note if personal else ""),
        )
        for r in store.referrals()
    ]
    out["livelihood"] = [
        (member_number[s.member_id], s.kind, s.received_on, s.value)
        + ((s.provider, s.note) if personal else ())
        for s in store.livelihood_supports()
    ]
    out["gal"] = [
        (s.held_on, s.tool, s.women, s.men, s.reached_by_peer_sharing)
        + ((s.note,) if personal else ())
        for s in store.gal_sessions()
    ]
    return out


def test_the_dataset_has_every_kind_of_history(store: vsla.Store) -> None:
    dataset.build(store)
    dg = store.group("KT-DG-001")
    first, second = store.cycles(dg.id)
    kinds = {e.kind for e in store.entries(first.id)}
    assert {
        vsla.EntryKind.LOAN_DISBURSEMENT,
        vsla.EntryKind.PRINCIPAL_REPAYMENT,
        vsla.EntryKind.INTEREST_PAYMENT,
        vsla.EntryKind.WRITE_OFF,
        vsla.EntryKind.EXIT_PAYOUT,
        vsla.EntryKind.SHARE_OUT_PAYOUT,
        vsla.EntryKind.SOCIAL_GRANT,
        vsla.EntryKind.FINE,
        vsla.EntryKind.EXPENSE,
        vsla.EntryKind.OTHER_INCOME,
    } <= kinds
    assert any(e.reverses_id for e in store.entries(first.id))
    assert first.shared_out_on == dt.date(2024, 4, 8)
    assert {e.kind for e in store.entries(second.id)} >= {vsla.EntryKind.OPENING_SOCIAL_FUND}
    # upfront interest (2 % x 3 months of 90.000 = 5.400) was paid at disbursement, so the
    # 30.000 repaid is all principal
    [loan] = store.loans(store.cycles(store.group("KT-KR-002").id)[0].id)
    assert store.loan_position(loan.id, dt.date(2024, 12, 31)).principal_outstanding == 60_000


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_re_import_of_an_export_gives_the_same_figures(
    store: vsla.Store, tmp_path: Path, suffix: str
) -> None:
    dataset.build(store)
    before = figures(store)
    path = tmp_path / f"programme{suffix}"
    export_programme(store, path)
    target = emptied(store)
    summary = import_file(target, ImportKind.PROGRAMME, path)
    assert figures(target) == before
    # restored through the store's own operations: the loans' arrears marks are written too
    assert target.verify_loan_marks() == []
    with target.connection() as conn:
        assert conn.execute(select(func.count()).select_from(t.loan_marks)).scalar_one() > 0
    assert summary.per_table == {
        "programmes": 1,
        "groups": 2,
        "members": 6,
        "cycles": 3,
        "officers": 2,
        "meetings": 11,
        "attendance": 22,
        "loans": 4,
        "entries": 62,  # 61 + the interest due written off with a loan
        "referrals": 2,
        "livelihood_supports": 2,
        "gal_sessions": 1,
    }
    # and the rebuilt store exports to the same file, ids and all
    again = tmp_path / f"again{suffix}"
    export_programme(target, again)
    if suffix == ".json":
        assert json.loads(again.read_text("utf-8")) == json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_pseudonymised_export_has_no_name_phone_or_free_text(
    store: vsla.Store, tmp_path: Path, suffix: str
) -> None:
    dataset.build(store)
    before = figures(store, personal=False)
    path = tmp_path / f"programme{suffix}"
    export_programme(store, path, pseudonymise=True, salt="muối bí mật của tỉnh")
    if suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            data = b"".join(z.read(name) for name in z.namelist())
    else:
        data = path.read_bytes()
    for secret in dataset.NAMES + dataset.PHONES + dataset.FREE_TEXT:
        assert secret.encode("utf-8") not in data, secret
    assert b"Hoa" not in data
    # still a complete export: it rebuilds the same figures
    target = emptied(store)
    import_file(target, ImportKind.PROGRAMME, path)
    assert figures(target, personal=False) == before


def _pseudonyms(path: Path) -> list[str]:
    document = json.loads(path.read_text("utf-8"))
    return [m["id"] for m in document["tables"]["members"]]


def test_pseudonyms_are_stable_with_the_same_salt(
    store: vsla.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset.build(store)
    export_programme(store, tmp_path / "a.json", pseudonymise=True, salt="salt-one")
    monkeypatch.setenv("VSLA_PSEUDONYM_SALT", "salt-one")
    export_programme(store, tmp_path / "b.json", pseudonymise=True)
    export_programme(store, tmp_path / "c.json", pseudonymise=True, salt="salt-two")
    a, b, c = (_pseudonyms(tmp_path / f"{n}.json") for n in "abc")
    assert a == b
    assert len(set(a)) == len(a) == 6
    assert not set(a) & set(c)
    assert all(len(p) == 16 and int(p, 16) >= 0 for p in a)


def test_a_pseudonymised_export_needs_a_salt(
    store: vsla.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VSLA_PSEUDONYM_SALT", raising=False)
    with pytest.raises(vsla.InvalidInput, match="VSLA_PSEUDONYM_SALT"):
        export_programme(store, tmp_path / "p.json", pseudonymise=True)


def test_a_tampered_export_is_refused_at_the_row_and_nothing_is_written(
    store: vsla.Store, tmp_path: Path
) -> None:
    dataset.build(store)
    path = tmp_path / "programme.json"
    export_programme(store, path)
    document = json.loads(path.read_text("utf-8"))
    # the third entry of the ledger (a social fund contribution of the first meeting)
    document["tables"]["entries"][2]["amount"] = 3_000
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    target = emptied(store)
    before = snapshot(target)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(target, ImportKind.PROGRAMME, path)
    assert snapshot(target) == before
    [error] = exc.value.errors
    assert (error.source, error.row, error.column) == ("programme.json [meetings]", 2, "")
    assert error.message.startswith(
        "the rebuilt ledger differs from the export at entry 3 (entries row 4): "
    )


def test_a_rule_broken_in_an_edited_export_is_refused(store: vsla.Store, tmp_path: Path) -> None:
    dataset.build(store)
    path = tmp_path / "programme.json"
    export_programme(store, path)
    document = json.loads(path.read_text("utf-8"))
    items = document["tables"]["meeting_items"]
    loan = next(i for i in items if i["item"] == "loan")
    loan["amount"] = 10_000_000  # far above 3 x the member's savings
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    target = emptied(store)
    before = snapshot(target)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(target, ImportKind.PROGRAMME, path)
    assert snapshot(target) == before
    [error] = exc.value.errors
    assert (error.source, error.row) == ("programme.json [meetings]", 3)
    assert "max_loan_multiple" in error.message


def test_groups_already_in_the_database_are_refused(store: vsla.Store, tmp_path: Path) -> None:
    dataset.build(store)
    path = tmp_path / "programme.xlsx"
    export_programme(store, path)
    before = snapshot(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, ImportKind.PROGRAMME, path)
    assert snapshot(store) == before
    assert exc.value.errors == [
        vsla.RowError(
            "programme.xlsx [groups]", 2, "code", "group KT-DG-001 is already in the database"
        ),
        vsla.RowError(
            "programme.xlsx [groups]", 3, "code", "group KT-KR-002 is already in the database"
        ),
    ]


def test_not_an_export(store: vsla.Store, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}', "utf-8")
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(store, ImportKind.PROGRAMME, path)
    assert exc.value.errors == [
        vsla.RowError(
            "other.json", 0, "", "not a vsla programme export (expected format 'vsla-programme')"
        )
    ]
    with pytest.raises(vsla.InvalidInput, match="group_code does not apply"):
        import_file(store, ImportKind.PROGRAMME, path, group_code="KT-DG-001")


def test_a_broken_reference_is_a_row_error(store: vsla.Store, tmp_path: Path) -> None:
    dataset.build(store)
    path = tmp_path / "programme.json"
    export_programme(store, path)
    document = json.loads(path.read_text("utf-8"))
    document["tables"]["members"][0]["group_id"] = 99
    document["tables"]["loans"][0]["principal"] = "a lot"
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    target = emptied(store)
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(target, ImportKind.PROGRAMME, path)
    assert exc.value.errors == [
        vsla.RowError("programme.json [loans]", 2, "principal", "'a lot' is not a whole number"),
    ]
    document["tables"]["loans"][0]["principal"] = 100_000
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    with pytest.raises(vsla.ImportErrors) as exc:
        import_file(target, ImportKind.PROGRAMME, path)
    assert exc.value.errors == [
        vsla.RowError("programme.json [members]", 2, "group_id", "no groups row has the id 99"),
    ]
