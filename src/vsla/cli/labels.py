"""The command line's words: a view of the one catalogue, :mod:`vsla.words`."""

from __future__ import annotations

__all__ = ["LABELS", "Lang", "count", "label", "money", "percent", "tick"]

from vsla.words import WORDS as LABELS
from vsla.words import Lang, count, money, percent, tick
from vsla.words import word as label
