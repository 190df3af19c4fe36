"""Client ids: how a record re-sent by an app is recognised (docs/sync.md).

A data-entry app may give every record it creates a ``client_id`` of its own choosing (up to
64 characters, a UUID say), unique per kind of record within its programme. The store
keeps, for each client id, what was first submitted with it (its *content*: the record as
the app sent it, in JSON form). A record sent again with a client id already stored is
compared with that content:

- the same content: nothing is written and the stored record is returned;
- other content: :class:`~vsla.errors.SyncConflict`, naming every differing field with
  both values.

This module is pure: :func:`content` turns a submitted record into its content,
:func:`differences` compares two contents field by field, and :func:`check_resend` raises
the conflict. The store looks the client id up and calls them.

```pycon
>>> differences({"name": "Y Hoa", "shares": {"3": 2}}, {"name": "Y Hoa", "shares": {"3": 4}})
[FieldDifference(field='shares.3', stored=2, given=4)]

```
"""

from __future__ import annotations

__all__ = [
    "ClientId",
    "RecordKind",
    "check_resend",
    "content",
    "differences",
]

import json
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from vsla.errors import FieldDifference, SyncConflict

ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
"""An app's own id for a record it creates: 1 to 64 characters, kept exactly as given."""


class RecordKind(StrEnum):
    """The kinds of record an app creates; a client id is unique per kind in a programme."""

    GROUP = "group"
    MEMBER = "member"
    CYCLE = "cycle"
    MEETING = "meeting"
    LOAN = "loan"
    REPAYMENT = "repayment"
    REFERRAL = "referral"
    LIVELIHOOD_SUPPORT = "livelihood_support"
    GAL_SESSION = "gal_session"
    OPENING_POSITION = "opening_position"


def _json(value: Any) -> Any:
    """``value`` as it reads back from a JSON column: keys are text, tuples are lists."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def content(record: BaseModel | dict[str, Any]) -> Any:
    """What a submitted record says, in JSON form (the form the store keeps)."""
    if isinstance(record, BaseModel):
        return _json(record.model_dump(mode="json"))
    return _json(record)


def differences(stored: Any, given: Any, path: str = "") -> list[FieldDifference]:
    """Every field on which ``given`` differs from ``stored`` (two contents), depth first.

    Mappings are compared key by key (``path.key``), lists item by item (``path[i]``); a
    key or item present on one side only differs from ``None``.
    """
    if isinstance(stored, dict) and isinstance(given, dict):
        out: list[FieldDifference] = []
        keys = list(stored) + [k for k in given if k not in stored]
        for key in keys:
            where = f"{path}.{key}" if path else str(key)
            out += differences(stored.get(key), given.get(key), where)
        return out
    if isinstance(stored, list) and isinstance(given, list):
        out = []
        for i in range(max(len(stored), len(given))):
            a = stored[i] if i < len(stored) else None
            b = given[i] if i < len(given) else None
            out += differences(a, b, f"{path}[{i}]")
        return out
    if stored == given:
        return []
    return [FieldDifference(path, stored, given)]


def check_resend(
    kind: RecordKind,
    client_id: str,
    record: str,
    stored: Any,
    given: Any,
    *,
    record_id: int | None = None,
    group_code: str | None = None,
    member_number: int | None = None,
) -> None:
    """Accept a re-sent record whose content equals the stored one; otherwise raise
    :class:`~vsla.errors.SyncConflict` naming each differing field with both values.

    ``record`` describes the stored record for people (``"member #12 (Y Hoa)"``).
    """
    found = differences(_json(stored), _json(given))
    if not found:
        return
    listed = "; ".join(str(d) for d in found[:10])
    more = f"; and {len(found) - 10} more" if len(found) > 10 else ""
    raise SyncConflict(
        f"{kind.value} client id {client_id!r} already names {record}, sent with other "
        f"content: {listed}{more}. Nothing was written (rule: one client id, one record; "
        "send a new record with a new client id, or correct the stored one)",
        kind=kind.value,
        client_id=client_id,
        record_id=record_id,
        differences=tuple(found),
        rule="client_id_one_record",
        field=found[0].field,
        group_code=group_code,
        member_number=member_number,
    )
