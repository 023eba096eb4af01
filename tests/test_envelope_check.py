"""conformance.envelope_check: every answer's envelope against service.xsd, with hand-written
answers (each departure proven to be caught) and the mock's own answers (none flagged)."""

from __future__ import annotations

import pytest
from lxml import etree

from conformance.envelope import Body, Credentials, build_message
from conformance.envelope_check import (
    MESSAGE,
    RESPONSE,
    SUB_ERROR,
    UNBOUNDED,
    check_envelope,
    check_response_header,
)
from conformance.expect import Difference
from conformance.namespaces import NS
from conformance.response import parse_message
from conformance.schema import xsd_dir

SERV = NS["serv"]
# service.xsd as the package ships it (conformance/schema/xsd, generated from Cisco's 2011 XSDs)
XSD_DIR = xsd_dir() / "service"


def _answer(header: str, body: str = "<serv:bodyContent/>", root_extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="{SERV}" '
            f'xmlns:com="{NS["com"]}" {root_extra}><serv:header><serv:response>{header}'
            f'</serv:response></serv:header><serv:body>{body}</serv:body></serv:message>'
            ).encode()


FAILURE = ("<serv:result>FAILURE</serv:result><serv:reason>Sorry, no record found"
           "</serv:reason><serv:gsbStatus>PRIMARY</serv:gsbStatus>"
           "<serv:exceptionID>000015</serv:exceptionID>")


def _check(data: bytes) -> list[Difference]:
    return check_envelope(parse_message(data))


def test_the_documented_order_passes():
    assert _check(_answer(FAILURE)) == []
    assert _check(_answer(FAILURE + "<serv:subErrors><serv:subError><serv:exceptionID>1"
                          "</serv:exceptionID><serv:reason>r</serv:reason><serv:value>v"
                          "</serv:value></serv:subError></serv:subErrors>"
                          "<serv:value>x</serv:value>")) == []
    success = _answer("<serv:result>SUCCESS</serv:result><serv:gsbStatus>BACKUP</serv:gsbStatus>",
                      f'<serv:bodyContent xmlns:xsi="{NS["xsi"]}" xsi:type="ep:x">'
                      f"<anything><at>all</at></anything></serv:bodyContent>")
    assert _check(success) == []


def test_exception_id_before_reason_is_a_difference():
    diffs = _check(_answer("<serv:result>FAILURE</serv:result><serv:exceptionID>000015"
                           "</serv:exceptionID><serv:reason>Sorry</serv:reason>"
                           "<serv:gsbStatus>PRIMARY</serv:gsbStatus>"))
    assert len(diffs) == 2  # reason and gsbStatus both come after exceptionID
    first = diffs[0]
    assert first.where == "serv:message/serv:header/serv:response[1]/serv:reason"
    assert first.expected.startswith("after serv:exceptionID (the order of service.xsd "
                                     "responseType: result, reason, gsbStatus, exceptionID, "
                                     "subErrors, value)")
    assert first.actual == "before it"
    assert "gsbStatus" in diffs[1].where


def test_result_must_come_first_and_be_there():
    diffs = _check(_answer("<serv:gsbStatus>PRIMARY</serv:gsbStatus>"
                           "<serv:result>SUCCESS</serv:result>"))
    assert [d.where.rsplit("/", 1)[1] for d in diffs] == ["serv:result"]
    missing = _check(_answer("<serv:gsbStatus>PRIMARY</serv:gsbStatus>"))
    assert missing == [Difference("serv:message/serv:header/serv:response[1]/serv:result",
                                  "present (service.xsd responseType: minOccurs 1)",
                                  "<absent>")]


@pytest.mark.parametrize("header, where, expected", [
    ("<serv:result>OK</serv:result>", "serv:result", "SUCCESS or FAILURE"),
    ("<serv:result>SUCCESS</serv:result><serv:gsbStatus>MAIN</serv:gsbStatus>",
     "serv:gsbStatus", "PRIMARY or BACKUP"),
    ("<serv:result>SUCCESS</serv:result><serv:reason>a</serv:reason><serv:reason>b</serv:reason>",
     "serv:reason", "at most 1 serv:reason"),
    ("<serv:result>SUCCESS</serv:result><serv:detail>x</serv:detail>", "serv:detail",
     "only result, reason, gsbStatus, exceptionID, subErrors, value"),
    ("<serv:result>SUCCESS</serv:result><serv:reason><b>x</b></serv:reason>", "serv:reason",
     "text only"),
    ('<serv:result code="1">SUCCESS</serv:result>', "@code", "no such attribute"),
    ("<serv:result>FAILURE</serv:result><serv:subErrors/>", "serv:subError",
     "present (service.xsd responseType/subErrors: minOccurs 1)"),
    ("<serv:result>FAILURE</serv:result><serv:subErrors><serv:subError><serv:reason>r"
     "</serv:reason><serv:exceptionID>1</serv:exceptionID></serv:subError></serv:subErrors>",
     "serv:exceptionID", "after serv:reason"),
    ("<serv:result>FAILURE</serv:result><serv:subErrors><serv:subError><serv:exceptionID>1"
     "</serv:exceptionID></serv:subError></serv:subErrors>", "serv:reason", "present"),
    ("SUCCESS<serv:result>SUCCESS</serv:result>", "serv:response[1]", "element-only content"),
])
def test_each_departure_from_response_type(header, where, expected):
    diffs = _check(_answer(header))
    assert diffs, "not caught"
    assert any(d.where.endswith(where) and expected in d.expected for d in diffs), diffs


