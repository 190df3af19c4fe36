"""How the indicator reports list their lines and flatten their figures into rows."""

from __future__ import annotations

__all__ = ["flat_row", "text_order"]

import unicodedata
from collections.abc import Iterable

from vsla.domain.base import Record
from vsla.domain.indicators.formulas import Indicator
from vsla.domain.tabular import ReportRow


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
