"""The one catalogue of words people read, in Vietnamese and English, and how numbers print.

Each area keeps its words in a module of its own (:mod:`vsla.words.screen` for the command
line's screens, :mod:`vsla.words.documents` for printed documents, :mod:`vsla.words.sheets`
for spreadsheets and import messages, :mod:`vsla.words.charts` for charts);
:data:`WORDS` joins them, and a key may live in one area only. Every key has a text in
both languages with the same ``{placeholders}`` (``tests/unit/test_words.py``).

Money is printed with :func:`vsla.format_money`: ``1.234.567 ₫`` in Vietnamese,
``1,234,567 VND`` in English. A ratio (``Decimal("0.153")``) is printed as a percentage
with one decimal: ``15,3 %`` in Vietnamese, ``15.3 %`` in English.
"""

from __future__ import annotations

__all__ = ["AREAS", "WORDS", "Lang", "count", "money", "percent", "tick", "word"]

from decimal import ROUND_HALF_UP, Decimal

from vsla.domain.money import format_money
from vsla.words import charts, documents, screen, sheets
from vsla.words.lang import Lang

AREAS: dict[str, dict[str, dict[Lang, str]]] = {
    "screen": screen.WORDS,
    "documents": documents.WORDS,
    "sheets": sheets.WORDS,
    "charts": charts.WORDS,
}


def _join() -> dict[str, dict[Lang, str]]:
    joined: dict[str, dict[Lang, str]] = {}
    for area, words in AREAS.items():
        for key, texts in words.items():
            if key in joined:
                raise RuntimeError(f"the word {key!r} of area {area!r} is defined twice")
            joined[key] = texts
    return joined


WORDS: dict[str, dict[Lang, str]] = _join()


def word(key: str, lang: Lang, **values: object) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled in.

    >>> word("par", Lang.EN, days=30)
    'PAR > 30 days'
    >>> word("par", Lang.VI, days=30)
    'Nợ quá hạn > 30 ngày'
    """
    text = WORDS[key][Lang(lang)]
    return text.format(**values) if values else text


def count(n: int, lang: Lang) -> str:
    """A whole number with thousands separators: ``1.983`` (vi), ``1,983`` (en).

    >>> count(1983, Lang.VI), count(1983, Lang.EN)
    ('1.983', '1,983')
    """
    text = f"{n:,}"
    return text.replace(",", ".") if lang is Lang.VI else text


def money(amount: int, lang: Lang) -> str:
    """``1.234.567 ₫`` (vi) or ``1,234,567 VND`` (en).

    >>> money(1234567, Lang.VI), money(1234567, Lang.EN)
    ('1.234.567 ₫', '1,234,567 VND')
    """
    return format_money(amount, vietnamese=lang is Lang.VI)


def percent(value: Decimal | None, lang: Lang) -> str:
    """A ratio as a percentage with one decimal, rounded half up; ``—`` when undefined.

    >>> percent(Decimal("0.153"), Lang.VI), percent(Decimal("0.153"), Lang.EN)
    ('15,3 %', '15.3 %')
    >>> percent(Decimal("0.15"), Lang.VI), percent(None, Lang.EN)
    ('15,0 %', '—')
    """
    if value is None:
        return "—"
    text = str((value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return f"{text.replace('.', ',') if lang is Lang.VI else text} %"


def tick(met: bool | None) -> str:
    """``✓`` when a target is met, ``✗`` when it is not, empty without a target."""
    if met is None:
        return ""
    return "✓" if met else "✗"
