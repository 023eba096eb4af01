"""A small reader of the XML API schema shipped in the package (conformance/schema: Cisco's
2011 XSDs with the 40.x overlay): the simple, optional children of an API's request type,
in schema order, so strategies are driven by the schema rather than hand-listed.

Nothing outside the installed package is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from ..apis import APIS
from ..xmlsafe import parse_xml

XS = "http://www.w3.org/2001/XMLSchema"
_XS = f"{{{XS}}}"

# service of conformance.apis -> XSD file below the packaged schema directory
SERVICE_FILES = {
    "user": "service/user/user.xsd", "site": "service/site/site.xsd",
    "ep": "service/ep/ep.xsd", "meetingtype": "service/meetingtype/meetingtype.xsd",
    "meeting": "service/meeting/meeting.xsd", "attendee": "service/attendee/attendee.xsd",
    "event": "service/event/event.xsd", "training": "service/training/trainingsession.xsd",
    "history": "service/history/history.xsd",
}
COMMON_FILE = "common/common.xsd"


@dataclass(frozen=True)
class Field:
    """A simple-typed child element: ``kind`` is string, int, boolean or enum."""

    name: str
    kind: str
    required: bool
    values: tuple[str, ...] = ()


def xsd_root() -> Path | None:
    """The packaged schema directory (``conformance/schema/xsd``)."""
    from ..schema import xsd_dir

    root = xsd_dir()
    return root if (root / COMMON_FILE).is_file() else None


@cache
def _doc(relpath: str) -> etree._Element | None:
    root = xsd_root()
    if root is None:
        return None
    try:
        return parse_xml((root / relpath).read_bytes(), max_bytes=8 * 1024 * 1024,
                         max_depth=200)
    except Exception:  # an unreadable schema only makes the strategies plainer
        return None


def _enum_values(type_name: str) -> tuple[str, ...]:
    prefix, _, local = type_name.rpartition(":")
    docs = [d for d in (_doc(COMMON_FILE), *(_doc(f) for f in SERVICE_FILES.values()))
            if d is not None]
    for doc in docs:
        for st in doc.iterfind(f"{_XS}simpleType[@name='{local}']"):
            return tuple(e.get("value", "") for e in st.iter(f"{_XS}enumeration"))
    return ()


_KINDS = {"string": "string", "int": "int", "integer": "int", "long": "int",
          "boolean": "boolean", "emailType": "email"}


@cache
def request_fields(api: str) -> tuple[Field, ...]:
    """The simple-typed children of ``api``'s request type, in schema order (empty when
    the schema is not available or the API is newer than the 2011 XSDs)."""
    spec = APIS.get(api)
    if spec is None or spec.service not in SERVICE_FILES:
        return ()
    doc = _doc(SERVICE_FILES[spec.service])
    if doc is None:
        return ()
    name = api[0].lower() + api[1:]
    ctype = doc.find(f"{_XS}complexType[@name='{name}']")
    if ctype is None:
        return ()
    seq = ctype.find(f"{_XS}complexContent/{_XS}extension/{_XS}sequence")
    if seq is None:
        return ()
    out = []
    for item in seq.iterfind(f"{_XS}element"):
        type_name = item.get("type") or ""
        local = type_name.rpartition(":")[2]
        required = item.get("minOccurs", "1") != "0"
        if local in _KINDS:
            out.append(Field(item.get("name", ""), _KINDS[local], required))
        elif type_name and not type_name.startswith("xsd:"):
            values = _enum_values(type_name)
            if values:
                out.append(Field(item.get("name", ""), "enum", required, values))
    return tuple(f for f in out if f.name)


@cache
def sequence_of(type_name: str) -> tuple[str, ...]:
    """Element names of a common.xsd complex type (``personType``, ``addressType``...)."""
    doc = _doc(COMMON_FILE)
    if doc is None:
        return ()
    ctype = doc.find(f"{_XS}complexType[@name='{type_name}']")
    if ctype is None:
        return ()
    return tuple(e.get("name", "") for e in ctype.iterfind(f"{_XS}sequence/{_XS}element"))
