"""Unit tests for conformance.xmlsafe.parse_xml: the hardened parser for untrusted bytes."""

from __future__ import annotations

import pytest
from lxml import etree

from conformance.errors import CaseDefinitionError, InvalidResponse, TargetError
from conformance.xmlsafe import MAX_DEPTH, parse_xml

# -- hostile documents ------------------------------------------------------------------------

DOCTYPE_INTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE message [<!ELEMENT message ANY>]>
<message>hello</message>"""

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<message>&xxe;</message>"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE message [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<message/>"""

XXE_EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE message SYSTEM "file:///etc/passwd">
<message/>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

HTML_ERROR_PAGE = b"""<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""

HTML5_ERROR_PAGE = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Error</title></head>
<body><p>Service unavailable<br></body></html>"""


def _passwd_markers() -> list[str]:
    """Lines that would show up if /etc/passwd leaked (at least 'root:')."""
    return ["root:", "/bin/", "nologin"]


@pytest.mark.parametrize("data", [DOCTYPE_INTERNAL, b"<!DOCTYPE a><a/>"],
                         ids=["internal-subset", "bare-doctype"])
def test_doctype_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidResponse, match="DOCTYPE"):
        parse_xml(data)


@pytest.mark.parametrize("data", [XXE_FILE, XXE_PARAMETER, XXE_EXTERNAL_DTD],
                         ids=["general-entity", "parameter-entity", "external-dtd"])
def test_external_entity_is_refused_and_never_leaks(data: bytes) -> None:
    with pytest.raises(InvalidResponse) as info:
        parse_xml(data)
    message = str(info.value)
    assert "DOCTYPE" in message
    for marker in _passwd_markers():
        assert marker not in message


def test_billion_laughs_is_refused_quickly() -> None:
    with pytest.raises(InvalidResponse, match="DOCTYPE") as info:
        parse_xml(BILLION_LAUGHS)
    assert "lollollol" not in str(info.value)
    assert len(str(info.value)) < 500


def test_oversize_input_is_refused_before_parsing() -> None:
    data = b"<a>" + b"x" * 200 + b"</a>"
    with pytest.raises(InvalidResponse, match=r"exceeds the limit of 100 bytes"):
        parse_xml(data, max_bytes=100)
    # exactly at the limit is fine
    assert parse_xml(data, max_bytes=len(data)).tag == "a"


def test_oversize_check_applies_even_to_garbage() -> None:
    # refused for its size, not for being garbage: the size check comes first
    with pytest.raises(InvalidResponse, match="exceeds the limit"):
        parse_xml(b"\x00" * 1000, max_bytes=10)


def _nested(levels: int) -> bytes:
    return b"<a>" * levels + b"</a>" * levels


def test_depth_within_the_limit_is_accepted() -> None:
    root = parse_xml(_nested(5), max_depth=5)
    assert root.tag == "a"
    assert len(root.xpath("//a")) == 5


def test_too_deep_nesting_is_refused() -> None:
    with pytest.raises(InvalidResponse, match="deeper than 5 levels"):
        parse_xml(_nested(6), max_depth=5)


def test_default_depth_limit_applies() -> None:
    parse_xml(_nested(MAX_DEPTH - 10))
    with pytest.raises(InvalidResponse):
        parse_xml(_nested(MAX_DEPTH + 50))


@pytest.mark.parametrize("data", [b"", b"   ", b"\r\n\t \n"], ids=["empty", "spaces", "ws"])
def test_empty_body_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidResponse, match="empty body"):
        parse_xml(data)


@pytest.mark.parametrize("data", [HTML_ERROR_PAGE, HTML5_ERROR_PAGE, b"Bad Gateway",
                                  b"{\"error\": \"json\"}", b"<a><b></a>"],
                         ids=["html", "html5", "text", "json", "mismatched"])
def test_non_xml_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidResponse) as info:
        parse_xml(data)
    assert isinstance(info.value, TargetError)


def test_non_xml_error_quotes_the_start_of_the_body() -> None:
    with pytest.raises(InvalidResponse, match="not well-formed XML") as info:
        parse_xml(HTML_ERROR_PAGE)
    assert "502 Bad Gateway" in str(info.value)


def test_iso_8859_1_declared_document_is_decoded() -> None:
    data = ('<?xml version="1.0" encoding="ISO-8859-1"?>'
            "<message><name>Caf\u00e9 \u00c9t\u00e9</name></message>").encode("latin-1")
    assert b"\xe9" in data  # a raw latin-1 byte, invalid as UTF-8
    root = parse_xml(data)
    assert root.findtext("name") == "Caf\u00e9 \u00c9t\u00e9"


def test_utf8_document_is_decoded() -> None:
    data = ('<?xml version="1.0" encoding="UTF-8"?>'
            "<message><name>Caf\u00e9 \u65e5\u672c</name></message>").encode("utf-8")
    assert parse_xml(data).findtext("name") == "Caf\u00e9 \u65e5\u672c"


def test_utf8_without_declaration_is_decoded() -> None:
    data = "<message><name>Caf\u00e9</name></message>".encode()
    assert parse_xml(data).findtext("name") == "Caf\u00e9"


def test_undeclared_latin1_falls_back_to_the_http_charset() -> None:
    data = "<message><name>Caf\u00e9</name></message>".encode("latin-1")
    assert parse_xml(data, charset="ISO-8859-1").findtext("name") == "Caf\u00e9"
    # and without any charset hint, ISO-8859-1 is still tried as the last resort
    assert parse_xml(data).findtext("name") == "Caf\u00e9"


def test_comments_and_processing_instructions_are_dropped() -> None:
    root = parse_xml(b"<a><!-- c --><?pi x?><b>1</b></a>")
    assert [child.tag for child in root] == ["b"]


def test_returns_an_lxml_element() -> None:
    root = parse_xml(b'<s:m xmlns:s="urn:x"><s:c/></s:m>')
    assert isinstance(root, etree._Element)
    assert root.tag == "{urn:x}m"


def test_default_error_is_invalid_response() -> None:
    with pytest.raises(InvalidResponse):
        parse_xml(b"not xml")


@pytest.mark.parametrize(("data", "limits"), [
    (b"not xml", {}),
    (b"", {}),
    (DOCTYPE_INTERNAL, {}),
    (_nested(4), {"max_depth": 3}),
    (b"<a>" + b"x" * 100 + b"</a>", {"max_bytes": 50}),
], ids=["garbage", "empty", "doctype", "depth", "size"])
def test_error_class_is_configurable(data: bytes, limits: dict) -> None:
    with pytest.raises(CaseDefinitionError) as info:
        parse_xml(data, error=CaseDefinitionError, **limits)
    assert not isinstance(info.value, InvalidResponse)


def test_error_class_can_be_any_exception() -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom, match="DOCTYPE"):
        parse_xml(XXE_FILE, error=Boom)