def test_an_unqualified_element_is_a_difference():
    diffs = _check(_answer('<serv:result>SUCCESS</serv:result><gsbStatus xmlns="">PRIMARY'
                           '</gsbStatus>'))
    assert len(diffs) == 1  # the type's element, in no namespace
    assert diffs[0].where.endswith("serv:response[1]/serv:gsbStatus")
    assert diffs[0].actual == "gsbStatus (no namespace)"
    assert "elementFormDefault qualified" in diffs[0].expected
    other = _check(_answer('<serv:result>SUCCESS</serv:result><x:value xmlns:x="urn:x">1'
                           '</x:value>'))
    # in another namespace: shown with its namespace
    assert [d.actual for d in other] == ["{urn:x}value"]


def test_message_level():
    no_body = (f'<serv:message xmlns:serv="{SERV}"><serv:header><serv:response>'
               f"<serv:result>SUCCESS</serv:result></serv:response></serv:header>"
               f"</serv:message>").encode()
    diffs = _check(no_body)
    assert [d.where for d in diffs] == ["serv:message/serv:body"]
    empty_body = _answer("<serv:result>SUCCESS</serv:result>", body="")
    assert [d.where for d in _check(empty_body)] == ["serv:message/serv:body/serv:bodyContent"]
    swapped = (f'<serv:message xmlns:serv="{SERV}"><serv:body><serv:bodyContent/></serv:body>'
               f"<serv:header><serv:response><serv:result>SUCCESS</serv:result>"
               f"</serv:response></serv:header></serv:message>").encode()
    assert any(d.where == "serv:message/serv:header" for d in _check(swapped))


def test_several_responses_are_each_checked():
    data = (f'<serv:message xmlns:serv="{SERV}"><serv:header>'
            f"<serv:response><serv:result>SUCCESS</serv:result></serv:response>"
            f"<serv:response><serv:gsbStatus>PRIMARY</serv:gsbStatus>"
            f"<serv:result>SUCCESS</serv:result></serv:response>"
            f"</serv:header><serv:body><serv:bodyContent/><serv:bodyContent/></serv:body>"
            f"</serv:message>").encode()
    diffs = _check(data)
    assert [d.where for d in diffs] == ["serv:message/serv:header/serv:response[2]/serv:result"]


def test_comments_and_a_prefix_other_than_serv_are_fine():
    data = (f'<s:message xmlns:s="{SERV}"><!-- hi --><s:header><s:response><s:result>SUCCESS'
            f"</s:result><?pi x?></s:response></s:header><s:body><s:bodyContent/></s:body>"
            f"</s:message>").encode()
    assert _check(data) == []


def test_a_root_that_is_not_serv_message():
    assert check_envelope(etree.fromstring(b"<html/>"))[0].expected == "serv:message (service.xsd)"


def test_check_response_header_on_its_own():
    message = parse_message(_answer("<serv:exceptionID>1</serv:exceptionID>"
                                    "<serv:result>FAILURE</serv:result>"))
    diffs = check_response_header(message.first.header)
    assert [d.where for d in diffs] == ["serv:response/serv:result"]


def test_every_mock_answer_of_a_few_apis_passes():
    """The mock writes the documented order (conformance/mock/wire.py): SUCCESS, FAILURE,
    and a batch of several."""
    from conformance.mock import DEFAULT_ADMIN, MockApp, Site
    site = Site()
    app = MockApp(site)
    creds = Credentials(site.name, *DEFAULT_ADMIN)
    bodies = [[Body("GetSite")], [Body("GetUser", {"webExId": "nobody-here"})],
              [Body("LstMeetingType")], [Body("GetAPIVersion")] * 3,
              [Body("LstAccessAnywhereHistory", {"hostWebexID": "nobody"})]]
    for batch in bodies:
        answer = app.handle(build_message(creds, batch))
        assert check_envelope(parse_message(answer)) == [], batch[0].api
    failure = app.handle(b"<not-a-message/>")
    assert check_envelope(parse_message(failure)) == []


# -- the tables are service.xsd's -------------------------------------------------------------
def _xsd_sequence(node: etree._Element) -> list[tuple[str, int, int]]:
    xs = "{http://www.w3.org/2001/XMLSchema}"
    seq = node.find(f"{xs}sequence")
    out = []
    for el in seq.findall(f"{xs}element"):
        high = el.get("maxOccurs", "1")
        out.append((el.get("name"), int(el.get("minOccurs", "1")),
                    UNBOUNDED if high == "unbounded" else int(high)))
    return out


def test_the_tables_match_service_xsd():
    xs = "{http://www.w3.org/2001/XMLSchema}"
    doc = etree.parse(str(XSD_DIR / "service.xsd")).getroot()
    types = {t.get("name"): t for t in doc.findall(f"{xs}complexType")}

    def mine(seq):
        return [(p.name, p.min, p.max) for p in seq]

    assert mine(RESPONSE) == _xsd_sequence(types["responseType"])
    assert mine(SUB_ERROR) == _xsd_sequence(types["subErrorType"])
    assert mine(MESSAGE) == _xsd_sequence(types["messageType"])
    anonymous = {el.get("name"): el.find(f"{xs}complexType") for el in
                 types["messageType"].iter(f"{xs}element") if el.get("name") in
                 ("header", "body")}
    assert mine(MESSAGE[0].content) == _xsd_sequence(anonymous["header"])
    assert mine(MESSAGE[1].content) == _xsd_sequence(anonymous["body"])
    sub_errors = next(el for el in types["responseType"].iter(f"{xs}element")
                      if el.get("name") == "subErrors").find(f"{xs}complexType")
    assert mine(RESPONSE[4].content) == _xsd_sequence(sub_errors)
    enums = {t.get("name"): [e.get("value") for e in t.iter(f"{xs}enumeration")]
             for t in doc.findall(f"{xs}simpleType")}
    assert list(RESPONSE[0].values) == enums["resultTypeType"]
    assert list(RESPONSE[2].values) == enums["gsbStatusType"]
