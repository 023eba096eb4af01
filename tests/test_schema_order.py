"""Requests go out in the schema's order: a case file (or a default body merged with a
step's) may write the children in any order; build_message puts every level in the order
of the API's request type."""

from __future__ import annotations

from conformance.envelope import Body, Credentials, build_message
from conformance.schema import order_payload, validate_message

CREDS = Credentials("site", "admin", "pw")


def test_children_are_put_in_schema_order_at_every_level() -> None:
    payload = {"attendees": {"sessionKey": "1", "role": "ATTENDEE",
                             "person": {"type": "VISITOR", "email": "a@example.com",
                                        "name": "A", "title": "Engineer"}}}
    out = order_payload("RegisterMeetingAttendee", payload)
    assert list(out["attendees"]["person"]) == ["name", "title", "email", "type"]


def test_an_out_of_order_body_becomes_schema_valid() -> None:
    payload = {"schedule": {"duration": 30, "startDate": "12/01/2030 10:00:00"},
               "metaData": {"meetingType": 3, "confName": "x"}}
    ordered = build_message(CREDS, [Body("CreateMeeting", payload)])
    raw = build_message(CREDS, [Body("CreateMeeting", payload, schema_order=False)])
    assert validate_message(ordered) == []
    assert validate_message(raw)  # the same body as written: metaData must come first
    assert ordered.index(b"<metaData>") < ordered.index(b"<schedule>")
    assert ordered.index(b"<startDate>") < ordered.index(b"<duration>")


def test_unknown_elements_keep_their_order_after_the_known_ones() -> None:
    out = order_payload("CreateMeeting", {"zeta": 1, "schedule": {}, "alpha": 2,
                                          "metaData": {}})
    assert list(out) == ["metaData", "schedule", "zeta", "alpha"]


def test_strings_and_unknown_apis_are_left_alone() -> None:
    assert order_payload("CreateMeeting", "<metaData/>") == "<metaData/>"
    assert order_payload("NoSuchApi", {"b": 1, "a": 2}) == {"b": 1, "a": 2}
