"""The exception hierarchy of ``vsla``.

Every error the library raises on purpose is a :class:`VslaError`. Each subclass also
derives from the matching builtin, so ``except ValueError`` keeps working for callers who
do not know this library. Messages name the group, the member, the amount and the rule
that was broken, so a data-entry app can show them as they are.
"""

from __future__ import annotations

__all__ = [
    "BoxWouldGoNegative",
    "CannotConnect",
    "ConcurrentUpdate",
    "CycleClosed",
    "DatabaseBusy",
    "DatabaseReadOnly",
    "DateOutsideCycle",
    "EntryNotReversible",
    "FieldDifference",
    "FontNotFound",
    "ImportErrors",
    "InvalidConstitution",
    "InvalidInput",
    "InvalidOpeningPosition",
    "InvalidShareOutInput",
    "LateMeetingRefused",
    "LoanLimitExceeded",
    "MemberNotActive",
    "NotADatabase",
    "NotFound",
    "RepaymentExceedsDue",
    "RowError",
    "SchemaMismatch",
    "ShareOutRefused",
    "SharesOutOfRange",
    "StoreError",
    "SyncConflict",
    "VslaError",
]

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class VslaError(Exception):
    """Root of every error raised by ``vsla`` on purpose.

    Besides its message (for people), an error carries its facts as data, for code: each
    is ``None`` when it does not apply or is not known where the error is raised.

    - ``rule``: the rule that was broken, a short name (``"max_loan_multiple"``,
      ``"box_never_negative"``, ``"shares_per_meeting"``, ...);
    - ``group_code``: the group's code; ``member_number``: the member's number in the group;
    - ``loan_id``: the loan; ``entry_id``: the ledger entry;
    - ``field``: the field of the input at fault (``"share_purchases"``, ``"loans.principal"``,
      ``"repayments"``, ``"date"``, ...); ``row``: the row of an imported file.

    ```pycon
    >>> error = LoanLimitExceeded("too much", rule="max_loan_multiple", member_number=2)
    >>> error.rule, error.member_number, error.loan_id, str(error)
    ('max_loan_multiple', 2, None, 'too much')

    ```
    """

    def __init__(
        self,
        *args: object,
        rule: str | None = None,
        group_code: str | None = None,
        member_number: int | None = None,
        loan_id: int | None = None,
        entry_id: int | None = None,
        field: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(*args)
        self.rule = rule
        self.group_code = group_code
        self.member_number = member_number
        self.loan_id = loan_id
        self.entry_id = entry_id
        self.field = field
        self.row = row


class InvalidInput(VslaError, ValueError):
    """A value given to the library does not validate (wrong type, missing field, ...)."""


class InvalidConstitution(InvalidInput):
    """A cycle's rules are inconsistent (share value <= 0, min > max shares, ...)."""


class NotFound(VslaError, LookupError):
    """A programme, group, member, cycle, meeting, loan or entry does not exist."""


class FontNotFound(VslaError, FileNotFoundError):
    """A printed PDF needs a TrueType font with every Vietnamese letter, and none was found
    (the message names the font, where it was looked for, and how to install it)."""


class MemberNotActive(VslaError, ValueError):
    """A transaction names a member who is not active in the group on the meeting date."""


class SharesOutOfRange(VslaError, ValueError):
    """Shares bought at one meeting lie outside the constitution's [min, max]."""


class BoxWouldGoNegative(VslaError, ValueError):
    """The loan fund or the social fund would hold less than zero cash."""


class LoanLimitExceeded(VslaError, ValueError):
    """A loan breaks the maximum loan multiple or the maximum term."""


class RepaymentExceedsDue(VslaError, ValueError):
    """A repayment is larger than what the borrower owes on that date."""


class DateOutsideCycle(VslaError, ValueError):
    """A meeting date lies outside its cycle, or before the previous meeting."""


class CycleClosed(VslaError, ValueError):
    """Something is recorded in a cycle after its share-out."""


class ShareOutRefused(VslaError, ValueError):
    """A share-out cannot be made (loans outstanding under the ``refuse`` policy, ...)."""


class InvalidShareOutInput(InvalidInput, ShareOutRefused):
    """A share-out or an exit settlement given a value of the wrong type (a ``float`` or a
    ``bool`` for a number of shares, say): a wrong input, and so a refused share-out."""


class EntryNotReversible(VslaError, ValueError):
    """An entry is already reversed, is itself a reversal, or cannot be reversed."""


class LateMeetingRefused(VslaError, ValueError):
    """A meeting dated before meetings already recorded would change what a later meeting
    (or a later correction) recorded, or make it invalid; nothing was written. The error
    names the first later meeting and entry that would change, and why."""


class InvalidOpeningPosition(InvalidInput):
    """An opening position (a paper group's figures mid-cycle) does not add up or does not
    fit the cycle's rules; nothing was written. ``problems`` holds one error per problem
    (each with its member, field and rule); the error's own facts are the first one's."""

    def __init__(
        self, *args: object, problems: tuple[InvalidOpeningPosition, ...] = (), **facts: Any
    ) -> None:
        super().__init__(*args, **facts)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One field on which a re-sent record differs from the stored one: its path
    (``full_name``, ``loans[0].principal``, ``share_purchases.12``) and both values, as
    JSON values (``None`` where the field is absent on one side)."""

    field: str
    stored: Any
    given: Any

    def __str__(self) -> str:
        return f"{self.field}: stored {self.stored!r}, given {self.given!r}"


class SyncConflict(InvalidInput):
    """A record was sent with a ``client_id`` that already names a stored record of the
    same kind in the programme, with other content. Nothing was written.

    ``kind`` (``"member"``, ``"meeting"``, ...), ``client_id``, ``record_id`` (the stored
    record) and ``differences`` (each differing field with both values) are data;
    ``field`` is the first differing field. It is an :class:`InvalidInput`: what was
    sent contradicts what is stored.
    """

    def __init__(
        self,
        *args: object,
        kind: str | None = None,
        client_id: str | None = None,
        record_id: int | None = None,
        differences: tuple[FieldDifference, ...] = (),
        **facts: Any,
    ) -> None:
        super().__init__(*args, **facts)
        self.kind = kind
        self.client_id = client_id
        self.record_id = record_id
        self.differences = differences


class StoreError(VslaError, RuntimeError):
    """The database cannot do what was asked (busy, read-only, wrong schema, a conflict)."""


class DatabaseBusy(StoreError):
    """Another process holds the database's write lock longer than the store waits."""


class DatabaseReadOnly(StoreError):
    """The database (file, directory or role) does not allow writing."""


class ConcurrentUpdate(StoreError):
    """Another writer changed the same rows at the same time and retrying did not help."""


class SchemaMismatch(StoreError):
    """The database's schema version is not one this version of vsla can open or upgrade."""


class CannotConnect(StoreError):
    """The database cannot be reached: no such folder for a SQLite file, or the server
    refuses the connection (unknown host, role or database, wrong password, port closed)."""


class NotADatabase(StoreError):
    """The file named as the database is not a SQLite database."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row of an imported file.

    ``message`` is in English; ``rule`` (the rule broken, a short name) and ``facts`` (the
    values the message names: ``group_code``, ``member_number``, ``value``, ...) let a
    program say it in another language (:func:`vsla.io.row_message`). Both are left out
    of comparisons: two errors are equal when they say the same thing at the same place.
    """

    source: str
    row: int
    column: str
    message: str
    rule: str | None = field(default=None, compare=False)
    facts: Mapping[str, object] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.source}, row {self.row}, column {self.column!r}: {self.message}"


class ImportErrors(VslaError, ValueError):
    """Every row error of an import, reported at once; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        lines = "\n".join(f"  {e}" for e in self.errors)
        super().__init__(f"{len(self.errors)} error(s); nothing was imported:\n{lines}")
