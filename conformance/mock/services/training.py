"""training service (Training Center): CreateTrainingSession, SetTrainingSession,
GetTrainingSession, DelTrainingSession, LstsummaryTrainingSession, kept simply (as events);
meetingUUID (meeting-uuid: LstsummaryTrainingSession 40.9.0, Create/Set/Get/Del 40.10.0),
audioPassword (audio-password), EDU templates (edu-session-templates)."""

from __future__ import annotations

from ..state import DEFAULT_TZ, TZ_NAMES
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


# -- training sessions ---------------------------------------------------------------------
# meeting-uuid: LstsummaryTrainingSession (40.9.0), Create/Set/Get/Del (40.10.0)
@handler("CreateTrainingSession")
def create_training_session(call: Call) -> list:
    check_start(call, "schedule/startDate", "schedule/timeZoneID")
    rec = create_record(call, "training", "metaData/confName")
    return [el("train:sessionkey", rec.key),
            uuid_el(call, "train:meetingUUID", rec.fields.get("uuid"))]


@handler("SetTrainingSession")
def set_training_session(call: Call) -> list:
    call.require_caller()
    rec = find_record(call, "training", ("sessionKey", "sessionkey"))
    update_record(call, rec, "metaData/confName")
    return [uuid_el(call, "train:meetingUUID", rec.fields.get("uuid"))]


@handler("GetTrainingSession")
def get_training_session(call: Call) -> list:
    call.require_caller()
    rec = find_record(call, "training", ("sessionKey", "sessionkey"))
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
            group("sess:schedule", el("sess:startDate", start_text(call, rec)),
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
    rec = find_record(call, "training", ("sessionKey", "sessionkey"))
    del call.site.records["training"][rec.key]
    return [uuid_el(call, "train:meetingUUID", rec.fields.get("uuid"))]


@handler("LstsummaryTrainingSession")
def lst_summary_training_session(call: Call) -> list:
    recs = listed_records(call, "training")
    # lstsummaryTrainingSessionResponse: trainingSession*, then matchingRecords
    return [
        group("train:trainingSession", el("train:sessionKey", r.key),
              uuid_el(call, "train:meetingUUID", r.fields.get("uuid")),
              el("train:confName", r.name),
              el("train:meetingType", r.fields.get("session_type", 9)),
              el("train:hostWebExID", r.fields.get("host", "")),
              el("train:timeZoneID", r.fields.get("tz_id", DEFAULT_TZ)),
              el("train:timeZone", TZ_NAMES[r.fields.get("tz_id", DEFAULT_TZ)]),
              el("train:status", "NOT_INPROGRESS"),
              el("train:startDate", start_text(call, r)),
              el("train:duration", r.fields.get("duration", 60)),
              el("train:listStatus", "PUBLIC"))
        for r in recs] + [matching_records("train", len(recs), len(recs), 1)]
