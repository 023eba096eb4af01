"""Unit tests for conformance.response.parse_message and Response."""

from __future__ import annotations

import pytest
from lxml import etree

from conformance.errors import InvalidResponse
from conformance.namespaces import NS, XSI_TYPE, q
from conformance.response import Message, Response, parse_message

SERV = NS["serv"]
SITE = NS["site"]
USE = NS["use"]
XSI = NS["xsi"]

# GetSite answered with unusual prefixes: `s` for the service namespace, `ns1` for site.
PREFIXED = f"""<?xml version="1.0" encoding="UTF-8"?>
<s:message xmlns:s="{SERV}" xmlns:ns1="{SITE}" xmlns:xsi="{XSI}">
  <s:header>
    <s:response>
      <s:result>SUCCESS</s:result>
      <s:gsbStatus>PRIMARY</s:gsbStatus>
    </s:response>
  </s:header>
  <s:body>
    <s:bodyContent xsi:type="ns1:getSiteResponse">
      <ns1:siteInstance>
        <ns1:metaData>
          <ns1:siteName>demo</ns1:siteName>
          <ns1:brandName>one</ns1:brandName>
          <ns1:brandName>two</ns1:brandName>
        </ns1:metaData>
      </ns1:siteInstance>
    </s:bodyContent>
  </s:body>
</s:message>""".encode()

# The same message with the service namespace as the default namespace.
DEFAULT_NS = f"""<?xml version="1.0" encoding="UTF-8"?>
<message xmlns="{SERV}" xmlns:xsi="{XSI}">
  <header><response><result>SUCCESS</result><gsbStatus>PRIMARY</gsbStatus></response></header>
  <body>
    <bodyContent xsi:type="use:getUserResponse" xmlns:use="{USE}">
      <use:firstName>Ana</use:firstName>
      <use:webExId>ana</use:webExId>
    </bodyContent>
  </body>
</message>""".encode()

# Three requests in one message: two successes and a failure, paired by position.
MULTI = f"""<?xml version="1.0" encoding="UTF-8"?>
<x:message xmlns:x="{SERV}" xmlns:u="{USE}" xmlns:ns1="{SITE}" xmlns:xsi="{XSI}">
  <x:header>
    <x:response><x:result>SUCCESS</x:result><x:gsbStatus>PRIMARY</x:gsbStatus></x:response>
    <x:response>
      <x:result>FAILURE</x:result>
      <x:reason>Sorry, no record found</x:reason>
      <x:gsbStatus>PRIMARY</x:gsbStatus>
      <x:exceptionID>030001</x:exceptionID>
      <x:value>nobody</x:value>
    </x:response>
    <x:response><x:result>SUCCESS</x:result><x:gsbStatus>BACKUP</x:gsbStatus></x:response>
  </x:header>
  <x:body>
    <x:bodyContent xsi:type="u:getUserResponse"><u:webExId>first</u:webExId></x:bodyContent>
    <x:bodyContent/>
    <x:bodyContent xsi:type="ns1:getSiteResponse"><ns1:siteInstance/></x:bodyContent>
  </x:body>
</x:message>""".encode()

FAILURE_WITH_SUBERRORS = f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<serv:message xmlns:serv="{SERV}">
  <serv:header>
    <serv:response>
      <serv:result>FAILURE</serv:result>
      <serv:reason>Validation failed</serv:reason>
      <serv:gsbStatus>PRIMARY</serv:gsbStatus>
      <serv:exceptionID>000015</serv:exceptionID>
      <serv:value>caf\u00e9</serv:value>
      <serv:subErrors>
        <serv:subError>
          <serv:exceptionID>110002</serv:exceptionID>
          <serv:reason>Invalid email</serv:reason>
          <serv:value>a@b</serv:value>
        </serv:subError>
        <serv:subError>
          <serv:exceptionID>110003</serv:exceptionID>
          <serv:reason>Invalid name</serv:reason>
        </serv:subError>
      </serv:subErrors>
    </serv:response>
  </serv:header>
  <serv:body><serv:bodyContent/></serv:body>
