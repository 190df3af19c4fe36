"""Reports as tables: ``rows()``, ``to_dataframe()`` and an HTML view for Jupyter.

A report that can be shown as a table implements :meth:`Tabular.rows` (a list of flat
dicts). The rest follows: :meth:`Tabular.to_dataframe` builds a pandas DataFrame (pandas is
the optional ``vsla[pandas]`` extra, imported only when asked for) and ``_repr_html_``
renders an HTML table in a notebook without needing pandas.

In the rows, money stays an ``int`` and a ratio a ``Decimal``: the exact figures. The
DataFrame is for analysis, so each column gets the dtype pandas works best with
(:func:`column_kinds` decides, from the values): money and counts ``int64`` (``Int64``, the
nullable integer, where a value is missing: never a float), ratios and per-person amounts
``float64`` (``NaN`` where undefined), flags ``bool`` (``boolean`` with a missing value),
dates ``datetime64``, text ``object``. The HTML view shows ratios as percentages
(``15,6 %``) and amounts with thousands separators.
"""

from __future__ import annotations

__all__ = ["Cell", "ColumnKind", "ReportRow", "RowValue", "Tabular", "column_kinds", "html_table"]

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import pandas as pd

Cell = int | str | Decimal | bool | dt.date | None
"""What one cell of a report's rows holds (:meth:`Tabular.rows`)."""

ReportRow = dict[str, Cell]
"""One row of a report as a table: column name -> cell (the indicator reports' ``rows()``)."""

RowValue = Cell
"""The older name of :data:`Cell`, still importable from :mod:`vsla.domain.indicators`."""


class ColumnKind(StrEnum):
    """What a column of a report's rows holds, and so its dtype in a DataFrame."""

    WHOLE = "whole"
    """Money (whole đồng) or a count: ``int64``."""
    RATIO = "ratio"
    """A fraction (``0.156`` is 15.6 %): ``float64``, a percentage in HTML."""
    AMOUNT = "amount"
    """An amount per person or per share, exact as a ``Decimal``: ``float64``."""
    FLAG = "flag"
    """Yes or no: ``bool``."""
    DATE = "date"
    """A day: ``datetime64``."""
    TEXT = "text"
    """Words or codes: ``object``."""
    MIXED = "mixed"
    """Figures of several kinds, one per row (``GalComparison``): ``object``, each cell an
    ``int`` or a ``float``."""


def _kind_of(value: Any) -> ColumnKind:
    if isinstance(value, bool):
        return ColumnKind.FLAG
    if isinstance(value, int):
        return ColumnKind.WHOLE
    if isinstance(value, Decimal):
        return ColumnKind.RATIO
    if isinstance(value, dt.date):
        return ColumnKind.DATE
    return ColumnKind.TEXT


def column_kinds(
    rows: Sequence[dict[str, Any]],
    amounts: frozenset[str] = frozenset(),
    declared: Mapping[str, ColumnKind] | None = None,
) -> dict[str, ColumnKind]:
    """The kind of each column of ``rows``: as ``declared`` (a report knows its columns even
    where every value is missing), otherwise from its values (``None`` says nothing; a column
    with no value at all is text). A ``Decimal`` column is a ratio unless it is named in
    ``amounts``; whole numbers and ``Decimal`` s in one column are :attr:`ColumnKind.MIXED`.

    ```pycon
    >>> from decimal import Decimal
    >>> kinds = column_kinds(
    ...     [{"savings": 5, "rate": Decimal("0.5"), "per_member": None, "code": "A"},
    ...      {"savings": None, "rate": None, "per_member": Decimal("2.5"), "code": "B"}],
    ...     amounts=frozenset({"per_member"}),
    ... )
    >>> [str(kind) for kind in kinds.values()]
    ['whole', 'ratio', 'amount', 'text']

    ```
    """
    columns = list(rows[0]) if rows else []
    kinds: dict[str, ColumnKind] = {}
    for column in columns:
        if declared is not None and column in declared:
            kinds[column] = declared[column]
            continue
        seen = {_kind_of(row.get(column)) for row in rows if row.get(column) is not None}
        if seen == {ColumnKind.RATIO} and column in amounts:
            kinds[column] = ColumnKind.AMOUNT
        elif len(seen) == 1:
            kinds[column] = seen.pop()
        elif seen and seen <= {ColumnKind.WHOLE, ColumnKind.RATIO}:
            kinds[column] = ColumnKind.MIXED
        else:
            kinds[column] = ColumnKind.TEXT
    return kinds


