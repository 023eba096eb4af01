"""Schema findings: every answer a case receives is validated against the packaged schema
(:mod:`conformance.schema`: Cisco's 2011 XSDs with the 40.x overlay), as Schemathesis
validates every response against the OpenAPI document, on any target.

Three steps, along the one flow (case -> step -> answer -> record -> reports):

* :func:`check_answer` — the runner, after each call of a step: the answer is validated and
  the case's ``schema`` record counts it (per API: answers checked, answers invalid) and
  keeps each distinct deviation once, with how often it was seen and one example
  (step, line, the schema engine's message, an excerpt of the element; secrets redacted).
  The case record travels to the xdist controller with the rest of ``report.conformance``.
* :func:`summarize` — the run record's ``schema_findings``: the cases' records merged per
  API (the example of the first case by case id: the same record serial or parallel).
* :func:`run_case` — the run-level result of the suite-level requirement ``schema``
  (``schema::every-answer``), made once at the end of the run. Not gating by default (real
  sites are not perfectly valid: a real 2016 GetMeeting has an empty ``callInNum``): the
  deviations are informational (SKIP, "not gating") and all-valid is a PASS. With
  ``--conformance-schema-gating`` an invalid answer makes it FAIL (exit 1).

A deviation's identity (what is deduplicated) is its API, the element path without
positions and the engine's message with the instance's values masked; the example keeps
the values (redacted).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from .namespaces import NS
from .redact import SECRET_ELEMENTS

__all__ = ["CASE_ID", "REQUIREMENT", "check_answer", "describe", "normalize", "run_case",
           "summarize"]

#: the suite-level requirement of the catalogue (conformance/data/requirements.yaml)
REQUIREMENT = "schema"
#: the case id of its one run-level result
CASE_ID = f"{REQUIREMENT}::every-answer"
#: distinct deviations kept per API (in a case record and in the run record); the counts
#: stay exact beyond it ("omitted")
MAX_MESSAGES = 25
MAX_EXCERPT = 300
#: differences or findings listed on the run-level result
MAX_LINES = 30
_BODY = re.compile(r"^/[^/]*message/[^/]*body/[^/]*bodyContent(?:\[\d+\])?/?")
_INDEX = re.compile(r"\[\d+\]")
_NSDECL = re.compile(r"\s+xmlns(?::[\w.-]+)?=\"[^\"]*\"")
_VALUES = [
    # "The value 'x' is not an element of the set", "... is not accepted by the pattern"
    (re.compile(r"(The value ')(.*?)(' is not)", re.S), r"\1…\3"),
    # "Element 'x': 'v' is not a valid value of the atomic type", attributes too
    (re.compile(r"(: ')(.*?)(' is not a valid value)", re.S), r"\1…\3"),
    # "[facet 'maxLength'] The value has a length of '21'"
    (re.compile(r"(has a length of ')(\d+)(')"), r"\1…\3"),
]
_SET = re.compile(r"\{('.*?')\}(?=\.?$|\.\s)", re.S)
_SET_SHOWN = 3


def _short_sets(message: str) -> str:
    """An enumeration's set (``{'GMT-12:00, Dateline (Eniwetok)', ...}``, 60 values) cut to
    its first values and the number of the others."""
    def cut(m: re.Match[str]) -> str:
        values = m.group(1).split("', '")
        if len(values) <= _SET_SHOWN + 1:
            return m.group(0)
        shown = "', '".join(values[:_SET_SHOWN])
        return "{" + shown + f"', … {len(values) - _SET_SHOWN} more}}"
    return _SET.sub(cut, message)


def normalize(message: str) -> str:
    """The engine's message without the instance's values (what makes deviations the same)."""
    for pattern, repl in _VALUES:
        message = pattern.sub(repl, message)
    return _short_sets(message)


def _relative(path: str | None) -> str:
    """The element's path below its bodyContent (the header's from the message)."""
    if not path:
        return ""
    rest = _BODY.sub("", path, count=1)
    return rest if rest != path else path


def _namespaces(root: etree._Element) -> dict[str, str]:
    """Every prefix the answer declares (a site may declare them below the root), over the
    suite's own table."""
    found = dict(NS)
    for el in root.iter():
        if isinstance(el.tag, str):
            found.update((k, v) for k, v in el.nsmap.items() if k)
    return found


