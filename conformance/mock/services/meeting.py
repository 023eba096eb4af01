"""meeting service: CreateMeeting, SetMeeting, GetMeeting, DelMeeting, LstsummaryMeeting."""

from __future__ import annotations

import copy
import secrets
from datetime import timedelta

from ..req import Req
from ..state import REGISTRATION_FIELDS, TZ_NAMES, Meeting
from ..wire import (
    ACCESS_DENIED,
    NOT_FOUND,
    PAST_START,
    ApiError,
    el,
    group,
    matching_records,
    opt,
)
from . import Call, handler
from .lobby import LOBBY_OPTIONS, apply_lobby, lobby_elements
from .meetingside import (
    audio_elements,
    check_all_emails,
    check_template,
    filter_by_uuid,
    find_meeting,
    uuid_el,
)


def is_private(call: Call, meeting: Meeting) -> bool:
    mt = call.site.meeting_types.get(meeting.meeting_type)
    return bool(mt and mt.support_private) and not call.fault("private-flag-always-false")


def private_flag(call: Call, prefix: str, meeting: Meeting, *, in_list: bool = False):
    if call.fault("private-flag-missing") or (in_list
                                              and call.fault("private-flag-in-lists-missing")):
        return None
    return el(f"{prefix}:isPrivateMeeting", is_private(call, meeting))


def _schedule(call: Call, meeting: Meeting, req: Req, creating: bool) -> None:
    site = call.site
    tz = req.int("schedule/timeZoneID")
    if tz is not None:
        meeting.tz_id = tz
    start = req.text("schedule/startDate")
    if start:
        try:
            meeting.start = site.parse_date(start, meeting.tz_id)
        except ValueError:
            raise ApiError("000000", "Fail to forward request:null") from None
        if meeting.start < site.clock.now() and not call.fault("past-start-accepted"):
            raise ApiError(*PAST_START)
    duration = req.int("schedule/duration")
    if duration is not None:
        meeting.duration = duration


def _apply(call: Call, meeting: Meeting, req: Req, creating: bool) -> None:
    site = call.site
    name = req.text("metaData/confName")
    if name is not None:
        meeting.conf_name = name
    mtype = req.int("metaData/meetingType")
    if mtype is not None:
        if mtype not in site.meeting_types:
            raise ApiError("060013", "Invalid meeting type")
        meeting.meeting_type = mtype
    if req.has("accessControl/meetingPassword"):
        meeting.password = req.text("accessControl/meetingPassword") or None
    template = check_template(call)  # edu-session-templates (40.8.0)
    if template:
        meeting.extra["session_template"] = template
    _schedule(call, meeting, req, creating)
    opts = req.get("attendeeOptions")
    if opts:
        for child in opts.el:
            name = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            if name and name not in LOBBY_OPTIONS:
                meeting.attendee_options[name] = child.text or ""
    apply_lobby(call, meeting, req, creating=creating)  # locked-lobby (40.9.0)
    form = req.get("registrationForm")
    if form:
        for field in REGISTRATION_FIELDS:
            value = form.bool(f"{field}/req")
            if value is not None:
                meeting.registration_form[field] = value
    for key in ("deviceCanStartMeeting",):
        if req.has(f"schedule/{key}"):
            meeting.extra[key] = req.text(f"schedule/{key}")
    # Attendees invited with the meeting (participants/attendees/attendee).
    from .attendee import add_invitees  # local import: attendee imports this module
    add_invitees(call, meeting, req.all("participants/attendees/attendee"))


@handler("CreateMeeting")
def create_meeting(call: Call) -> list:
    host = call.require_caller()
    site, req = call.site, call.req
    check_all_emails(call)
    host_id = req.text("schedule/hostWebExID")
    if host_id and host_id.lower() != host.webex_id.lower():
        if not host.site_admin:
            raise ApiError(*ACCESS_DENIED)
        host = site.find_user(host_id) or host
    now = site.clock.now()
    meeting = Meeting(key=site.next_id(), uuid=site.new_uuid(), conf_id=site.next_id() * 1000,
                      host=host.webex_id, conf_name="", meeting_type=3,
                      start=now + timedelta(minutes=5), tz_id=20, duration=60, password=None)
    _apply(call, meeting, req, creating=True)
    given = meeting.password is not None
    generate = bool(site.settings.get("all_meetings_need_password"))
    if call.fault("auto-password-not-generated"):
        generate = False
    if call.fault("auto-password-when-off"):
        generate = True
    if meeting.password is None and generate:
        meeting.password = secrets.token_urlsafe(8)[:10]  # 40.1.2: generated and returned
    site.meetings[meeting.key] = meeting
    returned = meeting.password
    if given and call.fault("given-password-not-returned"):
        returned = None
    return [el("meet:meetingkey", meeting.key),
            uuid_el(call, "meet:meetingUUID", meeting.uuid),
            opt("meet:meetingPassword", returned),
            group("meet:iCalendarURL",
                  el("serv:host", f"https://{site.name}.webex.com/j.php?MTID=h{meeting.key}"),
                  el("serv:attendee", f"https://{site.name}.webex.com/j.php?MTID=a{meeting.key}")),
            el("meet:guestToken", secrets.token_hex(16))]


def _own(call: Call, meeting: Meeting) -> None:
    caller = call.require_caller()
    if meeting.host.lower() != caller.webex_id.lower() and not caller.site_admin:
        raise ApiError(*ACCESS_DENIED)


