"""The namespace table of the Webex XML API.

Case files and the mock use these prefixes; responses may use any prefix (GetSite uses
``ns1``), so everything here is matched by namespace URI, never by prefix.
"""

from __future__ import annotations

BASE = "http://www.webex.com/schemas/2002/06"

NS: dict[str, str] = {
    "serv": f"{BASE}/service",
    "com": f"{BASE}/common",
    "use": f"{BASE}/service/user",
    "site": f"{BASE}/service/site",
    "meet": f"{BASE}/service/meeting",
    "att": f"{BASE}/service/attendee",
    "ep": f"{BASE}/service/ep",
    "mtgtype": f"{BASE}/service/meetingtype",
    "event": f"{BASE}/service/event",
    "train": f"{BASE}/service/trainingsession",
    "history": f"{BASE}/service/history",
    "auo": f"{BASE}/service/meeting/auo",
    "sc": f"{BASE}/service/supportsession",
    # the session types training sessions share (accessControl, schedule, ...: sess:)
    "sess": f"{BASE}/service/session",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}

XSI_TYPE = f"{{{NS['xsi']}}}type"


def q(prefix: str, local: str) -> str:
    """Clark notation ``{uri}local`` for a prefix of :data:`NS`."""
    return f"{{{NS[prefix]}}}{local}"
