"""The mock's meeting-side support: meetingUUID (any spelling), teleconference sessions and
DelSession, the meeting URL APIs, audio passwords, EDU templates, duplicate emails."""

from __future__ import annotations

import pytest
import requests

from conformance.apis import get_api
from conformance.envelope import Body, Credentials, build_message
from conformance.mock import DEFAULT_ADMIN, Site, start_mock
from conformance.response import Message, parse_message


@pytest.fixture
def site() -> Site:
    return Site()


@pytest.fixture
def mock(site: Site):
    server = start_mock(site)
    yield server
    server.stop()


ADMIN = Credentials("mocksite", *DEFAULT_ADMIN)
FUTURE = "01/02/2099 10:00:00"


def call(mock, *bodies: Body) -> Message:
    resp = requests.post(mock.url, data=build_message(ADMIN, list(bodies)), timeout=10,
                         headers={"Content-Type": "text/xml"})
    assert resp.status_code == 200
    return parse_message(resp.content)


def meeting(mock, name: str = "m", **extra) -> tuple[str, str]:
    body = {"metaData": {"confName": name}, "accessControl": {"meetingPassword": "Ab1cd2"},
            "schedule": {"startDate": FUTURE, "timeZoneID": 20, "duration": 30}, **extra}
    msg = call(mock, Body("CreateMeeting", body))
    assert msg.first.ok, msg.first.summary()
    return msg.first.text("meet:meetingkey"), msg.first.text("meet:meetingUUID")


@pytest.mark.parametrize("spelling", ["meetingUUID", "meetingUuid", "MeetingUUID"])
def test_every_spelling_of_meeting_uuid_finds_the_meeting(mock, spelling: str) -> None:
    key_a, uuid_a = meeting(mock, "A")
    meeting(mock, "B")
    msg = call(mock, Body("GetMeeting", {spelling: uuid_a}))
    assert msg.first.text("meet:meetingkey") == key_a
    assert msg.first.text("meet:meetingUUID") == uuid_a


def test_an_unknown_meeting_uuid_is_not_found(mock) -> None:
    meeting(mock)
    msg = call(mock, Body("GetMeeting", {"meetingUUID": "0" * 32}))
    assert (msg.first.result, msg.first.exception_id) == ("FAILURE", "060001")


def test_lists_filter_by_meeting_uuid(mock) -> None:
    key_a, uuid_a = meeting(mock, "A")
    meeting(mock, "B")
    for api, path in (("LstsummarySession", "ep:session/ep:sessionKey"),
                      ("LstsummaryMeeting", "meet:meeting/meet:meetingKey")):
        msg = call(mock, Body(api, {"meetingUUID": uuid_a}))
        assert [e.text for e in msg.first.xpath(path)] == [key_a], api


def test_teleconference_session_lifecycle_and_del_session(mock, site: Site) -> None:
    assert get_api("GetTeleconferenceSession").xsi_type == \
        "java:com.webex.service.binding.meeting.auo.GetTeleconferenceSession"
    msg = call(mock, Body("CreateTeleconferenceSession", {
        "accessControl": {"sessionPassword": "Pw1x9Q"}, "metaData": {"confName": "tc"}}))
    assert msg.first.body_type == "auo:createTeleconferenceSessionResponse"
    key, uuid = msg.first.text("auo:sessionKey"), msg.first.text("auo:meetingUUID")
    got = call(mock, Body("GetTeleconferenceSession", {"meetingUUID": uuid})).first
    assert got.text("auo:metaData/auo:confName") == "tc"
    assert (got.text("auo:accessControl/auo:audioPassword") or "").isdigit()
    assert site.counts()["teleconferences"] == 1
    assert call(mock, Body("DelSession", {"sessionKey": key})).first.ok
    assert site.counts()["teleconferences"] == 0
    gone = call(mock, Body("DelSession", {"sessionKey": key})).first
    assert (gone.result, gone.exception_id) == ("FAILURE", "060001")


