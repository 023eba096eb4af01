"""meeting service: CreateMeeting, SetMeeting, GetMeeting, DelMeeting, LstsummaryMeeting,
GethosturlMeeting, GetjoinurlMeeting.

locked-lobby (40.9.0): with the site setting ConsistentLockedLobby on, CreateMeeting and
SetMeeting take ``attendeeOptions/externalAttendeeSecurity``, ``autoLock`` and
``autoLockWaitTime``, and GetMeeting returns them (after ``joinRequiresAccount``, as in the
release-note sample). What the notes leave open is the mock's choice, never asserted by a
case: with the setting off the three elements are ignored and not returned; a value outside
the documented lists is refused with the mock's own exception id.
"""

from __future__ import annotations

import copy
import secrets
from datetime import timedelta

from lxml import etree

from ..req import Req
from ..state import DEFAULT_TZ, REGISTRATION_FIELDS, TZ_NAMES, Meeting
from ..wire import (
    ACCESS_DENIED,
    MALFORMED,
    NOT_FOUND,
    PAST_START,
    ApiError,
    el,
    group,
    matching_records,
    opt,
)
from . import common as F
from .common import (
    Call,
    add_invitees,
    audio_elements,
    check_all_emails,
    check_template,
    filter_by_uuid,
    find_meeting,
    handler,
    meeting_link,
    private_flag,
    sip_url,
    tz_name,
    uuid_el,
)


def ical_urls(call: Call, meeting: Meeting):
    """``iCalendarURL`` (serv:iCalendarURLType: host, attendee) of a meeting."""
    base = f"https://{call.site.name}.webex.com/{call.site.name}/j.php?MTID="
    return group("meet:iCalendarURL", el("serv:host", f"{base}h{meeting.key}"),
                 el("serv:attendee", f"{base}a{meeting.key}"))


def _schedule(call: Call, meeting: Meeting, req: Req, creating: bool) -> None:
    site = call.site
    tz = req.int("schedule/timeZoneID")
    if tz is not None:
        if tz not in TZ_NAMES:  # common.xsd's time zones are all the service knows
            raise ApiError(*MALFORMED)
        meeting.tz_id = tz
    start = req.text("schedule/startDate")
    if start:
        try:
            meeting.start = site.parse_date(start, meeting.tz_id)
        except ValueError:
            raise ApiError("000000", "Fail to forward request:null") from None
        if meeting.start < site.clock.now():
            call.reject("past-start", PAST_START)
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
        if meeting.password and len(meeting.password) > 16:  # meetingPassword maxLength 16
            raise ApiError(*MALFORMED)
    access = F.read(req.get("accessControl"), F.MEET_ACCESS_CONTROL)
    access.pop("meetingPassword", None)
    meeting.extra["accessControl"] = F.merge(meeting.extra.get("accessControl", {}), access)
    template = check_template(call)  # edu-session-templates (40.8.0)
    if template:
        meeting.extra["session_template"] = template
    _schedule(call, meeting, req, creating)
    # What GetMeeting answers back: the sections of meetingType, as given (common.py)
    for section, spec in F.MEETING_SECTIONS.items():
        given = F.read(req.get(section), spec)
        if section == "metaData":
            given.pop("confName", None)
            given.pop("meetingType", None)
        if section == "schedule":
            for own in F.SCHEDULE_OWN:
                given.pop(own, None)
        if section == "attendeeOptions":
            meeting.attendee_options.update(given)
        elif given:
            meeting.sections[section] = F.merge(meeting.sections.get(section, {}), given)
    apply_lobby(call, meeting, req)  # locked-lobby (40.9.0)
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
                      start=now + timedelta(minutes=5), tz_id=DEFAULT_TZ, duration=60,
                      password=None, host_key=f"{site.random.randint(0, 999_999):06d}")
    _apply(call, meeting, req, creating=True)
    generate = bool(call.setting("all_meetings_need_password"))
    if meeting.password is None and generate:
        meeting.password = secrets.token_urlsafe(8)[:10]  # 40.1.2: generated and returned
    site.meetings[meeting.key] = meeting
    meeting.extra["guest_token"] = secrets.token_hex(16)
    # createMeetingResponse: meetingkey, iCalendarURL, guestToken (2011); meetingUUID
    # (40.6.0) and meetingPassword (40.1.2 sample: after meetingkey) are 40.x
    return [el("meet:meetingkey", meeting.key),
            uuid_el(call, "meet:meetingUUID", meeting.uuid),
            opt("meet:meetingPassword", meeting.password),
            ical_urls(call, meeting),
            el("meet:guestToken", meeting.extra["guest_token"])]


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
    return [ical_urls(call, draft), uuid_el(call, "meet:meetingUUID", draft.uuid)]


