"""The tables of a programme export: their names, columns and the format's version."""

from __future__ import annotations

from typing import Any, ParamSpec, TypeVar

FORMAT = "vsla-programme"
VERSION = 1

TABLES: dict[str, tuple[str, ...]] = {
    "programmes": (
        "id",
        "name",
        "currency",
        "province",
        "period_start",
        "period_end",
        "target_groups",
        "target_gal_pilot_groups",
        "target_referral_rate",
        "target_livelihood_support_rate",
    ),
    "groups": (
        "id",
        "programme_id",
        "code",
        "name",
        "province",
        "district",
        "commune",
        "village",
        "established_on",
        "status",
        "gal_pilot_since",
    ),
    "members": (
        "id",
        "group_id",
        "number",
        "full_name",
        "sex",
        "birth_year",
        "ethnicity",
        "phone",
        "joined_on",
        "left_on",
        "exit_reason",
        "gal_champion_since",
    ),
    "cycles": (
        "id",
        "group_id",
        "number",
        "start_date",
        "end_date",
        "shared_out_on",
        "constitution",
    ),
    "officers": ("cycle_id", "member_id", "role"),
    "meetings": ("id", "cycle_id", "date", "number", "seq"),
    "attendance": ("meeting_id", "member_id", "status"),
    "meeting_items": (
        "meeting_id",
        "item",
        "member_id",
        "amount",
        "shares",
        "loan_id",
        "fine",
        "term_months",
        "purpose",
        "memo",
    ),
    "loans": (
        "id",
        "cycle_id",
        "member_id",
        "meeting_id",
        "disbursed_on",
        "principal",
        "interest_rate",
        "term_months",
        "method",
        "principal_schedule",
        "rounding",
        "purpose",
    ),
    "reversals": ("seq", "cycle_id", "entry_id", "reverses_entry_id", "date", "reason"),
    "write_offs": ("seq", "cycle_id", "entry_id", "loan_id", "date", "amount", "reason"),
    "exits": ("seq", "cycle_id", "member_id", "date", "reason", "payout"),
    "share_outs": ("seq", "cycle_id", "date", "total_payout"),
    "openings": ("seq", "cycle_id", "date", "position"),
    "entries": (
        "id",
        "cycle_id",
        "meeting_id",
        "date",
        "kind",
        "amount",
        "shares",
        "member_id",
        "loan_id",
        "memo",
        "reverses_id",
        "origin",
    ),
    "referrals": (
        "id",
        "member_id",
        "institution",
        "service",
        "referred_on",
        "outcome",
        "outcome_on",
        "note",
    ),
    "livelihood_supports": ("id", "member_id", "kind", "provider", "received_on", "value", "note"),
    "gal_sessions": (
        "id",
        "group_id",
        "held_on",
        "tool",
        "women",
        "men",
        "reached_by_peer_sharing",
        "note",
    ),
}
"""Every table of the export and its columns, in order."""

_EVENT_TABLES = ("meetings", "reversals", "write_offs", "exits", "share_outs", "openings")
_OPTIONAL_TABLES = ("openings",)
"""Tables added to the format after its first files: a file without them reads as empty."""

_REDACTED = "not exported"

TableRow = dict[str, Any]
"""One row of an exported table: column name -> value."""
P = ParamSpec("P")
T = TypeVar("T")
