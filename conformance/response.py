"""Safe parsing of response messages into :class:`Message` and :class:`Response`.

Prefix-agnostic: elements are found by namespace URI. A message may carry several
``serv:response`` elements in its header and several ``serv:bodyContent`` in its body, one
pair per request ``bodyContent``; they are paired by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .errors import InvalidResponse
from .namespaces import NS, XSI_TYPE, q
from .xmlsafe import parse_xml


@dataclass
class Response:
    result: str | None
    reason: str | None = None
    gsb_status: str | None = None
    exception_id: str | None = None
    value: str | None = None
    sub_errors: list[dict[str, str | None]] = field(default_factory=list)
    body: etree._Element | None = None
    header: etree._Element | None = None

    @property
    def body_type(self) -> str | None:
        return None if self.body is None else self.body.get(XSI_TYPE)

    @property
    def ok(self) -> bool:
        return self.result == "SUCCESS"

    def xpath(self, path: str) -> list:
        """XPath relative to bodyContent with the prefixes of :data:`NS`."""
        if self.body is None:
            return []
        found = self.body.xpath(path, namespaces=NS)
        return found if isinstance(found, list) else [found]

    def text(self, path: str) -> str | None:
        for item in self.xpath(path):
            return item.text if isinstance(item, etree._Element) else str(item)
        return None

    def summary(self) -> str:
        if self.ok:
            return f"SUCCESS ({self.body_type})"
        return f"{self.result} {self.exception_id or '-'}: {self.reason or ''}".strip()


@dataclass
class Message:
    root: etree._Element
    responses: list[Response]

    @property
    def first(self) -> Response:
        return self.responses[0]


def _text(el: etree._Element, name: str) -> str | None:
    found = el.find(q("serv", name))
    return None if found is None else (found.text or "")


# An HTML page: a doctype html or an <html> root, after a BOM, blanks, an XML declaration
# and comments; NULs are dropped first so that UTF-16 is caught too.
_HTML = re.compile(rb"^(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff)?\s*(?:<\?xml.*?\?>\s*|<!--.*?-->\s*)*"
                   rb"<(?:!DOCTYPE\s+html|html[\s>])", re.I | re.S)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)


def html_page(data: bytes) -> str | None:
    """When ``data`` is an HTML page (a proxy's, a login form), what to call it; else None."""
    head = data[:65536].replace(b"\x00", b"")
    if not _HTML.match(head):
        return None
    title = _TITLE.search(head)
    text = " ".join(title.group(1).decode("utf-8", "replace").split())[:80] if title else ""
    return ("an HTML page, not an XML API answer (a proxy or login page?)"
            + (f": title {text!r}" if text else ""))


def parse_message(data: bytes, *, charset: str | None = None) -> Message:
    """Parse a response body. Raises :class:`InvalidResponse` for anything that is not a
    well-formed ``serv:message`` with at least one ``serv:response`` (an HTML page is
    called so, not "DOCTYPE refused")."""
    page = html_page(data)
    if page is not None:
        raise InvalidResponse(page)
    root = parse_xml(data, charset=charset)
    if root.tag != q("serv", "message"):
        raise InvalidResponse(f"root element is {root.tag}, not serv:message")
    header = root.find(q("serv", "header"))
    if header is None:
        raise InvalidResponse("serv:message has no serv:header")
    headers = header.findall(q("serv", "response"))
    if not headers:
        raise InvalidResponse("serv:header has no serv:response")
    body = root.find(q("serv", "body"))
    contents = [] if body is None else body.findall(q("serv", "bodyContent"))
    responses = []
    for index, resp in enumerate(headers):
        subs = [{"exceptionID": _text(s, "exceptionID"), "reason": _text(s, "reason"),
                 "value": _text(s, "value")}
                for s in resp.iterfind(f"{q('serv', 'subErrors')}/{q('serv', 'subError')}")]
        responses.append(Response(
            result=_text(resp, "result"),
            reason=_text(resp, "reason"),
            gsb_status=_text(resp, "gsbStatus"),
            exception_id=_text(resp, "exceptionID"),
            value=_text(resp, "value"),
            sub_errors=subs,
            body=contents[index] if index < len(contents) else None,
            header=resp,
        ))
    return Message(root, responses)
