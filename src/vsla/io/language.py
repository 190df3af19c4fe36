"""Spreadsheets in Vietnamese or English: headers, help texts and row errors.

A template is written with the headers of one language; an import reads either (and a
header typed without its diacritics: ``Ma to`` is ``Mã tổ``). A row error is said in
English by its own message; in Vietnamese by the catalogue's ``row.<rule>`` text, filled
in with the error's facts, and when a rule has no Vietnamese text yet, by its English
message marked as such.
"""

from __future__ import annotations

__all__ = [
    "as_lang",
    "cell_kind",
    "column_header",
    "column_help",
    "column_key",
    "format_help",
    "row_message",
    "say",
    "summary_text",
]

import string
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any

from vsla.domain.arguments import checked_call
from vsla.errors import InvalidInput, RowError
from vsla.io.cells import Choice, parse_amount, parse_date, parse_text, parse_whole
from vsla.io.columns import Column
from vsla.words import WORDS, Lang, word
from vsla.words.sheets import HEADERS


def as_lang(value: Lang | str) -> Lang:
    """``value`` as a :class:`~vsla.words.Lang`, or :class:`~vsla.errors.InvalidInput`."""
    try:
        return Lang(value)
    except ValueError:
        raise InvalidInput(f"unknown language {value!r}: vi or en") from None


def _bare(text: str) -> str:
    """Lower case, no diacritics, words joined by ``_``: 'Mã tổ' -> 'ma_to'."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "_".join(bare.replace("-", " ").replace("_", " ").split())


@cache
def _by_header() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, vi in HEADERS.items():
        found[_bare(vi)] = name
        found[_bare(name)] = name
    return found


def column_key(header: str) -> str | None:
    """The column a header names in either language, or ``None``: ``Mã tổ``, ``Ma to``
    and ``group_code`` are all ``group_code``."""
    return _by_header().get(_bare(header))


def column_header(name: str, lang: Lang) -> str:
    """A column's header in ``lang`` (its own name in English)."""
    key = f"col.{name}"
    return word(key, lang) if key in WORDS else name


def column_help(kind: str, column: Column, lang: Lang) -> str:
    """What a column means, for the help sheet."""
    for key in (f"help.{kind}.{column.name}", f"help.{column.name}"):
        if key in WORDS:
            return word(key, lang)
    return column.description


def cell_kind(column: Column) -> str:
    """What a column's cells hold, as a ``fmt.<kind>`` key of the catalogue."""
    from vsla.io import registry_columns as rc

    parse = column.parse
    if isinstance(parse, Choice):
        return "choice"
    if column.name == "programme":
        return "programme"
    known: dict[object, str] = {
        parse_text: "text",
        parse_amount: "amount",
        parse_date: "date",
        parse_whole: "whole",
        rc.parse_rate: "rate",
        rc.parse_fines: "fines",
        rc.parse_officers: "officers",
    }
    if parse in known:
        return known[parse]
    return "decimal" if column.format.startswith("a number") else "whole"


def format_help(column: Column, lang: Lang) -> str:
    """How to write a column's cells, for the help sheet (and a bad cell's error)."""
    lang = as_lang(lang)
    kind = cell_kind(column)
    if kind != "choice":
        return word(f"fmt.{kind}", lang)
    choice: Choice[Any] = column.parse  # type: ignore[assignment]
    if lang is Lang.EN:
        return column.format
    local = [label for m in choice.enum for label in choice.labels[m][:1]]
    values = ", ".join(local) if all(choice.labels[m] for m in choice.enum) else ""
    codes = ", ".join(m.value for m in choice.enum)
    shown = f"{values} ({word('sheet.also', lang)}: {codes})" if values else codes
    return word("fmt.choice", lang, values=shown)


def _fill(text: str, facts: Mapping[str, object]) -> str | None:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    if not names <= {name for name, value in facts.items() if value is not None}:
        return None
    return text.format(**{name: facts[name] for name in names})


@checked_call
def row_message(error: RowError, lang: Lang | str) -> str:
    """A row error in ``lang``: English is the error's own message; Vietnamese is the
    catalogue's text for its rule filled in with its facts, or, for a rule without a
    Vietnamese text (or facts it lacks), the English message marked as untranslated.

    ```pycon
    >>> e = RowError("a.csv", 2, "group_code", "unknown group 'KT-X'", "unknown_group",
    ...              {"group_code": "KT-X"})
    >>> row_message(e, Lang.VI)
    'không có tổ mã “KT-X”: đăng ký tổ trước (vsla import groups)'
    >>> row_message(e, Lang.EN)
    "unknown group 'KT-X'"

    ```
    """
    return say(error.message, error.rule, error.facts, as_lang(lang))


def say(message: str, rule: str | None, facts: Mapping[str, object], lang: Lang) -> str:
    """What a row error or warning (``message``, ``rule``, ``facts``) says in ``lang``:
    :func:`row_message` for anything that carries the three."""
    if lang is Lang.EN:
        return message
    key = f"row.{rule}"
    if rule and key in WORDS:
        filled = _fill(WORDS[key][Lang.VI], facts)
        if filled is not None:
            return filled
    if rule:
        return word("row.untranslated", lang, message=message, rule=rule)
    return word("row.no_rule", lang, message=message)


def summary_text(
    source: str, rows: int, records: int, per_table: Mapping[str, int], warnings: int, lang: Lang
) -> str:
    """An import's summary line in ``lang``."""
    from vsla.words import count

    none = word("sheet.none", lang)
    tables = ", ".join(
        f"{count(n, lang)} {word(f'table.{t}', lang) if f'table.{t}' in WORDS else t}"
        for t, n in per_table.items()
        if n
    )
    text = word(
        "import_done",
        lang,
        source=source,
        rows=count(rows, lang),
        records=count(records, lang),
        tables=tables or none,
    )
    return text + (word("import_warned", lang, n=warnings) if warnings else "")
