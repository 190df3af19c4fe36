"""``python -m vsla.cli``: the same as the ``vsla`` command."""

from vsla.cli.main import app

app(prog_name="vsla")
