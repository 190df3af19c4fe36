"""The base of every frozen input and report value.

Pydantic reports bad input as its own ``ValidationError``. Users of ``vsla`` catch
:class:`~vsla.errors.VslaError`, so :class:`Record` turns a validation failure into the
model's own error class (``InvalidConstitution`` for a constitution, ``InvalidInput``
otherwise), with one readable line per problem. This is the only place that translation
happens.
"""

from __future__ import annotations

__all__ = ["Amount", "Record", "no_float"]

import datetime as dt
from typing import Annotated, Any, ClassVar, Self, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictInt,
    ValidationError,
    model_validator,
)

from vsla.domain.arguments import MAX_INT, MAX_INT32, MIN_INT, MIN_INT32, check_text, is_small
from vsla.domain.limits import amount_problem, date_problem
from vsla.errors import InvalidInput, VslaError


def no_float(value: Any) -> Any:
    """A ``mode="before"`` validator body: money and rates are never floats."""
    if isinstance(value, float):
        raise ValueError(
            f"floats are not accepted ({value!r}): give an int of whole units, "
            "or a Decimal or string for a rate"
        )
    return value


def _describe(model: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {msg}" if where else msg)
    return f"invalid {model}: " + "; ".join(lines)


def _amount(value: int) -> int:
    """An ``AfterValidator`` body: at most :data:`~vsla.domain.limits.MAX_AMOUNT`."""
    if (problem := amount_problem(value, minimum=value)) is not None:
        raise ValueError(problem)
    return value


Amount = Annotated[StrictInt, AfterValidator(_amount)]
"""A field holding one amount of money: a whole number of minor units, at most
:data:`~vsla.domain.limits.MAX_AMOUNT` (each field keeps its own lower bound)."""


def _storable(where: str, value: Any, small: bool = False) -> None:
    """Refuse what no database column can hold or no calculation should meet: text with
    NUL or lone surrogates, integers beyond 64 bits, dates outside the range vsla accepts
    (nested models check themselves)."""
    if isinstance(value, dt.date):
        if (problem := date_problem(value)) is not None:
            raise ValueError(f"{where}: {problem}")
    elif isinstance(value, str):
        check_text(where, value)  # InvalidInput is a ValueError: pydantic reports it
    elif isinstance(value, int) and not isinstance(value, bool):
        if small and not MIN_INT32 <= value <= MAX_INT32:
            raise ValueError(f"{where}: {value} is out of range (a 32-bit integer)")
        if not MIN_INT <= value <= MAX_INT:
            raise ValueError(f"{where}: {value} is out of range (a 64-bit integer)")
    elif isinstance(value, dict):
        for k, v in value.items():
            _storable(where, k, small=True)  # keys are member ids (or fine names)
            _storable(where, v, small)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            _storable(where, v, small)


class Record(BaseModel):
    """A frozen, validated value. Subclasses set ``error_class`` to their own error."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    error_class: ClassVar[type[VslaError]] = InvalidInput

    @model_validator(mode="after")
    def _storable_values(self) -> Self:
        for name, value in self:
            _storable(name, value, is_small(name))
        return self

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise self.error_class(_describe(type(self).__name__, exc)) from exc
        except TypeError as exc:  # a nested model given a mapping with non-text keys
            raise self.error_class(
                f"invalid {type(self).__name__}: a nested record was given keys that are not "
                f"field names ({exc})"
            ) from exc

    @classmethod
    def stored(cls, **values: Any) -> Self:
        """The record as the store returns it after writing it: ``values`` are a validated
        record's fields (its ``model_dump()``) and the ids the database gave, so they are
        not validated a second time (an import returns thousands of these)."""
        return cast(Self, cls.model_construct(**values))

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise cls.error_class(_describe(cls.__name__, exc)) from exc
