"""Persistence: SQLAlchemy 2.x tables and the :class:`~vsla.store.store.Store`."""

from vsla.store.schema import upgrade_database

__all__ = ["upgrade_database"]
