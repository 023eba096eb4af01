"""Request envelopes, built with lxml (never by string formatting).

A request is ``serv:message`` with ``header/securityContext`` and one or more
``body/bodyContent xsi:type="java:com.webex.service.binding.<service>.<Api>"``. The
children of ``bodyContent`` are unqualified, as in every sample of the release notes, and in
the order of the API's request type in the schema (``conformance.schema``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .apis import get_api
from .errors import CaseDefinitionError
from .namespaces import NS, XSI_TYPE
from .schema import order_payload
from .xmlsafe import parse_xml


@dataclass(frozen=True)
class Credentials:
    """Who calls. Any of password, session ticket, access token or JWT; or nobody."""

    site_name: str
    webex_id: str | None = None
    password: str | None = field(default=None, repr=False)
    session_ticket: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    jwt: str | None = field(default=None, repr=False)
    partner_id: str | None = None

    def secrets(self) -> set[str]:
        return {s for s in (self.password, self.session_ticket, self.access_token, self.jwt)
                if s}

    def http_headers(self) -> dict[str, str]:
        return {"JWTToken": self.jwt} if self.jwt else {}


@dataclass(frozen=True)
class Body:
    """One ``bodyContent``: the API and its payload (structured data or an XML fragment)."""

    api: str
    payload: Any = None
    xsi_type: str | None = None  # override, e.g. for the errata spellings
    #: children put in the schema's order (conformance.schema.order_payload); False only
    #: for a request that is meant to be out of order
    schema_order: bool = True


def _append(parent: etree._Element, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            _append(parent, name, item)
        return
    el = etree.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _append(el, str(key), sub)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    else:
        el.text = str(value)


def fill(parent: etree._Element, payload: Any) -> etree._Element:
    """Add ``payload`` under ``parent``: a mapping (element per key, list = repeated
    element, ``None`` = omitted), an XML fragment string, or an element."""
    if payload is None:
        return parent
    if isinstance(payload, etree._Element):
        parent.append(payload)
    elif isinstance(payload, str):
        wrapper = parse_xml(f"<fragment>{payload}</fragment>".encode(),
                            error=CaseDefinitionError)
        parent.text = wrapper.text
        for child in list(wrapper):
            parent.append(child)
    elif isinstance(payload, Mapping):
        for key, value in payload.items():
            _append(parent, str(key), value)
    else:
        raise CaseDefinitionError(f"a body must be a mapping or an XML string, not "
                                  f"{type(payload).__name__}")
    return parent


def build_message(credentials: Credentials | None, bodies: Sequence[Body], *,
                  encoding: str = "UTF-8", serv_prefix: str = "serv") -> bytes:
    """Serialise a request message to bytes (with an XML declaration)."""
    if not bodies:
        raise CaseDefinitionError("a message needs at least one bodyContent")
    nsmap = {serv_prefix: NS["serv"], "xsi": NS["xsi"]}
    root = etree.Element(f"{{{NS['serv']}}}message", nsmap=nsmap)
    header = etree.SubElement(root, "header")
    if credentials is not None:
        sec = etree.SubElement(header, "securityContext")
        # Order of com:securityType: webExID, password, siteID, siteName, partnerID, ...
        _append(sec, "webExID", credentials.webex_id if not credentials.jwt else None)
        _append(sec, "password", credentials.password if not credentials.jwt else None)
        _append(sec, "siteName", credentials.site_name)
        _append(sec, "partnerID", credentials.partner_id)
        _append(sec, "sessionTicket", credentials.session_ticket)
        _append(sec, "webExAccessToken", credentials.access_token)
    body = etree.SubElement(root, "body")
    for item in bodies:
        content = etree.SubElement(body, "bodyContent")
        content.set(XSI_TYPE, item.xsi_type or get_api(item.api).xsi_type)
        fill(content, order_payload(item.api, item.payload) if item.schema_order
             else item.payload)
    return etree.tostring(root, xml_declaration=True, encoding=encoding)
