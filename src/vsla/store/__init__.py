"""Persistence: SQLAlchemy 2.x tables and the :class:`~vsla.store.store.Store`."""
