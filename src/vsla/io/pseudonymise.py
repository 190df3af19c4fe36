"""Pseudonymised exports: no names, no phone numbers, no free text; stable member ids.

A member's pseudonym is the first 16 hex digits (64 bits) of HMAC-SHA256 keyed with a
secret salt over the member's database id. The same salt gives the same pseudonyms in
every export of the same database, so exports made months apart can be joined; without
the salt nobody can go back from a pseudonym to the member. Keep the salt secret and out
of the exported files (pass ``salt=`` or set ``VSLA_PSEUDONYM_SALT``).
"""

from __future__ import annotations

__all__ = ["SALT_ENV", "SYSTEM_ORIGINS", "Pseudonymiser", "pseudonymiser"]

import hashlib
import hmac
import os

from vsla.domain.arguments import checked_call
from vsla.domain.ledger import EntryKind, EntryOrigin, LedgerEntry
from vsla.errors import InvalidInput

SALT_ENV = "VSLA_PSEUDONYM_SALT"
"""The environment variable that holds the secret salt of pseudonymised exports, when no
``salt`` is passed (docs/import-export.md)."""

# Entries whose memo the library itself writes ("carried from cycle 1", "exit: moved",
# "share-out remainder"): they carry no personal data and are kept.
SYSTEM_ORIGINS = frozenset(
    {
        EntryOrigin.UPFRONT_INTEREST,
        EntryOrigin.NETTED_AT_EXIT,
        EntryOrigin.EXIT_PAYOUT,
        EntryOrigin.NETTED_AT_SHARE_OUT,
        EntryOrigin.SHARE_OUT_PAYOUT,
        EntryOrigin.REMAINDER_TRANSFER,
        EntryOrigin.OPENING_CARRY,
        EntryOrigin.OPENING_POSITION,
    }
)


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
    def memo(kind: EntryKind, memo: str, origin: EntryOrigin = EntryOrigin.MEETING) -> str:
        """The memo with anything a person typed removed.

        Kept: a fine's name (a rule of the constitution) and the memos the library writes
        (``exit: moved``, ``carried from cycle 1``, ...), told apart by the entry's origin,
        never by the text. Everything else (expense and income notes, grant reasons,
        write-off and reversal reasons) becomes empty.
        """
        if kind is EntryKind.FINE and origin is EntryOrigin.MEETING:
            return memo
        return memo if origin in SYSTEM_ORIGINS else ""

    def entry_memo(self, entry: LedgerEntry) -> str:
        """:meth:`memo` of a ledger entry."""
        return self.memo(entry.kind, entry.memo, entry.origin)


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