@handler("DelMeeting")
def del_meeting(call: Call) -> list:
    meeting = find_meeting(call)
    _own(call, meeting)
    del call.site.meetings[meeting.key]
    return [ical_urls(call, meeting), uuid_el(call, "meet:meetingUUID", meeting.uuid)]


@handler("GetMeeting")
def get_meeting(call: Call) -> list:
    meeting = find_meeting(call)
    _own(call, meeting)
    return meeting_elements(call, meeting)


def meeting_elements(call: Call, meeting: Meeting) -> list:
    """getMeetingResponse in meeting.xsd's order: meetingType's sections, then
    meetingInstanceType's, then getMeetingResponse's; the 40.x additions where the release
    notes' samples put them."""
    site = call.site
    form = None
    if meeting.registration_form:
        form = group("meet:registrationForm", *[
            group(f"meet:{f}", el("meet:req", meeting.registration_form.get(f, False)))
            for f in REGISTRATION_FIELDS])
    sections = meeting.sections
    access = dict(meeting.extra.get("accessControl", {}))
    access["meetingPassword"] = meeting.password
    access_els = F.write("meet", F.MEET_ACCESS_CONTROL, access)
    # audio-password (40.4.8 sample): after meetingPassword, before enforcePassword
    at = next((i + 1 for i, e in enumerate(access_els)
               if e.tag.endswith("}meetingPassword")), len(access_els) - (
                   1 if access_els and access_els[-1].tag.endswith("}enforcePassword") else 0))
    access_els[at:at] = audio_elements(call, "meet", meeting.password)
    meta = dict(sections.get("metaData", {}), confName=meeting.conf_name,
                meetingType=str(meeting.meeting_type))
    schedule = dict(sections.get("schedule", {}),
                    startDate=site.format_date(meeting.start, meeting.tz_id),
                    timeZoneID=str(meeting.tz_id), timeZone=tz_name(meeting.tz_id),
                    duration=str(meeting.duration), hostWebExID=meeting.host)
    device = opt("meet:deviceCanStartMeeting", meeting.extra.get("deviceCanStartMeeting"))
    options = F.write("meet", F.MEET_ATTENDEE_OPTIONS, meeting.attendee_options)
    return [
        group("meet:accessControl", *access_els),
        group("meet:metaData", *F.write("meet", F.MEET_META_DATA, meta)),
        group("meet:participants", el("meet:maxUserNumber", 1000),
              group("meet:attendees", *[
                  group("meet:attendee",
                        group("att:person", el("com:name", a.name), el("com:email", a.email)),
                        el("att:joinStatus", a.join_status), el("att:role", a.role))
                  for a in meeting.attendees])),
        group("meet:enableOptions",
              *F.write("meet", F.MEET_ENABLE_OPTIONS, sections.get("enableOptions", {}))),
        group("meet:schedule", *F.write("meet", F.MEET_SCHEDULE, schedule),
              device),  # deviceCanStartMeeting (40.10.0): last in schedule
        group("meet:telephony",
              *F.write("meet", F.MEET_TELEPHONY, sections.get("telephony", {}))),
        group("meet:repeat", *F.write("meet", F.MEET_REPEAT, sections.get("repeat", {}))),
        group("meet:remind", *F.write("meet", F.MEET_REMIND, sections.get("remind", {}))),
        group("meet:attendeeOptions", *options,
              *lobby_elements(call, meeting)),  # locked-lobby (40.9.0): last
        el("meet:meetingkey", meeting.key),
        el("meet:status", meeting.status),
        el("meet:hostJoined", meeting.status == "INPROGRESS"
           and bool(meeting.extra.get("host_joined"))),
        el("meet:participantsJoined", meeting.status == "INPROGRESS"
           and int(meeting.extra.get("attendees_joined", 0)) > 0),
        el("meet:hostKey", meeting.host_key),
        uuid_el(call, "meet:meetingUUID", meeting.uuid),  # the overlay: after hostKey
        opt("meet:guestToken", meeting.extra.get("guest_token")),
        el("meet:hostType", "1019001"),
        el("meet:meetingLink", meeting_link(site, meeting)),
        el("meet:sipURL", sip_url(site, meeting)),
        el("meet:displayMeetingUrl", sip_url(site, meeting)),
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
    # lstsummaryMeetingResponse: meeting*, then matchingRecords (meeting.xsd)
    return [
        group("meet:meeting",
              el("meet:meetingKey", m.key),
              uuid_el(call, "meet:meetingUUID", m.uuid),
              el("meet:confName", m.conf_name), el("meet:meetingType", m.meeting_type),
              el("meet:hostWebExID", m.host), el("meet:otherHostWebExID", m.host),
              el("meet:timeZoneID", m.tz_id),
              el("meet:timeZone", tz_name(m.tz_id)),
              el("meet:status", m.status),
              el("meet:startDate", site.format_date(m.start, m.tz_id)),
              el("meet:duration", m.duration), el("meet:listStatus", "UNLISTED"))
        for m in page] + [matching_records("meet", len(meetings), len(page), start)]


# -- locked-lobby (40.9.0) -------------------------------------------------------------
LOBBY_OPTIONS = ("externalAttendeeSecurity", "autoLock", "autoLockWaitTime")


SECURITY_VALUES = ("AllowJoin", "AllowJoinWithLobby", "BlockFromJoin")


WAIT_TIMES = (0, 5, 10, 15, 20)


LOBBY_SETTING = "consistent_locked_lobby"


INVALID_LOBBY_OPTION = "999102"  # mock: the id is not documented


def lobby_on(call: Call) -> bool:
    return bool(call.site.settings.get(LOBBY_SETTING))


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


# -- meeting URLs -------------------------------------------------------------------------
def _hosted(call: Call) -> Meeting:
    meeting = find_meeting(call)  # meetingKey, sessionKey or meetingUUID
    caller = call.require_caller()
    if meeting.host.lower() != caller.webex_id.lower() and not caller.site_admin:
        raise ApiError(*ACCESS_DENIED)
    return meeting


@handler("GethosturlMeeting")
def gethosturl_meeting(call: Call) -> list:
    meeting = _hosted(call)
    base = f"https://{call.site.name}.webex.com/{call.site.name}"
    return [el("meet:hostMeetingURL", f"{base}/m.php?AT=HM&MK={meeting.key}"
                                      f"&Rnd={secrets.randbelow(10**9)}"),
            uuid_el(call, "meet:meetingUUID", meeting.uuid)]


@handler("GetjoinurlMeeting")
def getjoinurl_meeting(call: Call) -> list:
    call.require_caller()
    meeting = find_meeting(call)
    base = f"https://{call.site.name}.webex.com/{call.site.name}"
    return [el("meet:joinMeetingURL", f"{base}/m.php?AT=JM&MK={meeting.key}"),
            el("meet:inviteMeetingURL", f"{base}/j.php?MTID=a{meeting.key}"),
            uuid_el(call, "meet:meetingUUID", meeting.uuid)]
