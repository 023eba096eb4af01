"""attendee service: CreateMeetingAttendee, RegisterMeetingAttendee, LstMeetingAttendee,
DelMeetingAttendee, GetEnrollmentInfo, with the 40.8.0 registration-form check (040014)
and the 40.12.0 rule that only the first attendee of one email per meeting and request is
processed."""

from __future__ import annotations

from ..req import Req
from ..state import REGISTRATION_FIELDS, Attendee, Meeting
from ..wire import MISSING_REG_FIELDS, NOT_FOUND, ApiError, el, group, matching_records, opt
from .common import (
    PERSON_PATHS,
    Call,
    Spec,
    add_attendee,
    check_all_emails,
    find_meeting,
    handler,
    uuid_el,
    wanted_uuid,
)


def _specs(call: Call, *, register: bool) -> list[Spec]:
    req = call.req
    items: list[tuple[Req, Req]] = []
    if not register and req.has("person"):
        items.append((req, req))
    items += [(a, a) for a in req.all("attendees")]
    if not items:
        raise ApiError("000000", "Fail to forward request:null")
    specs = []
    for holder, _ in items:
        key_holder = holder if (holder.has("sessionKey") or holder.has("meetingKey")
                                or holder.has("meetingUUID")) else req
        meeting = find_meeting(call, key_holder)
        specs.append(Spec(holder.get("person"), meeting, holder.text("role") or "ATTENDEE",
                          holder.text("joinStatus") or ("REGISTER" if register else "INVITE")))
    return specs


def missing_fields(meeting: Meeting, person: Req) -> list[str]:
    return [f for f in REGISTRATION_FIELDS
            if meeting.registration_form.get(f)
            and not (person.text(PERSON_PATHS[f]) or "").strip()]


def _check_registration(call: Call, specs: list[Spec]) -> None:
    """040014 (40.8.0) for the first attendee whose required registration fields are not
    all given; serv:value lists the missing ones."""
    for spec in specs:
        missing = missing_fields(spec.meeting, spec.person)
        form = spec.meeting.registration_form
        if call.fault("040014-all-given-still-refused") and any(form.values()):
            missing = [f for f in REGISTRATION_FIELDS if form.get(f)]
        if call.fault("040014-when-nothing-required") and not any(form.values()):
            missing = [f for f in REGISTRATION_FIELDS
                       if not (spec.person.text(PERSON_PATHS[f]) or "").strip()]
        if missing:
            if call.fault("040014-value-lists-all-required"):
                value = ",".join(f for f in REGISTRATION_FIELDS
                                 if spec.meeting.registration_form.get(f))
            else:
                value = ",".join(missing)
            call.reject("registration-form", ApiError(
                MISSING_REG_FIELDS, f"Missing required fields (registration form) : {value}",
                value))
            return


def _create(call: Call, *, register: bool) -> list[Attendee]:
    call.require_caller()
    specs = _specs(call, register=register)
    check_all_emails(call)
    _check_registration(call, specs)
    seen: set[tuple[int, str]] = set()
    return [a for a in (add_attendee(call, s, seen) for s in specs) if a is not None]


@handler("CreateMeetingAttendee")
def create_meeting_attendee(call: Call) -> list:
    out = []
    for a in _create(call, register=False):
        meeting = call.site.meetings.get(a.session_key)
        out += [el("att:attendeeId", a.attendee_id),
                uuid_el(call, "att:meetingUUID", meeting.uuid if meeting else None)]
    return out


@handler("RegisterMeetingAttendee")
def register_meeting_attendee(call: Call) -> list:
    out = []
    for a in _create(call, register=True):
        a.register_id = a.register_id or call.site.next_id()
        meeting = call.site.meetings.get(a.session_key)
        out.append(group("att:register", el("att:attendeeID", a.attendee_id),
                         el("att:registerID", a.register_id),
                         uuid_el(call, "att:meetingUUID", meeting.uuid if meeting else None)))
    return out


