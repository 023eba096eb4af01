"""The mock's XML API, one module per service (user, meeting, ep, attendee, event,
training, history, site, meetingtype, auo); what they share is in :mod:`.common`. Each
module registers its API handlers with :func:`handler`; the app imports them all."""

from __future__ import annotations

from .common import HANDLERS, Call, handler

__all__ = ["HANDLERS", "Call", "handler"]
