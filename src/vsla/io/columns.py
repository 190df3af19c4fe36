"""One column of an import template: its name, how a cell is read, and what it means."""

from __future__ import annotations

__all__ = ["Column"]

from collections.abc import Callable
from dataclasses import dataclass

from vsla.io.cells import Cell


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a template.

    ``required``: the column must be in the header and every row needs a value in it.
    An optional column may be left out of the file, and its cells left blank.
    ``default``: what a blank optional cell means, as the template's help sheet shows it
    (``""`` when blank means nothing, or when the column is required).
    """

    name: str
    parse: Callable[[Cell], object]
    format: str
    required: bool
    description: str
    default: str = ""
