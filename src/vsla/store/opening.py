"""Opening a database: what the caller named, an engine for it, and why it cannot be opened.

:func:`vsla.open` and :func:`~vsla.store.schema.schema_version` turn every way of naming a
database wrongly, and every way a database cannot be reached, into one
:class:`~vsla.errors.VslaError` that says what is wrong:

- a URL that is not one (unparseable, an unknown database kind, a port that is not a
  number, a driver that is not installed): :class:`~vsla.errors.InvalidInput`;
- a SQLite file whose folder does not exist, or a folder given as the file; a PostgreSQL
  server that refuses the connection, an unknown host, role or database, a wrong password:
  :class:`~vsla.errors.CannotConnect`;
- a file that is not a SQLite database (a text file, a spreadsheet, an encrypted or
  damaged file): :class:`~vsla.errors.NotADatabase`.

**No password in any text.** A database URL is shown only through :func:`display_url`,
which masks the password (SQLAlchemy's ``render_as_string(hide_password=True)``) and any
``password=`` parameter of the query; a driver's message is passed through
:func:`scrub` before it is quoted; and an error whose driver exception would show the
password is raised without it chained.
"""

from __future__ import annotations

__all__ = ["display_url", "engine_for", "opening_errors", "scrub", "secrets_of"]

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from vsla.errors import CannotConnect, InvalidInput, NotADatabase

_SECRET_KEYS = ("password", "passwd", "pwd", "secret", "token", "sslpassword")
_MASK = "***"


def _url(url: str | Path | URL | Engine | None) -> URL | None:
    if isinstance(url, Engine):
        return url.url
    if isinstance(url, URL):
        return url
    if url is None or "://" not in str(url):
        return None
    try:
        return make_url(str(url))
    except (ArgumentError, ValueError):
        return None


def _is_secret(key: str) -> bool:
    return any(word in key.casefold() for word in _SECRET_KEYS)


def secrets_of(url: str | Path | URL | Engine | None) -> list[str]:
    """The secrets a database URL holds (its password, ``password=`` query values), as
    given and as they may appear quoted in a URL; longest first."""
    found: list[str] = []
    parsed = _url(url)
    if parsed is not None:
        if parsed.password:
            found.append(str(parsed.password))
        for key, value in parsed.query.items():
            if _is_secret(key):
                found += [value] if isinstance(value, str) else list(value)
    elif url is not None and "://" in str(url):  # not even parseable: guess user:pw@
        text = str(url).split("://", 1)[1]
        credentials = text.rsplit("@", 1)[0] if "@" in text else ""
        if ":" in credentials:
            found.append(credentials.split(":", 1)[1])
    out = {s for secret in found if secret for s in (secret, quote(secret), quote_plus(secret))}
    return sorted(out, key=len, reverse=True)


def scrub(text: str, url: str | Path | URL | Engine | None) -> str:
    """``text`` with every secret of ``url`` replaced by ``***``."""
    for secret in secrets_of(url):
        text = text.replace(secret, _MASK)
    return text


def display_url(url: str | Path | URL | Engine | None) -> str:
    """A database, named for a message: a SQLite path as given, a URL without its password
    (nor a ``password=`` parameter).

    ```pycon
    >>> display_url("postgresql+psycopg://clerk:S3cret@db.example/vsla?sslpassword=K3y")
    'postgresql+psycopg://clerk:***@db.example/vsla?sslpassword=***'
    >>> display_url("kontum.db")
    'kontum.db'

    ```
    """
    parsed = _url(url)
    if parsed is None:
        return scrub(str(url if url is not None else "vsla.db"), url)
    hidden = {k: (_MASK if _is_secret(k) else v) for k, v in parsed.query.items()}
    shown = parsed.set(query=hidden).render_as_string(hide_password=True)
    return shown.replace(quote(_MASK, safe=""), _MASK)


