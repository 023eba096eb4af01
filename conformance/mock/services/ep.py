"""ep service (General Session Service): GetAPIVersion, GetSessionInfo, LstsummarySession,
LstCalendarSession, DelSession, the contacts (CreateContact, SetContact, LstContact,
DelContacts) and the recordings (SetRecordingInfo, GetRecordingInfo, LstRecording).

What GetSessionInfo needs beyond a meeting's own fields:

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

from ..state import DEFAULT_TZ, Meeting, Site, User
from ..wire import (
    ACCESS_DENIED,
    MEETING_NOT_FOUND,
    NOT_FOUND,
    ApiError,
    el,
    group,
    matching_records,
    opt,
)
from .common import (
    KIND_TELECONFERENCE,
    Call,
    by_uuid,
    check_all_emails,
    create_record,
    filter_by_uuid,
    find_meeting,
    find_record,
    handler,
    meeting_link,
    private_flag,
    record_emails,
    sip_url,
    tz_name,
    update_record,
    uuid_el,
    wanted_uuid,
)


@handler("GetAPIVersion", anonymous=True)
def get_api_version(call: Call) -> list:
    return [el("ep:apiVersion", f"WebEx XML API V{call.site.api_version}"),
            el("ep:release", call.site.api_version)]


@handler("GetSessionInfo", anonymous=True)
def get_session_info(call: Call) -> list:
    site = call.site
    meeting = lookup(call)  # sessioninfo-mobile-lookup
    full = sees_details(call, meeting)  # sessioninfo-uninvited-hiding
    links = full or not call.enforced("link-hiding")
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
    if caller is None:  # 40.2.0: no anonymous LstsummarySession
        call.reject("anonymous-lstsummarysession", NOT_FOUND)
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
        uuid_el(call, "ep:meetingUUID", m.uuid),
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
        private_flag(call, "ep", m),
    )


@handler("LstCalendarSession")
def lst_calendar_session(call: Call) -> list:
    # the overlay models its answer as LstsummarySession's (the notes give both the same)
    meetings = _visible(call)
    page, start = _page(call, meetings)
    return [matching_records("ep", len(meetings), len(page), start)] + [
        _session_summary(call, m) for m in page]


# -- GetSessionInfo: lookup, hiding, participant status --------------------------------
# Attendee join statuses that count as invited or approved (REGISTER is pending approval,
# REJECT was refused).
APPROVED = ("INVITE", "ACCEPT")


# The elements 40.8.0 hides from a caller who is not invited or not approved.
HIDDEN = ("confName", "startDate", "duration", "timeZone", "meetingLink", "sipURL",
          "displayMeetingUrl")


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
    if not found or found.group(1).lower() != site.name.lower():
        return None
    user = _pmr_owner(site, found.group(2))
    return _pmr_session(site, user) if user else None


def _by_sip_url(call: Call, value: str) -> Meeting | None:
    site = call.site
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
    site = call.site
    return next((m for m in site.meetings.values() if meeting_link(site, m) == value), None)


def lookup(call: Call) -> Meeting:
    """The session a GetSessionInfo request names: sessionKey first (as before 40.1.0),
    then meetingUUID/meetingUuid, pmrUrl, sipUrl, meetingLink."""
    req = call.req
    if req.has("sessionKey"):
        return find_meeting(call, key_paths=("sessionKey",))
    if req.has("meetingUUID"):
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
        return not call.enforced("anonymous-hiding")
    if caller.site_admin or meeting.host.lower() == caller.webex_id.lower():
        return True
    if not call.enforced("uninvited-hiding"):
        return True
    statuses = [a.join_status.upper() for a in meeting.attendees
                if a.email.lower() == caller.email.lower()]
    if call.fault("invited-attendee-hidden-too"):
        return False
    if not call.enforced("approval-hiding"):
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
    anyone = attendees > 0 if call.fault("attendee-flag-ignores-host") else host or attendees > 0
    return host, anyone


# -- contacts (ep) -------------------------------------------------------------------------
@handler("CreateContact")
def create_contact(call: Call) -> list:
    rec = create_record(call, "contact", "contact/name")
    return [el("ep:contactID", rec.key)]


@handler("SetContact")
def set_contact(call: Call) -> list:
    call.require_caller()
    rec = find_record(call, "contact", ("contactID", "contact/contactID"))
    update_record(call, rec, "contact/name")
    return []


@handler("LstContact")
def lst_contact(call: Call) -> list:
    call.require_caller()
    recs = sorted(call.site.records["contact"].values(), key=lambda r: r.key)
    wanted = call.req.int("contactID")
    if wanted is not None:
        recs = [r for r in recs if r.key == wanted]
    if not recs:
        raise ApiError(*NOT_FOUND)
    # lstContactResponse: contact* (ep:contactType: name, ..., one email), no count;
    # contactID first (what DelContacts takes: the sweep deletes contacts by it; the 2011
    # contactType lacks it, the overlay adds it, inferred)
    return [group("ep:contact", el("ep:contactID", r.key), el("ep:name", r.name),
                  el("ep:email", r.emails[0] if r.emails else "")) for r in recs]


@handler("DelContacts")
def del_contacts(call: Call) -> list:
    call.require_caller()
    keys = [int(r.text() or 0) for r in call.req.all("contactID")]
    found = [k for k in keys if call.site.records["contact"].pop(k, None) is not None]
    if not found:
        raise ApiError(*NOT_FOUND)
    return []


# -- recordings (ep) -----------------------------------------------------------------------
@handler("SetRecordingInfo")
def set_recording_info(call: Call) -> list:
    call.require_caller()
    rec = find_record(call, "recording", ("recording/recordingID", "recordingID"))
    check_all_emails(call)
    emails = record_emails(call)
    if emails:
        rec.emails = emails
    topic = call.req.text("basic/topic")
    if topic is not None:
        rec.name = topic
    return [el("ep:recordingID", rec.key)]


@handler("GetRecordingInfo")
def get_recording_info(call: Call) -> list:
    call.require_caller()
    rec = find_record(call, "recording", ("recordingID",))
    # getRecordingInfoResponse: basic (topic, listing, presenter, email, agenda,
    # description), playback, fileAccess
    return [group("ep:basic", el("ep:topic", rec.name), el("ep:listing", "PUBLIC"),
                  opt("ep:email", rec.emails[0] if rec.emails else None),
                  opt("ep:description", rec.fields.get("description")))]


@handler("LstRecording")
def lst_recording(call: Call) -> list:
    call.require_caller()
    recs = sorted(call.site.records["recording"].values(), key=lambda r: r.key)
    recs = filter_by_uuid(call, recs, lambda r: r.fields.get("uuid"))  # meeting-uuid (40.6.0)
    if not recs:
        raise ApiError(*NOT_FOUND)
    # lstRecordingResponse: matchingRecords, recording* (ep:recordingType)
    site = call.site
    return [matching_records("ep", len(recs), len(recs), 1)] + [
        group("ep:recording", el("ep:recordingID", r.key),
              el("ep:hostWebExID", r.fields.get("host", "")),
              el("ep:name", r.name),
              el("ep:description", r.fields.get("description", "")),
              el("ep:createTime", site.format_date(r.fields["created"], DEFAULT_TZ)),
              el("ep:timeZoneID", DEFAULT_TZ),
              el("ep:size", "1.5"),
              el("ep:streamURL", f"https://{site.name}.webex.com/{site.name}/lsr.php?RCID={r.key}"),
              el("ep:fileURL", f"https://{site.name}.webex.com/{site.name}/ldr.php?RCID={r.key}"),
              # the overlay: meetingUUID after sessionKey (the recording has none here)
              uuid_el(call, "ep:meetingUUID", r.fields.get("uuid")),
              el("ep:recordingType", 0),
              el("ep:duration", 1800),
              el("ep:format", "ARF"),
              el("ep:serviceType", "MeetingCenter"))
        for r in recs]


# -- DelSession (ep): any kind of session ----------------------------------------------------
@handler("DelSession")
def del_session(call: Call) -> list:
    caller = call.require_caller()
    site = call.site
    key = call.req.int("sessionKey")
    uuid = wanted_uuid(call.req) if key is None else None
    meeting = site.meetings.get(key) if key is not None else (
        by_uuid(call, site.meetings.values(), lambda m: m.uuid, uuid) if uuid else None)
    if meeting is not None:
        if meeting.host.lower() != caller.webex_id.lower() and not caller.site_admin:
            raise ApiError(*ACCESS_DENIED)
        del site.meetings[meeting.key]
        return [uuid_el(call, "ep:meetingUUID", meeting.uuid)]
    for kind in (KIND_TELECONFERENCE, "event", "training"):
        records = site.records[kind]
        rec = records.get(key) if key is not None else (
            by_uuid(call, records.values(), lambda r: r.fields.get("uuid"), uuid)
            if uuid else None)
        if rec is not None:
            del records[rec.key]
            return [uuid_el(call, "ep:meetingUUID", rec.fields.get("uuid"))]
    raise ApiError(*MEETING_NOT_FOUND)
