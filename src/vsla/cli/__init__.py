"""The ``vsla`` command line (typer + rich; ``pip install 'vsla[cli]'``).

``vsla demo`` builds a synthetic Kon Tum programme into a SQLite file and prints its
dashboard; ``vsla report …`` prints the programme dashboard, a group's figures, a share-out
sheet or a member's statement; ``vsla import``, ``vsla export`` and ``vsla template`` move
data in and out through :mod:`vsla.io`. See ``docs/cli.md``.
"""
