"""Comparison with a previous run record (``--conformance-baseline PATH``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import CaseDefinitionError
from .record import requirement_verdict

# The changes a release manager reads first, in this order.
CHANGES = ("newly_failing", "newly_erroring", "newly_skipped", "newly_passing")


def load_baseline(path: str | Path) -> dict[str, Any]:
    """A previous ``compliance.json``; any schema version with requirements and verdicts.
    Raises :class:`CaseDefinitionError` (a usage error) when it is not one."""
    name = str(path)
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise CaseDefinitionError(f"cannot read the baseline: {exc.strerror or exc}",
                                  path=name, field="baseline") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CaseDefinitionError(f"the baseline is not a JSON run record: {exc}",
                                  path=name, field="baseline") from None
    reqs = doc.get("requirements") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or not isinstance(doc.get("schema_version"), int) or \
            not isinstance(reqs, list) or \
            not all(isinstance(r, dict) and isinstance(r.get("id"), str)
                    and isinstance(r.get("verdict"), str) for r in reqs):
        raise CaseDefinitionError("the baseline is not a compliance.json run record "
                                  "(schema_version, requirements[].id and .verdict)",
                                  path=name, field="baseline")
    return doc


def _case_verdicts(req: dict[str, Any]) -> dict[str, str]:
    return {str(c.get("case_id")): str(c.get("verdict")) for c in req.get("cases", [])
            if isinstance(c, dict)}


def compare(record: dict[str, Any], baseline: dict[str, Any],
            baseline_path: str | None = None) -> dict[str, Any]:
    """Requirement-level changes between the baseline and this run.

    * newly failing: fails now, did not fail before;
    * newly erroring: could not be told now (ERROR), was not ERROR before;
    * newly skipped: skipped now, was not skipped before;
    * newly passing: passes now, did not pass before (a fix, or newly covered).

    A requirement this run did not check (``not-covered``, e.g. filtered out) is listed
    under ``not_run`` when the baseline had a verdict for it, never as a change.

    An interrupted baseline (``run.interrupted``) is compared only on what it ran: per
    requirement on the cases both runs have a verdict for; a requirement the baseline did
    not get to is listed under ``not_compared``, never as newly passing or failing."""
    before = {r["id"]: r for r in baseline.get("requirements", [])}
    out: dict[str, Any] = {name: [] for name in CHANGES}
    out["not_run"] = []
    run = baseline.get("run", {}) if isinstance(baseline.get("run"), dict) else {}
    partial = bool(run.get("interrupted"))
    if partial:
        out["not_compared"] = []
    target = {"newly_failing": "fail", "newly_erroring": "error", "newly_skipped": "skip",
              "newly_passing": "pass"}
    for req in record["requirements"]:
        old = before.get(req["id"])
        old_verdict = old["verdict"] if old else "absent"
        now = req["verdict"]
        if partial and now != "not-covered":
            ran = _case_verdicts(old) if old else {}
            mine = [c for c in req["cases"] if c["case_id"] in ran]
            if not mine:  # the interrupted baseline did not get to it
                out["not_compared"].append({"id": req["id"], "before": "not run",
                                            "now": now})
                continue
            req = {**req, "cases": mine,
                   "verdict": requirement_verdict([c["verdict"] for c in mine])}
            now = req["verdict"]
            old_verdict = requirement_verdict([ran[c["case_id"]] for c in mine])
        if now == "not-covered":
            if old_verdict not in ("absent", "not-covered"):
                out["not_run"].append({"id": req["id"], "before": old_verdict, "now": now})
            continue
        for name in CHANGES:
            if now == target[name] and old_verdict != now:
                old_cases = _case_verdicts(old) if old else {}
                cases = [{"case_id": c["case_id"], "before": old_cases.get(c["case_id"],
                                                                             "absent"),
                          "now": c["verdict"]}
                         for c in req["cases"]
                         if old_cases.get(c["case_id"]) != c["verdict"]]
                out[name].append({"id": req["id"], "title": req.get("title", ""),
                                  "since": req.get("since", ""), "before": old_verdict,
                                  "now": now, "cases": cases})
    out["baseline"] = {"path": baseline_path, "start": run.get("start"),
                       "suite_version": run.get("suite_version"),
                       "api_version": run.get("api_version"),
                       "schema_version": baseline.get("schema_version"),
                       "interrupted": partial}
    if partial:
        out["baseline"]["note"] = ("the baseline run was interrupted: compared only on the "
                                   "cases it ran")
    return out
