"""The programme export: everything needed to rebuild every figure, and its re-import.

:func:`export_programme` writes every programme, group, member and cycle with its
constitution and officers, every meeting with its attendance and the meeting input
reconstructed from its entries, every loan, reversal, write-off, member exit and share-out,
every ledger entry, referral, livelihood support and GAL session: one JSON document or one
XLSX workbook with a sheet per table.

:func:`import_programme` rebuilds it through the store's own operations, in the order they
happened (the ``seq`` column), in ONE transaction: the rebuilt ledger is then checked entry
by entry against the exported ``entries`` table, and any difference (or any rule the store
refuses) rolls everything back and is reported against the row that caused it.
"""

from __future__ import annotations

__all__ = [
    "FORMAT",
    "TABLES",
    "VERSION",
    "export_programme",
    "import_programme",
    "write_programme_template",
]

from vsla.io.programme.export import export_programme, write_programme_template
from vsla.io.programme.rebuild import import_programme
from vsla.io.programme.tables import FORMAT, TABLES, VERSION
