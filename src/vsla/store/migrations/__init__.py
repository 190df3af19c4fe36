"""vsla's Alembic environment: ``env.py``, ``script.py.mako`` and ``versions/``.

It is driven from code by :mod:`vsla.store.schema` (no ``alembic.ini``). A developer runs
Alembic's own commands on it with ``python -m vsla.store.migrations`` (see ``__main__.py``
and docs/reliability.md).
"""
