"""What every command shares: opening the database, dates, consoles and error handling."""

from __future__ import annotations

__all__ = [
    "DEFAULT_DB",
    "fail",
    "is_url",
    "known_district",
    "latest_meeting",
    "open_db",
    "parse_day",
    "pick_programme",
    "stderr",
    "stdout",
    "vsla_errors",
]

import datetime as dt
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from vsla.errors import NotFound, VslaError
from vsla.store.opening import display_url, scrub
from vsla.store.schema import schema_version
from vsla.store.store import Store, open_store

DEFAULT_DB = "vsla-demo.db"
"""The database of every command unless ``--db`` (or ``$VSLA_DB``) names another."""


def stdout() -> Console:
    """A console on standard output (made per command, so ``COLUMNS`` is honoured)."""
    return Console(highlight=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


def fail(message: str) -> NoReturn:
    """Print ``message`` as one clear line on standard error and exit with code 1."""
    stderr().print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(1)


@contextmanager
def vsla_errors() -> Iterator[None]:
    """Turn a library error into a one-line message and exit code 1, never a traceback."""
    try:
        yield
    except VslaError as exc:
        fail(str(exc))


def known_district(store: Store, programme_id: int, district: str) -> str:
    """``district`` as stored (trimmed, NFC), once a group of the programme is in it;
    :class:`NotFound` naming the districts there are otherwise."""
    district = unicodedata.normalize("NFC", district.strip())
    known = sorted({g.district for g in store.groups(programme_id)})
    if district not in known:
        raise NotFound(
            f"no group of programme #{programme_id} is in district {district!r} "
            f"(districts: {', '.join(known) or 'none'})"
        )
    return district


def is_url(db: str) -> bool:
    return "://" in db


def open_db(db: str, *, create: bool = False) -> Store:
    """Open the vsla database ``db`` (a SQLite file or a database URL).

    Only an existing vsla database is opened, unless ``create``: a mistyped ``--db`` must
    not become a new, empty database that reports zeros or takes an import. No message
    shows the URL's password.
    """
    shown = display_url(db)
    if not is_url(db) and not create and not Path(db).is_file():
        fail(
            f"no database at {shown}: run `vsla demo` first, name an existing database with "
            "--db, or (vsla import) add --create to make a new one"
        )
    try:
        store = open_store(db, create=create)
    except VslaError:
        raise
    except Exception as exc:  # anything open_store did not foresee: still no password
        fail(f"cannot open the database {shown}: {scrub(str(exc), db)}")
    if not create and schema_version(store.engine) is None:
        store.close()
        fail(
            f"{shown} is not a vsla database (it holds none of vsla's tables): name a vsla "
            "database with --db, or (vsla import) add --create to make one there"
        )
    return store


def parse_day(value: str | None) -> dt.date | None:
    """A typer callback: an ISO date (``2025-04-07``), or ``None`` when not given."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date: write it as YYYY-MM-DD") from None


def pick_programme(store: Store, programme_id: int | None) -> int:
    """The programme asked for, or the only (else the first) programme in the database."""
    if programme_id is not None:
        return store.programme(programme_id).id
    programmes = store.programmes()
    if not programmes:
        raise NotFound("the database holds no programme: run `vsla demo`, or import one")
    return programmes[0].id


def latest_meeting(
    store: Store, *, programme_id: int | None = None, group_id: int | None = None
) -> dt.date | None:
    """The date of the latest meeting recorded (in a programme, or a group): the default
    report date, so that a report describes the data as they were last brought up to date."""
    return store.latest_meeting_date(programme_id=programme_id, group_id=group_id)
