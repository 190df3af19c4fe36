"""Words of spreadsheets: template headers and help, row errors and warnings of imports."""

from __future__ import annotations

__all__ = ["WORDS"]

from vsla.words.lang import Lang

WORDS: dict[str, dict[Lang, str]] = {}