@handler("SetMeeting")
def set_meeting(call: Call) -> list:
    meeting = find_meeting(call)
    _own(call, meeting)
    check_all_emails(call)
    draft = copy.deepcopy(meeting)  # a rejected request changes nothing
    _apply(call, draft, call.req, creating=False)
    call.site.meetings[meeting.key] = draft
    return [uuid_el(call, "meet:meetingUUID", draft.uuid)]


@handler("DelMeeting")
def del_meeting(call: Call) -> list:
    meeting = find_meeting(call)
    _own(call, meeting)
    del call.site.meetings[meeting.key]
    return [uuid_el(call, "meet:meetingUUID", meeting.uuid)]


def _bool_text(value: str | None) -> str:
    return "true" if (value or "").strip().lower() == "true" else "false"


@handler("GetMeeting")
def get_meeting(call: Call) -> list:
    meeting = find_meeting(call)
    _own(call, meeting)
    site = call.site
    opts = meeting.attendee_options
    form = None
    if meeting.registration_form and not call.fault("registration-form-not-returned"):
        form = group("meet:registrationForm", *[
            group(f"meet:{f}", el("meet:req", meeting.registration_form.get(f, False)))
            for f in REGISTRATION_FIELDS])
    return [
        group("meet:accessControl",
              el("meet:listToPublic", False), el("meet:isPublic", False),
              opt("meet:meetingPassword", meeting.password),
              *audio_elements(call, "meet", meeting.password)),  # audio-password
        group("meet:metaData", el("meet:confName", meeting.conf_name),
              el("meet:meetingType", meeting.meeting_type)),
        group("meet:participants", el("meet:maxUserNumber", 1000),
              group("meet:attendees", *[
                  group("meet:attendee",
                        group("att:person", el("com:name", a.name), el("com:email", a.email)),
                        el("att:joinStatus", a.join_status), el("att:role", a.role))
                  for a in meeting.attendees])),
        group("meet:schedule",
              el("meet:startDate", site.format_date(meeting.start, meeting.tz_id)),
              el("meet:timeZoneID", meeting.tz_id),
              el("meet:timeZone", TZ_NAMES.get(meeting.tz_id, "GMT+00:00")),
              el("meet:duration", meeting.duration),
              el("meet:openTime", 0),
              el("meet:hostWebExID", meeting.host),
              None if call.fault("device-can-start-meeting-not-returned")
              else opt("meet:deviceCanStartMeeting", meeting.extra.get("deviceCanStartMeeting"))),
        group("meet:attendeeOptions",
              el("meet:request", _bool_text(opts.get("request"))),
              el("meet:registration", _bool_text(opts.get("registration"))),
              el("meet:auto", _bool_text(opts.get("auto"))),
              el("meet:emailInvitations", _bool_text(opts.get("emailInvitations"))),
              el("meet:joinRequiresAccount", _bool_text(opts.get("joinRequiresAccount"))),
              *lobby_elements(call, meeting)),
        el("meet:meetingkey", meeting.key),
        uuid_el(call, "meet:meetingUUID", meeting.uuid),
        el("meet:status", meeting.status),
        el("meet:hostJoined", False),
        el("meet:participantsJoined", False),
        el("meet:sipURL", f"{meeting.key}@{site.name}.webex.com"),
        el("meet:displayMeetingUrl", f"{meeting.key}@{site.name}.webex.com"),
        form,
        private_flag(call, "meet", meeting),
    ]


@handler("LstsummaryMeeting")
def lst_summary_meeting(call: Call) -> list:
    caller = call.require_caller()
    site, req = call.site, call.req
    meetings = [m for m in site.meetings.values()
                if caller.site_admin or m.host.lower() == caller.webex_id.lower()]
    key = req.int("meetingKey")
    if key is not None:
        meetings = [m for m in meetings if m.key == key]
    meetings = filter_by_uuid(call, meetings, lambda m: m.uuid)  # meeting-uuid (40.8.0)
    name = req.text("confName")
    if name:
        meetings = [m for m in meetings if m.conf_name == name]
    host = req.text("hostWebExID")
    if host:
        meetings = [m for m in meetings if m.host.lower() == host.lower()]
    meetings.sort(key=lambda m: (m.start, m.key))
    if not meetings:
        raise ApiError(*NOT_FOUND)
    start = max(1, req.int("listControl/startFrom", 1) or 1)
    maximum = min(500, req.int("listControl/maximumNum", 50) or 50)
    page = meetings[start - 1:start - 1 + maximum]
    return [matching_records("meet", len(meetings), len(page), start)] + [
        group("meet:meeting",
              el("meet:meetingKey", m.key),
              uuid_el(call, "meet:meetingUUID", m.uuid, in_list=True),
              el("meet:confName", m.conf_name), el("meet:meetingType", m.meeting_type),
              el("meet:hostWebExID", m.host), el("meet:otherHostWebExID", m.host),
              el("meet:timeZoneID", m.tz_id),
              el("meet:timeZone", TZ_NAMES.get(m.tz_id, "GMT+00:00")),
              el("meet:status", m.status),
              el("meet:startDate", site.format_date(m.start, m.tz_id)),
              el("meet:duration", m.duration), el("meet:listStatus", "UNLISTED"))
        for m in page]
