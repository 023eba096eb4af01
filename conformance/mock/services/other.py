"""Contacts, events, training sessions and recordings, kept simply: enough for the
email-whitespace rule (and cleanup) to be observable, with a Get/Lst call to check that a
rejected request changed nothing."""

from __future__ import annotations

from lxml import etree

from ..state import Record
from ..wire import NOT_FOUND, PAST_START, ApiError, el, group, matching_records, opt
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


def _create(call: Call, kind: str, name_path: str) -> Record:
    call.require_caller()
    check_all_emails(call)
    draft = Record(0, kind, call.req.text(name_path) or "")
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
        _session_fields(call, draft)  # may refuse the request: nothing changed then
        rec.fields = draft.fields
    name = call.req.text(name_path)
    if name is not None:
        rec.name = name
    emails = _emails(call)
    if emails:
        rec.emails = emails


def _emails_el(prefix: str, rec: Record) -> list[etree._Element]:
    return [el(f"{prefix}:email", e) for e in rec.emails]


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
    return [matching_records("ep", len(recs), len(recs), 1)] + [
        group("ep:contact", el("ep:contactID", r.key), el("ep:name", r.name),
              *_emails_el("ep", r)) for r in recs]


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
    return [el("event:sessionKey", rec.key), el("event:guestToken", "0" * 32),
            uuid_el(call, "event:meetingUUID", rec.fields.get("uuid"))]


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


def _list(call: Call, kind: str, prefix: str, item: str, name_tag: str) -> list:
    call.require_caller()
    recs = sorted(call.site.records[kind].values(), key=lambda r: r.key)
    key = call.req.int("sessionKey")
    if key is not None:
        recs = [r for r in recs if r.key == key]
    recs = filter_by_uuid(call, recs, lambda r: r.fields.get("uuid"))  # meeting-uuid
    if not recs:
        raise ApiError(*NOT_FOUND)
    return [matching_records(prefix, len(recs), len(recs), 1)] + [
        group(f"{prefix}:{item}", el(f"{prefix}:sessionKey", r.key),
              uuid_el(call, f"{prefix}:meetingUUID", r.fields.get("uuid"), in_list=True),
              el(f"{prefix}:{name_tag}", r.name)) for r in recs]


@handler("LstsummaryEvent")
def lst_summary_event(call: Call) -> list:
    return _list(call, "event", "event", "event", "sessionName")


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
    participants = ([group("train:participant", group("train:person", el("com:name", n),
                                                      el("com:email", e)))
                     for n, e in people]
                    + [group("train:participant", group("train:person", el("com:email", e)))
                       for e in rec.emails if e.lower() not in known])
    return [group("train:accessControl", opt("train:sessionPassword", password),
                  *audio_elements(call, "train", password)),  # audio-password
            group("train:metaData", el("train:confName", rec.name)),
            group("train:attendees", group("train:participants", *participants)),
            el("train:sessionkey", rec.key),
            uuid_el(call, "train:meetingUUID", rec.fields.get("uuid"))]


@handler("DelTrainingSession")
def del_training_session(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "training", ("sessionKey", "sessionkey"))
    del call.site.records["training"][rec.key]
    return [uuid_el(call, "train:meetingUUID", rec.fields.get("uuid"))]


@handler("LstsummaryTrainingSession")
def lst_summary_training_session(call: Call) -> list:
    return _list(call, "training", "train", "trainingSession", "confName")


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
    return [el("ep:recordingID", rec.key),
            group("ep:basic", el("ep:topic", rec.name), *_emails_el("ep", rec))]


@handler("LstRecording")
def lst_recording(call: Call) -> list:
    call.require_caller()
    recs = sorted(call.site.records["recording"].values(), key=lambda r: r.key)
    recs = filter_by_uuid(call, recs, lambda r: r.fields.get("uuid"))  # meeting-uuid (40.6.0)
    if not recs:
        raise ApiError(*NOT_FOUND)
    return [matching_records("ep", len(recs), len(recs), 1)] + [
        group("ep:recording", el("ep:recordingID", r.key),
              uuid_el(call, "ep:meetingUUID", r.fields.get("uuid"), in_list=True),
              el("ep:name", r.name))
        for r in recs]