def test_teleconference_password_is_generated_when_the_site_requires_one(mock) -> None:
    msg = call(mock, Body("CreateTeleconferenceSession", {"metaData": {"confName": "tc"}}))
    assert msg.first.text("auo:sessionPassword")


def test_url_apis_take_the_key_or_the_uuid(mock) -> None:
    key, uuid = meeting(mock)
    by_key = call(mock, Body("GetjoinurlMeeting", {"meetingKey": key})).first
    by_uuid = call(mock, Body("GetjoinurlMeeting", {"meetingUUID": uuid})).first
    assert by_key.text("meet:joinMeetingURL") == by_uuid.text("meet:joinMeetingURL")
    host = call(mock, Body("GethosturlMeeting", {"meetingUUID": uuid})).first
    assert host.body_type == "meet:gethosturlMeetingResponse"
    assert host.text("meet:hostMeetingURL")


def test_audio_password_is_numeric_and_stable(mock) -> None:
    key, _ = meeting(mock)
    first = call(mock, Body("GetMeeting", {"meetingKey": key})).first
    again = call(mock, Body("GetMeeting", {"meetingKey": key})).first
    audio = first.text("meet:accessControl/meet:audioPassword")
    assert audio and audio.isdigit()
    assert audio == again.text("meet:accessControl/meet:audioPassword")
    assert first.text("meet:accessControl/meet:isEnforceAudioLogin") in ("true", "false")


@pytest.mark.parametrize("edu_on", [False, True])
def test_edu_templates_need_the_edu_session_type(mock, site: Site, edu_on: bool) -> None:
    site.settings.update({"edu_session_type": edu_on,
                          "edu_meeting_templates": [["EDU class", "MeetingCenter"]]})
    msg = call(mock, Body("CreateMeeting", {
        "metaData": {"confName": "edu", "sessionTemplate": {"use": "EDU class"}},
        "schedule": {"startDate": FUTURE}}))
    assert msg.first.ok is edu_on
    if not edu_on:  # refused: nothing scheduled
        assert site.counts()["meetings"] == 0


def test_an_unknown_template_is_refused_and_changes_nothing(mock, site: Site) -> None:
    key, _ = meeting(mock, "before")
    msg = call(mock, Body("SetMeeting", {"meetingKey": key, "metaData": {
        "confName": "after", "sessionTemplate": {"use": "no such template"}}}))
    assert msg.first.result == "FAILURE"
    got = call(mock, Body("GetMeeting", {"meetingKey": key})).first
    assert got.text("meet:metaData/meet:confName") == "before"


def test_only_the_first_attendee_of_one_email_is_kept_by_events(mock) -> None:
    msg = call(mock, Body("CreateEvent", {
        "metaData": {"sessionName": "e"}, "schedule": {"startDate": FUTURE},
        "attendees": {"attendee": [{"name": "one", "email": "d@example.com"},
                                   {"name": "two", "email": "d@example.com"},
                                   {"name": "three", "email": "e@example.com"}]}}))
    got = call(mock, Body("GetEvent", {"sessionKey": msg.first.text("event:sessionKey")}))
    names = [e.text for e in got.first.xpath("event:attendees/event:attendee/com:name")]
    assert names == ["one", "three"]


def test_del_meeting_attendee_by_email_and_meeting_uuid(mock) -> None:
    person = {"name": "x", "email": "x@example.com"}
    key_a, uuid_a = meeting(mock, "A", participants={"attendees": {"attendee": [
        {"person": person}, {"person": {"name": "y", "email": "y@example.com"}}]}})
    key_b, _ = meeting(mock, "B", participants={"attendees": {"attendee": {"person": person}}})
    msg = call(mock, Body("DelMeetingAttendee", {
        "attendeeEmail": {"email": "x@example.com", "meetingUUID": uuid_a}}))
    assert msg.first.ok
    emails = {k: [e.text for e in call(mock, Body("LstMeetingAttendee", {"meetingKey": k}))
                  .first.xpath("att:attendee/att:person/com:email")] for k in (key_a, key_b)}
    assert emails == {key_a: ["y@example.com"], key_b: ["x@example.com"]}
