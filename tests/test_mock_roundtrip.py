"""What a create or set accepted comes back from the matching get (issue 11): a meeting's
metaData, enableOptions, schedule, telephony, repeat, remind and attendeeOptions; a user's
address, phones, options, privilege and the rest of the 2011 user type. Each answer is valid
against the schema too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from conformance.envelope import Body, Credentials, build_message
from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE, MockApp
from conformance.schema import validate_message

ADMIN = Credentials(DEFAULT_SITE, *DEFAULT_ADMIN)
START = (datetime.now(UTC) + timedelta(days=3)).strftime("%m/%d/%Y %H:%M:%S")


@pytest.fixture
def app() -> MockApp:
    return MockApp()


def call(app: MockApp, api: str, payload: dict) -> etree._Element:
    answer = app.handle(build_message(ADMIN, [Body(api, payload)]))
    assert validate_message(answer) == [], answer.decode()
    doc = etree.fromstring(answer)
    assert doc.find(".//{*}result").text == "SUCCESS", answer.decode()
    return doc.find(".//{*}bodyContent")


def texts(node: etree._Element, path: str) -> list[str]:
    return [e.text or "" for e in node.findall(path)]


def text(node: etree._Element, path: str) -> str:
    found = node.find(path)
    assert found is not None, path
    return found.text or ""


MEETING = {
    "metaData": {"confName": "round trip", "agenda": "the agenda", "greeting": "hello",
                 "location": "room 1", "invitation": "come"},
    "enableOptions": {"chat": False, "poll": True, "audioVideo": True, "fileShare": False},
    "schedule": {"startDate": START, "timeZoneID": 45, "duration": 30, "openTime": 900,
                 "joinTeleconfBeforeHost": True, "entryExitTone": 1},
    "telephony": {"telephonySupport": "CALLIN", "numPhoneLines": 6, "intlLocalCallIn": True},
    "repeat": {"repeatType": "WEEKLY", "interval": 1, "dayInWeek": {"day": "MONDAY"},
               "expirationDate": "12/31/2031 00:00:00"},
    "remind": {"enableReminder": True, "emails": {"email": "a@example.com"},
               "minutesAhead": 15},
    "attendeeOptions": {"request": True, "emailInvitations": True, "participantLimit": 20,
                        "joinRequiresAccount": True},
}


def test_create_meeting_sections_come_back(app: MockApp) -> None:
    key = text(call(app, "CreateMeeting", MEETING), "{*}meetingkey")
    got = call(app, "GetMeeting", {"meetingKey": key})
    assert text(got, "{*}metaData/{*}agenda") == "the agenda"
    assert texts(got, "{*}metaData/{*}greeting") == ["hello"]
    assert text(got, "{*}metaData/{*}location") == "room 1"
    assert text(got, "{*}enableOptions/{*}chat") == "false"
    assert text(got, "{*}enableOptions/{*}poll") == "true"
    assert text(got, "{*}enableOptions/{*}fileShare") == "false"
    assert text(got, "{*}schedule/{*}openTime") == "900"
    assert text(got, "{*}schedule/{*}joinTeleconfBeforeHost") == "true"
    assert text(got, "{*}schedule/{*}entryExitTone") == "1"
    assert text(got, "{*}schedule/{*}startDate") == START
    assert text(got, "{*}schedule/{*}timeZone") == "GMT+08:00, China (Beijing)"
    assert text(got, "{*}telephony/{*}telephonySupport") == "CALLIN"
    assert text(got, "{*}telephony/{*}numPhoneLines") == "6"
    assert text(got, "{*}repeat/{*}repeatType") == "WEEKLY"
    assert texts(got, "{*}repeat/{*}dayInWeek/{*}day") == ["MONDAY"]
    assert text(got, "{*}remind/{*}minutesAhead") == "15"
    assert texts(got, "{*}remind/{*}emails/{*}email") == ["a@example.com"]
    assert text(got, "{*}attendeeOptions/{*}participantLimit") == "20"
    assert text(got, "{*}attendeeOptions/{*}joinRequiresAccount") == "true"
    assert text(got, "{*}meetingLink").startswith("https://")
    assert text(got, "{*}hostKey").isdigit()


def test_set_meeting_changes_what_it_gives_and_keeps_the_rest(app: MockApp) -> None:
    key = text(call(app, "CreateMeeting", MEETING), "{*}meetingkey")
    call(app, "SetMeeting", {"meetingKey": key, "metaData": {"agenda": "new agenda"},
                             "enableOptions": {"chat": True},
                             "schedule": {"openTime": 600}})
    got = call(app, "GetMeeting", {"meetingKey": key})
    assert text(got, "{*}metaData/{*}agenda") == "new agenda"
    assert text(got, "{*}metaData/{*}location") == "room 1"
    assert text(got, "{*}enableOptions/{*}chat") == "true"
    assert text(got, "{*}enableOptions/{*}poll") == "true"
    assert text(got, "{*}schedule/{*}openTime") == "600"
    assert text(got, "{*}schedule/{*}joinTeleconfBeforeHost") == "true"


@pytest.mark.parametrize("section,value", [
    ("enableOptions", {"chat": "maybe"}), ("schedule", {"openTime": "soon"}),
    ("telephony", {"telephonySupport": "PIGEON"}), ("schedule", {"timeZoneID": 999}),
    ("repeat", {"dayInWeek": {"day": "FUNDAY"}}),
])
def test_a_value_the_schema_refuses_is_refused(app: MockApp, section: str, value: dict) -> None:
    answer = app.handle(build_message(ADMIN, [Body("CreateMeeting", {section: value})]))
    doc = etree.fromstring(answer)
    assert doc.find(".//{*}result").text == "FAILURE"
    assert doc.find(".//{*}exceptionID").text == "000000"
    assert app.site.meetings == {}


def test_user_fields_come_back(app: MockApp) -> None:
    call(app, "CreateUser", {
        "firstName": "Round", "lastName": "Trip", "title": "Engineer", "company": "ACME",
        "webExId": "roundtrip", "email": "roundtrip@example.com", "password": "Pa55-word!",
        "address": {"address1": "1 Main St", "city": "Springfield", "country": "US"},
        "phones": {"phone": "+1 555 0100", "pager": "+1 555 0199"},
        "options": {"emailVisible": True}, "commOptions": {"press": True},
        "timeZoneID": 11, "privilege": {"host": True, "teleConfCallOut": True},
        "meetingTypes": {"meetingType": 3}, "languageID": 1,
    })
    got = call(app, "GetUser", {"webExId": "roundtrip"})
    assert text(got, "{*}title") == "Engineer"
    assert text(got, "{*}company") == "ACME"
    assert text(got, "{*}address/{*}address1") == "1 Main St"
    assert text(got, "{*}address/{*}city") == "Springfield"
    assert text(got, "{*}phones/{*}phone") == "+1 555 0100"
    assert text(got, "{*}phones/{*}pager") == "+1 555 0199"
    assert text(got, "{*}options/{*}emailVisible") == "true"
    assert text(got, "{*}commOptions/{*}press") == "true"
    assert texts(got, "{*}meetingTypes/{*}meetingType") == ["3"]
    assert text(got, "{*}timeZoneID") == "11"
    assert text(got, "{*}timeZone") == "GMT-05:00, Eastern (New York)"
    assert text(got, "{*}privilege/{*}teleConfCallOut") == "true"
    assert text(got, "{*}privilege/{*}host") == "true"
    call(app, "SetUser", {"webExId": "roundtrip", "address": {"city": "Shelbyville"}})
    got = call(app, "GetUser", {"webExId": "roundtrip"})
    assert text(got, "{*}address/{*}city") == "Shelbyville"
    assert text(got, "{*}address/{*}address1") == "1 Main St"
