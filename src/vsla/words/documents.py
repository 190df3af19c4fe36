"""Words of printed documents: passbooks, meeting minutes, share-out sheets."""

from __future__ import annotations

__all__ = ["WORDS"]

from vsla.words.lang import Lang

WORDS: dict[str, dict[Lang, str]] = {}
