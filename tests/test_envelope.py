"""Unit tests for conformance.envelope.build_message and Credentials."""

from __future__ import annotations

import pytest
from lxml import etree

from conformance.apis import APIS, get_api
from conformance.envelope import Body, Credentials, build_message
from conformance.errors import CaseDefinitionError
from conformance.namespaces import NS, XSI_TYPE, q

ADMIN = Credentials("acme", webex_id="admin", password="s3cret")


def _parse(data: bytes) -> etree._Element:
    # our own output: a plain lxml parse is fine here
    return etree.fromstring(data)


def _contents(root: etree._Element) -> list[etree._Element]:
    return root.findall("body/bodyContent")


def _security(root: etree._Element) -> etree._Element | None:
    return root.find("header/securityContext")


def _children(el: etree._Element) -> list[tuple[str, str | None]]:
    return [(child.tag, child.text) for child in el]


# -- shape of the message ---------------------------------------------------------------------

def test_message_shape_and_declaration() -> None:
    data = build_message(ADMIN, [Body("GetSite")])
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = _parse(data)
    assert root.tag == q("serv", "message")
    assert root.nsmap["serv"] == NS["serv"]
    assert root.nsmap["xsi"] == NS["xsi"]
    assert [child.tag for child in root] == ["header", "body"]
    # children of the message are unqualified, as in the documentation samples
    assert root.find("header") is not None and root.find("body") is not None
    assert len(_contents(root)) == 1


def test_serv_prefix_can_be_changed() -> None:
    root = _parse(build_message(ADMIN, [Body("GetSite")], serv_prefix="s"))
    assert root.prefix == "s"
    assert root.tag == q("serv", "message")


def test_other_encoding() -> None:
    data = build_message(ADMIN, [Body("GetUser", {"webExId": "caf\u00e9"})],
                         encoding="ISO-8859-1")
    assert data.startswith(b"<?xml version='1.0' encoding='ISO-8859-1'?>")
    assert b"caf\xe9" in data
    assert _parse(data).findtext("body/bodyContent/webExId") == "caf\u00e9"


def test_no_bodies_is_a_case_error() -> None:
    with pytest.raises(CaseDefinitionError, match="at least one bodyContent"):
        build_message(ADMIN, [])


# -- xsi:type ---------------------------------------------------------------------------------

@pytest.mark.parametrize("api", ["GetSite", "CreateMeeting", "GetUserCard", "LstContact",
                                 "CreateMeetingAttendee", "LstMeetingType",
                                 "CreateTeleconferenceSession"])
def test_xsi_type_comes_from_the_api_registry(api: str) -> None:
    content = _contents(_parse(build_message(ADMIN, [Body(api)])))[0]
    expected = f"java:com.webex.service.binding.{APIS[api].service}.{api}"
    assert content.get(XSI_TYPE) == expected
    assert expected == get_api(api).xsi_type


def test_xsi_type_examples() -> None:
    data = build_message(ADMIN, [Body("GetSite"), Body("CreateMeeting"), Body("GetUser")])
    types = [c.get(XSI_TYPE) for c in _contents(_parse(data))]
    assert types == ["java:com.webex.service.binding.site.GetSite",
                     "java:com.webex.service.binding.meeting.CreateMeeting",
                     "java:com.webex.service.binding.user.GetUser"]
    assert b'xsi:type="java:com.webex.service.binding.site.GetSite"' in data


def test_xsi_type_override() -> None:
    body = Body("GetSite", xsi_type="java:com.webex.service.binding.site.getSite")
    content = _contents(_parse(build_message(ADMIN, [body])))[0]
    assert content.get(XSI_TYPE) == "java:com.webex.service.binding.site.getSite"


def test_unknown_api_is_a_case_error() -> None:
    with pytest.raises(CaseDefinitionError, match="unknown API 'GetNothing'") as info:
        build_message(ADMIN, [Body("GetNothing")])
    assert info.value.field == "api"


def test_unknown_api_after_a_known_one_is_still_a_case_error() -> None:
    with pytest.raises(CaseDefinitionError):
        build_message(ADMIN, [Body("GetSite"), Body("getsite")])


# -- structured payloads ----------------------------------------------------------------------

