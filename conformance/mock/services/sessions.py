"""Teleconference-only sessions (CreateTeleconferenceSession, SetTeleconferenceSession,
GetTeleconferenceSession), DelSession, and the meeting URL APIs (GethosturlMeeting,
GetjoinurlMeeting).

For the meeting-side requirements: meetingUUID in request and response (meeting-uuid:
GethosturlMeeting/GetjoinurlMeeting 40.6.0, DelSession 40.8.0, teleconference 40.10.0),
audioPassword/isEnforceAudioPassword/isEnforceAudioLogin in GetTeleconferenceSession
(audio-password), a generated sessionPassword when the site requires one (auto-password).
Element order follows teleconferenceonly.xsd (``auo`` namespace).
"""

from __future__ import annotations

import secrets

from ..state import Meeting, Record
from ..wire import ACCESS_DENIED, MEETING_NOT_FOUND, ApiError, el, group, opt
from . import Call, handler
from .meeting import check_all_emails, find_meeting
from .meetingside import audio_elements, by_uuid, uuid_el, wanted_uuid

KIND = "teleconference"


def _teleconference(call: Call) -> Record:
    records = call.site.records[KIND]
    key = call.req.int("sessionKey")
    if key is not None:
        rec = records.get(key)
    else:
        uuid = wanted_uuid(call.req)
        rec = by_uuid(call, records.values(), lambda r: r.fields.get("uuid"),
                      uuid) if uuid else None
    if rec is None:
        raise ApiError(*MEETING_NOT_FOUND)
    return rec


def _apply(call: Call, rec: Record) -> None:
    req = call.req
    name = req.text("metaData/confName")
    if name is not None:
        rec.name = name
    if req.has("accessControl/sessionPassword"):
        rec.fields["password"] = req.text("accessControl/sessionPassword") or None
    for path in ("schedule/startDate", "schedule/duration", "schedule/timeZoneID"):
        if req.has(path):
            rec.fields[path.rsplit("/", 1)[-1]] = req.text(path)
    emails = [a.text("email") or "" for a in (req.all("fullAccessAttendees/attendee")
                                              + req.all("limitedAccessAttendees/attendee"))]
    if emails:
        rec.emails = emails


@handler("CreateTeleconferenceSession")
def create_teleconference_session(call: Call) -> list:
    host = call.require_caller()
    check_all_emails(call)
    site = call.site
    draft = Record(0, KIND, "")
    _apply(call, draft)
    if not draft.fields.get("password") and call.setting("all_meetings_need_password"):
        draft.fields["password"] = str(secrets.randbelow(900_000) + 100_000)  # auto-password
    rec = site.new_record(KIND, draft.name)
    rec.emails, rec.fields = draft.emails, draft.fields
    rec.fields.update({"uuid": site.new_uuid(), "host": host.webex_id})
    return [el("auo:sessionKey", rec.key),
            uuid_el(call, "auo:meetingUUID", rec.fields["uuid"]),
            opt("auo:sessionPassword", rec.fields.get("password"))]


@handler("SetTeleconferenceSession")
def set_teleconference_session(call: Call) -> list:
    call.require_caller()
    rec = _teleconference(call)
    check_all_emails(call)
    _apply(call, rec)
    return [uuid_el(call, "auo:meetingUUID", rec.fields.get("uuid"))]


@handler("GetTeleconferenceSession")
def get_teleconference_session(call: Call) -> list:
    call.require_caller()
    rec = _teleconference(call)
    password = rec.fields.get("password")
    f = rec.fields
    return [
        group("auo:accessControl", el("auo:listing", "PUBLIC"),
              opt("auo:sessionPassword", password),
              *audio_elements(call, "auo", password)),  # audio-password
        group("auo:metaData", el("auo:confName", rec.name), el("auo:sessionType", 7)),
        group("auo:schedule", opt("auo:startDate", f.get("startDate")),
              opt("auo:timeZoneID", f.get("timeZoneID")),
              opt("auo:duration", f.get("duration")),
              el("auo:hostWebExID", f.get("host", ""))),
        group("auo:fullAccessAttendees", *[group("auo:attendee", el("auo:email", e))
                                           for e in rec.emails]),
        uuid_el(call, "auo:meetingUUID", f.get("uuid")),
    ]


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
    for kind in (KIND, "event", "training"):
        records = site.records[kind]
        rec = records.get(key) if key is not None else (
            by_uuid(call, records.values(), lambda r: r.fields.get("uuid"), uuid)
            if uuid else None)
        if rec is not None:
            del records[rec.key]
            return [uuid_el(call, "ep:meetingUUID", rec.fields.get("uuid"))]
    raise ApiError(*MEETING_NOT_FOUND)


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
