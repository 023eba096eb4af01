"""``reports/compliance.html``: one self-contained page (inline CSS and script, no network)
rendered from the run record with a Jinja2 template (autoescape on)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from lxml import etree

from ..namespaces import NS
from ..xmlsafe import parse_xml
from .allure_env import release_note_link
from .baseline import CHANGES

VERDICT_LABELS = {"fail": "FAIL", "error": "ERROR", "waived": "WAIVED", "pass": "PASS",
                  "skip": "SKIP", "not-run": "NOT RUN (filtered)", "not-covered": "NOT COVERED"}
# "not-run" is shown (not recorded) for a requirement a --conformance-requirement filter left
# out: the record says not-covered, but it has cases; they were not selected.
VERDICT_ORDER = ["fail", "error", "waived", "pass", "skip", "not-run", "not-covered"]
CHANGE_LABELS = {"newly_failing": "Newly failing", "newly_erroring": "Newly erroring",
                 "newly_skipped": "Newly skipped", "newly_passing": "Newly passing"}
MAX_EVIDENCE = 20000


def _version_key(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.split("."))
    except ValueError:
        return (10**6,)


def pretty_xml(text: Any) -> str:
    """Indented XML when the text parses (hardened parser), else the text as it is."""
    value = "" if text is None else str(text)
    root = _parse(value)
    if root is not None:
        value = etree.tostring(root, pretty_print=True, encoding="unicode")
    return _cut(value)


def _cut(value: str) -> str:
    if len(value) > MAX_EVIDENCE:
        value = value[:MAX_EVIDENCE] + "\n... (cut: the full text is in compliance.json)"
    return value


def _parse(value: str) -> Any:
    try:
        return parse_xml(value.encode("utf-8"))
    except Exception:  # evidence is shown as recorded when it is not XML
        return None


# -- the differing element, highlighted in the response ------------------------------------

_HEADER_FIELDS = {"serv:result", "serv:reason", "serv:gsbStatus", "serv:exceptionID",
                  "serv:value", "serv:subErrors"}
_WHERE = re.compile(r"^(?:response (?P<n>\d+): )?(?P<path>.+?): expected ", re.S)
MAX_MARKED_LINES = 60


def difference_path(difference: str) -> tuple[int, str] | None:
    """``(response index, XPath-ish path)`` of a difference as the expectations word it
    (``[response N: ]<path>: expected X, got Y``), or None."""
    m = _WHERE.match(difference)
    if m is None:
        return None
    return int(m.group("n") or 1), m.group("path").strip()


def _steps(path: str) -> list[str]:
    """Top-level location steps of an XPath (``/`` outside brackets and quotes)."""
    out, depth, quote, cur = [], 0, "", ""
    for ch in path:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "/" and depth == 0:
            out.append(cur)
            cur = ""
            continue
        cur += ch
    out.append(cur)
    return out


def _elements(context: Any, path: str) -> list[Any] | None:
    """The elements a path selects (an attribute or text: its element); None when the
    path is not XPath at all (e.g. "HTTP status")."""
    try:
        found = context.xpath(path, namespaces=NS)
    except Exception:  # not XPath: nothing to mark
        return None
    found = found if isinstance(found, list) else [found]
    out = []
    for item in found:
        el = item if isinstance(item, etree._Element) else getattr(item, "getparent",
                                                                 lambda: None)()
        if isinstance(el, etree._Element) and el not in out:
            out.append(el)
    return out


def locate(root: Any, difference: str) -> tuple[list[Any], bool]:
    """The elements of a parsed message a difference is about, and whether they are the
    element itself (True) or, when it is absent, its nearest ancestor that is there."""
    where = difference_path(difference)
    if where is None or root is None:
        return [], True
    index, path = where
    path = path.split(" (", 1)[0] if path.startswith("serv:") else path
    responses = root.xpath("serv:header/serv:response", namespaces=NS)
    bodies = root.xpath("serv:body/serv:bodyContent", namespaces=NS)
    if path in _HEADER_FIELDS:
        if index > len(responses):
            return [], True
        found = _elements(responses[index - 1], path)
        return (found, True) if found else ([responses[index - 1]], False)
    if path == "serv:header/serv:response":
        return _elements(root, "serv:header") or [], True
    if index > len(bodies):
        return ([bodies[-1]] if bodies else []), False
    body = bodies[index - 1]
    if path.startswith("serv:bodyContent"):
        return [body], True
    found = _elements(body, path)
    if found is None:
        return [], True
    if found:
        return found, True
    steps = _steps(path)
    while len(steps) > 1:
        steps = steps[:-1]
        while steps and steps[-1] == "":  # a trailing // or /
            steps = steps[:-1]
        shorter = "/".join(steps)
        if not shorter.strip("./"):
            break
        found = _elements(body, shorter)
        if found:
            return found, False
    return [body], False


def marked_lines(text: Any, differences: list[str]) -> dict[str, Any] | None:
    """The response as lines, with the lines of each difference's element marked:
    ``{"lines": [{"text", "marks": [difference index...], "near"}], "found": {index:
    first line}}``; None when the response is not XML."""
    root = _parse("" if text is None else str(text))
    if root is None:
        return None
    pretty = etree.tostring(root, pretty_print=True, encoding="unicode")
    doc = _parse(pretty)
    if doc is None:
        return None
    lines = [{"text": line, "marks": [], "near": False} for line in pretty.splitlines()]
    found: dict[int, int] = {}
    exact: dict[int, bool] = {}
    for i, diff in enumerate(differences):
        elements, is_exact = locate(doc, diff)
        for el in elements[:20]:
            first = (el.sourceline or 1) - 1
            span = etree.tostring(el, encoding="unicode", with_tail=False).count("\n")
            if is_exact and span < MAX_MARKED_LINES:
                marked = range(first, first + span + 1)
            else:  # the element's first and last line (absent: where it would be)
                marked = range(first, first + span + 1, max(span, 1))
            for n in (n for n in marked if n < len(lines)):
                if i not in lines[n]["marks"]:
                    lines[n]["marks"].append(i)
                lines[n]["near"] = lines[n]["near"] or not is_exact
            found.setdefault(i, first)
            exact[i] = is_exact
    total, kept = 0, []
    for line in lines:
        total += len(line["text"]) + 1
        if total > MAX_EVIDENCE and kept:
            kept.append({"text": "... (cut: the full text is in compliance.json)",
                         "marks": [], "near": False})
            break
        kept.append(line)
    return {"lines": kept, "found": {i: n for i, n in found.items() if n < len(kept)},
            "exact": exact}


def _diff_views(differences: list[str], marks: dict[str, Any] | None,
                anchor: str) -> list[dict[str, Any]]:
    out = []
    for i, text in enumerate(differences):
        line = marks["found"].get(i) if marks else None
        out.append({"text": text, "href": f"#{anchor}-l{line + 1}" if line is not None
                    else None,
                    "exact": bool(marks and marks["exact"].get(i)) if line is not None
                    else None})
    return out


def _case_view(case: dict[str, Any], anchor: str) -> dict[str, Any]:
    waiver = case.get("waiver")
    shown = "waived" if case["verdict"] == "fail" and waiver and \
        waiver.get("status") == "active" else case["verdict"]
    ev = case.get("evidence") or None
    differences = [str(d) for d in case.get("differences", [])]
    evidence, marks = None, None
    if ev:
        marks = marked_lines(ev.get("response"), differences) if shown != "pass" else None
        evidence = {"url": ev.get("url"), "status": ev.get("status"),
                    "elapsed_ms": ev.get("elapsed_ms"),
                    "request": pretty_xml(ev.get("request")),
                    "response": pretty_xml(ev.get("response")),
                    "response_lines": marks["lines"] if marks else None}
    failing_step = next((s for s in case.get("steps", [])
                         if s.get("outcome") == "differences"), None)
    return {"id": case["case_id"], "anchor": anchor, "title": case.get("title", ""),
            "verdict": case["verdict"], "shown": shown, "reason": case.get("reason", ""),
            "differences": _diff_views(differences, marks, anchor),
            "findings": case.get("findings", []),
            "leftovers": case.get("leftovers", []), "duration_ms": case.get("duration_ms"),
            "steps": case.get("steps", []), "evidence": evidence, "waiver": waiver,
            "failing_step": failing_step["name"] if failing_step else None,
            "open": shown in ("fail", "error")}


def _linked(text: str, known: set[str]) -> list[tuple[str, str | None]]:
    """A gate reason as (text, requirement id or None) parts: the requirement ids it names
    become links to their details."""
    parts: list[tuple[str, str | None]] = []
    pos = 0
    for m in re.finditer(r"[a-z0-9][a-z0-9-]*[a-z0-9]", text):
        if m.group(0) in known and (m.start() == 0 or text[m.start() - 1] in " ,(:"):
            parts.append((text[pos:m.start()], None))
            parts.append((m.group(0), m.group(0)))
            pos = m.end()
    parts.append((text[pos:], None))
    return [p for p in parts if p[0]]


ATTENTION_CASES = 5  # failing/erroring cases listed per requirement in the headline
ATTENTION_REQUIREMENTS = 12


def _attention(rows: list[dict[str, Any]], gate: dict[str, Any]) -> dict[str, Any]:
    """The headline's list: each failing or erroring requirement (FAIL first), with links
    to its first few failing and erroring cases. When one cause explains every ERROR and
    nothing failed (an unreachable site), the list is folded: the cause is the news."""
    items = []
    for row in rows:
        if row["shown"] not in ("fail", "error"):
            continue
        bad = [c for c in row["cases"] if c["shown"] in ("fail", "error")]
        items.append({"id": row["id"], "shown": row["shown"], "title": row["title"],
                      "n_fail": sum(1 for c in row["cases"] if c["shown"] == "fail"),
                      "n_error": sum(1 for c in row["cases"] if c["shown"] == "error"),
                      "n_cases": row["n_cases"], "cases": bad[:ATTENTION_CASES],
                      "more": max(0, len(bad) - ATTENTION_CASES)})
    causes = gate.get("error_causes") or []
    folded = bool(items) and len(causes) == 1 and not any(i["n_fail"] for i in items)
    return {"items": items if folded else items[:ATTENTION_REQUIREMENTS],
            "more": [] if folded else items[ATTENTION_REQUIREMENTS:], "folded": folded,
            "n_cases": sum(i["n_fail"] + i["n_error"] for i in items)}


def _trend_view(record: dict[str, Any], req_id: str) -> list[dict[str, Any]]:
    cells = []
    for run in record.get("trend") or []:
        verdict = run.get("verdicts", {}).get(req_id)
        when = str(run.get("start") or "?")
        what = VERDICT_LABELS.get(verdict, str(verdict).upper()) if verdict else "not run"
        cells.append({"verdict": verdict or "none", "current": bool(run.get("current")),
                      "title": f"{when}{' (this run)' if run.get('current') else ''}: "
                               f"{what}" + (f", site API {run['api_version']}"
                                             if run.get("api_version") else "")})
    return cells


def shown_verdict(req: dict[str, Any], selected: set[str] | list[str]) -> str:
    """A requirement's verdict as the reports show it: waivers applied (``waived``), and
    ``not-run`` for one a requirement filter left out (recorded as not-covered)."""
    shown = req.get("gate_verdict", req["verdict"])
    if shown == "not-covered" and selected and req["id"] not in selected:
        return "not-run"
    return str(shown)


def view_model(record: dict[str, Any]) -> dict[str, Any]:
    reqs = record["requirements"]
    releases = sorted({r["since"] for r in reqs if r.get("since")}, key=_version_key)
    comparison = record.get("comparison")
    change_of: dict[str, str] = {}
    if comparison:
        for name in CHANGES:
            for item in comparison.get(name, []):
                change_of[item["id"]] = name
    anchors: dict[int, str] = {}
    rows = []
    selected = set(record["run"].get("requirement_filter") or [])
    for r in reqs:
        shown = shown_verdict(r, selected)
        waivers = [w for w in record.get("waivers", []) if w.get("requirement") == r["id"]
                   or (w.get("case") or "").startswith(r["id"] + "::")]
        cases = []
        for c in r.get("cases", []):
            anchors[id(c)] = f"case-{len(anchors) + 1}"
            cases.append(_case_view(c, anchors[id(c)]))
        rows.append({
            "id": r["id"], "title": r.get("title", ""), "since": r.get("since", ""),
            "releases": r.get("releases", ""), "verdict": r["verdict"], "shown": shown,
            "counts": r.get("counts", {}), "n_cases": len(r.get("cases", [])),
            "source": r.get("source", {}), "apis": r.get("apis", []),
            "notes": r.get("notes", ""), "link": release_note_link(r.get("source", {})),
            "change": change_of.get(r["id"]), "waivers": waivers,
            "cells": [("since" if rel == r.get("since") else
                       "after" if _version_key(rel) > _version_key(r.get("since") or "0")
                       else "before") for rel in releases],
            "cases": sorted(cases, key=lambda c: (VERDICT_ORDER.index(c["shown"]), c["id"])),
            "open": shown in ("fail", "error"),
            "trend": _trend_view(record, r["id"]),
        })
    # failures first: by verdict (fail, error, waived, pass, skip, not covered), then release
    rows.sort(key=lambda row: (VERDICT_ORDER.index(row["shown"]),
                               _version_key(row["since"] or "999"), row["id"]))
    counts = {v: sum(1 for row in rows if row["shown"] == v) for v in VERDICT_ORDER}
    case_counts = {v: 0 for v in VERDICT_ORDER if v not in ("not-covered", "not-run")}
    for row in rows:
        for c in row["cases"]:
            case_counts[c["shown"]] = case_counts.get(c["shown"], 0) + 1
    per_release = []
    for rel in releases:
        mine = [row for row in rows if row["since"] == rel]
        per_release.append({"release": rel, "total": len(mine),
                            "counts": {v: sum(1 for row in mine if row["shown"] == v)
                                       for v in VERDICT_ORDER}})
    changes = []
    if comparison:
        changes = [{"name": name, "label": CHANGE_LABELS[name],
                    "items": comparison.get(name, [])} for name in CHANGES]
    run = record["run"]
    gate = record.get("gate", {})
    known = {r["id"] for r in reqs}
    details = [row for row in rows if row["n_cases"]]
    trend_runs = record.get("trend") or []
    return {"record": record, "run": run, "details": details, "options": run.get("options", {}),
            "gate": gate, "rows": rows, "releases": releases,
            "reasons": [_linked(str(reason), known) for reason in gate.get("reasons", [])],
            "cause": gate.get("cause"), "error_causes": gate.get("error_causes", []),
            "attention": _attention(rows, gate),
            "counts": counts, "case_counts": case_counts, "per_release": per_release,
            "changes": changes, "comparison": comparison,
            "trend_runs": len(trend_runs) if len(trend_runs) > 1 else 0,
            "selected": sorted(selected),
            "waivers": record.get("waivers", []), "labels": VERDICT_LABELS,
            "order": VERDICT_ORDER, "schema_version": record.get("schema_version")}


_CONTROL = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def visible(text: Any) -> str:
    """Control characters of an id or a difference spelled out (a tab in a parametrised
    email would otherwise vanish in HTML)."""
    return "".join(_CONTROL.get(ch, f"\\x{ord(ch):02x}" if ord(ch) < 32 else ch)
                   for ch in str(text))


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("conformance.report", "templates"),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["label"] = lambda v: VERDICT_LABELS.get(v, str(v).upper())
    env.filters["visible"] = visible
    return env


def render_html(record: dict[str, Any]) -> str:
    return _environment().get_template("compliance.html.j2").render(**view_model(record))


def write_html(record: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(render_html(record), "utf-8")
    tmp.replace(target)
    return target
