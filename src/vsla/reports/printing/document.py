"""A printed document as plain data: what both renderers (HTML and PDF) lay out.

A :class:`Document` is one page or more of one thing (one member's passbook, one meeting's
minutes, one share-out sheet): a title, a few heading lines, sections of tables and
paragraphs, and a row of signature spaces. The words are already in the reader's language
(:mod:`vsla.words`); the renderers only place them.
"""

from __future__ import annotations

__all__ = ["Column", "Document", "Section", "Signature", "day_text"]

import datetime as dt
from dataclasses import dataclass, field

from vsla.words import Lang


def day_text(day: dt.date, lang: Lang) -> str:
    """A date as people write it: ``05/02/2024`` (vi), ``2024-02-05`` (en)."""
    return day.strftime("%d/%m/%Y") if lang is Lang.VI else day.isoformat()


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: its header and whether its cells are numbers (right-aligned)."""

    header: str
    number: bool = True
    weight: float = 1.0  # share of the table's width, relative to the other columns


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of a document: a table (``columns`` and ``rows``, the last row bold
    when ``total``, rows high enough to sign in when ``tall``), then paragraphs."""

    title: str = ""
    columns: tuple[Column, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    total: bool = False
    paragraphs: tuple[str, ...] = ()
    tall: bool = False  # rows high enough to sign in


@dataclass(frozen=True, slots=True)
class Signature:
    """A space to sign: the role, and the name printed under the line when known."""

    role: str
    name: str = ""


@dataclass(frozen=True)
class Document:
    """One printed document; ``landscape`` for wide tables."""

    title: str
    heading: tuple[str, ...]
    sections: tuple[Section, ...]
    signatures: tuple[Signature, ...] = ()
    footer: str = ""
    landscape: bool = True
    lang: Lang = Lang.VI
    notes: tuple[str, ...] = field(default=())
