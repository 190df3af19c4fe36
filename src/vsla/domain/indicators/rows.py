"""How the indicator reports list their lines and flatten their figures into rows."""

from __future__ import annotations

__all__ = ["flat_kinds", "flat_row", "text_order"]

import datetime as dt
import types
import typing
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from vsla.domain.base import Record
from vsla.domain.indicators.formulas import Indicator
from vsla.domain.tabular import ColumnKind, ReportRow

_PLAIN_KINDS: tuple[tuple[type, ColumnKind], ...] = (
    (bool, ColumnKind.FLAG),
    (int, ColumnKind.WHOLE),
    (Decimal, ColumnKind.RATIO),
    (dt.date, ColumnKind.DATE),
    (str, ColumnKind.TEXT),
)


def _plain_kind(annotation: Any) -> ColumnKind | None:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kinds = {_plain_kind(arg) for arg in typing.get_args(annotation) if arg is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    for plain, kind in _PLAIN_KINDS:
        if isinstance(annotation, type) and issubclass(annotation, plain):
            return kind
    return None


def text_order(text: str) -> tuple[str, str]:
    """A sort key that puts Vietnamese names where a reader looks for them: diacritics are
    ignored first (``Đắk Glei`` sorts with D, before ``Kon Plông``), then break ties.

    ```pycon
    >>> sorted(["Kon Plông", "Đắk Glei", "Ia H'Drai"], key=text_order)
    ['Đắk Glei', "Ia H'Drai", 'Kon Plông']

    ```
    """
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return plain.replace("Đ", "D").replace("đ", "d").casefold(), text


def flat_row(model: Record, names: Iterable[str]) -> ReportRow:
    """A flat row of the named fields: an Indicator gives its value, a PAR map one column
    per threshold (``par_30``), everything else as it is."""
    row: ReportRow = {}
    for name in names:
        value = getattr(model, name)
        if isinstance(value, Indicator):
            row[name] = value.value
            if value.target is not None:
                row[f"{name}_met"] = value.met
        elif isinstance(value, dict):
            for days, item in sorted(value.items()):
                row[f"par_{days}"] = item.value
        else:
            row[name] = value
    return row


def flat_kinds(
    model: Record, names: Iterable[str], amounts: frozenset[str] = frozenset()
) -> dict[str, ColumnKind]:
    """The column kinds of :func:`flat_row` for the same fields, known from the model's
    fields rather than its values: an :class:`Indicator` is a ratio (an amount when named in
    ``amounts``) and its ``_met`` column a flag, a PAR map one ratio per threshold."""
    kinds: dict[str, ColumnKind] = {}
    fields = type(model).model_fields
    for name in names:
        value = getattr(model, name)
        if isinstance(value, Indicator):
            kinds[name] = ColumnKind.AMOUNT if name in amounts else ColumnKind.RATIO
            if value.target is not None:
                kinds[f"{name}_met"] = ColumnKind.FLAG
        elif isinstance(value, dict):
            kinds.update({f"par_{days}": ColumnKind.RATIO for days in value})
        else:
            kind = _plain_kind(fields[name].annotation)
            if kind is not None:
                kinds[name] = kind
    return kinds
