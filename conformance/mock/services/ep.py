"""ep service: GetAPIVersion, GetSessionInfo, LstsummarySession, LstCalendarSession."""

from __future__ import annotations

from ..state import Meeting
from ..wire import NOT_FOUND, ApiError, el, group, matching_records
from . import Call, handler
from .meeting import private_flag, tz_name
from .meetingside import filter_by_uuid, uuid_el
from .session_info import lookup, meeting_link, participant_status, sees_details, sip_url


@handler("GetAPIVersion", anonymous=True)
def get_api_version(call: Call) -> list:
    return [el("ep:apiVersion", f"WebEx XML API V{call.site.api_version}"),
            el("ep:release", call.site.api_version)]


@handler("GetSessionInfo", anonymous=True)
def get_session_info(call: Call) -> list:
    site = call.site
    meeting = lookup(call)  # sessioninfo-mobile-lookup
    full = sees_details(call, meeting)  # sessioninfo-uninvited-hiding
    links = full or call.fault("uninvited-sees-links")
    host = site.find_user(meeting.host)
    joined = participant_status(call, meeting)  # session-participant-status
    # ep:getSessionInfoResponse with the overlay's 40.x placements (40.9.0 sample:
    # hasHostInMeeting/hasAttendeeInMeeting right after status)
    return [
        el("ep:status", meeting.status),
        el("ep:hasHostInMeeting", joined[0]) if joined else None,
        el("ep:hasAttendeeInMeeting", joined[1]) if joined else None,
        el("ep:isLocked", False),
        el("ep:sessionkey", meeting.key),
        uuid_el(call, "ep:meetingUUID", meeting.uuid),
        el("ep:confID", meeting.conf_id),
        group("ep:accessControl",
              el("ep:listStatus", "UNLISTED"),
              el("ep:registration",
                 meeting.attendee_options.get("registration", "false") == "true"),
              el("ep:passwordReq", meeting.password is not None),
              el("ep:isRegisterIDRequired", False)),
        # 40.8.0 hides confName, startDate, duration and timeZone (and the three links)
        # from a caller who is not invited or not approved: only those, host stays
        group("ep:metaData",
              el("ep:confName", meeting.conf_name) if full else None,
              el("ep:sessionType", meeting.meeting_type),
              el("ep:serviceType", meeting.service_type),
              el("ep:isRecurring", _is_recurring(meeting))),
        group("ep:host",
              el("ep:firstName", host.first_name if host else ""),
              el("ep:lastName", host.last_name if host else ""),
              el("ep:email", host.email if host else ""),
              el("ep:webExId", meeting.host)),
        group("ep:schedule",
              el("ep:startDate", site.format_date(meeting.start, meeting.tz_id))
              if full else None,
              el("ep:duration", meeting.duration) if full else None,
              el("ep:timeZone", tz_name(meeting.tz_id)) if full else None),
        group("ep:attendeeOptions", el("ep:joinRequiresAccount", False)),
        el("ep:meetingLink", meeting_link(site, meeting)) if links else None,
        el("ep:sipURL", sip_url(site, meeting)) if links else None,
        el("ep:displayMeetingUrl", sip_url(site, meeting)) if links else None,
        el("ep:supportE2E", False),
        el("ep:isAllowJBH", False),
        private_flag(call, "ep", meeting),
        el("ep:isCETMeeting", True),
        el("ep:isPersonalMeetingRoom", bool(meeting.extra.get("pmr"))),
        el("ep:isNextUpcomingInstance", True),
    ]


def _is_recurring(meeting: Meeting) -> bool:
    repeat = meeting.sections.get("repeat", {}).get("repeatType", "NO_REPEAT")
    return repeat != "NO_REPEAT"


def _visible(call: Call) -> list[Meeting]:
    caller = call.caller
    if caller is None and not call.fault("anonymous-lstsummarysession-allowed"):
        raise ApiError(*NOT_FOUND)  # 40.2.0: no anonymous LstsummarySession
    req = call.req
    meetings = [m for m in call.site.meetings.values()
                if caller is None or caller.site_admin
                or m.host.lower() == caller.webex_id.lower()]
    key = req.int("sessionKey")
    if key is not None:
        meetings = [m for m in meetings if m.key == key]
    meetings = filter_by_uuid(call, meetings, lambda m: m.uuid)  # meeting-uuid
    name = req.text("confName")
    if name:
        meetings = [m for m in meetings if m.conf_name == name]
    host = req.text("hostWebExID")
    if host:
        meetings = [m for m in meetings if m.host.lower() == host.lower()]
    meetings.sort(key=lambda m: (m.start, m.key))
    if not meetings:
        raise ApiError(*NOT_FOUND)
    return meetings


def _page(call: Call, items: list) -> tuple[list, int]:
    start = max(1, call.req.int("listControl/startFrom", 1) or 1)
    maximum = min(500, call.req.int("listControl/maximumNum", 50) or 50)
    return items[start - 1:start - 1 + maximum], start


@handler("LstsummarySession", anonymous=True)
def lst_summary_session(call: Call) -> list:
    meetings = _visible(call)
    page, start = _page(call, meetings)
    return [matching_records("ep", len(meetings), len(page), start)] + [
        _session_summary(call, m) for m in page]


def _session_summary(call: Call, m: Meeting):
    """One ep:session (ep:sessionSummaryInstanceType, meetingUUID after sessionKey)."""
    site = call.site
    host = site.find_user(m.host)
    return group(
        "ep:session",
        el("ep:sessionKey", m.key),
        uuid_el(call, "ep:meetingUUID", m.uuid, in_list=True),
        el("ep:confName", m.conf_name),
        el("ep:sessionType", m.meeting_type),
        el("ep:serviceType", m.service_type),
        el("ep:hostWebExID", m.host),
        el("ep:hostFirstName", host.first_name if host else ""),
        el("ep:hostLastName", host.last_name if host else ""),
        el("ep:otherHostWebExID", m.host),
        el("ep:timeZoneID", m.tz_id),
        el("ep:timeZone", tz_name(m.tz_id)),
        el("ep:status", m.status),
        el("ep:startTime", site.format_date(m.start, m.tz_id)),
        el("ep:duration", m.duration),
        el("ep:listStatus", "UNLISTED"),
        el("ep:hostEmail", host.email if host else ""),
        el("ep:passwordReq", m.password is not None),
        el("ep:hostJoined", m.status == "INPROGRESS" and bool(m.extra.get("host_joined"))),
        el("ep:participantsJoined", m.status == "INPROGRESS"
           and int(m.extra.get("attendees_joined", 0)) > 0),
        el("ep:confID", m.conf_id),
        el("ep:registration", m.attendee_options.get("registration", "false") == "true"),
        el("ep:isRecurring", _is_recurring(m)),
        el("ep:hostType", "1019001"),
        el("ep:isAudioOnly", False),
        private_flag(call, "ep", m, in_list=True),
    )


@handler("LstCalendarSession")
def lst_calendar_session(call: Call) -> list:
    # the overlay models its answer as LstsummarySession's (the notes give both the same)
    meetings = _visible(call)
    page, start = _page(call, meetings)
    return [matching_records("ep", len(meetings), len(page), start)] + [
        _session_summary(call, m) for m in page]
