"""The mock on its own: wire facts, authentication, hostile input, control interface."""

from __future__ import annotations

import pytest
import requests

from conformance.envelope import Body, Credentials, build_message
from conformance.mock import DEFAULT_ACCESS_TOKEN, DEFAULT_ADMIN, Site, start_mock
from conformance.response import parse_message


@pytest.fixture
def mock():
    server = start_mock(Site())
    yield server
    server.stop()


ADMIN = Credentials("mocksite", *DEFAULT_ADMIN)


def post(mock, data: bytes, headers: dict | None = None) -> requests.Response:
    return requests.post(mock.url, data=data, timeout=10,
                         headers={"Content-Type": "text/xml", **(headers or {})})


def call(mock, credentials, *bodies: Body):
    resp = post(mock, build_message(credentials, list(bodies)))
    assert resp.status_code == 200
    return parse_message(resp.content)


@pytest.mark.parametrize("data", [
    b"", b"not xml at all", b"<serv:message", b"<html><body>502</body></html>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
    b"<a>" * 5000 + b"</a>" * 5000,
    b'<m xmlns="http://www.webex.com/schemas/2002/06/service"><header/><body/></m>',
], ids=["empty", "text", "truncated", "html", "dtd", "deep", "wrong-root"])
def test_malformed_input_gets_a_failure_envelope_never_a_500(mock, data) -> None:
    resp = post(mock, data)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/xml")
    msg = parse_message(resp.content)
    assert (msg.first.result, msg.first.exception_id) == ("FAILURE", "000000")
    assert msg.first.body is not None and len(msg.first.body) == 0  # empty bodyContent


def test_failure_header_order_and_http_200(mock) -> None:
    msg = call(mock, Credentials("mocksite", "siteadmin", "wrong"), Body("GetUser"))
    names = [child.tag.rsplit("}", 1)[1] for child in msg.first.header]
    assert names == ["result", "reason", "gsbStatus", "exceptionID"]
    assert msg.first.exception_id == "030002"


def test_session_ticket_and_access_token(mock) -> None:
    msg = call(mock, ADMIN, Body("AuthenticateUser"))
    ticket = msg.first.text("use:sessionTicket")
    assert ticket
    by_ticket = Credentials("mocksite", "siteadmin", session_ticket=ticket)
    assert call(mock, by_ticket, Body("GetMe")).first.ok
    by_token = Credentials("mocksite", "siteadmin", access_token=DEFAULT_ACCESS_TOKEN)
    assert call(mock, by_token, Body("GetMe")).first.ok
    forged = Credentials("mocksite", "siteadmin", session_ticket="forged")
    failed = call(mock, forged, Body("GetMe")).first
    assert (failed.exception_id, failed.reason) == ("030047", "Not a valid session ticket")


def test_expired_session_ticket_is_030047(mock) -> None:
    ticket = call(mock, ADMIN, Body("AuthenticateUser")).first.text("use:sessionTicket")
    by_ticket = Credentials("mocksite", "siteadmin", session_ticket=ticket)
    assert call(mock, by_ticket, Body("GetMe")).first.ok
    mock.site.clock.advance(5400)  # the ticket's timeToLive
    assert call(mock, by_ticket, Body("GetMe")).first.exception_id == "030047"


def test_batches_answered_one_by_one_and_limit(mock) -> None:
    msg = call(mock, ADMIN, Body("GetAPIVersion"), Body("GetSite"),
               Body("GetUser", {"webExId": "nobody"}))
    assert [r.result for r in msg.responses] == ["SUCCESS", "SUCCESS", "FAILURE"]
    assert msg.responses[1].body_type == "ns1:getSiteResponse"
    over = call(mock, ADMIN, *[Body("GetAPIVersion")] * (mock.site.bodycontent_limit + 1))
    assert over.first.exception_id == "000053"
    assert "BodyContent count in request must be less than" in (over.first.reason or "")


def test_lower_case_keys_and_serv_matching_records(mock) -> None:
    created = call(mock, ADMIN, Body("CreateMeeting", {
        "metaData": {"confName": "x"}, "schedule": {"startDate": "01/01/2099 10:00:00"}}))
    key = created.first.text("meet:meetingkey")
    assert key
    info = call(mock, ADMIN, Body("GetSessionInfo", {"sessionKey": key}))
    assert info.first.text("ep:sessionkey") == key
    listed = call(mock, ADMIN, Body("LstsummarySession", {"sessionKey": key}))
    assert listed.first.text("ep:matchingRecords/serv:total") == "1"


def test_anonymous_lstsummarysession_is_000015(mock) -> None:
    msg = call(mock, Credentials("mocksite"), Body("LstsummarySession"))
    assert msg.first.exception_id == "000015"


def test_control_interface(mock) -> None:
    base = mock.control_url
    assert requests.post(f"{base}/faults", json={"faults": ["private-flag-missing"]},
                         timeout=5).json()["faults"] == ["private-flag-missing"]
    bad = requests.post(f"{base}/faults", json={"faults": ["no-such-fault"]}, timeout=5)
    assert bad.status_code == 400 and "unknown fault" in bad.json()["error"]
    requests.post(f"{base}/settings", json={"api_version": "40.6.0"}, timeout=5)
    msg = call(mock, ADMIN, Body("GetAPIVersion"))
    assert msg.first.text("ep:apiVersion") == "WebEx XML API V40.6.0"
    requests.post(f"{base}/reset", timeout=5)
    state = requests.get(f"{base}/state", timeout=5).json()
    assert state["faults"] == [] and state["api_version"] == "40.12.0"


def test_no_control_interface_when_disabled() -> None:
    server = start_mock(Site(), control=False)
    try:
        assert requests.get(f"{server.control_url}/state", timeout=5).status_code == 404
    finally:
        server.stop()


def test_get_is_not_allowed(mock) -> None:
    assert requests.get(mock.url, timeout=5).status_code == 405
