"""``reports/compliance.html``: one self-contained page (inline CSS and script, no network)
rendered from the run record with a Jinja2 template (autoescape on)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from .allure_env import release_note_link
from .baseline import CHANGES

VERDICT_LABELS = {"fail": "FAIL", "error": "ERROR", "waived": "WAIVED", "pass": "PASS",
                  "skip": "SKIP", "not-covered": "NOT COVERED"}
VERDICT_ORDER = ["fail", "error", "waived", "pass", "skip", "not-covered"]
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
    try:
        from lxml import etree

        from ..xmlsafe import parse_xml
        root = parse_xml(value.encode("utf-8"))
        value = etree.tostring(root, pretty_print=True, encoding="unicode")
    except Exception:  # evidence is shown as recorded when it is not XML
        pass
    if len(value) > MAX_EVIDENCE:
        value = value[:MAX_EVIDENCE] + "\n... (cut: the full text is in compliance.json)"
    return value


def _case_view(case: dict[str, Any]) -> dict[str, Any]:
    waiver = case.get("waiver")
    shown = "waived" if case["verdict"] == "fail" and waiver and \
        waiver.get("status") == "active" else case["verdict"]
    ev = case.get("evidence") or None
    evidence = None
    if ev:
        evidence = {"url": ev.get("url"), "status": ev.get("status"),
                    "elapsed_ms": ev.get("elapsed_ms"),
                    "request": pretty_xml(ev.get("request")),
                    "response": pretty_xml(ev.get("response"))}
    failing_step = next((s for s in case.get("steps", [])
                         if s.get("outcome") == "differences"), None)
    return {"id": case["case_id"], "title": case.get("title", ""), "verdict": case["verdict"],
            "shown": shown, "reason": case.get("reason", ""),
            "differences": case.get("differences", []), "findings": case.get("findings", []),
            "leftovers": case.get("leftovers", []), "duration_ms": case.get("duration_ms"),
            "steps": case.get("steps", []), "evidence": evidence, "waiver": waiver,
            "failing_step": failing_step["name"] if failing_step else None,
            "open": shown in ("fail", "error")}


def view_model(record: dict[str, Any]) -> dict[str, Any]:
    reqs = record["requirements"]
    releases = sorted({r["since"] for r in reqs if r.get("since")}, key=_version_key)
    comparison = record.get("comparison")
    change_of: dict[str, str] = {}
    if comparison:
        for name in CHANGES:
            for item in comparison.get(name, []):
                change_of[item["id"]] = name
    rows = []
    for r in sorted(reqs, key=lambda r: (_version_key(r.get("since") or "999"), r["id"])):
        shown = r.get("gate_verdict", r["verdict"])
        waivers = [w for w in record.get("waivers", []) if w.get("requirement") == r["id"]
                   or (w.get("case") or "").startswith(r["id"] + "::")]
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
            "cases": sorted((_case_view(c) for c in r.get("cases", [])),
                            key=lambda c: (VERDICT_ORDER.index(c["shown"]), c["id"])),
            "open": shown in ("fail", "error"),
        })
    counts = {v: sum(1 for row in rows if row["shown"] == v) for v in VERDICT_ORDER}
    case_counts = {v: 0 for v in VERDICT_ORDER if v != "not-covered"}
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
    details = sorted((row for row in rows if row["n_cases"]),
                     key=lambda row: VERDICT_ORDER.index(row["shown"]))  # stable: by release
    return {"record": record, "run": run, "details": details, "options": run.get("options", {}),
            "gate": record.get("gate", {}), "rows": rows, "releases": releases,
            "counts": counts, "case_counts": case_counts, "per_release": per_release,
            "changes": changes, "comparison": comparison,
            "waivers": record.get("waivers", []), "labels": VERDICT_LABELS,
            "order": VERDICT_ORDER, "schema_version": record.get("schema_version")}


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("conformance.report", "templates"),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["label"] = lambda v: VERDICT_LABELS.get(v, str(v).upper())
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
