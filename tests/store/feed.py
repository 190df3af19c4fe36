"""An app's local copy kept by the change feed, and the database read whole to compare."""

from __future__ import annotations

from typing import Any

import vsla

Copy = dict[tuple[str, int], Any]


def pull(store: vsla.Store, copy: Copy, cursor: str | None, limit: int = 5000) -> str:
    """Bring ``copy`` up to date from ``cursor`` (every batch until none is left); the new
    cursor. Commit sequence numbers only grow."""
    last = -1
    while True:
        batch = store.changes(cursor, limit=limit)
        for change in batch.changes:
            assert change.seq >= last
            last = change.seq
            copy[(change.kind.value, change.id)] = change.record
        cursor = batch.cursor
        if not batch.more:
            return cursor


def database(store: vsla.Store) -> Copy:
    """Every record of the database, read with the store's own methods."""
    out: Copy = {}
    for p in store.programmes():
        out[("programme", p.id)] = p
    for g in store.groups():
        out[("group", g.id)] = g
        for m in store.members(g.id):
            out[("member", m.id)] = m
        for c in store.cycles(g.id):
            out[("cycle", c.id)] = c
            for meeting in store.meetings(c.id):
                out[("meeting", meeting.id)] = meeting
            for loan in store.loans(c.id):
                out[("loan", loan.id)] = loan
            for e in store.entries(c.id):
                out[("entry", e.id)] = e
    for r in store.referrals():
        out[("referral", r.id)] = r
    for s in store.livelihood_supports():
        out[("livelihood_support", s.id)] = s
    for gal in store.gal_sessions():
        out[("gal_session", gal.id)] = gal
    return out
