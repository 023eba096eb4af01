"""Contacts, events, training sessions and recordings, kept simply: enough for the
email-whitespace rule (and cleanup) to be observable, with a Get/Lst call to check that a
rejected request changed nothing."""

from __future__ import annotations

from lxml import etree

from ..state import Record
from ..wire import NOT_FOUND, PAST_START, ApiError, el, group, matching_records
from . import Call, clean_email, handler
from .meeting import check_all_emails

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
    raise ApiError(*NOT_FOUND)


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
    rec = call.site.new_record(kind, call.req.text(name_path) or "")
    rec.emails = _emails(call)
    return rec


def _update(call: Call, rec: Record, name_path: str) -> None:
    check_all_emails(call)
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
@handler("CreateEvent")
def create_event(call: Call) -> list:
    _start_ok(call, "schedule/startDate", "schedule/timeZoneID")
    rec = _create(call, "event", "metaData/sessionName")
    return [el("event:sessionKey", rec.key), el("event:guestToken", "0" * 32)]


@handler("SetEvent")
def set_event(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "event", ("sessionKey",))
    _update(call, rec, "metaData/sessionName")
    return []


@handler("GetEvent")
def get_event(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "event", ("sessionKey",))
    return [group("event:metaData", el("event:sessionName", rec.name)),
            group("event:attendees", *[group("event:attendee", el("event:email", e))
                                       for e in rec.emails]),
            el("event:sessionKey", rec.key)]


@handler("DelEvent")
def del_event(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "event", ("sessionKey",))
    del call.site.records["event"][rec.key]
    return []


def _list(call: Call, kind: str, prefix: str, item: str, name_tag: str) -> list:
    call.require_caller()
    recs = sorted(call.site.records[kind].values(), key=lambda r: r.key)
    if not recs:
        raise ApiError(*NOT_FOUND)
    return [matching_records(prefix, len(recs), len(recs), 1)] + [
        group(f"{prefix}:{item}", el(f"{prefix}:sessionKey", r.key),
              el(f"{prefix}:{name_tag}", r.name)) for r in recs]


@handler("LstsummaryEvent")
def lst_summary_event(call: Call) -> list:
    return _list(call, "event", "event", "event", "sessionName")


# -- training sessions ---------------------------------------------------------------------
@handler("CreateTrainingSession")
def create_training_session(call: Call) -> list:
    _start_ok(call, "schedule/startDate", "schedule/timeZoneID")
    rec = _create(call, "training", "metaData/confName")
    return [el("train:sessionkey", rec.key)]


@handler("SetTrainingSession")
def set_training_session(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "training", ("sessionKey", "sessionkey"))
    _update(call, rec, "metaData/confName")
    return []


@handler("GetTrainingSession")
def get_training_session(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "training", ("sessionKey", "sessionkey"))
    return [group("train:metaData", el("train:confName", rec.name)),
            group("train:attendees", *[group("train:participant",
                                             group("train:person", el("com:email", e)))
                                       for e in rec.emails]),
            el("train:sessionkey", rec.key)]


@handler("DelTrainingSession")
def del_training_session(call: Call) -> list:
    call.require_caller()
    rec = _record(call, "training", ("sessionKey", "sessionkey"))
    del call.site.records["training"][rec.key]
    return []


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
    if not recs:
        raise ApiError(*NOT_FOUND)
    return [matching_records("ep", len(recs), len(recs), 1)] + [
        group("ep:recording", el("ep:recordingID", r.key), el("ep:name", r.name))
        for r in recs]
