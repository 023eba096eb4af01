"""GetEnrollmentInfo (attendee service) for enrollment-empty-domain (40.4.0): the answer
keeps the sample's shape (``att:session`` with confID, one ``att:attendee`` per registered
attendee, matchingRecords, sessionKey) and an empty ``att:domain`` for each attendee: the
service no longer looks the attendee's IP address up in DNS."""

from __future__ import annotations

from ..state import Attendee
from ..wire import NOT_FOUND, ApiError, el, group, matching_records
from . import Call, handler
from .meeting import find_meeting

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
