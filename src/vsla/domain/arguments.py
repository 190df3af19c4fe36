"""Checking the arguments of the store's public methods against their annotations.

A data-entry app or an import passes ids, dates, reasons and models that come from data.
A wrong value there (``"12"`` or ``2**70`` for an id, ``None`` or a ``datetime`` for a date,
a reason holding a NUL character, a dict where a :class:`~vsla.domain.base.Record` is
expected) must be refused with :class:`~vsla.errors.InvalidInput`, before any SQL runs,
rather than surface as a driver error or an ``AttributeError`` half-way through.

:func:`checked_arguments` wraps every public method of a class so that each argument is
checked against the method's annotation:

- ``int`` (ids, numbers): an ``int``, not a ``bool``, within the databases' 64-bit range;
- ``dt.date``: a ``datetime.date`` that is not a ``datetime``, from
  :data:`~vsla.domain.limits.FIRST_DATE` to :data:`~vsla.domain.limits.LAST_DATE`;
- ``str``: a ``str`` without NUL characters (PostgreSQL cannot store them);
- ``bool``: a ``bool``;
- an enum: a member, or a value of one (converted to the member);
- a :class:`~pydantic.BaseModel` subclass: an instance of it (already validated);
- ``Sequence[X]``: any iterable that is not text, each item checked (passed on as a list);
- ``Mapping[K, V]``: a mapping whose keys are checked (values are the method's business);
- ``X | None``: ``None`` or an ``X``; ``int | str``: either.

Calling with the wrong number of arguments or an unknown keyword stays a ``TypeError``:
that is a mistake in the calling code, not in the data.
"""

from __future__ import annotations

__all__ = [
    "MAX_INT",
    "MAX_INT32",
    "MIN_INT",
    "MIN_INT32",
    "check_date",
    "check_int",
    "check_text",
    "checked_arguments",
    "checked_call",
    "is_small",
]

import datetime as dt
import enum
import functools
import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel

from vsla.domain.limits import date_problem
from vsla.errors import InvalidInput

MAX_INT = 2**63 - 1
"""The largest integer both databases store (a signed 64-bit ``BIGINT``)."""
MIN_INT = -(2**63)
MAX_INT32 = 2**31 - 1
"""The largest member number, count of shares or months (a 32-bit ``INTEGER``); ids are
64-bit (``BIGINT``) since schema revision 0005."""
MIN_INT32 = -(2**31)


def is_small(name: str) -> bool:
    """Whether an argument or field of this name goes into a 32-bit ``INTEGER`` column: a
    member or cycle number, a term in months, a count of shares or people. Ids are 64-bit."""
    return name.endswith(("number", "term_months")) or name in SMALL


SMALL = frozenset(
    {
        "shares",
        "share_purchases",
        "women",
        "men",
        "reached_by_peer_sharing",
        "min_shares_per_meeting",
        "max_shares_per_meeting",
    }
)

T = TypeVar("T")
P = ParamSpec("P")
Check = Callable[[str, Any], Any]