def _percent(value: Decimal) -> str:
    text = str((value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return f"{text.replace('.', ',')} %"


def _show(value: Any, kind: ColumnKind = ColumnKind.TEXT) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, Decimal):
        if kind is ColumnKind.RATIO:
            return _percent(value)
        whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{int(whole):,}".replace(",", ".")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _cell_kind(
    row: dict[str, Any], column: str, kinds: dict[str, ColumnKind], amounts: frozenset[str]
) -> ColumnKind:
    kind = kinds.get(column, ColumnKind.TEXT)
    if kind is ColumnKind.MIXED:
        return ColumnKind.AMOUNT if row.get("figure") in amounts else ColumnKind.RATIO
    return kind


def html_table(
    rows: Sequence[dict[str, Any]],
    caption: str = "",
    amounts: frozenset[str] = frozenset(),
    declared: Mapping[str, ColumnKind] | None = None,
) -> str:
    """An HTML table of ``rows`` (keys of the first row are the columns); text is escaped.

    A ratio (a ``Decimal``, see :func:`column_kinds`) is shown as a percentage (``15,6 %``,
    rounded half up to one decimal); an amount (a ``Decimal`` column named in ``amounts``,
    or in a table of one figure per row, a row whose ``figure`` is named there) as a whole
    number with thousands separators, like money.
    """
    columns = list(rows[0]) if rows else []
    kinds = column_kinds(rows, amounts, declared)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="text-align:{"right" if isinstance(r.get(c), int | Decimal) else "left"}">'
            f"{html.escape(_show(r.get(c), _cell_kind(r, c, kinds, amounts)))}</td>"
            for c in columns
        )
        + "</tr>"
        for r in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="vsla">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Tabular:
    """Mixin for reports that are tables. Subclasses implement :meth:`rows`, and name in
    ``amount_columns`` the ``Decimal`` columns that are amounts (per member, per share), not
    ratios."""

    amount_columns: ClassVar[frozenset[str]] = frozenset()

    def rows(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def declared_kinds(self) -> dict[str, ColumnKind]:
        """The kinds this report knows of its columns whatever their values (a ratio that is
        undefined on every row is still a ratio); the rest are read from the values."""
        return {}

    def column_kinds(self) -> dict[str, ColumnKind]:
        """The kind of each column of :meth:`rows` (see :class:`ColumnKind`)."""
        return column_kinds(self.rows(), self.amount_columns, self.declared_kinds())

    def to_dataframe(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame for analysis (needs ``pip install "vsla[pandas]"``).

        Money and counts are ``int64`` (``Int64`` where a value is missing), ratios and
        per-person amounts ``float64`` (``NaN`` where undefined), flags ``bool``, dates
        ``datetime64``: ``describe``, ``groupby``, ``round`` and ``plot`` work as on any
        frame. The exact ``Decimal`` ratios stay on the report object and in :meth:`rows`.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError('to_dataframe() needs pandas: pip install "vsla[pandas]"') from exc
        rows = self.rows()
        kinds = column_kinds(rows, self.amount_columns, self.declared_kinds())
        frame = pd.DataFrame(rows, columns=list(kinds))
        for column, kind in kinds.items():
            values = [row.get(column) for row in rows]
            missing = any(v is None for v in values)
            if kind is ColumnKind.WHOLE:
                frame[column] = pd.array(values, dtype="Int64" if missing else "int64")
            elif kind in (ColumnKind.RATIO, ColumnKind.AMOUNT):
                frame[column] = pd.array(
                    [float("nan") if v is None else float(v) for v in values], dtype="float64"
                )
            elif kind is ColumnKind.FLAG:
                frame[column] = pd.array(values, dtype="boolean" if missing else "bool")
            elif kind is ColumnKind.DATE:
                frame[column] = pd.to_datetime(pd.Series(values, dtype="object"))
            elif kind is ColumnKind.MIXED:
                frame[column] = pd.Series(
                    [float(v) if isinstance(v, Decimal) else v for v in values], dtype="object"
                )
        return frame

    def _repr_html_(self) -> str:
        return html_table(
            self.rows(), type(self).__name__, self.amount_columns, self.declared_kinds()
        )