</serv:message>""".encode("latin-1")


# -- prefixes -----------------------------------------------------------------------------------

def test_prefix_s_and_ns1_are_understood() -> None:
    message = parse_message(PREFIXED)
    assert isinstance(message, Message)
    assert len(message.responses) == 1
    first = message.first
    assert first is message.responses[0]
    assert first.result == "SUCCESS"
    assert first.ok
    assert first.gsb_status == "PRIMARY"
    assert first.exception_id is None and first.reason is None and first.value is None
    assert first.sub_errors == []
    assert first.body is not None and first.body.tag == q("serv", "bodyContent")
    assert first.header is not None and first.header.tag == q("serv", "response")
    # xsi:type is returned as written (its prefix belongs to the document)
    assert first.body_type == "ns1:getSiteResponse"
    assert first.summary() == "SUCCESS (ns1:getSiteResponse)"


def test_default_namespace_is_understood() -> None:
    message = parse_message(DEFAULT_NS)
    response = message.first
    assert response.ok
    assert response.gsb_status == "PRIMARY"
    assert response.body_type == "use:getUserResponse"
    assert response.text("use:firstName") == "Ana"


def test_wrong_namespace_with_the_right_prefix_is_not_a_message() -> None:
    data = (b'<serv:message xmlns:serv="http://example.com/not-webex"><serv:header>'
            b"<serv:response><serv:result>SUCCESS</serv:result></serv:response>"
            b"</serv:header></serv:message>")
    with pytest.raises(InvalidResponse, match="not serv:message"):
        parse_message(data)


# -- pairing ------------------------------------------------------------------------------------

def test_several_responses_are_paired_with_body_contents_by_position() -> None:
    message = parse_message(MULTI)
    assert [r.result for r in message.responses] == ["SUCCESS", "FAILURE", "SUCCESS"]
    assert [r.gsb_status for r in message.responses] == ["PRIMARY", "PRIMARY", "BACKUP"]
    first, second, third = message.responses
    assert first.text("use:webExId") == "first"
    assert first.body_type == "u:getUserResponse"
    assert second.body is not None and len(second.body) == 0
    assert second.body_type is None
    assert not second.ok
    assert second.exception_id == "030001"
    assert second.reason == "Sorry, no record found"
    assert second.value == "nobody"
    assert second.summary() == "FAILURE 030001: Sorry, no record found"
    assert third.body_type == "ns1:getSiteResponse"
    assert third.xpath("site:siteInstance")
    assert not first.xpath("site:siteInstance")


def test_missing_body_contents_leave_body_none() -> None:
    data = (f'<serv:message xmlns:serv="{SERV}"><serv:header>'
            "<serv:response><serv:result>SUCCESS</serv:result></serv:response>"
            "<serv:response><serv:result>SUCCESS</serv:result></serv:response>"
            "</serv:header><serv:body><serv:bodyContent>one</serv:bodyContent>"
            "</serv:body></serv:message>").encode()
    first, second = parse_message(data).responses
    assert first.body is not None and first.body.text == "one"
    assert second.body is None
    assert second.body_type is None
    assert second.xpath("anything") == []
    assert second.text("anything") is None


def test_message_without_body_element() -> None:
    data = (f'<serv:message xmlns:serv="{SERV}"><serv:header><serv:response>'
            "<serv:result>FAILURE</serv:result><serv:exceptionID>000001</serv:exceptionID>"
            "</serv:response></serv:header></serv:message>").encode()
    response = parse_message(data).first
    assert response.body is None
    assert response.exception_id == "000001"
    assert response.reason is None
    assert response.summary() == "FAILURE 000001:"


# -- FAILURE fields ---------------------------------------------------------------------------

def test_failure_fields_and_sub_errors() -> None:
    response = parse_message(FAILURE_WITH_SUBERRORS).first
    assert response.result == "FAILURE"
    assert not response.ok
    assert response.reason == "Validation failed"
    assert response.exception_id == "000015"
    assert response.value == "caf\u00e9"
    assert response.sub_errors == [
        {"exceptionID": "110002", "reason": "Invalid email", "value": "a@b"},
        {"exceptionID": "110003", "reason": "Invalid name", "value": None},
    ]


def test_empty_failure_elements_read_as_empty_strings() -> None:
    data = (f'<serv:message xmlns:serv="{SERV}"><serv:header><serv:response>'
            "<serv:result>FAILURE</serv:result><serv:reason/><serv:exceptionID></serv:exceptionID>"
            "</serv:response></serv:header></serv:message>").encode()
    response = parse_message(data).first
    assert response.reason == ""
    assert response.exception_id == ""
    assert response.value is None


def test_fields_in_another_namespace_are_ignored() -> None:
    data = (f'<serv:message xmlns:serv="{SERV}" xmlns:o="urn:other"><serv:header>'
            "<serv:response><o:result>SUCCESS</o:result><serv:result>FAILURE</serv:result>"
            "</serv:response></serv:header></serv:message>").encode()
    assert parse_message(data).first.result == "FAILURE"


# -- refused messages -------------------------------------------------------------------------

def test_missing_header_is_invalid() -> None:
    data = (f'<serv:message xmlns:serv="{SERV}"><serv:body><serv:bodyContent/></serv:body>'
            "</serv:message>").encode()
    with pytest.raises(InvalidResponse, match="no serv:header"):
        parse_message(data)


def test_header_without_response_is_invalid() -> None:
    data = f'<serv:message xmlns:serv="{SERV}"><serv:header/></serv:message>'.encode()
    with pytest.raises(InvalidResponse, match="no serv:response"):
        parse_message(data)


def test_unqualified_header_is_not_the_service_header() -> None:
    # The request style (unqualified header) is not a valid response header.
    data = (f'<serv:message xmlns:serv="{SERV}"><header><response><result>SUCCESS</result>'
            "</response></header></serv:message>").encode()
    with pytest.raises(InvalidResponse, match="no serv:header"):
        parse_message(data)


@pytest.mark.parametrize("data", [
    b"<html><body>Error</body></html>",
    f'<serv:response xmlns:serv="{SERV}"><serv:result>SUCCESS</serv:result></serv:response>'
    .encode(),
    b"<message><header><response><result>SUCCESS</result></response></header></message>",
], ids=["html", "serv-response-root", "no-namespace"])
def test_wrong_root_is_invalid(data: bytes) -> None:
    # an HTML page is named as such (issue 13): a proxy's or a login page
    phrase = "an HTML page, not an XML API answer" if data.startswith(b"<html") \
        else "root element"
    with pytest.raises(InvalidResponse, match=phrase):
        parse_message(data)


@pytest.mark.parametrize("data", [b"", b"Service Unavailable", b"<serv:message>"],
                         ids=["empty", "text", "unclosed"])
def test_non_xml_is_invalid(data: bytes) -> None:
    with pytest.raises(InvalidResponse):
        parse_message(data)


def test_doctype_in_a_response_is_invalid() -> None:
    data = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + f'<serv:message xmlns:serv="{SERV}"><serv:header><serv:response>'
              "<serv:result>&x;</serv:result></serv:response></serv:header></serv:message>"
            .encode())
    with pytest.raises(InvalidResponse, match="DOCTYPE"):
        parse_message(data)


def test_charset_is_passed_to_the_parser() -> None:
    data = (f'<serv:message xmlns:serv="{SERV}"><serv:header><serv:response>'
            "<serv:result>FAILURE</serv:result><serv:reason>d\u00e9j\u00e0 vu</serv:reason>"
            "</serv:response></serv:header></serv:message>").encode("latin-1")
    assert parse_message(data, charset="ISO-8859-1").first.reason == "d\u00e9j\u00e0 vu"


# -- Response.xpath / text --------------------------------------------------------------------

def test_xpath_uses_the_namespace_table_prefixes() -> None:
    response = parse_message(PREFIXED).first
    names = response.xpath("site:siteInstance/site:metaData/site:siteName")
    assert len(names) == 1 and isinstance(names[0], etree._Element)
    assert names[0].text == "demo"
    assert response.text("site:siteInstance/site:metaData/site:siteName") == "demo"
    assert response.text("site:siteInstance/site:metaData/site:brandName") == "one"
    assert [e.text for e in response.xpath("site:siteInstance/site:metaData/site:brandName")] \
        == ["one", "two"]
    # the document's own prefix (ns1) is not known to XPath: only the table's prefixes are
    with pytest.raises(etree.XPathEvalError):
        response.xpath("ns1:siteInstance")


def test_xpath_is_relative_to_the_body_content() -> None:
    response = parse_message(PREFIXED).first
    assert response.xpath("serv:result") == []
    assert response.text("../../serv:header/serv:response/serv:result") == "SUCCESS"


def test_xpath_scalar_results_are_wrapped_in_a_list() -> None:
    response = parse_message(PREFIXED).first
    assert response.xpath("count(site:siteInstance/site:metaData/site:brandName)") == [2.0]
    assert response.text("count(site:siteInstance/site:metaData/site:brandName)") == "2.0"
    assert response.text("string(site:siteInstance/site:metaData/site:siteName)") == "demo"
    assert response.text("site:siteInstance/site:metaData/site:siteName/text()") == "demo"


def test_text_of_a_missing_element_is_none() -> None:
    response = parse_message(PREFIXED).first
    assert response.text("site:siteInstance/site:nothing") is None


def test_xsi_type_constant_matches_the_attribute() -> None:
    response = parse_message(PREFIXED).first
    assert response.body is not None
    assert response.body.get(XSI_TYPE) == response.body_type


def test_response_defaults() -> None:
    response = Response(result=None)
    assert not response.ok
    assert response.body_type is None
    assert response.xpath("x") == []
    assert response.text("x") is None
