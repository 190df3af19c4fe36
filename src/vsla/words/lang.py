"""The languages every user-facing text is written in."""

from __future__ import annotations

__all__ = ["Lang"]

from enum import StrEnum


class Lang(StrEnum):
    """Vietnamese (``vi``) or English (``en``)."""

    VI = "vi"
    EN = "en"
