"""Spreadsheets in Vietnamese or English: template headers and help sheets in the chosen
language, either language's headers read back, and row errors said in Vietnamese from their
rule and facts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import vsla
from tests.io.conftest import write_csv
from vsla.errors import RowError
from vsla.io import COLUMNS, ImportKind, import_file, write_template
from vsla.io.language import column_key, row_message
from vsla.words import WORDS, Lang
from vsla.words.sheets import HEADERS

IMPORTERS = Path(vsla.__file__).parent / "io" / "importers"


def _raised_rules() -> set[str]:
    """Every rule an importer names: the ``rule`` argument of each ``problems.add(row,
    column, message, rule, ...)``, and the rules of the tables that map a store's or the
    domain's refusals to one (``_DATE_RULES``, ``_STORE_RULE_COLUMNS``)."""
    rules: set[object] = set()
    for path in IMPORTERS.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add"
                and len(node.args) >= 4
                and isinstance(node.args[3], ast.Constant)
                and isinstance(node.args[3].value, str)
            ):
                rules.add(node.args[3].value)
            if (  # the meetings importer's bad(column, message, rule, ...)
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "bad"
                and len(node.args) >= 3
                and isinstance(node.args[2], ast.Constant)
            ):
                rules.add(node.args[2].value)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if names == ["_DATE_RULES"]:
                    rules |= {v.value for v in node.value.values if isinstance(v, ast.Constant)}
                if names == ["_STORE_RULE_COLUMNS"]:
                    rules |= {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
    return {rule for rule in rules if isinstance(rule, str)}


def test_every_rule_the_importers_raise_has_a_vietnamese_text() -> None:
    rules = _raised_rules()
    # the list is read from the code, so it cannot be empty by mistake
    assert {"unknown_group", "bad_cell", "group_code_taken", "one_running_cycle"} <= rules
    assert {"shares_per_meeting", "member_active", "date_in_cycle"} <= rules
    missing = sorted(rule for rule in rules if f"row.{rule}" not in WORDS)
    assert missing == []


def test_a_row_error_in_vietnamese_from_its_rule_and_facts() -> None:
    error = RowError(
        "tv.csv",
        3,
        "member_number",
        "number 2 of group KT-DG-001 is already taken (row 2)",
        "member_number_taken",
        {"group_code": "KT-DG-001", "member_number": 2},
    )
    assert row_message(error, Lang.VI) == (
        "số 2 của tổ KT-DG-001 đã có người (trong tổ, hoặc ở dòng trên)"
    )
    assert row_message(error, Lang.EN) == error.message


def test_a_rule_without_vietnamese_text_or_facts_still_reads_clearly() -> None:
    unknown = RowError("a.csv", 2, "", "a box would go below zero", "no_such_rule_yet", {})
    assert row_message(unknown, Lang.VI) == (
        "a box would go below zero (lỗi “no_such_rule_yet”, chưa có bản tiếng Việt)"
    )
    lacking = RowError("a.csv", 2, "", "unknown group 'X'", "unknown_group", {})
    assert "chưa có bản tiếng Việt" in row_message(lacking, Lang.VI)
    bare = RowError("a.csv", 2, "", "something odd")
    assert row_message(bare, Lang.VI) == "something odd (chưa có bản tiếng Việt)"


def test_every_template_column_has_a_vietnamese_header_and_no_two_read_alike() -> None:
    names = {c.name for columns in COLUMNS.values() for c in columns}
    assert names <= set(HEADERS)
    assert all(column_key(HEADERS[name]) == name for name in names)
    assert column_key("Ma to") == column_key("MÃ TỔ") == column_key("group_code") == "group_code"
    assert column_key("Ngày giới thiệu") == "referred_on"


@pytest.mark.parametrize("kind", [k for k in ImportKind if k is not ImportKind.PROGRAMME])
def test_a_vietnamese_xlsx_template_is_vietnamese_and_an_english_one_english(
    kind: ImportKind, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    write_template(kind, tmp_path / "vi.xlsx", "vi")
    write_template(kind, tmp_path / "en.xlsx", "en")
    vi, en = load_workbook(tmp_path / "vi.xlsx"), load_workbook(tmp_path / "en.xlsx")
    assert vi.sheetnames == [kind.value, "ví dụ", "hướng dẫn"]
    assert en.sheetnames == [kind.value, "example", "help"]
    names = [c.name for c in COLUMNS[kind]]
    assert next(vi[kind.value].iter_rows(values_only=True)) == tuple(HEADERS[n] for n in names)
    assert next(en[kind.value].iter_rows(values_only=True)) == tuple(names)
    help_vi = list(vi["hướng dẫn"].iter_rows(values_only=True))
    assert help_vi[0] == ("cột", "bắt buộc", "cách ghi", "mặc định", "ý nghĩa")
    assert {r[1] for r in help_vi[1:]} <= {"có", "không"}
    help_en = list(en["help"].iter_rows(values_only=True))
    # no English meaning is left in the Vietnamese help, nor Vietnamese words in the English
    assert all(v[4] != e[4] or not v[4] for v, e in zip(help_vi[1:], help_en[1:], strict=True)), (
        kind
    )
    assert not any("ngày" in str(r[2]) for r in help_en[1:])


def test_a_csv_template_in_vietnamese_filled_in_imports(store: vsla.Store, tmp_path: Path) -> None:
    path = tmp_path / "to.csv"
    write_template("groups", path, "vi")
    header = path.read_text("utf-8-sig").strip().split(",")
    assert header[:3] == ["Mã tổ", "Tên tổ", "Tỉnh"]
    rows = [header, ["KT-DG-001", "Tổ Đăk Nhoong", "", "Đắk Glei", "", "", "02/01/2024", "", ""]]
    summary = import_file(store, "groups", write_csv(path, rows))
    assert summary.per_table == {"groups": 1}
    assert store.group("KT-DG-001").province == "Kon Tum"  # blank: the default


def test_mixed_and_unaccented_headers_are_read(store: vsla.Store, tmp_path: Path) -> None:
    rows = [
        ["Ma to", "name", "Ngay thanh lap"],
        ["KT-DG-001", "Tổ Đăk Nhoong", "02/01/2024"],
    ]
    import_file(store, "groups", write_csv(tmp_path / "to.csv", rows))
    assert store.group("KT-DG-001").name == "Tổ Đăk Nhoong"
