"""Contacts, events, training sessions and recordings, kept simply: enough for the
email-whitespace rule (and cleanup) to be observable, with a Get/Lst call to check that a
rejected request changed nothing."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from ..state import DEFAULT_TZ, TZ_NAMES, Record
from ..wire import MALFORMED, NOT_FOUND, PAST_START, ApiError, el, group, matching_records, opt
from . import Call, clean_email, handler
from .meeting import check_all_emails
from .meetingside import (
    audio_elements,
    by_uuid,
    check_template,
    filter_by_uuid,
    unique_people,
    uuid_el,
    wanted_uuid,
)

SESSION_KINDS = ("event", "training")  # sessions with a meetingUUID, template and attendees
# the session types of the mock's site (state.py's meeting types) an event or training is of
DEFAULT_SESSION_TYPE = {"event": 11, "training": 9}

EMAIL_TAGS = ("email",)


def _emails(call: Call) -> list[str]:
    out = []
    for node in call.req.el.iter():
        if isinstance(node.tag, str) and node.tag.rsplit("}", 1)[-1] in EMAIL_TAGS:
            out.append(clean_email(call, node.text or "") or "")
    return out


def _record(call: Call, kind: str, key_paths: tuple[str, ...]) -> Record:
    for path in key_paths:
        key = call.req.int(path)
        if key is not None:
            rec = call.site.records[kind].get(key)
            if rec is not None:
                return rec
            break
    else:
        uuid = wanted_uuid(call.req)  # meeting-uuid: events, training sessions (40.8/40.10)
        if uuid:
            found = by_uuid(call, call.site.records[kind].values(),
                            lambda r: r.fields.get("uuid"), uuid)
            if found is not None:
                return found
    raise ApiError(*NOT_FOUND)


def _people(call: Call, kind: str) -> list[tuple[str, str]]:
    """(name, email) of the request's attendees: event ``attendees/attendee`` (a
    com:personType), training ``attendees/participants/participant/person``; of several
    with one email only the first (duplicate-attendee-email, 40.12.0)."""
    req = call.req
    if kind == "event":
        nodes = req.all("attendees/attendee")
    else:
        nodes = [p.get("person") for p in (req.all("attendees/participants/participant")
                                           + req.all("attendees/participant"))]
    out = []
    for node in nodes:
        email = clean_email(call, node.text("email"))
        if email is not None:
            out.append((node.text("name") or email, email))
    return unique_people(call, out)


def _session_fields(call: Call, rec: Record) -> None:
    """Password, session template and attendees of an event or training session."""
    if call.req.has("accessControl/sessionPassword"):
        rec.fields["password"] = call.req.text("accessControl/sessionPassword") or None
    template = check_template(call)  # edu-session-templates (40.8.0)
    if template:
        rec.fields["session_template"] = template
    people = _people(call, rec.kind)
    if people:
        rec.fields["people"] = people


def _attendee_els(prefix: str, rec: Record) -> list[etree._Element]:
    """Event attendees: name and email (com:personType), then other emails of the record."""
    people = rec.fields.get("people", [])
    known = {e.lower() for _, e in people}
    return ([group(f"{prefix}:attendee", el("com:name", n), el("com:email", e))
             for n, e in people]
            + [group(f"{prefix}:attendee", el("com:email", e)) for e in rec.emails
               if e.lower() not in known])


def _start_ok(call: Call, path: str, tz_path: str) -> None:
    text = call.req.text(path)
    if text:
        try:
            start = call.site.parse_date(text, call.req.int(tz_path, 20) or 20)
        except ValueError:
            raise ApiError("000000", "Fail to forward request:null") from None
        if start < call.site.clock.now():
            raise ApiError(*PAST_START)


def _schedule_fields(call: Call, rec: Record) -> None:
    """Host, start, time zone, duration and session type of an event or training session
    (what their list answers need)."""
    req = call.req
    tz = req.int("schedule/timeZoneID")
    if tz is not None:
        if tz not in TZ_NAMES:
            raise ApiError(*MALFORMED)
        rec.fields["tz_id"] = tz
    start = (req.text("schedule/startDate") or "").strip()
    if start:
        try:
            when = call.site.parse_date(start, rec.fields.get("tz_id", DEFAULT_TZ))
        except ValueError:
            raise ApiError(*MALFORMED) from None
        rec.fields["start"] = when
    duration = req.int("schedule/duration")
    if duration is not None:
        rec.fields["duration"] = duration
    session_type = req.int("metaData/sessionType")
    if session_type is not None:
        rec.fields["session_type"] = session_type


def _create(call: Call, kind: str, name_path: str) -> Record:
    caller = call.require_caller()
    check_all_emails(call)
    draft = Record(0, kind, call.req.text(name_path) or "")
    draft.fields.update({"host": caller.webex_id, "tz_id": DEFAULT_TZ, "duration": 60,
                         "session_type": DEFAULT_SESSION_TYPE[kind],
                         "start": call.site.clock.now() + timedelta(minutes=5)}
                        if kind in SESSION_KINDS else {})
    if kind in SESSION_KINDS:
        _schedule_fields(call, draft)
    if kind in SESSION_KINDS:
        _session_fields(call, draft)  # may refuse the request: nothing created then
        draft.fields["uuid"] = call.site.new_uuid()
    rec = call.site.new_record(kind, draft.name)
    rec.fields.update(draft.fields)
    rec.emails = _emails(call)
    return rec


def _update(call: Call, rec: Record, name_path: str) -> None:
    check_all_emails(call)
    if rec.kind in SESSION_KINDS:
        draft = Record(rec.key, rec.kind, rec.name, fields=dict(rec.fields))
        _schedule_fields(call, draft)
        _session_fields(call, draft)  # may refuse the request: nothing changed then
        rec.fields = draft.fields
    name = call.req.text(name_path)
    if name is not None:
        rec.name = name
    emails = _emails(call)
    if emails:
        rec.emails = emails



# -- contacts (ep) -------------------------------------------------------------------------
@handler("CreateContact")
def create_contact(call: Call) -> list:
    rec = _create(call, "contact", "contact/name")
    return [el("ep:contactID", rec.key)]


@handler("SetContact")
def set_contact(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "contact", ("contactID", "contact/contactID"))
    _update(call, rec, "contact/name")
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
    # contactType lacks it, the overlay is asked to add it)
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


# -- events --------------------------------------------------------------------------------
# meeting-uuid: GetEvent, LstsummaryEvent (40.8.0), CreateEvent/SetEvent/DelEvent (40.10.0)
@handler("CreateEvent")
def create_event(call: Call) -> list:
    _start_ok(call, "schedule/startDate", "schedule/timeZoneID")
    rec = _create(call, "event", "metaData/sessionName")
    # createEventResponse: sessionKey, meetingUUID (the overlay), guestToken
    return [el("event:sessionKey", rec.key),
            uuid_el(call, "event:meetingUUID", rec.fields.get("uuid")),
            el("event:guestToken", "0" * 32)]


@handler("SetEvent")
def set_event(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "event", ("sessionKey",))
    _update(call, rec, "metaData/sessionName")
    return [uuid_el(call, "event:meetingUUID", rec.fields.get("uuid"))]


@handler("GetEvent")
def get_event(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "event", ("sessionKey",))
    password = rec.fields.get("password")
    return [group("event:accessControl", opt("event:sessionPassword", password),
                  *audio_elements(call, "event", password)),  # audio-password
            group("event:metaData", el("event:sessionName", rec.name)),
            group("event:attendees", *_attendee_els("event", rec)),
            el("event:sessionKey", rec.key),
            uuid_el(call, "event:meetingUUID", rec.fields.get("uuid"))]


@handler("DelEvent")
def del_event(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "event", ("sessionKey",))
    del call.site.records["event"][rec.key]
    return [uuid_el(call, "event:meetingUUID", rec.fields.get("uuid"))]


def _listed(call: Call, kind: str) -> list[Record]:
    call.require_caller()
    recs = sorted(call.site.records[kind].values(), key=lambda r: r.key)
    key = call.req.int("sessionKey")
    if key is not None:
        recs = [r for r in recs if r.key == key]
    recs = filter_by_uuid(call, recs, lambda r: r.fields.get("uuid"))  # meeting-uuid
    if not recs:
        raise ApiError(*NOT_FOUND)
    return recs


def _start_text(call: Call, rec: Record) -> str:
    return call.site.format_date(rec.fields["start"], rec.fields.get("tz_id", DEFAULT_TZ))


@handler("LstsummaryEvent")
def lst_summary_event(call: Call) -> list:
    recs = _listed(call, "event")
    # lstsummaryEventResponse: matchingRecords, then event* (eventSummaryInstanceType)
    return [matching_records("event", len(recs), len(recs), 1)] + [
        group("event:event", el("event:sessionKey", r.key),
              uuid_el(call, "event:meetingUUID", r.fields.get("uuid"), in_list=True),
              el("event:sessionName", r.name),
              el("event:sessionType", r.fields.get("session_type", 11)),
              el("event:hostWebExID", r.fields.get("host", "")),
              el("event:startDate", _start_text(call, r)),
              el("event:timeZoneID", r.fields.get("tz_id", DEFAULT_TZ)),
              el("event:duration", r.fields.get("duration", 60)),
              el("event:status", "NOT_INPROGRESS"),
              el("event:listStatus", "PUBLIC"))
        for r in recs]


# -- training sessions ---------------------------------------------------------------------
# meeting-uuid: LstsummaryTrainingSession (40.9.0), Create/Set/Get/Del (40.10.0)
@handler("CreateTrainingSession")
def create_training_session(call: Call) -> list:
    _start_ok(call, "schedule/startDate", "schedule/timeZoneID")
    rec = _create(call, "training", "metaData/confName")
    return [el("train:sessionkey", rec.key),
            uuid_el(call, "train:meetingUUID", rec.fields.get("uuid"))]


@handler("SetTrainingSession")
def set_training_session(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "training", ("sessionKey", "sessionkey"))
    _update(call, rec, "metaData/confName")
    return [uuid_el(call, "train:meetingUUID", rec.fields.get("uuid"))]


@handler("GetTrainingSession")
def get_training_session(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "training", ("sessionKey", "sessionkey"))
    password = rec.fields.get("password")
    people = rec.fields.get("people", [])
    known = {e.lower() for _, e in people}
    # trainingsession.xsd: accessControl and schedule come from session.xsd's sessionType
    # (sess:), metaData/attendees are train: of sess: types (sess:confName,
    # sess:participants/sess:participant), then train:sessionKey of the instance type
    participants = ([group("sess:participant", group("sess:person", el("com:name", n),
                                                     el("com:email", e)))
                     for n, e in people]
                    + [group("sess:participant", group("sess:person", el("com:email", e)))
                       for e in rec.emails if e.lower() not in known])
    tz_id = rec.fields.get("tz_id", DEFAULT_TZ)
    return [group("sess:accessControl", el("sess:listing", "PUBLIC"),
                  opt("sess:sessionPassword", password),
                  *audio_elements(call, "sess", password)),  # audio-password
            group("sess:schedule", el("sess:startDate", _start_text(call, rec)),
                  el("sess:timeZone", TZ_NAMES[tz_id]),
                  el("sess:duration", rec.fields.get("duration", 60)),
                  el("sess:timeZoneID", tz_id),
                  el("sess:hostWebExID", rec.fields.get("host", ""))),
            group("train:metaData", el("sess:confName", rec.name),
                  el("train:sessionType", rec.fields.get("session_type", 9))),
            group("train:attendees", group("sess:participants", *participants)),
            el("train:sessionKey", rec.key),
            uuid_el(call, "train:meetingUUID", rec.fields.get("uuid")),
            el("train:status", "NOT_INPROGRESS")]


@handler("DelTrainingSession")
def del_training_session(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "training", ("sessionKey", "sessionkey"))
    del call.site.records["training"][rec.key]
    return [uuid_el(call, "train:meetingUUID", rec.fields.get("uuid"))]


@handler("LstsummaryTrainingSession")
def lst_summary_training_session(call: Call) -> list:
    recs = _listed(call, "training")
    # lstsummaryTrainingSessionResponse: trainingSession*, then matchingRecords
    return [
        group("train:trainingSession", el("train:sessionKey", r.key),
              uuid_el(call, "train:meetingUUID", r.fields.get("uuid"), in_list=True),
              el("train:confName", r.name),
              el("train:meetingType", r.fields.get("session_type", 9)),
              el("train:hostWebExID", r.fields.get("host", "")),
              el("train:timeZoneID", r.fields.get("tz_id", DEFAULT_TZ)),
              el("train:timeZone", TZ_NAMES[r.fields.get("tz_id", DEFAULT_TZ)]),
              el("train:status", "NOT_INPROGRESS"),
              el("train:startDate", _start_text(call, r)),
              el("train:duration", r.fields.get("duration", 60)),
              el("train:listStatus", "PUBLIC"))
        for r in recs] + [matching_records("train", len(recs), len(recs), 1)]


# -- recordings (ep) -----------------------------------------------------------------------
@handler("SetRecordingInfo")
def set_recording_info(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "recording", ("recording/recordingID", "recordingID"))
    check_all_emails(call)
    emails = _emails(call)
    if emails:
        rec.emails = emails
    topic = call.req.text("basic/topic")
    if topic is not None:
        rec.name = topic
    return [el("ep:recordingID", rec.key)]


@handler("GetRecordingInfo")
def get_recording_info(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "recording", ("recordingID",))
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
              uuid_el(call, "ep:meetingUUID", r.fields.get("uuid"), in_list=True),
              el("ep:recordingType", 0),
              el("ep:duration", 1800),
              el("ep:format", "ARF"),
              el("ep:serviceType", "MeetingCenter"))
        for r in recs]