def engine_for(text: str, sqlite_args: dict[str, Any]) -> Engine:
    """An engine for a SQLite path or a database URL, or the :class:`InvalidInput` or
    :class:`CannotConnect` that says why there cannot be one."""
    if "://" not in text:
        _check_sqlite_path(Path(text))
        return create_engine(f"sqlite:///{text}", connect_args=sqlite_args)
    shown = display_url(text)
    try:
        engine = create_engine(text, connect_args=sqlite_args)
    except NoSuchModuleError:
        kind = text.split("://", 1)[0]
        raise InvalidInput(
            f"the database URL {shown} names an unknown kind of database ({kind!r}): vsla "
            "opens SQLite (a path, or sqlite:///path) and PostgreSQL "
            "(postgresql+psycopg://user@host/database)"
        ) from None
    except ImportError as exc:
        raise InvalidInput(
            f"the database URL {shown} needs a driver that is not installed "
            f"({scrub(str(exc), text)}); for PostgreSQL install vsla[postgres]"
        ) from None
    except (ArgumentError, ValueError) as exc:
        raise InvalidInput(
            f"the database URL {shown} is not a valid URL ({scrub(str(exc), text)}); write "
            "it as postgresql+psycopg://user:password@host:port/database"
        ) from None
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        _check_sqlite_path(Path(engine.url.database))
    return engine


def _check_sqlite_path(path: Path) -> None:
    if str(path).startswith("file:"):  # a SQLite URI filename (?mode=ro&uri=true)
        return
    if path.is_dir():
        raise CannotConnect(
            f"the database {str(path)!r} is a folder, not a database file: name a file "
            f"in it (for example {str(path / 'vsla.db')!r})"
        )
    folder = path.parent
    if not folder.is_dir():
        raise CannotConnect(
            f"the database {str(path)!r} cannot be opened: there is no such folder "
            f"{str(folder)!r}; create the folder first, or check the path for a typing "
            "mistake"
        )


def _leaks(exc: BaseException, url: str | Path | URL | Engine | None) -> bool:
    secrets = secrets_of(url)
    seen: BaseException | None = exc
    while seen is not None:
        text = f"{seen!s} {seen!r}"
        if any(s in text for s in secrets):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@contextmanager
def opening_errors(engine: Engine) -> Iterator[None]:
    """Turn the driver's failure to reach or read the database of ``engine`` (in the block)
    into :class:`CannotConnect` or :class:`NotADatabase`; other failures pass unchanged."""
    try:
        yield
    except DBAPIError as exc:
        error = _opening_error(engine, exc)
        if error is None:
            raise
        raise error from (None if _leaks(exc, engine) else exc)


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig).strip()
    return text.splitlines()[0] if text else type(exc.orig).__name__


def _opening_error(engine: Engine, exc: DBAPIError) -> Exception | None:
    shown = display_url(engine)
    detail = scrub(_first_line(exc), engine)
    if engine.dialect.name == "sqlite":
        code = str(getattr(exc.orig, "sqlite_errorname", ""))
        if code.startswith("SQLITE_NOTADB") or "file is not a database" in detail.lower():
            name = engine.url.database or "(in memory)"
            return NotADatabase(
                f"the file {name!r} is not a SQLite database ({detail}): it is another "
                "kind of file (text, a spreadsheet, ...), or encrypted or damaged; nothing "
                "was changed. Name a vsla database with the .db file vsla made, or a new "
                "file name to create one."
            )
        return None
    if exc.connection_invalidated or _is_connect_failure(exc):
        lines = [scrub(line.strip(), engine) for line in str(exc.orig).strip().splitlines()]
        reason = "; ".join(line for line in lines if line)
        return CannotConnect(
            f"cannot connect to the database {shown} ({reason or detail}); nothing was "
            "written. Check the host and port, that the server is running, and the role, "
            "password and database name in the URL."
        )
    return None


def _is_connect_failure(exc: DBAPIError) -> bool:
    """Whether the driver failed while connecting (no statement had been sent)."""
    return exc.statement is None
