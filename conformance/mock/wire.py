"""Building the mock's answers the way the real service writes them.

HTTP 200 also for FAILURE; header order result, reason, gsbStatus, exceptionID, value;
an empty ``serv:bodyContent`` on failure; ``xmlns:serv``/``xmlns:com`` and the service
prefixes declared on the root, ``xmlns:xsi`` on each ``bodyContent``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..namespaces import NS

# Prefixes the real service uses on the wire (GetSite: ns1 for the site namespace).
WIRE_PREFIX = {"site": "ns1"}
# Namespaces a service's answers use besides its own (declared on the root too):
# meeting answers carry att: attendees, training answers sess: (session.xsd) elements.
ALSO_DECLARED = {"meet": ("att",), "train": ("sess",)}


class ApiError(Exception):
    """A FAILURE answer: exception id, reason and an optional ``serv:value``."""

    def __init__(self, exception_id: str, reason: str, value: str | None = None) -> None:
        super().__init__(f"{exception_id} {reason}")
        self.exception_id, self.reason, self.value = exception_id, reason, value
        self.rule: str | None = None  # the validation that refused (faults.RULES), if any


# Documented exception ids (behaviours.md, "Wire facts") and the mock's own choices for
# what the documentation never names; the latter are never asserted by a case.
MALFORMED = ("000000", "Fail to forward request:null")
ACCESS_DENIED = ("000001", "Access denied, additional privileges are required")
NOT_FOUND = ("000015", "Sorry, no record found")
USER_NOT_FOUND = ("030001", "Corresponding User not found")
BAD_LOGIN = ("030002", "Incorrect user or password")
BAD_TICKET = ("030047", "Not a valid session ticket")  # invalid or expired sessionTicket
WEBEXID_EXISTS = ("030004", "User with the same webExId already exists")
EMAIL_EXISTS = ("030005", "User with the same email address already exists")
MEETING_NOT_FOUND = ("060001", "Corresponding Meeting not found")
PAST_START = ("060016", "Session start time should be later than current time.")
MISSING_REG_FIELDS = "040014"
INVALID_EMAIL = ("999101", "Invalid email address (mock: the id is not documented)")


@dataclass
class Answer:
    """One response of a message: an element list for SUCCESS, or an :class:`ApiError`;
    the API and the request it answers (None for a message-level failure)."""

    prefix: str
    response_type: str
    children: list[etree._Element] | None = None
    error: ApiError | None = None
    api: str | None = None
    request: etree._Element | None = None


def el(tag: str, text: Any = None, *children: etree._Element | None,
       **_: Any) -> etree._Element:
    """Element in a namespace by prefix: ``el("meet:meetingkey", 123)``."""
    prefix, _, local = tag.partition(":")
    node = etree.Element(f"{{{NS[prefix]}}}{local}")
    if text is not None:
        node.text = ("true" if text else "false") if isinstance(text, bool) else str(text)
    for child in children:
        if child is not None:
            node.append(child)
    return node


def opt(tag: str, text: Any) -> etree._Element | None:
    """Element only when ``text`` is not None."""
    return None if text is None else el(tag, text)


def group(tag: str, *children: etree._Element | None) -> etree._Element:
    return el(tag, None, *children)


def matching_records(prefix: str, total: int, returned: int, start: int) -> etree._Element:
    return group(f"{prefix}:matchingRecords", el("serv:total", total),
                 el("serv:returned", returned), el("serv:startFrom", start))


def render(answers: Iterable[Answer], encoding: str = "UTF-8", *,
           exception_id_first: bool = False) -> bytes:
    return etree.tostring(build(answers, exception_id_first=exception_id_first),
                          xml_declaration=True, encoding=encoding)


def build(answers: Iterable[Answer], *, exception_id_first: bool = False) -> etree._Element:
    """The ``serv:message`` of the answers: ``serv:header`` with one ``serv:response`` and
    ``serv:body`` with one ``serv:bodyContent`` per answer, in the answers' order.
    ``exception_id_first``: the fault exception-id-before-reason (exceptionID written
    before reason, against service.xsd)."""
    answers = list(answers)
    nsmap = {"serv": NS["serv"], "com": NS["com"]}
    for a in answers:
        nsmap[WIRE_PREFIX.get(a.prefix, a.prefix)] = NS[a.prefix]
        for other in ALSO_DECLARED.get(a.prefix, ()):
            nsmap[other] = NS[other]
    root = etree.Element(f"{{{NS['serv']}}}message", nsmap=nsmap)
    header = etree.SubElement(root, f"{{{NS['serv']}}}header")
    body = etree.SubElement(root, f"{{{NS['serv']}}}body")
    for a in answers:
        resp = etree.SubElement(header, f"{{{NS['serv']}}}response")
        if a.error is None:
            etree.SubElement(resp, f"{{{NS['serv']}}}result").text = "SUCCESS"
            etree.SubElement(resp, f"{{{NS['serv']}}}gsbStatus").text = "PRIMARY"
            content = etree.SubElement(body, f"{{{NS['serv']}}}bodyContent",
                                       nsmap={"xsi": NS["xsi"]})
            content.set(f"{{{NS['xsi']}}}type",
                        f"{WIRE_PREFIX.get(a.prefix, a.prefix)}:{a.response_type}")
            for child in a.children or []:
                if child is not None:
                    content.append(child)
        else:
            e = a.error
            etree.SubElement(resp, f"{{{NS['serv']}}}result").text = "FAILURE"
            if exception_id_first and e.exception_id:
                etree.SubElement(resp, f"{{{NS['serv']}}}exceptionID").text = e.exception_id
            etree.SubElement(resp, f"{{{NS['serv']}}}reason").text = e.reason
            etree.SubElement(resp, f"{{{NS['serv']}}}gsbStatus").text = "PRIMARY"
            if e.exception_id and not exception_id_first:
                etree.SubElement(resp, f"{{{NS['serv']}}}exceptionID").text = e.exception_id
            if e.value is not None:
                etree.SubElement(resp, f"{{{NS['serv']}}}value").text = e.value
            etree.SubElement(body, f"{{{NS['serv']}}}bodyContent")
    return root


def failure_message(exception_id: str, reason: str) -> bytes:
    return render([Answer("serv", "", error=ApiError(exception_id, reason))])
