"""The database schema, in one adapter module (SQLAlchemy Core).

Money columns are ``BigInteger`` of minor units; rates are stored as text so that no
database ever sees a float. Entries are append-only: nothing in the library updates or
deletes a row of ``entries``; a correction is a new row whose ``reverses_id`` names the
row it cancels (unique, so an entry is reversed at most once).

This module is the schema at the head revision of ``vsla/store/migrations``: a change here
needs a new revision there (see docs/reliability.md, "Schema versions and migrations").
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")
"""Row ids and the columns that point at them: 64-bit (revision 0005). The ledger gains about
2,200 entries per group a year, so a national programme passes 2^31 entry ids within a few
years; PostgreSQL's ``bigint`` holds 9.2 x 10^18. SQLite's ``INTEGER`` primary key is
already a 64-bit rowid, and stays ``INTEGER`` so that it remains the rowid."""

programmes = Table(
    "programmes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("province", Text, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("targets", JSON, nullable=False),
)

groups = Table(
    "groups",
    metadata,
    Column("id", Id, primary_key=True),
    Column("programme_id", Id, ForeignKey("programmes.id"), nullable=True, index=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("province", Text, nullable=False),
    Column("district", Text, nullable=False, index=True),
    Column("commune", Text, nullable=False),
    Column("village", Text, nullable=False),
    Column("established_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("gal_pilot_since", Date, nullable=True),
    Column("client_id", String(64), nullable=True),  # revision 0004: the app's id
)

members = Table(
    "members",
    metadata,
    Column("id", Id, primary_key=True),
    Column("group_id", Id, ForeignKey("groups.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_year", Integer, nullable=True),
    Column("ethnicity", Text, nullable=False),
    Column("phone", String(32), nullable=True),
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date, nullable=True),
    Column("exit_reason", String(16), nullable=True),
    Column("gal_champion_since", Date, nullable=True),
    Column("client_id", String(64), nullable=True),
    UniqueConstraint("group_id", "number"),
)

cycles = Table(
    "cycles",
    metadata,
    Column("id", Id, primary_key=True),
    Column("group_id", Id, ForeignKey("groups.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("share_value", BigInteger, nullable=False),
    Column("constitution", JSON, nullable=False),
    Column("previous_cycle_id", Id, ForeignKey("cycles.id"), nullable=True),
    Column("shared_out_on", Date, nullable=True),
    Column("client_id", String(64), nullable=True),
    UniqueConstraint("group_id", "number"),
)

officers = Table(
    "officers",
    metadata,
    Column("cycle_id", Id, ForeignKey("cycles.id"), primary_key=True),
    Column("member_id", Id, ForeignKey("members.id"), primary_key=True),
    Column("role", String(16), primary_key=True),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Id, primary_key=True),
    Column("cycle_id", Id, ForeignKey("cycles.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("number", Integer, nullable=False),
    # True once record_meeting has written the meeting itself; a meeting holding only a
    # write-off, a reversal, an exit or a cycle's opening balance is False
    Column("minutes_recorded", Boolean, nullable=False, default=False),
    Column("client_id", String(64), nullable=True),
    UniqueConstraint("cycle_id", "date"),
)

attendance = Table(
    "attendance",
    metadata,
    Column("meeting_id", Id, ForeignKey("meetings.id"), primary_key=True),
    Column("member_id", Id, ForeignKey("members.id"), primary_key=True),
    Column("status", String(16), nullable=False),
)

loans = Table(
    "loans",
    metadata,
    Column("id", Id, primary_key=True),
    Column("cycle_id", Id, ForeignKey("cycles.id"), nullable=False, index=True),
    Column("member_id", Id, ForeignKey("members.id"), nullable=False, index=True),
    Column("meeting_id", Id, ForeignKey("meetings.id"), nullable=False),
    Column("disbursed_on", Date, nullable=False),
    Column("principal", BigInteger, nullable=False),
    Column("interest_rate", String(32), nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("method", String(16), nullable=False),
    Column("principal_schedule", String(16), nullable=False),
    Column("rounding", String(16), nullable=False),
    Column("purpose", String(16), nullable=False),
    # the app's id of the loan (LoanRequest.client_id, alias ref; named ref until 0004)
    Column("client_id", String(64), nullable=True),
    UniqueConstraint("cycle_id", "client_id"),
)

entries = Table(
    "entries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("cycle_id", Id, ForeignKey("cycles.id"), nullable=False),
    Column("meeting_id", Id, ForeignKey("meetings.id"), nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("shares", Integer, nullable=False, default=0),
    Column("member_id", Id, ForeignKey("members.id"), nullable=True, index=True),
    Column("loan_id", Id, ForeignKey("loans.id"), nullable=True, index=True),
    Column("memo", Text, nullable=False, default=""),
    Column("reverses_id", Id, ForeignKey("entries.id"), nullable=True, unique=True),
    # which rule made the entry (vsla.domain.ledger.EntryOrigin; revision 0003): code
    # decides on it, never on the memo
    Column("origin", String(24), nullable=False, server_default="meeting"),
    # revision 0004: a repayment's client id (on both its entries), and the day an opening
    # position's loan move happened on paper (vsla.domain.opening)
    Column("client_id", String(64), nullable=True),
    Column("effective_on", Date, nullable=True),
    Index("ix_entries_cycle_kind", "cycle_id", "kind"),
    # each member's shares in a cycle, summed when a meeting is planned (revision 0002)
    Index("ix_entries_cycle_member", "cycle_id", "member_id"),
)

loan_marks = Table(
    "loan_marks",
    metadata,
    # revision 0006: each loan's arrears as stretches of days (vsla.domain.loanmarks), kept
    # with every loan move so that the portfolio at risk on any date is one aggregate query.
    # Derived from the entries: rewritten for a loan whenever its moves change, checked
    # against the ledger by Store.verify_loan_marks (`vsla db verify`).
    Column("loan_id", Id, ForeignKey("loans.id"), nullable=False),
    Column("since", Date, nullable=False),
    Column("until", Date, nullable=True),
    Column("outstanding", BigInteger, nullable=False),
    Column("unpaid_since", Date, nullable=False),
    PrimaryKeyConstraint("loan_id", "since"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("id", Id, primary_key=True),
    Column("member_id", Id, ForeignKey("members.id"), nullable=False, index=True),
    Column("institution", String(32), nullable=False),
    Column("service", Text, nullable=False),
    Column("referred_on", Date, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("outcome_on", Date, nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("client_id", String(64), nullable=True),
)

livelihood_supports = Table(
    "livelihood_supports",
    metadata,
    Column("id", Id, primary_key=True),
    Column("member_id", Id, ForeignKey("members.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("provider", Text, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("client_id", String(64), nullable=True),
)

gal_sessions = Table(
    "gal_sessions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("group_id", Id, ForeignKey("groups.id"), nullable=False, index=True),
    Column("held_on", Date, nullable=False),
    Column("tool", String(32), nullable=False),
    Column("women", Integer, nullable=False),
    Column("men", Integer, nullable=False),
    Column("reached_by_peer_sharing", Integer, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("client_id", String(64), nullable=True),
)

# Revision 0004 (docs/sync.md). Every client id an app gave a record, unique per kind within
# a programme (``programme_key``: the programme's id, 0 for groups outside any programme),
# with the content first submitted with it: a record sent again is compared with it.
client_ids = Table(
    "client_ids",
    metadata,
    Column("programme_key", Id, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("record_id", Id, nullable=False),
    Column("content", JSON, nullable=False),
    PrimaryKeyConstraint("programme_key", "kind", "client_id"),
)

# The change feed (Store.changes): one row per kind of record each store call wrote, with
# the ids. ``seq`` is the commit sequence: on PostgreSQL a deferred trigger assigns it while
# the transaction commits, under a lock held until the commit is visible (CHANGES_DDL), so
# seq order is commit order and a reader never sees seq n + 1 before seq n; SQLite
# serialises writers, so the store assigns it when it inserts the row.
changes = Table(
    "changes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("seq", BigInteger, nullable=True),
    Column("kind", String(24), nullable=False),
    Column("record_ids", JSON, nullable=False),
    Index("ix_changes_seq", "seq", unique=True),
)

CHANGES_FUNCTION = """
CREATE OR REPLACE FUNCTION vsla_changes_commit_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- held until this transaction's commit is visible: seq order is commit order
    PERFORM pg_advisory_xact_lock(TG_RELID::bigint);
    EXECUTE 'UPDATE ' || quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME)
        || ' SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM '
        || quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME)
        || ') WHERE id = $1' USING NEW.id;
    RETURN NULL;
END
$$
"""
CHANGES_TRIGGER = """
CREATE CONSTRAINT TRIGGER changes_commit_seq AFTER INSERT ON changes
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION vsla_changes_commit_seq()
"""
"""PostgreSQL: the commit sequence of the change feed, assigned at commit (revision 0004)."""

for _ddl in (CHANGES_FUNCTION, CHANGES_TRIGGER):
    _create = DDL(_ddl).execute_if(dialect="postgresql")  # type: ignore[no-untyped-call]
    event.listen(changes, "after_create", _create)
