"""Printed paper: passbooks, meeting minutes and share-out sheets, as HTML or PDF.

```python
import vsla
from vsla.reports.printing import passbook_documents, write_documents

store = vsla.open("kontum.db")
cycle = store.current_cycle(store.group("KT-DG-001").id)
write_documents(passbook_documents(store, cycle.id, lang="vi"), "passbooks.pdf")
```

Each ``…_documents`` function reads what it needs in one snapshot and returns
:class:`~vsla.reports.printing.document.Document` values (the words already in the chosen
language); :func:`write_documents` renders them by the file's suffix: ``.html``
(self-contained, with a print stylesheet) or ``.pdf`` (needs ``vsla[print]`` and the DejaVu
Sans font, see :mod:`vsla.reports.printing.pdf`). docs/printing.md shows each document.
"""

from __future__ import annotations

__all__ = [
    "Document",
    "minutes_documents",
    "officer_names",
    "passbook_documents",
    "render_html",
    "render_pdf",
    "share_out_documents",
    "write_documents",
]

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from vsla.domain.entities import OfficerRole
from vsla.errors import InvalidInput
from vsla.reports.printing.document import Document
from vsla.reports.printing.html import render_html
from vsla.reports.printing.layouts import (
    Officers,
    minutes_document,
    passbook_document,
    share_out_document,
)
from vsla.reports.printing.pdf import render_pdf
from vsla.store.store import Store
from vsla.words import Lang


def officer_names(store: Store, cycle_id: int) -> Officers:
    """The names of the cycle's officers by role, in member-number order."""
    cycle = store.cycle(cycle_id)
    members = sorted(store.members(cycle.group_id), key=lambda m: m.number)
    out: dict[OfficerRole, list[str]] = {}
    for m in members:
        for role in cycle.officers.get(m.id, ()):
            out.setdefault(role, []).append(m.full_name)
    return out


def passbook_documents(
    store: Store,
    cycle_id: int,
    *,
    member_ids: Sequence[int] | None = None,
    lang: Lang | str = Lang.VI,
) -> list[Document]:
    """One passbook page per member of the cycle's group (or of ``member_ids``)."""
    lang = Lang(lang)
    with store.snapshot():
        books = store.passbooks(
            cycle_id, member_ids=None if member_ids is None else list(member_ids)
        )
        officers = officer_names(store, cycle_id)
    return [passbook_document(book, lang, officers) for book in books]


def minutes_documents(
    store: Store, cycle_id: int, on: dt.date, *, lang: Lang | str = Lang.VI
) -> list[Document]:
    """The minutes of the cycle's meeting on ``on``."""
    lang = Lang(lang)
    with store.snapshot():
        minutes = store.minutes(cycle_id, on)
        officers = officer_names(store, cycle_id)
    return [minutes_document(minutes, lang, officers)]


def share_out_documents(
    store: Store, cycle_id: int, on: dt.date | None = None, *, lang: Lang | str = Lang.VI
) -> list[Document]:
    """The cycle's share-out sheet: the recorded one, or a preview on ``on`` (default: the
    cycle's end date) for a cycle not shared out yet."""
    lang = Lang(lang)
    with store.snapshot():
        cycle = store.cycle(cycle_id)
        group = store.group(cycle.group_id)
        result = store.share_out_result(cycle_id, on)
        members = {m.id: m for m in store.members(group.id)}
        officers = officer_names(store, cycle_id)
    day = cycle.shared_out_on or on or cycle.end_date
    return [
        share_out_document(
            result,
            members,
            group_code=group.code,
            group_name=group.name,
            cycle=cycle,
            lang=lang,
            on=day,
            officers=officers,
        )
    ]


def write_documents(
    documents: Sequence[Document], path: str | Path, *, font: str | Path | None = None
) -> Path:
    """Write the documents to ``path``: ``.html`` or ``.pdf`` by its suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        path.write_text(render_html(documents), encoding="utf-8")
    elif suffix == ".pdf":
        path.write_bytes(render_pdf(documents, font))
    else:
        raise InvalidInput(
            f"{path.name}: print to a .html or a .pdf file, not {suffix or 'no suffix'}"
        )
    return path
