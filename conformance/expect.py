"""Expectations -> differences. Every mismatch is collected, none stops the others."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .apis import get_api
from .namespaces import NS, XSI_TYPE
from .response import Message, Response

ABSENT = "<absent>"


@dataclass(frozen=True)
class Difference:
    where: str
    expected: str
    actual: str
    note: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: expected {self.expected}, got {self.actual}"
        return f"{text} ({self.note})" if self.note else text


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _show(value: str | None) -> str:
    return ABSENT if value is None else repr(value)


def _texts(response: Response, path: str) -> list[str]:
    out = []
    for item in response.xpath(path):
        if isinstance(item, etree._Element):
            out.append((item.text or "").strip())
        else:
            out.append(str(item).strip())
    return out


def _resolve_qname(element: etree._Element, value: str) -> tuple[str | None, str]:
    prefix, _, local = value.rpartition(":")
    return element.nsmap.get(prefix or None), local


def _body_type(response: Response, api: str | None, wanted: str) -> list[Difference]:
    if response.body is None:
        return [Difference("serv:bodyContent", "a bodyContent", ABSENT)]
    actual = response.body.get(XSI_TYPE)
    if wanted == "auto":
        if api is None:
            return []
        wanted = get_api(api).response_type
    w_prefix, _, w_local = wanted.rpartition(":")
    expected = (NS.get(w_prefix), w_local)
    if actual is None or _resolve_qname(response.body, actual) != expected:
        return [Difference("serv:bodyContent/@xsi:type", f"'{wanted}' (by namespace URI)",
                           _show(actual))]
    return []


def check_response(expect: dict[str, Any], response: Response, *,
                   api: str | None = None) -> list[Difference]:
    diffs: list[Difference] = []
    if "result" in expect and response.result != expect["result"]:
        note = ""
        if response.result == "FAILURE":
            note = f"{response.exception_id or 'no exceptionID'}: {response.reason or ''}"
        diffs.append(Difference("serv:result", repr(expect["result"]), _show(response.result),
                                note.strip()))
    if "exceptionID" in expect and response.exception_id != _norm(expect["exceptionID"]):
        diffs.append(Difference("serv:exceptionID", repr(_norm(expect["exceptionID"])),
                                _show(response.exception_id)))
    if "exceptionID_matches" in expect and not re.fullmatch(expect["exceptionID_matches"],
                                                            response.exception_id or ""):
        diffs.append(Difference("serv:exceptionID", f"to match /{expect['exceptionID_matches']}/",
                                _show(response.exception_id)))
    if "gsbStatus" in expect and not re.fullmatch(expect["gsbStatus"], response.gsb_status or ""):
        diffs.append(Difference("serv:gsbStatus", f"to match /{expect['gsbStatus']}/",
                                _show(response.gsb_status)))
    if "reason" in expect and (response.reason or "").strip() != _norm(expect["reason"]):
        diffs.append(Difference("serv:reason", repr(expect["reason"]), _show(response.reason)))
    if "reason_matches" in expect and not re.search(expect["reason_matches"],
                                                    response.reason or ""):
        diffs.append(Difference("serv:reason", f"to match /{expect['reason_matches']}/",
                                _show(response.reason)))
    if "value" in expect and (response.value or "").strip() != _norm(expect["value"]):
        diffs.append(Difference("serv:value", repr(expect["value"]), _show(response.value)))
    if "value_set" in expect:
        wanted = {_norm(v) for v in expect["value_set"]}
        if response.value is None:
            diffs.append(Difference("serv:value", f"the set {sorted(wanted)}", ABSENT))
        else:
            got = {p.strip() for p in response.value.split(",") if p.strip()}
            if got != wanted:
                diffs.append(Difference("serv:value", f"the set {sorted(wanted)}",
                                        f"{sorted(got)} ({response.value!r})",
                                        "compared as a set: the order is not documented"))
    if "body_type" in expect and response.ok:
        diffs += _body_type(response, api, expect["body_type"])
    for path in expect.get("present", []):
        if not response.xpath(path):
            diffs.append(Difference(path, "present", ABSENT))
    for path in expect.get("absent", []):
        found = _texts(response, path)
        if found:
            diffs.append(Difference(path, ABSENT, f"present ({found[0]!r})"))
    for path, wanted in expect.get("equals", {}).items():
        got = _texts(response, path)
        if isinstance(wanted, list):
            want_set = sorted(_norm(v) for v in wanted)
            if sorted(got) != want_set:
                diffs.append(Difference(path, f"the values {want_set}", repr(sorted(got))))
        elif not got:
            diffs.append(Difference(path, repr(_norm(wanted)), ABSENT))
        else:
            bad = [g for g in got if g != _norm(wanted)]
            if bad:
                diffs.append(Difference(path, repr(_norm(wanted)), repr(bad[0]),
                                        f"{len(bad)} of {len(got)} differ" if len(got) > 1
                                        else ""))
    for path, pattern in expect.get("matches", {}).items():
        got = _texts(response, path)
        if not got:
            diffs.append(Difference(path, f"to match /{pattern}/", ABSENT))
        for g in got:
            if not re.fullmatch(pattern, g):
                diffs.append(Difference(path, f"to match /{pattern}/", repr(g)))
                break
    for path, n in expect.get("count", {}).items():
        got_n = len(response.xpath(path))
        if got_n != int(n):
            diffs.append(Difference(path, f"{int(n)} element(s)", str(got_n)))
    return diffs


def check_message(expect: dict[str, Any], message: Message, *,
                  api: str | None = None, http_status: int | None = None) -> list[Difference]:
    """Message-level keys (``responses``, ``http_status``) plus the response keys on the
    first response."""
    diffs: list[Difference] = []
    if "http_status" in expect and http_status != int(expect["http_status"]):
        diffs.append(Difference("HTTP status", str(int(expect["http_status"])),
                                ABSENT if http_status is None else str(http_status)))
    if "responses" in expect and len(message.responses) != int(expect["responses"]):
        diffs.append(Difference("serv:header/serv:response",
                                f"{int(expect['responses'])} response(s)",
                                str(len(message.responses))))
    if "each" in expect:
        for index, response in enumerate(message.responses, 1):
            diffs += [Difference(f"response {index}: {d.where}", d.expected, d.actual, d.note)
                      for d in check_response(expect["each"], response, api=api)]
    rest = {k: v for k, v in expect.items()
            if k not in ("responses", "each", "http_status")}
    if rest:
        diffs += check_response(rest, message.first, api=api)
    return diffs