def _element(root: etree._Element, path: str | None,
             namespaces: dict[str, str]) -> etree._Element | None:
    """The element the engine's path names (None when it cannot be found)."""
    if not path:
        return None
    try:
        found = root.getroottree().xpath(path, namespaces=namespaces)
    except (etree.XPathError, TypeError, ValueError):
        return None
    return found[0] if found and isinstance(found[0], etree._Element) else None


_PREFIX_OF = {uri: prefix for prefix, uri in NS.items()}


def _canonical(el: etree._Element) -> str:
    """The element's path below its bodyContent with the suite's prefixes (a site may name
    the namespaces otherwise: the same deviation must be the same finding)."""
    parts = []
    node: etree._Element | None = el
    while node is not None and etree.QName(node).localname not in ("bodyContent",
                                                                   "message"):
        q = etree.QName(node)
        prefix = _PREFIX_OF.get(q.namespace or "")
        parts.append(f"{prefix}:{q.localname}" if prefix else q.localname)
        node = node.getparent()
    return "/".join(reversed(parts))


def _excerpt(el: etree._Element | None) -> str:
    """The element serialised (no namespace declarations)."""
    if el is None:
        return ""
    text = etree.tostring(el, encoding="unicode", with_tail=False)
    return _NSDECL.sub("", text)


def _cut(text: str) -> str:
    """Cut after :data:`MAX_EXCERPT` characters (after redaction: a cut must not keep a
    secret element's value without the closing tag the positional redaction needs)."""
    return text if len(text) <= MAX_EXCERPT else text[:MAX_EXCERPT] + "…"


def _secret_element(path: str) -> bool:
    """The deviation is on a secret's element (its value is not shown, even unknown)."""
    last = path.rstrip("/").rpartition("/")[2]
    return last.rpartition(":")[2] in SECRET_ELEMENTS


def _new_api(into: dict[str, Any], api: str) -> dict[str, Any]:
    return into.setdefault("apis", {}).setdefault(api, {"checked": 0, "invalid": 0,
                                                        "omitted": 0})


def check_answer(into: dict[str, Any], api: str, root: etree._Element, *, step: str,
                 redact: Callable[[str], str] | None = None) -> int:
    """Validate one answer (a parsed ``serv:message``) of ``api`` and add it to a case's
    ``schema`` record ``into`` (filled in place). Returns the number of schema errors."""
    from .schema import validate_message

    errors = validate_message(root)
    counts = _new_api(into, api)
    counts["checked"] += 1
    if not errors:
        return 0
    counts["invalid"] += 1
    clean = redact or (lambda text: text)
    findings: list[dict[str, Any]] = into.setdefault("findings", [])
    known = {(f["api"], f["path"], f["message"]): f for f in findings}
    mine = sum(1 for f in findings if f["api"] == api)
    namespaces = _namespaces(root)
    for error in errors:
        el = _element(root, error.path, namespaces)
        path = _canonical(el) if el is not None else _INDEX.sub("", _relative(error.path))
        message = normalize(error.message)
        key = (api, path, message)
        if key in known:
            known[key]["count"] += 1
            continue
        if mine >= MAX_MESSAGES:
            counts["omitted"] += 1
            continue
        mine += 1
        shown = message if _secret_element(path) else _short_sets(error.message)
        found = {"api": api, "path": path, "message": message, "count": 1,
                 "example": {"step": clean(step), "line": error.line,
                             "path": clean(_relative(error.path)),
                             "message": clean(shown),
                             "excerpt": _cut(clean(_excerpt(el)))}}
        findings.append(found)
        known[key] = found
    return len(errors)


