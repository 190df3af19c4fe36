"""Reports as tables: ``rows()``, ``to_dataframe()`` and an HTML view for Jupyter.

A report that can be shown as a table implements :meth:`Tabular.rows` (a list of flat
dicts). The rest follows: :meth:`Tabular.to_dataframe` builds a pandas DataFrame (pandas is
the optional ``vsla[pandas]`` extra, imported only when asked for) and ``_repr_html_``
renders an HTML table in a notebook without needing pandas. Money stays an ``int`` and a
ratio a ``Decimal`` in every row: nothing is turned into a float here.
"""

from __future__ import annotations

__all__ = ["Cell", "ReportRow", "RowValue", "Tabular", "html_table"]

import datetime as dt
import html
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

Cell = int | str | Decimal | bool | dt.date | None
"""What one cell of a report's rows holds (:meth:`Tabular.rows`)."""

ReportRow = dict[str, Cell]
"""One row of a report as a table: column name -> cell (the indicator reports' ``rows()``)."""

RowValue = Cell
"""The older name of :data:`Cell`, still importable from :mod:`vsla.domain.indicators`."""


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, Decimal):
        return f"{value:.4f}"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def html_table(rows: Sequence[dict[str, Any]], caption: str = "") -> str:
    """An HTML table of ``rows`` (keys of the first row are the columns); text is escaped."""
    columns = list(rows[0]) if rows else []
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="text-align:{"right" if isinstance(r.get(c), int | Decimal) else "left"}">'
            f"{html.escape(_show(r.get(c)))}</td>"
            for c in columns
        )
        + "</tr>"
        for r in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="vsla">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Tabular:
    """Mixin for reports that are tables. Subclasses implement :meth:`rows`."""

    def rows(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def to_dataframe(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (needs ``pip install "vsla[pandas]"``).

        Money columns are integers (``int64``, or ``object`` when a value is missing) and
        ratios keep their ``Decimal`` values: convert explicitly if you want floats for a
        chart.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError('to_dataframe() needs pandas: pip install "vsla[pandas]"') from exc
        return pd.DataFrame(self.rows())

    def _repr_html_(self) -> str:
        return html_table(self.rows(), caption=type(self).__name__)