def test_mapping_becomes_elements_in_order() -> None:
    payload = {"metaData": {"confName": "Weekly", "meetingType": 105, "agenda": "a"},
               "schedule": {"startDate": "01/02/2030 10:00:00", "duration": 30},
               "zulu": "last", "alpha": "after zulu"}
    content = _contents(_parse(build_message(ADMIN, [Body("CreateMeeting", payload)])))[0]
    assert [c.tag for c in content] == ["metaData", "schedule", "zulu", "alpha"]
    assert _children(content.find("metaData")) == [
        ("confName", "Weekly"), ("meetingType", "105"), ("agenda", "a")]
    assert _children(content.find("schedule")) == [
        ("startDate", "01/02/2030 10:00:00"), ("duration", "30")]
    # children of bodyContent are unqualified
    assert all(etree.QName(c).namespace is None for c in content.iter("*") if c is not content)


def test_list_becomes_repeated_elements() -> None:
    payload = {"participants": {"attendees": {"attendee": [
        {"person": {"name": "A", "email": "a@example.com"}},
        {"person": {"name": "B", "email": "b@example.com"}},
    ]}}, "email": ["x@example.com", "y@example.com"], "empty": []}
    content = _contents(_parse(build_message(ADMIN, [Body("CreateMeeting", payload)])))[0]
    attendees = content.findall("participants/attendees/attendee")
    assert [a.findtext("person/name") for a in attendees] == ["A", "B"]
    assert [e.text for e in content.findall("email")] == ["x@example.com", "y@example.com"]
    assert content.find("empty") is None


def test_none_is_omitted_everywhere() -> None:
    payload = {"a": None, "b": {"c": None, "d": 1}, "e": [None, "x", None]}
    content = _contents(_parse(build_message(ADMIN, [Body("GetSite", payload)])))[0]
    assert [c.tag for c in content] == ["b", "e"]
    assert _children(content.find("b")) == [("d", "1")]
    assert [e.text for e in content.findall("e")] == ["x"]


def test_booleans_are_lowercase_words() -> None:
    payload = {"enableOptions": {"chat": True, "poll": False}, "count": 0, "blank": ""}
    content = _contents(_parse(build_message(ADMIN, [Body("CreateMeeting", payload)])))[0]
    assert _children(content.find("enableOptions")) == [("chat", "true"), ("poll", "false")]
    assert content.findtext("count") == "0"
    # an empty string still produces the (empty) element, unlike None
    assert content.find("blank") is not None and not content.findtext("blank")


def test_none_and_empty_mapping_payloads_give_an_empty_body_content() -> None:
    data = build_message(ADMIN, [Body("GetSite"), Body("GetAPIVersion", {})])
    for content in _contents(_parse(data)):
        assert len(content) == 0 and not content.text


def test_payload_of_another_type_is_a_case_error() -> None:
    with pytest.raises(CaseDefinitionError, match="mapping or an XML string"):
        build_message(ADMIN, [Body("GetSite", 42)])


# -- XML fragment payloads --------------------------------------------------------------------

def test_xml_fragment_string_payload() -> None:
    fragment = ("<webExId>ana</webExId><address><city>Caf\u00e9 &amp; Bar</city></address>"
                "<note>a &lt; b</note>")
    content = _contents(_parse(build_message(ADMIN, [Body("GetUser", fragment)])))[0]
    assert [c.tag for c in content] == ["webExId", "address", "note"]
    assert content.findtext("address/city") == "Caf\u00e9 & Bar"
    assert content.findtext("note") == "a < b"
    assert content.get(XSI_TYPE) == "java:com.webex.service.binding.user.GetUser"


def test_xml_fragment_keeps_leading_text_and_order() -> None:
    content = _contents(_parse(build_message(ADMIN, [Body("GetSite", "lead<a/>mid<b/>")])))[0]
    assert content.text == "lead"
    assert [c.tag for c in content] == ["a", "b"]
    assert content[0].tail == "mid"


def test_malformed_xml_fragment_is_a_case_error() -> None:
    with pytest.raises(CaseDefinitionError, match="not well-formed XML"):
        build_message(ADMIN, [Body("GetSite", "<a><b></a>")])


def test_xml_fragment_with_a_doctype_is_a_case_error() -> None:
    with pytest.raises(CaseDefinitionError):
        build_message(ADMIN, [Body("GetSite", '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')])


def test_element_payload_is_appended() -> None:
    el = etree.Element("siteName")
    el.text = "acme"
    content = _contents(_parse(build_message(ADMIN, [Body("GetSite", el)])))[0]
    assert _children(content) == [("siteName", "acme")]


# -- several bodies ---------------------------------------------------------------------------

