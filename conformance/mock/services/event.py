"""event service (Event Center): CreateEvent, SetEvent, GetEvent, DelEvent, LstsummaryEvent,
kept simply: enough for the email-whitespace rule (and cleanup) to be observable, with a
Get/Lst call to check that a rejected request changed nothing; meetingUUID (meeting-uuid:
GetEvent, LstsummaryEvent 40.8.0, CreateEvent/SetEvent/DelEvent 40.10.0), audioPassword
(audio-password), EDU templates (edu-session-templates), duplicate attendees."""

from __future__ import annotations

from lxml import etree

from ..state import DEFAULT_TZ, Record
from ..wire import el, group, matching_records, opt
from .common import (
    Call,
    audio_elements,
    check_start,
    create_record,
    find_record,
    handler,
    listed_records,
    start_text,
    update_record,
    uuid_el,
)


def _attendee_els(prefix: str, rec: Record) -> list[etree._Element]:
    """Event attendees: name and email (com:personType), then other emails of the record."""
    people = rec.fields.get("people", [])
    known = {e.lower() for _, e in people}
    return ([group(f"{prefix}:attendee", el("com:name", n), el("com:email", e))
             for n, e in people]
            + [group(f"{prefix}:attendee", el("com:email", e)) for e in rec.emails
               if e.lower() not in known])


# -- events --------------------------------------------------------------------------------
# meeting-uuid: GetEvent, LstsummaryEvent (40.8.0), CreateEvent/SetEvent/DelEvent (40.10.0)
@handler("CreateEvent")
def create_event(call: Call) -> list:
    check_start(call, "schedule/startDate", "schedule/timeZoneID")
    rec = create_record(call, "event", "metaData/sessionName")
    # createEventResponse: sessionKey, meetingUUID (the overlay), guestToken
    return [el("event:sessionKey", rec.key),
            uuid_el(call, "event:meetingUUID", rec.fields.get("uuid")),
            el("event:guestToken", "0" * 32)]


@handler("SetEvent")
def set_event(call: Call) -> list:
    call.require_caller()
    rec = find_record(call, "event", ("sessionKey",))
    update_record(call, rec, "metaData/sessionName")
    return [uuid_el(call, "event:meetingUUID", rec.fields.get("uuid"))]


@handler("GetEvent")
def get_event(call: Call) -> list:
    call.require_caller()
    rec = find_record(call, "event", ("sessionKey",))
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
    rec = find_record(call, "event", ("sessionKey",))
    del call.site.records["event"][rec.key]
    return [uuid_el(call, "event:meetingUUID", rec.fields.get("uuid"))]


@handler("LstsummaryEvent")
def lst_summary_event(call: Call) -> list:
    recs = listed_records(call, "event")
    # lstsummaryEventResponse: matchingRecords, then event* (eventSummaryInstanceType)
    return [matching_records("event", len(recs), len(recs), 1)] + [
        group("event:event", el("event:sessionKey", r.key),
              uuid_el(call, "event:meetingUUID", r.fields.get("uuid")),
              el("event:sessionName", r.name),
              el("event:sessionType", r.fields.get("session_type", 11)),
              el("event:hostWebExID", r.fields.get("host", "")),
              el("event:startDate", start_text(call, r)),
              el("event:timeZoneID", r.fields.get("tz_id", DEFAULT_TZ)),
              el("event:duration", r.fields.get("duration", 60)),
              el("event:status", "NOT_INPROGRESS"),
              el("event:listStatus", "PUBLIC"))
        for r in recs]
