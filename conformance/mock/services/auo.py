"""auo service (teleconference-only sessions): CreateTeleconferenceSession,
SetTeleconferenceSession, GetTeleconferenceSession.

For the meeting-side requirements: meetingUUID in request and response (meeting-uuid:
teleconference 40.10.0), audioPassword/isEnforceAudioPassword/isEnforceAudioLogin in
GetTeleconferenceSession (audio-password), a generated sessionPassword when the site
requires one (auto-password). Element order follows teleconferenceonly.xsd (``auo``
namespace).
"""

from __future__ import annotations

import secrets

from ..state import Record
from ..wire import MEETING_NOT_FOUND, ApiError, el, group, opt
from .common import (
    KIND_TELECONFERENCE,
    Call,
    audio_elements,
    by_uuid,
    check_all_emails,
    handler,
    uuid_el,
    wanted_uuid,
)

KIND = KIND_TELECONFERENCE


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
