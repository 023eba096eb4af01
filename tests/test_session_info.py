"""The session-info requirements beyond the case files: the mock's meeting-status control,
GetSessionInfo lookups by the sample's URL forms, the locked_lobby capability read from
GetSite on a site without control, and optional control steps."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from conformance.cases import load_case_file
from conformance.envelope import Body, Credentials, build_message
from conformance.errors import CaseDefinitionError
from conformance.mock import DEFAULT_ADMIN, DEFAULT_HOST, Site, start_mock
from conformance.response import parse_message
from conformance.runner import Verdict, run_case
from conformance.target import TargetConfig, TargetSession

CASES = Path(__file__).resolve().parent.parent / "cases"
ADMIN = Credentials("mocksite", *DEFAULT_ADMIN)
HOST = Credentials("mocksite", *DEFAULT_HOST)


@pytest.fixture
def mock():
    server = start_mock(Site())
    yield server
    server.stop()


def call(mock, credentials, body: Body):
    resp = requests.post(mock.url, data=build_message(credentials, [body]), timeout=10,
                         headers={"Content-Type": "text/xml"})
    assert resp.status_code == 200
    return parse_message(resp.content).first


def _meeting(mock) -> str:
    created = call(mock, ADMIN, Body("CreateMeeting", {
        "metaData": {"confName": "x"}, "schedule": {"startDate": "01/01/2099 10:00:00"}}))
    key = created.text("meet:meetingkey")
    assert key
    return key


def _status(mock, payload) -> requests.Response:
    return requests.post(f"{mock.control_url}/meeting-status", json=payload, timeout=10)


def test_meeting_status_control_and_participant_flags(mock) -> None:
    key = _meeting(mock)
    info = call(mock, ADMIN, Body("GetSessionInfo", {"sessionKey": key}))
    assert info.text("ep:hasHostInMeeting") is None
    assert _status(mock, {"meeting_key": key, "status": "INPROGRESS", "host": True,
                          "attendees": 0}).status_code == 200
    info = call(mock, ADMIN, Body("GetSessionInfo", {"sessionKey": key}))
    assert (info.text("ep:status"), info.text("ep:hasHostInMeeting"),
            info.text("ep:hasAttendeeInMeeting")) == ("INPROGRESS", "true", "true")
    assert _status(mock, {"meeting_key": key, "status": "NOT_INPROGRESS"}).status_code == 200
    info = call(mock, ADMIN, Body("GetSessionInfo", {"sessionKey": key}))
    assert info.text("ep:hasHostInMeeting") is None


@pytest.mark.parametrize("payload", [
    {"meeting_key": 1, "status": "INPROGRESS"},              # no such meeting
    {"meeting_key": "x", "status": "INPROGRESS"},            # not a key
    {"meeting_key": "{key}", "status": "STARTED"},           # not a status
    {"meeting_key": "{key}", "status": "INPROGRESS", "host": "yes"},
    {"meeting_key": "{key}", "status": "INPROGRESS", "attendees": -1},
    ["not", "an", "object"],
])
def test_meeting_status_control_rejects_bad_input_with_400(mock, payload) -> None:
    key = _meeting(mock)
    if isinstance(payload, dict):
        payload = {k: (key if v == "{key}" else v) for k, v in payload.items()}
    resp = _status(mock, payload)
    assert resp.status_code == 400
    assert "error" in resp.json()


def test_session_found_by_the_sample_forms_of_sip_and_pmr_urls(mock) -> None:
    key = _meeting(mock)
    for sip in (f"{key}@mocksite.webex.com", f"{key}_mocksite@webex.com",
                f"{key}@MockSite.webex.com"):
        found = call(mock, ADMIN, Body("GetSessionInfo", {"sipUrl": sip}))
        assert found.text("ep:sessionkey") == key, sip
    for pmr in ("https://mocksite.webex.com/meet/siteadmin",
                "https://mocksite.webex.com/join/siteadmin"):
        room = call(mock, ADMIN, Body("GetSessionInfo", {"pmrUrl": pmr}))
        assert room.text("ep:isPersonalMeetingRoom") == "true", pmr
    by_sip = call(mock, ADMIN, Body("GetSessionInfo", {"sipUrl": "siteadmin@mocksite.webex.com"}))
    assert by_sip.text("ep:isPersonalMeetingRoom") == "true"
    for body in ({"pmrUrl": "https://othersite.webex.com/meet/siteadmin"},
                 {"sipUrl": f"{key}@othersite.webex.com"},
                 {"meetingLink": "https://mocksite.webex.com/j.php?MTID=nothing"},
                 {"meetingUuid": "0" * 32}):
        assert call(mock, ADMIN, Body("GetSessionInfo", body)).exception_id == "060001", body


def test_uninvited_caller_sees_no_details_until_invited(mock) -> None:
    key = _meeting(mock)
    hidden = call(mock, HOST, Body("GetSessionInfo", {"sessionKey": key}))
    assert hidden.ok and hidden.text(".//ep:confName") is None
    call(mock, ADMIN, Body("CreateMeetingAttendee", {
        "person": {"name": "h", "email": "host1@example.com"}, "joinStatus": "REGISTER",
        "sessionKey": key}))
    assert call(mock, HOST, Body("GetSessionInfo", {"sessionKey": key})).text(
        ".//ep:confName") is None
    call(mock, ADMIN, Body("CreateMeetingAttendee", {
        "person": {"name": "h2", "email": "HOST1@example.com"}, "joinStatus": "INVITE",
        "sessionKey": key}))
    # the existing attendee of that email is kept: still REGISTER, still hidden
    assert call(mock, HOST, Body("GetSessionInfo", {"sessionKey": key})).text(
        ".//ep:confName") is None


def test_lobby_values_outside_the_lists_are_refused_by_the_mock(mock) -> None:
    requests.post(f"{mock.control_url}/settings",
                  json={"settings": {"consistent_locked_lobby": True}}, timeout=10)
    for options in ({"autoLockWaitTime": 7}, {"externalAttendeeSecurity": "Everyone"},
                    {"autoLock": "maybe"}):
        answer = call(mock, ADMIN, Body("CreateMeeting", {
            "schedule": {"startDate": "01/01/2099 10:00:00"}, "attendeeOptions": options}))
        assert answer.result == "FAILURE", options


def _site_target(url: str) -> TargetSession:
    return TargetSession(TargetConfig(url=url, site_name="mocksite", webex_id=DEFAULT_ADMIN[0],
                                      password=DEFAULT_ADMIN[1]))


@pytest.mark.parametrize("setting_on", [True, False])
def test_locked_lobby_read_from_getsite_on_a_site_without_control(setting_on) -> None:
    site = Site()
    site.settings["consistent_locked_lobby"] = setting_on
    server = start_mock(site, control=False)
    target = _site_target(server.url)
    try:
        case = next(c for c in load_case_file(CASES / "locked-lobby.yaml")
                    if c.id == "set-changes-values")
        result = run_case(case, target)
        if setting_on:  # the site has the value the case requires: it runs
            assert result.verdict is Verdict.PASS, result.reason
        else:
            assert result.verdict is Verdict.SKIP
            assert "ConsistentLockedLobby" in result.reason
    finally:
        target.close()
        server.stop()


def test_in_progress_cases_skip_without_control_naming_why() -> None:
    server = start_mock(Site(), control=False)
    target = _site_target(server.url)
    try:
        cases = {c.id: c for c in load_case_file(CASES / "session-participant-status.yaml")}
        assert run_case(cases["not-in-progress"], target).verdict is Verdict.PASS
        skipped = run_case(cases["host-and-attendee-in"], target)
        assert skipped.verdict is Verdict.SKIP
        assert "needs a meeting in progress" in skipped.reason
        assert "only the mock's control interface can arrange" in skipped.reason
    finally:
        target.close()
        server.stop()


@pytest.mark.parametrize("control, message", [
    ('{meeting_status: {meeting_key: "1", status: STARTED}}', "is not one of"),
    ('{meeting_status: {meeting_key: "${nope}", status: INPROGRESS}}', "unknown template"),
    ('{meeting_status: {status: INPROGRESS}}', "meeting_key"),
])
def test_malformed_meeting_status_control_names_the_field(tmp_path, control, message) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("requirement: session-participant-status\n"
        "cases:\n  - id: x\n    title: y\n"
                    f"    steps:\n      - name: s\n        control: {control}\n", "utf-8")
    with pytest.raises(CaseDefinitionError) as err:
        load_case_file(path)
    assert message in str(err.value) and "control.meeting_status" in str(err.value)
