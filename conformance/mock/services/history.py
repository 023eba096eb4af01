"""history service: LstAccessAnywhereHistory (access-anywhere-history, 40.1.0).

The mock's site has a few fixed Access Anywhere sessions (autumn 2019, as in the sample,
times in GMT). Request: optional ``hostWebexID``, ``startTimeScope``
(sessionStartTimeStart/End), ``endTimeScope`` (sessionEndTimeStart/End), ``listControl``
(startFrom 1-based, maximumNum default 50, at most 500) and ``order`` (orderBy STARTTIME,
ENDTIME, CONFID, USERNAME or DURATION; orderAD ASC or DESC). An empty result is 000015.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from ..wire import MALFORMED, NOT_FOUND, ApiError, el, group
from .common import Call, handler

DATE_FORMAT = "%m/%d/%Y %H:%M:%S"


@dataclass(frozen=True)
class AccessAnywhere:
    conf_id: int
    user_name: str
    computer_name: str
    client_ip: str
    start: datetime
    end: datetime

    @property
    def duration(self) -> int:  # minutes, rounded up (the sample: 4 min 22 s -> 5)
        return math.ceil((self.end - self.start).total_seconds() / 60)


def _t(text: str) -> datetime:
    return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=UTC)


# Deliberately not in any order: an ignored orderBy shows.
HISTORY = (
    AccessAnywhere(123456, "siteadmin", "6926_siteadmin", "10.224.222.183",
                   _t("11/29/2019 03:05:44"), _t("11/29/2019 03:10:06")),
    AccessAnywhere(123470, "host1", "LAPTOP-HOST1", "10.224.222.17",
                   _t("10/15/2019 09:00:00"), _t("10/15/2019 09:42:10")),
    AccessAnywhere(123463, "siteadmin", "6926_siteadmin", "10.224.222.183",
                   _t("12/02/2019 14:20:00"), _t("12/02/2019 15:05:30")),
    AccessAnywhere(123481, "host1", "LAPTOP-HOST1", "192.168.10.4",
                   _t("11/05/2019 08:15:00"), _t("11/05/2019 08:16:59")),
    AccessAnywhere(123459, "siteadmin", "BUILD-07", "10.1.2.3",
                   _t("12/20/2019 22:00:00"), _t("12/21/2019 00:30:00")),
    AccessAnywhere(123477, "host1", "LAPTOP-HOST1", "10.224.222.17",
                   _t("11/12/2019 17:45:12"), _t("11/12/2019 18:01:00")),
)

ORDER_KEYS = {
    "STARTTIME": lambda r: r.start, "ENDTIME": lambda r: r.end, "CONFID": lambda r: r.conf_id,
    "USERNAME": lambda r: r.user_name.lower(), "DURATION": lambda r: r.duration,
}


def _date(call: Call, path: str) -> datetime | None:
    text = (call.req.text(path) or "").strip()
    if not text:
        return None
    try:
        return _t(text)  # %m and %d also take one digit: "9/29/2019 02:42:34" (sample)
    except ValueError:
        raise ApiError(*MALFORMED) from None


def _within(when: datetime, low: datetime | None, high: datetime | None) -> bool:
    return (low is None or when >= low) and (high is None or when <= high)


@handler("LstAccessAnywhereHistory")
def lst_access_anywhere_history(call: Call) -> list:
    caller = call.require_caller()
    records = list(HISTORY)
    if not caller.site_admin:  # a host sees their own sessions
        records = [r for r in records if r.user_name.lower() == caller.webex_id.lower()]
    host = (call.req.text("hostWebexID") or "").strip()
    if host:
        records = [r for r in records if r.user_name.lower() == host.lower()]
    s_low, s_high = (_date(call, "startTimeScope/sessionStartTimeStart"),
                     _date(call, "startTimeScope/sessionStartTimeEnd"))
    e_low, e_high = (_date(call, "endTimeScope/sessionEndTimeStart"),
                     _date(call, "endTimeScope/sessionEndTimeEnd"))
    records = [r for r in records
               if _within(r.start, s_low, s_high) and _within(r.end, e_low, e_high)]
    # several orderBy: the first is the main key (stable sorts, last key first)
    descending = (call.req.text("order/orderAD") or "ASC").strip().upper() == "DESC"
    keys = [(r.text() or "").strip().upper() for r in call.req.all("order/orderBy")]
    for key in reversed([k for k in keys if k in ORDER_KEYS]):
        records.sort(key=ORDER_KEYS[key], reverse=descending)
    total = len(records)
    start = max(1, call.req.int("listControl/startFrom", 1) or 1)
    maximum = min(500, max(1, call.req.int("listControl/maximumNum", 50) or 50))
    first = start if call.fault("aa-history-startfrom-zero-based") else start - 1
    page = records[first:first + maximum]
    if not page:
        call.reject("aa-history-not-found", NOT_FOUND)
    counter = "history" if call.fault("aa-history-matching-records-wrong-namespace") \
        else "serv"
    return [group("history:matchingRecords", el(f"{counter}:total", total),
                  el(f"{counter}:returned", len(page)), el(f"{counter}:startFrom", start))] + [
        group("history:accessAnyWhereInfo",
              el("history:confID", r.conf_id),
              el("history:userName", r.user_name),
              el("history:computerName", r.computer_name),
              el("history:clientIP", r.client_ip),
              el("history:startTime", r.start.strftime(DATE_FORMAT)),
              el("history:endTime", r.end.strftime(DATE_FORMAT)),
              el("history:duration", r.duration))
        for r in page]
