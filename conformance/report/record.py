"""``reports/compliance.json``: the run record (versioned schema, see the README)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..catalogue import catalogue

# 2: run.options, run.duration_s, URL without credentials or query, per requirement
# gate_verdict, top-level waivers, gate and (with a baseline) comparison.
SCHEMA_VERSION = 2
# A requirement's verdict is the worst of its cases': fail, then error, then pass, then skip.
_ORDER = ["fail", "error", "pass", "skip"]


def requirement_verdict(case_verdicts: list[str]) -> str:
    if not case_verdicts:
        return "not-covered"
    return min(case_verdicts, key=_ORDER.index)


def safe_url(url: str | None) -> str | None:
    """The target URL as it may be reported: no user:password@, no query, no fragment."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return "<unparsable URL>"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _duration_s(run: dict[str, Any]) -> float | None:
    from datetime import datetime
    try:
        start = datetime.fromisoformat(str(run["start"]))
        end = datetime.fromisoformat(str(run["end"]))
    except (KeyError, ValueError):
        return None
    return round((end - start).total_seconds(), 1)


def build_record(cases: list[dict[str, Any]], run: dict[str, Any]) -> dict[str, Any]:
    by_req: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        by_req.setdefault(case["requirement"], []).append(case)
    requirements = []
    for req in catalogue().values():
        mine = sorted(by_req.pop(req.id, []), key=lambda c: c["case_id"])
        requirements.append({
            "id": req.id, "title": req.title, "since": req.since, "releases": req.releases,
            "source": req.source, "apis": list(req.apis), "notes": req.notes,
            "apis_not_covered": list(req.apis_not_covered),
            "verdict": requirement_verdict([c["verdict"] for c in mine]),
            "counts": dict(Counter(c["verdict"] for c in mine)),
            "cases": mine,
        })
    for unknown, mine in sorted(by_req.items()):  # cases naming ids not in the catalogue
        requirements.append({"id": unknown, "title": "(not in the catalogue)", "since": "",
                             "verdict": requirement_verdict([c["verdict"] for c in mine]),
                             "counts": dict(Counter(c["verdict"] for c in mine)),
                             "releases": "", "source": {}, "apis": [], "notes": "",
                             "apis_not_covered": [],
                             "cases": mine, "unknown": True})
    run = dict(run)
    for key in ("url", "target"):
        if key in run and run[key] not in (None, "embedded mock"):
            run[key] = safe_url(str(run[key]))
    run.setdefault("options", {})
    run["duration_s"] = _duration_s(run)
    return {
        "schema_version": SCHEMA_VERSION,
        "run": run,
        "summary": {
            "requirements": dict(Counter(r["verdict"] for r in requirements)),
            "cases": dict(Counter(c["verdict"] for c in cases)),
        },
        "requirements": requirements,
    }


def write_json(record: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False), "utf-8")
    tmp.replace(target)
    return target