def check_text(name: str, value: Any) -> str:
    """``value`` if it is text a database can store, else :class:`InvalidInput`."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text, got {_show(value)}")
    if "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character (\\x00), which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{name} is not valid Unicode text: {_show(value)}") from None
    return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_int(name: str, value: Any, error: type[InvalidInput] = InvalidInput) -> int:
    """``value`` if it is an ``int`` (not a ``bool``) the databases can store, else
    ``error`` (:class:`InvalidInput`, or a subclass naming the operation refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(
            f"{name} must be a whole number (int), got {type(value).__name__} {_show(value)}",
            rule="whole_number",
            field=name,
        )
    if is_small(name) and not MIN_INT32 <= value <= MAX_INT32:
        raise error(f"{name} {value} is out of range (a 32-bit integer)", field=name)
    if not MIN_INT <= value <= MAX_INT:
        raise error(f"{name} {value} is out of range (a 64-bit integer)", field=name)
    return value


def check_date(name: str, value: Any) -> dt.date:
    """``value`` if it is a ``datetime.date`` that is not a ``datetime``, else
    :class:`InvalidInput`."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidInput(f"{name} must be a datetime.date, got {_show(value)}", field=name)
    if (problem := date_problem(value)) is not None:
        raise InvalidInput(f"{name}: {problem}", field=name)
    return value


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be True or False, got {_show(value)}")
    return value


def _enum(cls: type[enum.Enum]) -> Check:
    def check(name: str, value: Any) -> Any:
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except (ValueError, TypeError):
            allowed = ", ".join(repr(m.value) for m in cls)
            raise InvalidInput(f"{name} must be one of {allowed}, got {_show(value)}") from None

    return check


def _model(cls: type[BaseModel]) -> Check:
    def check(name: str, value: Any) -> Any:
        if not isinstance(value, cls):
            raise InvalidInput(f"{name} must be a vsla.{cls.__name__}, got {_show(value)}")
        return value

    return check


def _sequence(item: Check) -> Check:
    def check(name: str, value: Any) -> Any:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            raise InvalidInput(f"{name} must be a list, got {_show(value)}")
        return [item(f"{name}[{i}]", v) for i, v in enumerate(value)]

    return check


def _mapping(key: Check) -> Check:
    def check(name: str, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise InvalidInput(f"{name} must be a mapping (dict), got {_show(value)}")
        for k in value:
            key(f"a key of {name}", k)
        return value

    return check


def _optional(inner: Check) -> Check:
    def check(name: str, value: Any) -> Any:
        return None if value is None else inner(name, value)

    return check


def _int_or_str(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return check_text(name, value)
    return check_int(name, value)


def _pass(_name: str, value: Any) -> Any:
    return value


def _instance(classes: tuple[type, ...]) -> Check:
    names = " or ".join(c.__name__ for c in classes)

    def check(name: str, value: Any) -> Any:
        if isinstance(value, bool) and bool not in classes and int in classes:
            raise InvalidInput(f"{name} must be {names}, got {_show(value)}")
        if not isinstance(value, classes):
            raise InvalidInput(f"{name} must be {names}, got {_show(value)}")
        if isinstance(value, str):
            check_text(name, value)
        if isinstance(value, int) and not isinstance(value, bool):
            check_int(name, value)
        return value

    return check


def _literal(values: tuple[Any, ...]) -> Check:
    def check(name: str, value: Any) -> Any:
        if not isinstance(value, str | int) or value not in values:
            allowed = ", ".join(repr(v) for v in values)
            raise InvalidInput(f"{name} must be one of {allowed}, got {_show(value)}")
        return value

    return check


def _checker(hint: Any) -> Check:
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return _literal(typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        nullable = len(members) < len(typing.get_args(hint))
        if set(members) == {int, str}:
            inner: Check = _int_or_str
        elif len(members) == 1:
            inner = _checker(members[0])
        elif all(isinstance(m, type) for m in members):
            inner = _instance(tuple(members))
        else:
            inner = _pass
        return _optional(inner) if nullable else inner
    if origin is not None:
        args = typing.get_args(hint)
        if isinstance(origin, type) and issubclass(origin, Mapping) and args:
            return _mapping(_checker(args[0]))
        if isinstance(origin, type) and issubclass(origin, Iterable) and args:
            return _sequence(_checker(args[0]))
        return _pass
    if hint is bool:
        return _bool
    if hint is int:
        return check_int
    if hint is str:
        return check_text
    if hint is dt.date:
        return check_date
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum(hint)
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return _model(hint)
    if isinstance(hint, type) and hint.__module__.startswith(("vsla.", "fractions", "decimal")):
        return _instance((hint,))
    return _pass


def _checks(func: Callable[..., Any], skip: int) -> tuple[list[str], dict[str, Check]]:
    names = list(inspect.signature(func).parameters)
    hints = typing.get_type_hints(func)
    checks = {name: _checker(hints[name]) for name in names[skip:] if name in hints}
    return names, checks


def _wrap(func: Callable[..., T], skip: int) -> Callable[..., T]:
    resolved: list[tuple[list[str], dict[str, Check]]] = []

    @functools.wraps(func)
    def checked(*args: Any, **kwargs: Any) -> T:
        if not resolved:  # annotations are resolved at the first call (imports are done)
            resolved.append(_checks(func, skip))
        names, checks = resolved[0]
        # A wrong number of arguments or an unknown keyword is left to the call itself: a
        # TypeError, a mistake in the calling code.
        args = (
            tuple(
                checks[name](name, value) if name in checks else value
                for name, value in zip(names, args, strict=False)
            )
            + args[len(names) :]
        )
        for name, value in kwargs.items():
            if name in checks:
                kwargs[name] = checks[name](name, value)
        return func(*args, **kwargs)

    return checked


def checked_call(func: Callable[P, T]) -> Callable[P, T]:
    """Check the arguments of a public function against its annotations (see the module's
    docstring)."""
    return typing.cast(Callable[P, T], _wrap(func, 0))


def checked_arguments(cls: type[T]) -> type[T]:
    """Wrap every public method of ``cls`` (and of its bases) that takes arguments so that
    its arguments are checked against its annotations (see the module's docstring)."""
    for klass in reversed(cls.__mro__):
        if klass is object:
            continue
        for name, attr in vars(klass).items():
            if name.startswith("_") or not inspect.isfunction(attr):
                continue
            if len(inspect.signature(attr).parameters) <= 1:
                continue  # close(), transaction(), connection(): nothing to check
            setattr(cls, name, _wrap(attr, 1))
    return cls
