"""Importing referrals to formal finance and livelihood support, each recorded once.

Both are records of one member on one day, imported the same way (:func:`_import`): the
row's member must have joined by that day, and a record already stored, or given twice in
the file, is a row error. :class:`_Activity` holds what differs: the columns, the checks
of a referral's outcome, the record built and the store calls.
"""

from __future__ import annotations

__all__ = ["import_livelihood", "import_referrals"]

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from vsla.domain.activity import (
    LivelihoodSupport,
    NewLivelihoodSupport,
    NewReferral,
    Referral,
    ReferralOutcome,
)
from vsla.domain.entities import Member
from vsla.errors import VslaError
from vsla.io.importers.directory import Directory, who, write_checked
from vsla.io.importers.sheet import InputRow, Problems, fold, model_field, show_date
from vsla.store.store import Store


class _Recorded(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def member_id(self) -> int: ...

    @property
    def client_id(self) -> str | None: ...


N = TypeVar("N")
S = TypeVar("S", bound=_Recorded)


def _no_checks(row: InputRow, problems: Problems) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class _Activity(Generic[N, S]):
    """What differs between the member activities imported by :func:`_import`."""

    what: str  # "referral": in the messages
    table: str  # the count's name in the import summary
    day: str  # the column of the day it happened
    choice: str  # with the member, the day and ``text`` (folded), makes a record the same
    text: str
    stored: Callable[[Store, int], Sequence[S]]  # the records of a group already stored
    write: Callable[[Store], Callable[[list[N]], list[S]]]
    build: Callable[[InputRow, Member], N]
    check: Callable[[InputRow, Problems], bool] = _no_checks  # the row's own checks: False if bad

    def key(self, member_id: int, value: Callable[[str], Any]) -> tuple[Any, ...]:
        """What makes two records the same, ``value`` giving a record's or a row's fields."""
        return (member_id, value(self.choice), fold(value(self.text) or ""), value(self.day))


def _import(
    kind: _Activity[N, S], store: Store, rows: list[InputRow], problems: Problems
) -> dict[str, int]:
    directory = Directory(store)
    recorded: dict[int, dict[tuple[Any, ...], str]] = {}
    sent: set[str] = set()  # client ids already stored: a row with one is imported again
    stored: set[int] = set()
    new: list[N] = []
    for row in rows:
        found = directory.resolve(row, problems)
        if found is None:
            continue
        group, member = found
        if member is None:
            continue
        ok = not row.bad
        if not kind.check(row, problems):
            ok = False
        day = row[kind.day]
        if day and member.joined_on > day:
            problems.add(
                row.number,
                kind.day,
                f"{who(member)} joined the group on {show_date(member.joined_on)}, "
                f"after this {kind.what}",
                "joined_after_activity",
                member_number=member.number,
                joined_on=show_date(member.joined_on),
            )
            ok = False
        if group.id not in recorded:
            before = kind.stored(store, group.id)
            recorded[group.id] = {
                kind.key(r.member_id, partial(getattr, r)): (
                    f"is already recorded ({kind.what} #{r.id})"
                )
                for r in before
            }
            sent.update(r.client_id for r in before if r.client_id)
            stored.update(r.id for r in before)
        if ok and row["client_id"] in sent:
            new.append(kind.build(row, member))  # the store returns it, or names what differs
        elif ok:
            key = kind.key(member.id, row.__getitem__)
            if key in recorded[group.id]:
                problems.add(
                    row.number,
                    "",
                    f"this {kind.what} {recorded[group.id][key]}",
                    "activity_twice",
                    member_number=member.number,
                )
                continue
            recorded[group.id][key] = f"is the same as row {row.number}"
            try:
                new.append(kind.build(row, member))
            except VslaError as exc:  # what no cell check foresaw (text with NUL, ...)
                problems.add(row.number, model_field(exc, row.values), str(exc))
    problems.raise_if_any()
    written = write_checked(problems, kind.write(store), new)
    return {kind.table: len({r.id for r in written} - stored)}


# ------------------------------------------------------------------------------- referrals


def _outcome(row: InputRow) -> ReferralOutcome:
    """The row's outcome; blank is pending."""
    return row["outcome"] or ReferralOutcome.PENDING


def _check_referral(row: InputRow, problems: Problems) -> bool:
    """A referral's outcome and its date go together, the date not before the referral."""
    if "outcome" in row.bad or "outcome_on" in row.bad:
        return True
    outcome, referred, outcome_on = _outcome(row), row["referred_on"], row["outcome_on"]
    if outcome is not ReferralOutcome.PENDING and outcome_on is None:
        problems.add(
            row.number,
            "outcome_on",
            f"the outcome {outcome.value!r} needs its date",
            "outcome_needs_date",
        )
        return False
    if outcome is ReferralOutcome.PENDING and outcome_on is not None:
        problems.add(
            row.number,
            "outcome_on",
            "a pending referral has no outcome date: give the outcome too",
            "pending_has_no_date",
        )
        return False
    if outcome_on and referred and outcome_on < referred:
        problems.add(
            row.number,
            "outcome_on",
            f"{show_date(outcome_on)} is before the referral ({show_date(referred)})",
            "outcome_before_referral",
            outcome_on=show_date(outcome_on),
            referred_on=show_date(referred),
        )
        return False
    return True


def _referral(row: InputRow, member: Member) -> NewReferral:
    return NewReferral(
        member_id=member.id,
        institution=row["institution"],
        service=row["service"],
        referred_on=row["referred_on"],
        outcome=_outcome(row),
        outcome_on=row["outcome_on"],
        note=row["note"] or "",
        client_id=row["client_id"],
    )


_REFERRALS: _Activity[NewReferral, Referral] = _Activity(
    what="referral",
    table="referrals",
    day="referred_on",
    choice="institution",
    text="service",
    stored=lambda store, group_id: store.referrals(group_id=group_id),
    write=lambda store: store.add_referrals,
    build=_referral,
    check=_check_referral,
)


def import_referrals(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    """Check every row of a referrals file, then write them all (or raise every error)."""
    return _import(_REFERRALS, store, rows, problems)


# ----------------------------------------------------------------------- livelihood support


def _support(row: InputRow, member: Member) -> NewLivelihoodSupport:
    return NewLivelihoodSupport(
        member_id=member.id,
        kind=row["kind"],
        provider=row["provider"] or "",
        received_on=row["received_on"],
        value=row["value"] or 0,
        note=row["note"] or "",
        client_id=row["client_id"],
    )


_SUPPORTS: _Activity[NewLivelihoodSupport, LivelihoodSupport] = _Activity(
    what="support",
    table="livelihood_supports",
    day="received_on",
    choice="kind",
    text="provider",
    stored=lambda store, group_id: store.livelihood_supports(group_id=group_id),
    write=lambda store: store.add_livelihood_supports,
    build=_support,
)


def import_livelihood(store: Store, rows: list[InputRow], problems: Problems) -> dict[str, int]:
    """Check every row of a livelihood support file, then write them all (or raise every
    error)."""
    return _import(_SUPPORTS, store, rows, problems)
