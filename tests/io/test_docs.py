"""docs/import-export.md describes every template column and every exported table."""

from __future__ import annotations

from pathlib import Path

from vsla.io import COLUMNS, EXAMPLES, LEDGER_COLUMNS
from vsla.io.programme import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-export.md"


def test_the_page_names_every_column_and_table() -> None:
    text = DOC.read_text("utf-8")
    for kind, columns in COLUMNS.items():
        section = text.split(f"### `{kind.value}`", 1)[1].split("\n### ", 1)[0]
        for column in columns:
            assert f"| `{column.name}` |" in section, (kind, column.name)
        header = ",".join(c.name for c in columns)
        assert header in section, kind
        for example in EXAMPLES[kind][:1]:
            row = ",".join(example.get(c.name, "") for c in columns)
            assert row in section or kind.value == "meetings", (kind, row)
    for table in TABLES:
        assert f"`{table}`" in text, table
    for name in LEDGER_COLUMNS:
        assert f"`{name}`" in text, name