@handler("LstMeetingAttendee")
def lst_meeting_attendee(call: Call) -> list:
    call.require_caller()
    meeting = find_meeting(call)
    attendees = list(meeting.attendees)
    if not attendees:
        raise ApiError(*NOT_FOUND)
    start = max(1, call.req.int("listControl/startFrom", 1) or 1)
    maximum = min(500, call.req.int("listControl/maximumNum", 50) or 50)
    page = attendees[start - 1:start - 1 + maximum]
    return [matching_records("att", len(attendees), len(page), start)] + [
        group("att:attendee",
              group("att:person", el("com:name", a.name),
                    opt("com:title", a.person.get("title")),
                    opt("com:company", a.person.get("company")),
                    el("com:email", a.email)),
              el("att:joinStatus", a.join_status),
              el("att:meetingKey", meeting.key),
              el("att:sessionKey", meeting.key),
              uuid_el(call, "att:meetingUUID", meeting.uuid),
              el("att:role", a.role),
              el("att:attendeeId", a.attendee_id),
              el("att:confID", meeting.conf_id),
              opt("att:registerID", a.register_id))
        for a in page]


@handler("DelMeetingAttendee")
def del_meeting_attendee(call: Call) -> list:
    call.require_caller()
    site, req = call.site, call.req
    ids = {int(r.text() or 0) for r in req.all("attendeeID")}
    email = req.text("attendeeEmail/email")
    scope = req.text("attendeeEmail/sessionKey")
    if email and scope is None and (wanted_uuid(req.get("attendeeEmail")) or wanted_uuid(req)):
        # meeting-uuid (40.10.0): the meeting named by meetingUUID instead of sessionKey
        holder = req.get("attendeeEmail") if wanted_uuid(req.get("attendeeEmail")) else req
        scope = str(find_meeting(call, holder, key_paths=()).key)
    removed, touched = 0, None
    for meeting in site.meetings.values():
        keep = []
        for a in meeting.attendees:
            if a.attendee_id in ids or (email and a.email.lower() == email.lower()
                                        and str(meeting.key) == (scope or str(meeting.key))):
                removed += 1
                touched = meeting
            else:
                keep.append(a)
        meeting.attendees = keep
    if not removed:
        raise ApiError(*NOT_FOUND)
    return [uuid_el(call, "att:meetingUUID", touched.uuid if touched else None)]


# -- GetEnrollmentInfo: enrollment-empty-domain (40.4.0) -------------------------------
# The answer keeps the sample's shape (att:session with confID, one att:attendee per
# registered attendee, matchingRecords, sessionKey) and an empty att:domain for each
# attendee: the service no longer looks the attendee's IP address up in DNS.
# enrollFields/defaultFields in the order of the sample, with where the mock keeps them
DEFAULT_FIELDS = (("firstName", "firstName"), ("lastName", "lastName"), ("email", None),
                  ("company", "company"), ("phoneNum", "phones/phone"), ("title", "title"),
                  ("receiveInfo", None), ("address1", "address/address1"),
                  ("address2", "address/address2"), ("city", "address/city"),
                  ("state", "address/state"), ("zipcode", "address/zipCode"),
                  ("country", "address/country"), ("leadSourceID", None), ("leadScore", None))


STATUS = {"REJECT": "REJECTED", "REGISTER": "PENDING"}  # anything else: APPROVED


def _field(a: Attendee, name: str, path: str | None) -> str:
    if name == "email":
        return a.email
    if name == "receiveInfo":
        return "false"
    if name == "leadScore":
        return "0.0"
    return a.person.get(path, "") if path else ""


@handler("GetEnrollmentInfo")
def get_enrollment_info(call: Call) -> list:
    call.require_caller()
    meeting = find_meeting(call, key_paths=("sessionKey", "sessionkey", "meetingKey"))
    enrolled = [a for a in meeting.attendees if a.register_id is not None]
    if not enrolled:
        raise ApiError(*NOT_FOUND)
    submitted = call.site.format_date(call.site.clock.now(), 20)
    attendees = []
    for a in enrolled:
        attendees.append(group(
            "att:attendee",
            el("att:attendeeID", a.attendee_id),
            group("att:enrollFields",
                  group("att:defaultFields", *[el(f"att:{n}", _field(a, n, p))
                                               for n, p in DEFAULT_FIELDS]),
                  group("att:customFields")),
            el("att:domain", ""),  # 40.4.0: no reverse DNS lookup any more
            el("att:ipAddress", "127.0.0.1"),
            el("att:submitTime", submitted),
            el("att:status", STATUS.get(a.join_status, "APPROVED"))))
    return [group("att:session",
                  el("att:confID", meeting.conf_id),
                  *attendees,
                  matching_records("att", len(enrolled), len(enrolled), 1),
                  el("att:sessionKey", meeting.key))]
