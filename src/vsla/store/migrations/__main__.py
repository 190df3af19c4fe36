"""Alembic's command line on vsla's migrations, for developers: no ``alembic.ini`` needed.

    python -m vsla.store.migrations history
    python -m vsla.store.migrations revision --rev-id 0003 -m "what changes and why"
    python -m vsla.store.migrations -x url=sqlite:///dev.db upgrade head

Every option of ``alembic`` works (``--help``); ``-c`` is ignored: the script location is
this package.
"""

from __future__ import annotations

import sys

from alembic.config import CommandLine

from vsla.store.schema import alembic_config


def main(argv: list[str] | None = None) -> None:
    cli = CommandLine(prog="python -m vsla.store.migrations")
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    config = alembic_config()
    config.cmd_opts = options
    cli.run_cmd(config, options)


if __name__ == "__main__":
    main(sys.argv[1:])
