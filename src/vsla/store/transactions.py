"""Transactions: one per store call, or one around many calls with ``Store.transaction()``.

Every public method of the store runs in a transaction of its own, so it is all or nothing.
Inside ``with store.transaction():`` every call joins one outer transaction instead, each call
in a savepoint of its own: a refused call leaves nothing behind, and the whole block is
committed when it ends, or rolled back when it raises. The open transaction is held in a
:class:`~contextvars.ContextVar`, so one Store shared by the threads or tasks of an
application never mixes their transactions.
"""

from __future__ import annotations

__all__ = ["Transactions"]

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Self

from sqlalchemy import Connection, Engine


class Transactions:
    """Base of the store: owns the engine and hands out connections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._outer: ContextVar[Connection | None] = ContextVar(
            f"vsla_transaction_{id(self)}", default=None
        )

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """Make every store call in the block one transaction (all or nothing).

        ```pycon
        >>> import vsla
        >>> store = vsla.open(":memory:")
        >>> new = vsla.NewGroup(code="A", name="Tổ A", established_on="2024-01-01")
        >>> try:
        ...     with store.transaction():
        ...         group = store.add_group(new)
        ...         raise RuntimeError("something else failed")
        ... except RuntimeError:
        ...     pass
        >>> store.groups()
        []

        ```
        """
        if self._outer.get() is not None:
            yield self  # already inside one: join it
            return
        with self.engine.begin() as conn:
            token = self._outer.set(conn)
            try:
                yield self
            finally:
                self._outer.reset(token)

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A connection in a transaction for one write: its own, or a savepoint of the
        outer one."""
        outer = self._outer.get()
        if outer is None:
            with self.engine.begin() as conn:
                yield conn
        else:
            with outer.begin_nested():
                yield outer

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for your own SQL (reports, a notebook): inside :meth:`transaction`
        it is the transaction's, so it sees what the block has written."""
        with self._connect() as conn:
            yield conn

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        """A connection for reading: inside a transaction, the same one, so reads see what
        the block has written."""
        outer = self._outer.get()
        if outer is None:
            with self.engine.connect() as conn:
                yield conn
        else:
            yield outer