# -- the run ---------------------------------------------------------------------------------
def summarize(cases: Iterable[dict[str, Any]], *, gating: bool = False) -> dict[str, Any]:
    """The run record's ``schema_findings`` from the cases' records (records without a
    ``schema`` record, e.g. fuzz tests', add nothing)."""
    apis: dict[str, dict[str, Any]] = {}
    for case in sorted((c for c in cases if c.get("schema")),
                       key=lambda c: str(c.get("case_id", ""))):
        data = case["schema"]
        for api, counts in sorted(data.get("apis", {}).items()):
            mine = apis.setdefault(api, {"api": api, "checked": 0, "invalid": 0,
                                         "omitted": 0, "messages": []})
            mine["checked"] += int(counts.get("checked", 0))
            mine["invalid"] += int(counts.get("invalid", 0))
            mine["omitted"] += int(counts.get("omitted", 0))
        for f in data.get("findings", []):
            mine = apis.setdefault(f["api"], {"api": f["api"], "checked": 0, "invalid": 0,
                                              "omitted": 0, "messages": []})
            same = next((m for m in mine["messages"] if m["path"] == f["path"]
                         and m["message"] == f["message"]), None)
            if same is not None:
                same["count"] += int(f["count"])
            elif len(mine["messages"]) < MAX_MESSAGES:
                example = {"case": str(case.get("case_id", "")), **f["example"]}
                mine["messages"].append({"path": f["path"], "message": f["message"],
                                         "count": int(f["count"]), "example": example})
            else:
                mine["omitted"] += int(f["count"])
    listed = [apis[name] for name in sorted(apis)]
    for entry in listed:
        entry["messages"].sort(key=lambda m: (-m["count"], m["path"], m["message"]))
    return {"gating": gating, "checked": sum(a["checked"] for a in listed),
            "invalid": sum(a["invalid"] for a in listed),
            "apis_invalid": sum(1 for a in listed if a["invalid"]), "apis": listed}


def describe(summary: dict[str, Any], limit: int = MAX_LINES) -> list[str]:
    """One line per distinct deviation: API, path, message, how often, an example's case."""
    lines = []
    for api in summary.get("apis", []):
        for m in api["messages"]:
            where = f" {m['path']}" if m["path"] else ""
            lines.append(f"{api['api']}{where}: {m['message']} ({m['count']}x; e.g. "
                         f"{m['example']['case']}, {m['example']['step']})")
    if len(lines) > limit:
        lines = lines[:limit] + [f"... and {len(lines) - limit} more distinct deviation(s) "
                                 f"(compliance.json schema_findings)"]
    return lines


def _title_and_source() -> tuple[str, str, dict[str, str]]:
    from .catalogue import catalogue
    req = catalogue().get(REQUIREMENT)
    if req is None:
        return "Every answer is valid against Cisco's published XSDs", "40.1.0", {}
    return req.title, req.since, dict(req.source)


def run_case(cases: Iterable[dict[str, Any]], *, gating: bool,
             only: Iterable[str] = ()) -> dict[str, Any] | None:
    """The one result of requirement ``schema`` for the run (a case record), or None when no
    answer was checked or a requirement filter leaves ``schema`` out."""
    wanted = set(only)
    if wanted and REQUIREMENT not in wanted:
        return None
    summary = summarize(cases, gating=gating)
    if not summary["checked"]:
        return None
    checked, invalid = summary["checked"], summary["invalid"]
    bad = [a["api"] for a in summary["apis"] if a["invalid"]]
    n_apis = len(summary["apis"])
    differences: list[str] = []
    findings: list[str] = []
    if not invalid:
        verdict = "pass"
        reason = (f"{checked} answer(s) of {n_apis} API(s) checked against the schema "
                  f"(Cisco's 2011 XSDs with the 40.x overlay): all valid")
    else:
        what = (f"{invalid} of {checked} answer(s) deviate from the schema (Cisco's 2011 "
                f"XSDs with the 40.x overlay), in {len(bad)} API(s): {', '.join(bad[:12])}"
                + (f" and {len(bad) - 12} more" if len(bad) > 12 else ""))
        if gating:
            verdict, reason = "fail", what
            differences = describe(summary)
        else:
            verdict = "skip"
            reason = (f"not gating: {what} (informational; --conformance-schema-gating "
                      f"makes schema validity the requirement '{REQUIREMENT}')")
            findings = describe(summary)
    title, since, source = _title_and_source()
    return {"case_id": CASE_ID, "requirement": REQUIREMENT, "title": title, "since": since,
            "source": source, "apis": bad, "params": {"gating": gating}, "verdict": verdict,
            "reason": reason, "differences": differences, "findings": findings,
            "steps": [], "cleanup": [], "leftovers": [], "evidence": None,
            "duration_ms": 0.0}
