"""locked-lobby (40.9.0): with the site setting ConsistentLockedLobby on, CreateMeeting and
SetMeeting take ``attendeeOptions/externalAttendeeSecurity``, ``autoLock`` and
``autoLockWaitTime``, and GetMeeting returns them (after ``joinRequiresAccount``, as in the
release-note sample).

What the notes leave open is the mock's choice, never asserted by a case: with the setting
off the three elements are ignored and not returned; a value outside the documented lists
is refused with the mock's own exception id.
"""

from __future__ import annotations

from lxml import etree

from ..req import Req
from ..state import Meeting
from ..wire import ApiError, el
from . import Call

LOBBY_OPTIONS = ("externalAttendeeSecurity", "autoLock", "autoLockWaitTime")
SECURITY_VALUES = ("AllowJoin", "AllowJoinWithLobby", "BlockFromJoin")
WAIT_TIMES = (0, 5, 10, 15, 20)
SETTING = "consistent_locked_lobby"
INVALID_LOBBY_OPTION = "999102"  # mock: the id is not documented


def lobby_on(call: Call) -> bool:
    return bool(call.site.settings.get(SETTING))


def _invalid(name: str, value: str) -> ApiError:
    return ApiError(INVALID_LOBBY_OPTION,
                    f"Invalid value {value!r} for {name} (mock: the id is not documented)")


def _parse(name: str, text: str) -> str:
    value = text.strip()
    if name == "externalAttendeeSecurity":
        if value not in SECURITY_VALUES:
            raise _invalid(name, value)
        return value
    if name == "autoLock":
        if value.lower() not in ("true", "false"):
            raise _invalid(name, value)
        return value.lower()
    try:
        minutes = int(value)
    except ValueError:
        raise _invalid(name, value) from None
    if minutes not in WAIT_TIMES:
        raise _invalid(name, value)
    return str(minutes)


def apply_lobby(call: Call, meeting: Meeting, req: Req) -> None:
    """Store the lobby options of a CreateMeeting/SetMeeting request (setting on only)."""
    if not lobby_on(call):
        return
    values = {name: _parse(name, req.text(f"attendeeOptions/{name}") or "")
              for name in LOBBY_OPTIONS if req.has(f"attendeeOptions/{name}")}
    meeting.attendee_options.update(values)


def lobby_elements(call: Call, meeting: Meeting) -> list[etree._Element]:
    """GetMeeting's ``attendeeOptions`` children for the lobby (setting on only)."""
    if not lobby_on(call):
        return []
    opts = meeting.attendee_options
    return [el(f"meet:{name}", opts[name]) for name in LOBBY_OPTIONS if name in opts]
