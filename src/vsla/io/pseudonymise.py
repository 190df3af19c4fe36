"""Pseudonymised exports: no names, no phone numbers, no free text; stable member ids.

A member's pseudonym is the first 16 hex digits (64 bits) of HMAC-SHA256 keyed with a
secret salt over the member's database id. The same salt gives the same pseudonyms in
every export of the same database, so exports made months apart can be joined; without
the salt nobody can go back from a pseudonym to the member. Keep the salt secret and out
of the exported files (pass ``salt=`` or set ``VSLA_PSEUDONYM_SALT``).
"""

from __future__ import annotations

__all__ = ["SALT_ENV", "Pseudonymiser", "pseudonymiser"]

import hashlib
import hmac
import os
import re

from vsla.domain.arguments import checked_call
from vsla.domain.entities import ExitReason
from vsla.domain.ledger import EntryKind, LedgerEntry
from vsla.errors import InvalidInput

SALT_ENV = "VSLA_PSEUDONYM_SALT"

# Memos the library itself writes: they carry no personal data and are kept.
SYSTEM_MEMOS = frozenset(
    {"upfront", "netted at exit", "netted at share-out", "share-out remainder"}
)

_CARRIED = re.compile(r"carried from cycle \d+")
_EXIT = re.compile(r"exit: ([a-z_]+)")
_REVERSES = re.compile(r"(reverses #\d+)(?::.*)?", re.DOTALL)


class Pseudonymiser:
    """Turns member ids into pseudonyms and strips free text from memos."""

    @checked_call
    def __init__(self, salt: str) -> None:
        if not salt:
            raise InvalidInput("a pseudonymised export needs a non-empty salt")
        self._key = salt.encode("utf-8")

    def member(self, member_id: int) -> str:
        digest = hmac.new(self._key, str(member_id).encode("ascii"), hashlib.sha256)
        return digest.hexdigest()[:16]

    @staticmethod
    def memo(kind: EntryKind, memo: str, *, reversal: bool = False) -> str:
        """The memo with anything a person typed removed.

        Kept: a fine's name (a rule of the constitution) and the memos the library writes
        (``upfront``, ``exit: moved``, ``carried from cycle 1``, ...). A reversal keeps
        ``reverses #12`` and loses its reason. Everything else (expense and income notes,
        grant reasons, write-off reasons) becomes empty.
        """
        if reversal:
            m = _REVERSES.fullmatch(memo)
            return "" if m is None else m[1]
        if kind is EntryKind.FINE or memo in SYSTEM_MEMOS or _CARRIED.fullmatch(memo):
            return memo
        if (m := _EXIT.fullmatch(memo)) is not None and m[1] in ExitReason._value2member_map_:
            return memo
        return ""

    def entry_memo(self, entry: LedgerEntry) -> str:
        """:meth:`memo` of a ledger entry."""
        return self.memo(entry.kind, entry.memo, reversal=entry.reverses_id is not None)


def pseudonymiser(pseudonymise: bool, salt: str | None) -> Pseudonymiser | None:
    """The pseudonymiser an export asked for, or ``None``; the salt comes from ``salt`` or
    the ``VSLA_PSEUDONYM_SALT`` environment variable, and one of them is required."""
    if not pseudonymise:
        return None
    found = salt if salt is not None else os.environ.get(SALT_ENV)
    if not found:
        raise InvalidInput(
            f"pseudonymise=True needs a secret salt: pass salt=... or set {SALT_ENV} "
            "(the same salt gives the same member pseudonyms in every export)"
        )
    return Pseudonymiser(found)
