"""Importing referrals to formal finance and livelihood support, each recorded once."""

from __future__ import annotations

__all__ = ["import_livelihood", "import_referrals"]

from typing import Any

from vsla.domain.activity import NewLivelihoodSupport, NewReferral, ReferralOutcome
from vsla.io.importers.directory import Directory, who, write_checked
from vsla.io.importers.sheet import Problems, Row, fold, show_date
from vsla.store.store import Store


def import_referrals(store: Store, rows: list[Row], problems: Problems) -> dict[str, int]:
    directory = Directory(store)
    recorded: dict[int, dict[tuple[Any, ...], str]] = {}
    new: list[NewReferral] = []
    for row in rows:
        found = directory.resolve(row, problems)
        if found is None:
            continue
        group, member = found
        if member is None:
            continue
        ok = not row.bad
        outcome = row["outcome"] or ReferralOutcome.PENDING
        referred, outcome_on = row["referred_on"], row["outcome_on"]
        if "outcome" not in row.bad and "outcome_on" not in row.bad:
            if outcome is not ReferralOutcome.PENDING and outcome_on is None:
                problems.add(
                    row.number, "outcome_on", f"the outcome {outcome.value!r} needs its date"
                )
                ok = False
            elif outcome is ReferralOutcome.PENDING and outcome_on is not None:
                problems.add(
                    row.number,
                    "outcome_on",
                    "a pending referral has no outcome date: give the outcome too",
                )
                ok = False
            elif outcome_on and referred and outcome_on < referred:
                problems.add(
                    row.number,
                    "outcome_on",
                    f"{show_date(outcome_on)} is before the referral ({show_date(referred)})",
                )
                ok = False
        if referred and member.joined_on > referred:
            problems.add(
                row.number,
                "referred_on",
                f"{who(member)} joined the group on {show_date(member.joined_on)}, "
                "after this referral",
            )
            ok = False
        if group.id not in recorded:
            recorded[group.id] = {
                (r.member_id, r.institution, fold(r.service), r.referred_on): (
                    f"is already recorded (referral #{r.id})"
                )
                for r in store.referrals(group_id=group.id)
            }
        if ok:
            key = (member.id, row["institution"], fold(row["service"]), referred)
            if key in recorded[group.id]:
                problems.add(row.number, "", f"this referral {recorded[group.id][key]}")
                continue
            recorded[group.id][key] = f"is the same as row {row.number}"
            new.append(
                NewReferral(
                    member_id=member.id,
                    institution=row["institution"],
                    service=row["service"],
                    referred_on=referred,
                    outcome=outcome,
                    outcome_on=outcome_on,
                    note=row["note"] or "",
                )
            )
    problems.raise_if_any()
    return {"referrals": len(write_checked(problems, store.add_referrals, new))}


def import_livelihood(store: Store, rows: list[Row], problems: Problems) -> dict[str, int]:
    directory = Directory(store)
    recorded: dict[int, dict[tuple[Any, ...], str]] = {}
    new: list[NewLivelihoodSupport] = []
    for row in rows:
        found = directory.resolve(row, problems)
        if found is None:
            continue
        group, member = found
        if member is None:
            continue
        ok = not row.bad
        received = row["received_on"]
        if received and member.joined_on > received:
            problems.add(
                row.number,
                "received_on",
                f"{who(member)} joined the group on {show_date(member.joined_on)}, "
                "after this support",
            )
            ok = False
        if group.id not in recorded:
            recorded[group.id] = {
                (s.member_id, s.kind, fold(s.provider), s.received_on): (
                    f"is already recorded (support #{s.id})"
                )
                for s in store.livelihood_supports(group_id=group.id)
            }
        if ok:
            key = (member.id, row["kind"], fold(row["provider"] or ""), received)
            if key in recorded[group.id]:
                problems.add(row.number, "", f"this support {recorded[group.id][key]}")
                continue
            recorded[group.id][key] = f"is the same as row {row.number}"
            new.append(
                NewLivelihoodSupport(
                    member_id=member.id,
                    kind=row["kind"],
                    provider=row["provider"] or "",
                    received_on=received,
                    value=row["value"] or 0,
                    note=row["note"] or "",
                )
            )
    problems.raise_if_any()
    return {"livelihood_supports": len(write_checked(problems, store.add_livelihood_supports, new))}
