"""The programme queries of vsla.store.queries agree with the store's own methods."""

from __future__ import annotations

import vsla
from vsla.demo import generate
from vsla.store.queries import ProgrammeQueries, entry_count, latest_meeting_date


def test_programme_queries_agree_with_the_store(store: vsla.Store) -> None:
    first = generate(store, groups=2, seed=3)
    second = generate(store, groups=1, seed=4, code_prefix="KX")
    queries = ProgrammeQueries(store.engine)
    latest_of_each = []
    for summary in (first, second):
        pid = summary.programme_id
        groups = store.groups(pid)
        cycles = [c for g in groups for c in store.cycles(g.id)]
        entries = sum(len(store.entries(c.id)) for c in cycles)
        assert entry_count(store, pid) == queries.entry_count(pid) == entries == summary.entries
        latest = max(m.date for c in cycles for m in store.meetings(c.id))
        latest_of_each.append(latest)
        assert latest_meeting_date(store, programme_id=pid) == latest
        assert queries.latest_meeting_date(programme_id=pid) == latest
        for g in groups:
            mine = max(m.date for c in store.cycles(g.id) for m in store.meetings(c.id))
            assert latest_meeting_date(store, group_id=g.id) == mine
            assert latest_meeting_date(store, programme_id=pid, group_id=g.id) == mine
    assert latest_meeting_date(store) == max(latest_of_each)
    empty = store.add_programme(vsla.NewProgramme(name="empty"))
    assert entry_count(store, empty.id) == 0
    assert latest_meeting_date(store, programme_id=empty.id) is None
