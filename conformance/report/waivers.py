"""Waivers (known failures): accepted deviations, by requirement or case id, each with a
reason, an owner, an issue link and an expiry date.

File format (``--conformance-waivers FILE``)::

    waivers:
      - requirement: private-meeting          # or  case: private-meeting::reports-private-flag[private]
        reason: the site runs 40.12.0 without the private-meeting fix
        owner: jane.doe
        issue: https://tracker.example.com/WBX-1234
        expires: 2026-12-31                   # last day the waiver applies (UTC)

A waiver covers FAIL verdicts only (an ERROR says nothing about conformance). Status per
waiver, after a run: ``active`` (it covered at least one failing case), ``expired`` (its
date has passed: it covers nothing, the failure counts), ``stale`` (what it names ran and
did not fail), ``unused`` (what it names did not run, or did not reach a verdict).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..catalogue import catalogue
from ..errors import CaseDefinitionError

FIELDS = ("requirement", "case", "reason", "owner", "issue", "expires")
_URL = re.compile(r"^https?://\S+$")
_CASE_ID = re.compile(r"^(?P<req>[a-z0-9][a-z0-9-]*)::(?P<case>[^\s\[\]]+)(?:\[[^\]]*\])?$")


@dataclass(frozen=True)
class Waiver:
    index: int
    requirement: str | None
    case: str | None
    reason: str
    owner: str
    issue: str
    expires: date
    line: int | None = None

    @property
    def target(self) -> str:
        return f"case {self.case}" if self.case else f"requirement {self.requirement}"

    def expired(self, today: date) -> bool:
        return today > self.expires

    def matches(self, case: dict[str, Any]) -> bool:
        if self.case is not None:
            cid = str(case.get("case_id", ""))
            return cid == self.case or cid.startswith(self.case + "[")
        return case.get("requirement") == self.requirement

    def to_dict(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "case": self.case, "reason": self.reason,
                "owner": self.owner, "issue": self.issue,
                "expires": self.expires.isoformat()}


def _err(path: str, line: int | None, fieldname: str, message: str) -> CaseDefinitionError:
    return CaseDefinitionError(message, path=path, line=line, field=fieldname)


def _text(entry: dict[str, Any], key: str, path: str, where: str, line: int | None) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _err(path, line, f"{where}.{key}", f"'{key}' must be a non-empty text "
                   f"(got {value!r})")
    return value.strip()


def _load_yaml(text: str, name: str) -> Any:
    """The case files' line-aware YAML loader, with dates left as text (checked here, so
    that a wrong date is reported at its field)."""
    import yaml

    from ..cases import LineLoader as _Loader
    from ..cases import load_yaml

    class _WaiverLoader(_Loader):  # type: ignore[misc,valid-type]
        pass

    _WaiverLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Loader.yaml_implicit_resolvers.items()}
    try:
        return yaml.load(text, Loader=_WaiverLoader)  # noqa: S506 - a SafeLoader subclass
    except CaseDefinitionError as exc:
        raise CaseDefinitionError(exc.detail, path=name, line=exc.line,
                                  field=exc.field) from None
    except yaml.YAMLError:
        return load_yaml(text, name)  # the case loader words YAML syntax errors


def load_waivers(path: str | Path) -> list[Waiver]:
    """Read and validate a waiver file. Raises :class:`CaseDefinitionError` (a usage error)
    naming the file, the line and the field."""
    name = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise _err(name, None, "waivers", f"cannot read the waiver file: "
                   f"{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _err(name, None, "waivers", "the waiver file is not UTF-8 text") from None
    doc = _load_yaml(text, name)
    if doc is None:
        return []
    if not isinstance(doc, dict) or set(doc) - {"waivers"}:
        extra = sorted(str(k) for k in doc) if isinstance(doc, dict) else []
        raise _err(name, getattr(doc, "line", 1), "waivers",
                   "the waiver file is a mapping with one key, 'waivers' (a list)"
                   + (f"; found keys {extra}" if extra else ""))
    items = doc.get("waivers") or []
    if not isinstance(items, list):
        raise _err(name, doc.lines.get("waivers"), "waivers", "'waivers' must be a list")
    known = catalogue()
    out: list[Waiver] = []
    for i, entry in enumerate(items):
        where = f"waivers[{i}]"
        line = items.lines[i] if hasattr(items, "lines") else None
        if not isinstance(entry, dict):
            raise _err(name, line, where, "each waiver is a mapping with "
                       + ", ".join(FIELDS))

        def at(key: str, entry: Any = entry, line: int | None = line) -> int | None:
            return getattr(entry, "lines", {}).get(key, line)

        unknown = [k for k in entry if k not in FIELDS]
        if unknown:
            raise _err(name, at(unknown[0]), f"{where}.{unknown[0]}",
                       f"unknown key '{unknown[0]}'; a waiver has {', '.join(FIELDS)}")
        req, case = entry.get("requirement"), entry.get("case")
        if (req is None) == (case is None):
            raise _err(name, line, where, "a waiver names exactly one of 'requirement' "
                       "(a requirement id) or 'case' (a case id, requirement::case)")
        if req is not None:
            if not isinstance(req, str) or req not in known:
                raise _err(name, at("requirement"), f"{where}.requirement",
                           f"unknown requirement id {req!r} (see "
                           f"conformance/data/requirements.yaml)")
        else:
            m = _CASE_ID.match(str(case)) if isinstance(case, str) else None
            if m is None:
                raise _err(name, at("case"), f"{where}.case",
                           f"a case id is 'requirement::case' (as in compliance.json), "
                           f"got {case!r}")
            if m.group("req") not in known:
                raise _err(name, at("case"), f"{where}.case",
                           f"unknown requirement id {m.group('req')!r} in case id {case!r}")
        reason = _text(entry, "reason", name, where, at("reason"))
        owner = _text(entry, "owner", name, where, at("owner"))
        issue = _text(entry, "issue", name, where, at("issue"))
        if not _URL.match(issue):
            raise _err(name, at("issue"), f"{where}.issue",
                       f"'issue' must be a link (http:// or https://), got {issue!r}")
        expires = entry.get("expires")
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires.strip())
            except ValueError:
                expires = None
        if isinstance(expires, datetime):
            expires = expires.date()
        if not isinstance(expires, date):
            raise _err(name, at("expires"), f"{where}.expires",
                       f"'expires' must be a date, YYYY-MM-DD (got {entry.get('expires')!r})")
        out.append(Waiver(i, req, case, reason, owner, issue, expires, line))
    return out


def waiver_for(waivers: list[Waiver], case: dict[str, Any],
               today: date) -> tuple[Waiver, str] | None:
    """The waiver that covers a failing ``case`` (a record's case, or
    :meth:`CaseResult.to_dict <conformance.runner.CaseResult.to_dict>`) and its status:
    the first active one that names it, else the first expired one (``"expired"``: it
    covers nothing), else None. Used for the xfail of the item and for the record."""
    expired: Waiver | None = None
    for w in waivers:
        if not w.matches(case):
            continue
        if not w.expired(today):
            return w, "active"
        expired = expired or w
    return (expired, "expired") if expired is not None else None


def apply_waivers(record: dict[str, Any], waivers: list[Waiver], today: date) -> None:
    """Annotate the record in place: ``waiver`` on each failing case a waiver names,
    ``waivers`` (with status) at the top level, ``gate_verdict`` per requirement."""
    for c in (c for r in record["requirements"] for c in r["cases"]):
        found = waiver_for(waivers, c, today) if c["verdict"] == "fail" else None
        if found is not None:
            w, status = found
            c["waiver"] = {**w.to_dict(), "index": w.index, "status": status}
    results = []
    for w in waivers:
        matched = [c for r in record["requirements"] for c in r["cases"] if w.matches(c)]
        failing = [c for c in matched if c["verdict"] == "fail"]
        expired = w.expired(today)
        decided = [c for c in matched if c["verdict"] in ("pass", "fail")]
        if failing:
            status = "expired" if expired else "active"
        elif decided:
            status = "stale"  # ran and passed: the deviation is gone
        else:
            status = "unused"
        results.append({**w.to_dict(), "index": w.index, "status": status,
                        "expired": expired,
                        "cases": sorted(c["case_id"] for c in (failing or decided))})
    record["waivers"] = results
    for req in record["requirements"]:
        effective = [("waived" if c["verdict"] == "fail" and
                      c.get("waiver", {}).get("status") == "active" else c["verdict"])
                     for c in req["cases"]]
        req["gate_verdict"] = _gate_verdict(effective)


_GATE_ORDER = ["fail", "error", "waived", "pass", "skip"]


def _gate_verdict(verdicts: list[str]) -> str:
    if not verdicts:
        return "not-covered"
    return min(verdicts, key=_GATE_ORDER.index)