def test_several_bodies_in_order() -> None:
    bodies = [Body("GetUser", {"webExId": "one"}), Body("GetSite"),
              Body("GetUser", "<webExId>two</webExId>")]
    contents = _contents(_parse(build_message(ADMIN, bodies)))
    assert len(contents) == 3
    assert [c.get(XSI_TYPE).rsplit(".", 1)[-1] for c in contents] == [
        "GetUser", "GetSite", "GetUser"]
    assert contents[0].findtext("webExId") == "one"
    assert len(contents[1]) == 0
    assert contents[2].findtext("webExId") == "two"


# -- credentials ------------------------------------------------------------------------------

def test_password_credentials_in_schema_order() -> None:
    creds = Credentials("acme", webex_id="admin", password="pw", partner_id="P1")
    sec = _security(_parse(build_message(creds, [Body("GetSite")])))
    assert sec is not None
    assert _children(sec) == [("webExID", "admin"), ("password", "pw"), ("siteName", "acme"),
                              ("partnerID", "P1")]
    assert creds.http_headers() == {}


def test_session_ticket_and_access_token() -> None:
    creds = Credentials("acme", webex_id="admin", session_ticket="TICKET",
                        access_token="TOKEN")
    sec = _security(_parse(build_message(creds, [Body("GetSite")])))
    assert _children(sec) == [("webExID", "admin"), ("siteName", "acme"),
                              ("sessionTicket", "TICKET"), ("webExAccessToken", "TOKEN")]


def test_jwt_puts_only_the_site_name_in_the_security_context() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    creds = Credentials("acme", jwt=jwt)
    data = build_message(creds, [Body("GetUserCard", {"webExId": "ana"})])
    sec = _security(_parse(data))
    assert _children(sec) == [("siteName", "acme")]
    assert jwt.encode() not in data
    assert creds.http_headers() == {"JWTToken": jwt}


def test_jwt_wins_over_a_webex_id_and_password() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.e30.sig"
    creds = Credentials("acme", webex_id="admin", password="pw", jwt=jwt)
    data = build_message(creds, [Body("GetUserCard")])
    assert _children(_security(_parse(data))) == [("siteName", "acme")]
    assert b"pw" not in data and b"admin" not in data
    assert creds.http_headers() == {"JWTToken": jwt}


def test_anonymous_credentials_carry_the_site_name_only() -> None:
    creds = Credentials("acme")
    sec = _security(_parse(build_message(creds, [Body("GetAPIVersion")])))
    assert _children(sec) == [("siteName", "acme")]
    assert creds.http_headers() == {}
    assert creds.secrets() == set()


def test_no_credentials_gives_an_empty_header() -> None:
    root = _parse(build_message(None, [Body("GetAPIVersion")]))
    header = root.find("header")
    assert header is not None and len(header) == 0


def test_secrets_and_repr() -> None:
    creds = Credentials("acme", webex_id="admin", password="pw1", session_ticket="t",
                        access_token="tok", jwt="j.w.t")
    assert creds.secrets() == {"pw1", "t", "tok", "j.w.t"}
    text = repr(creds)
    assert "acme" in text and "admin" in text
    for secret in ("pw1", "tok", "j.w.t"):
        assert secret not in text


# -- escaping ---------------------------------------------------------------------------------

def test_special_characters_are_escaped_and_round_trip() -> None:
    password = 'p&ss<wo>rd"\'\r'
    name = "R&D <team>\r\nline two & more"
    creds = Credentials("a&b", webex_id="x<y", password=password)
    data = build_message(creds, [Body("CreateMeeting", {"metaData": {"confName": name}})])
    # never raw in the bytes
    assert b"R&D" not in data and b"<team>" not in data and b"\r" not in data
    assert b"R&amp;D &lt;team&gt;" in data
    assert b"&#13;" in data
    root = _parse(data)
    sec = _security(root)
    assert sec.findtext("password") == password
    assert sec.findtext("webExID") == "x<y"
    assert sec.findtext("siteName") == "a&b"
    assert root.findtext("body/bodyContent/metaData/confName") == name


def test_special_characters_round_trip_through_the_hardened_parser() -> None:
    from conformance.xmlsafe import parse_xml

    value = "a & b < c > d \r e \u00e9 \u65e5"
    data = build_message(ADMIN, [Body("GetUser", {"webExId": value})])
    assert parse_xml(data).findtext("body/bodyContent/webExId") == value


def test_keys_are_element_names_not_markup() -> None:
    # a key that is not an XML name cannot smuggle markup in: lxml refuses it
    with pytest.raises(ValueError):
        build_message(ADMIN, [Body("GetSite", {"a><b": "x"})])
