"""What GetSessionInfo (ep.py) needs beyond a meeting's own fields:

- sessioninfo-mobile-lookup (40.1.0): finding the session by ``pmrUrl``, ``sipUrl``,
  ``meetingLink`` or ``meetingUuid`` instead of ``sessionKey``. The sample's forms: a PMR URL
  ``https://go.webex.com/join/dongchen`` (the mock's GetUser gives ``.../meet/<webExId>``;
  both are accepted), a SIP URL ``dongchen@go.webex.com``, ``123456789_go@webex.com`` or
  ``123456789@go.webex.com``. A personal room is not a scheduled meeting in the mock: it is
  built on the fly from its owner (key = the PMR access code).
- sessioninfo-uninvited-hiding (40.8.0): who counts as invited and approved.
- session-participant-status (40.9.0): hasHostInMeeting / hasAttendeeInMeeting, set on the
  mock through the control interface (``POST /_mock/meeting-status``).
"""

from __future__ import annotations

import re
from datetime import timedelta

from ..state import Meeting, Site, User
from ..wire import MEETING_NOT_FOUND, ApiError
from . import Call
from .meetingside import find_meeting

# Attendee join statuses that count as invited or approved (REGISTER is pending approval,
# REJECT was refused).
APPROVED = ("INVITE", "ACCEPT")
# The elements 40.8.0 hides from a caller who is not invited or not approved.
HIDDEN = ("confName", "startDate", "duration", "timeZone", "meetingLink", "sipURL",
          "displayMeetingUrl")


def meeting_link(site: Site, meeting: Meeting) -> str:
    if meeting.extra.get("pmr_url"):
        return str(meeting.extra["pmr_url"])
    return f"https://{site.name}.webex.com/j.php?MTID=a{meeting.key}"


def sip_url(site: Site, meeting: Meeting) -> str:
    if meeting.extra.get("pmr_owner"):
        return f"{meeting.extra['pmr_owner']}@{site.name}.webex.com"
    return f"{meeting.key}@{site.name}.webex.com"


def _pmr_session(site: Site, user: User) -> Meeting:
    """The user's personal room as a session (not stored: built on each lookup)."""
    uuid = user.extra.setdefault("pmr_uuid", site.new_uuid())
    name = f"{user.first_name} {user.last_name}".strip() or user.webex_id
    return Meeting(key=int(user.pmr_key), uuid=uuid, conf_id=int(user.pmr_key) * 10,
                   host=user.webex_id, conf_name=f"{name}'s Personal Room", meeting_type=3,
                   start=site.clock.now() - timedelta(days=1), tz_id=20, duration=60,
                   password=None,
                   extra={"pmr": True, "pmr_owner": user.webex_id,
                          "pmr_url": f"https://{site.name}.webex.com/meet/{user.webex_id}"})


def _pmr_owner(site: Site, webex_id: str) -> User | None:
    user = site.find_user(webex_id)
    if user is None or user.active != "ACTIVATED" or not user.pmr_enabled:
        return None
    return user


_PMR_URL = re.compile(r"^https?://([^/]+)\.webex\.com/(?:meet|join)/([^/?#]+)/?$", re.I)
_SIP_KEY = re.compile(r"^(\d+)@([^.@]+)\.webex\.com$|^(\d+)_([^.@]+)@webex\.com$", re.I)
_SIP_USER = re.compile(r"^([^@]+)@([^.@]+)\.webex\.com$", re.I)


def _by_pmr_url(call: Call, value: str) -> Meeting | None:
    site = call.site
    found = _PMR_URL.match(value)
    if not found or found.group(1).lower() != site.name.lower() or \
            call.fault("sessioninfo-pmr-url-ignored"):
        return None
    user = _pmr_owner(site, found.group(2))
    return _pmr_session(site, user) if user else None


def _by_sip_url(call: Call, value: str) -> Meeting | None:
    site = call.site
    if call.fault("sessioninfo-sip-url-ignored"):
        return None
    found = _SIP_KEY.match(value)
    if found:
        key, name = (found.group(1), found.group(2)) if found.group(1) else \
            (found.group(3), found.group(4))
        if name.lower() == site.name.lower():
            return site.meetings.get(int(key))
        return None
    found = _SIP_USER.match(value)
    if found and found.group(2).lower() == site.name.lower():
        user = _pmr_owner(site, found.group(1))
        return _pmr_session(site, user) if user else None
    return None


def _by_meeting_link(call: Call, value: str) -> Meeting | None:
    if call.fault("sessioninfo-meeting-link-ignored"):
        return None
    site = call.site
    return next((m for m in site.meetings.values() if meeting_link(site, m) == value), None)


def lookup(call: Call) -> Meeting:
    """The session a GetSessionInfo request names: sessionKey first (as before 40.1.0),
    then meetingUUID/meetingUuid, pmrUrl, sipUrl, meetingLink."""
    req = call.req
    if req.has("sessionKey"):
        return find_meeting(call, key_paths=("sessionKey",))
    if req.has("meetingUUID") and not call.fault("sessioninfo-meeting-uuid-ignored"):
        return find_meeting(call, key_paths=())  # the request names are case-insensitive
    finders = (("pmrUrl", _by_pmr_url), ("sipUrl", _by_sip_url),
               ("meetingLink", _by_meeting_link))
    for path, finder in finders:
        value = (req.text(path) or "").strip()
        if value:
            meeting = finder(call, value)
            if meeting is not None:
                return meeting
    raise ApiError(*MEETING_NOT_FOUND)


def sees_details(call: Call, meeting: Meeting) -> bool:
    """sessioninfo-uninvited-hiding: the host, a site admin (the mock's choice: the notes do
    not name admins) and an attendee invited or approved by email see everything."""
    caller = call.caller
    if caller is None:
        return call.fault("anonymous-sees-session-details")
    if caller.site_admin or meeting.host.lower() == caller.webex_id.lower():
        return True
    if call.fault("uninvited-sees-session-details"):
        return True
    statuses = [a.join_status.upper() for a in meeting.attendees
                if a.email.lower() == caller.email.lower()]
    if call.fault("invited-attendee-hidden-too"):
        return False
    if call.fault("unapproved-attendee-sees-details"):
        return bool(statuses)
    return any(s in APPROVED for s in statuses)


def participant_status(call: Call, meeting: Meeting) -> tuple[bool, bool] | None:
    """session-participant-status: (hasHostInMeeting, hasAttendeeInMeeting) while the
    meeting is in progress, None (left out) otherwise. hasAttendeeInMeeting is true when an
    attendee *or the host* is in the meeting."""
    if call.fault("participant-flags-always-true"):
        return True, True
    host = bool(meeting.extra.get("host_joined"))
    attendees = int(meeting.extra.get("attendees_joined", 0))
    if meeting.status != "INPROGRESS" and not call.fault("participant-status-not-gated"):
        return None
    if call.fault("participant-status-missing"):
        return None
    anyone = attendees > 0 if call.fault("attendee-flag-ignores-host") else host or attendees > 0
    return host, anyone
