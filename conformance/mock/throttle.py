"""sessioninfo-usercard-throttle (40.4.5/40.2.6, 40.8.0): a caller who hits the limit of
not-found errors of GetSessionInfo/GetUserCard within an hour is blocked from both APIs
for the next two hours with HTTP 403 Forbidden.

The limit is not documented: on the mock it is the site setting
``throttle_not_found_limit`` (the not-found error that reaches it is still answered; the
calls after it get 403). State is kept per caller: ``user:<webExID>`` for a caller with
credentials (password, ticket, token, JWT), ``client:<address>`` for an anonymous one.
The mock's clock can go back (the runner restores it after a case): errors and blocks that
lie in the future of the clock are dropped, so a case that advanced the clock leaves no
block behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

THROTTLED_APIS = frozenset({"GetSessionInfo", "GetUserCard"})
# The not-found answers of the two APIs: no record, user not found, meeting not found.
NOT_FOUND_IDS = frozenset({"000015", "030001", "060001"})
WINDOW = timedelta(hours=1)
BLOCK = timedelta(hours=2)
DEFAULT_LIMIT = 1000  # high enough that no other case (nor the fuzz tests) trips it
SETTING = "throttle_not_found_limit"


@dataclass
class Throttle:
    errors: dict[str, list[datetime]] = field(default_factory=dict)
    blocks: dict[str, datetime] = field(default_factory=dict)  # caller -> block start

    def blocked(self, key: str, now: datetime, *, block: timedelta = BLOCK,
                endless: bool = False) -> bool:
        """Whether ``key`` is blocked at ``now``; an ended block is forgotten."""
        start = self.blocks.get(key)
        if start is None:
            return False
        if start > now:  # the clock went back before the block: void
            del self.blocks[key]
            return False
        if now - start < block or endless:
            return True
        del self.blocks[key]
        return False

    def record(self, key: str, now: datetime, limit: int, *,
               window: timedelta | None = WINDOW) -> bool:
        """Count one not-found error; True when it reaches the limit (the block starts).
        ``window`` None counts every error ever made (a fault)."""
        times = [t for t in self.errors.get(key, [])
                 if t <= now and (window is None or now - t < window)]
        times.append(now)
        if len(times) >= max(1, limit):
            self.errors.pop(key, None)
            self.blocks[key] = now
            return True
        self.errors[key] = times
        return False
