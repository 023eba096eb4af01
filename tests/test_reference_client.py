"""A client written strictly from Cisco's XML API reference guide, played against the
standalone mock (``python -m conformance.mock`` in a subprocess, on a free loopback port).

It uses nothing of this project but the mock's address and its default accounts: requests
are built with lxml as the guide's samples write them (unqualified elements inside
``bodyContent``, ``xsi:type="java:com.webex.service.binding..."``), answers are read with
plain lxml ``find('{*}...')``, as such a client does. The flow: AuthenticateUser, GetUser
(the first meeting type of ``use:meetingTypes/use:meetingType``), CreateMeeting (agenda,
enableOptions, telephony, openTime), LstsummaryMeeting, GetMeeting (meetingLink, password
and what was created), DelMeeting (iCalendarURL).
"""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from standalone_mock import standalone_mock

from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE

SERV = "http://www.webex.com/schemas/2002/06/service"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
BINDING = "java:com.webex.service.binding."


class Client:
    def __init__(self, url: str, site: str, webex_id: str) -> None:
        self.url, self.site, self.webex_id = url, site, webex_id
        self.password: str | None = None
        self.ticket: str | None = None

    def _message(self, api: str, body: dict) -> bytes:
        root = etree.Element(f"{{{SERV}}}message", nsmap={"serv": SERV, "xsi": XSI})
        header = etree.SubElement(root, "header")
        sec = etree.SubElement(header, "securityContext")
        etree.SubElement(sec, "webExID").text = self.webex_id
        if self.ticket:
            etree.SubElement(sec, "sessionTicket").text = self.ticket
        else:
            etree.SubElement(sec, "password").text = self.password
        etree.SubElement(sec, "siteName").text = self.site
        content = etree.SubElement(etree.SubElement(root, "body"), "bodyContent")
        content.set(f"{{{XSI}}}type", BINDING + api)
        _fill(content, body)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def call(self, api: str, body: dict | None = None) -> etree._Element:
        """The answer's bodyContent; the test fails on a FAILURE answer."""
        request = urllib.request.Request(self.url, data=self._message(api, body or {}),
                                         headers={"Content-Type": "text/xml"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.status == 200
            doc = etree.fromstring(resp.read(), etree.XMLParser(resolve_entities=False))
        result = doc.find("{*}header/{*}response/{*}result")
        assert result is not None and result.text == "SUCCESS", (
            f"{api}: {etree.tostring(doc, pretty_print=True).decode()}")
        content = doc.find("{*}body/{*}bodyContent")
        assert content is not None
        return content


def _fill(parent: etree._Element, body: dict) -> None:
    for name, value in body.items():
        child = etree.SubElement(parent, name)
        if isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = ("true" if value else "false") if isinstance(value, bool) \
                else str(value)


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path)
    assert found is not None, f"{path} missing in {etree.tostring(node).decode()[:2000]}"
    return found.text or ""


@pytest.fixture(scope="module")
def mock_url():
    with standalone_mock() as mock:
        yield mock.url


def test_reference_guide_client_flow(mock_url: str) -> None:
    client = Client(mock_url, DEFAULT_SITE, DEFAULT_ADMIN[0])
    client.password = DEFAULT_ADMIN[1]

    # AuthenticateUser: a session ticket for the next calls
    auth = client.call("user.AuthenticateUser")
    client.ticket = _text(auth, "{*}sessionTicket")
    assert client.ticket

    # GetUser: the first meeting type the user may schedule
    user = client.call("user.GetUser", {"webExId": DEFAULT_ADMIN[0]})
    meeting_type = _text(user, "{*}meetingTypes/{*}meetingType")
    assert meeting_type.isdigit()
    assert _text(user, "{*}webExId") == DEFAULT_ADMIN[0]

    # CreateMeeting with an agenda, enableOptions, telephony and openTime
    start = (datetime.now(UTC) + timedelta(days=2)).strftime("%m/%d/%Y %H:%M:%S")
    created = client.call("meeting.CreateMeeting", {
        "accessControl": {"meetingPassword": "Rf7pQ2xk"},
        "metaData": {"confName": "Reference guide client", "meetingType": meeting_type,
                     "agenda": "Quarterly planning"},
        "enableOptions": {"chat": True, "poll": True, "audioVideo": True},
        "telephony": {"telephonySupport": "CALLIN"},
        "schedule": {"startDate": start, "openTime": 900, "duration": 45,
                     "timeZoneID": 4},
    })
    key = _text(created, "{*}meetingkey")
    assert key.isdigit()
    assert _text(created, "{*}iCalendarURL/{*}host").startswith("https://")

    # LstsummaryMeeting lists it
    listed = client.call("meeting.LstsummaryMeeting",
                         {"listControl": {"startFrom": 1, "maximumNum": 10}})
    keys = [_text(m, "{*}meetingKey") for m in listed.findall("{*}meeting")]
    assert key in keys
    assert int(_text(listed, "{*}matchingRecords/{*}total")) >= 1

    # GetMeeting: the link, the password and what was created come back
    got = client.call("meeting.GetMeeting", {"meetingKey": key})
    assert _text(got, "{*}meetingLink").startswith("https://")
    assert _text(got, "{*}accessControl/{*}meetingPassword") == "Rf7pQ2xk"
    assert _text(got, "{*}metaData/{*}confName") == "Reference guide client"
    assert _text(got, "{*}metaData/{*}meetingType") == meeting_type
    assert _text(got, "{*}metaData/{*}agenda") == "Quarterly planning"
    for option in ("chat", "poll", "audioVideo"):
        assert _text(got, f"{{*}}enableOptions/{{*}}{option}") == "true"
    assert _text(got, "{*}telephony/{*}telephonySupport") == "CALLIN"
    assert _text(got, "{*}schedule/{*}openTime") == "900"
    assert _text(got, "{*}schedule/{*}duration") == "45"
    assert _text(got, "{*}schedule/{*}startDate") == start
    assert _text(got, "{*}schedule/{*}timeZone") == "GMT-08:00, Pacific (San Jose)"
    assert _text(got, "{*}hostKey")

    # DelMeeting answers the iCalendar URLs of the deleted meeting
    deleted = client.call("meeting.DelMeeting", {"meetingKey": key})
    assert _text(deleted, "{*}iCalendarURL/{*}host").startswith("https://")
    assert _text(deleted, "{*}iCalendarURL/{*}attendee").startswith("https://")
