"""Import and export: the clerk's CSV/XLSX templates, the programme export, analysis files.

- :func:`import_file` reads groups, cycles, members, meetings, referrals, livelihood
  support or a paper group's opening position from a CSV or XLSX file filled in from a
  template (:func:`write_template`), or rebuilds a programme export. Every row error of the
  file is reported at once and nothing is written unless the whole file is right. An amount
  that is legal but unlikely for a savings group (above ``warn_above``, 100.000.000 ₫ unless
  changed) is imported and returned as a warning. Templates come in Vietnamese or English
  (``write_template(..., lang="vi")``), either language's headers are read, and
  :func:`row_message` says a row error in either.
- :func:`export_programme` writes everything needed to rebuild every figure (JSON/XLSX);
  :func:`export_ledger` every ledger entry; :func:`export_rows` any report's rows.
- ``pseudonymise=True`` leaves out names, phone numbers and free text and gives members
  stable pseudonyms.

XLSX needs the optional ``openpyxl`` package (``pip install 'vsla[xlsx]'``); without it an
XLSX path raises :class:`XlsxUnavailable`.
"""

from __future__ import annotations

from vsla.io.exporters import LEDGER_COLUMNS, export_ledger, export_rows
from vsla.io.importers import ImportSummary, RowWarning, import_file
from vsla.io.language import row_message
from vsla.io.programme import export_programme
from vsla.io.pseudonymise import SALT_ENV, Pseudonymiser
from vsla.io.readers import XlsxUnavailable
from vsla.io.templates import COLUMNS, EXAMPLES, Column, ImportKind, write_template

__all__ = [
    "COLUMNS",
    "EXAMPLES",
    "LEDGER_COLUMNS",
    "SALT_ENV",
    "Column",
    "ImportKind",
    "ImportSummary",
    "Pseudonymiser",
    "RowWarning",
    "XlsxUnavailable",
    "export_ledger",
    "export_programme",
    "export_rows",
    "import_file",
    "row_message",
    "write_template",
]
