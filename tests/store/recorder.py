"""A store that remembers the creating calls made through it (the demo's, say), to send
them again or to replay them into another database."""

from __future__ import annotations

from typing import Any

import vsla

# The store methods that create what an app sends (the others act on records, not create).
CREATING = (
    "add_group",
    "add_members",
    "start_cycle",
    "record_meetings",
    "record_meeting",
    "record_opening",
    "add_referrals",
    "add_livelihood_supports",
    "add_gal_session",
    "add_gal_sessions",
)


# Every store method that writes. (``import_cycle`` creates too, but its exits and
# share-out are not records an app sends again: it is not among the creating calls.)
WRITING = (
    *CREATING,
    "import_cycle",
    "add_programme",
    "settle_member_exit",
    "write_off",
    "share_out",
    "reverse_entry",
    "record_referral_outcome",
)


class Recorder:
    """A store that remembers every call of ``methods`` made through it (by default the
    creating ones), and what it returned."""

    def __init__(self, store: vsla.Store, methods: tuple[str, ...] = CREATING) -> None:
        self.store = store
        self.methods = methods
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any], Any]] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.store, name)
        if name not in self.methods:
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            self.calls.append((name, args, kwargs, result))
            return result

        return call
