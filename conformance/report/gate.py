"""The release gate: one exit code from the run record (after waivers)."""

from __future__ import annotations

from typing import Any

from ..exitcodes import EXIT_INFRA, EXIT_NONCONFORMANT, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_INFRA", "EXIT_NONCONFORMANT", "EXIT_OK", "EXIT_USAGE", "HEADLINES", "gate"]

HEADLINES = {
    "conformant": "Conformant",
    "conformant-with-waivers": "Conformant with waivers",
    "non-conformant": "Non-conformant",
    "infrastructure-errors": "Could not tell: infrastructure errors",
    "nothing-run": "Nothing was checked",
    "stopped": "Stopped before any case ran",
}


def gate(record: dict[str, Any], *, strict_waivers: bool = False) -> dict[str, Any]:
    """The gate's decision. FAIL not covered by an active waiver: non-conformant (1), also
    when ERRORs are mixed in. Under ``strict_waivers`` a stale waiver (its case now passes)
    fails the gate too (1). ERROR only: infrastructure (6). Otherwise 0."""
    stopped = (record.get("run") or {}).get("stopped")
    if stopped:  # discovery could not ask the target (conformance.failfast)
        return {"outcome": "stopped",
                "headline": f"{HEADLINES['stopped']}: {stopped.get('headline')}",
                "exit_code": EXIT_INFRA, "strict_waivers": strict_waivers,
                "reasons": [f"cause: {stopped.get('cause')}", f"target: {stopped.get('url')}",
                            *[f"check: {c}" for c in stopped.get("checks") or []]],
                "failing_cases": [], "waived_cases": [], "error_cases": [],
                "stale_waivers": 0}
    cases = [c for r in record["requirements"] for c in r["cases"]]
    waived = [c["case_id"] for c in cases if c["verdict"] == "fail"
              and c.get("waiver", {}).get("status") == "active"]
    failing = [c["case_id"] for c in cases if c["verdict"] == "fail"
               and c.get("waiver", {}).get("status") != "active"]
    expired = [c["case_id"] for c in cases if c["verdict"] == "fail"
               and c.get("waiver", {}).get("status") == "expired"]
    errors = [c["case_id"] for c in cases if c["verdict"] == "error"]
    waivers = record.get("waivers", [])
    stale = [w for w in waivers if w["status"] == "stale"]
    reasons: list[str] = []
    if failing:
        reasons.append(f"{len(failing)} failing case(s) not covered by a waiver, in "
                       f"{_requirements(failing)}")
    if expired:
        reasons.append(f"{len(expired)} failing case(s) whose waiver has expired, in "
                       f"{_requirements(expired)}")
    if stale:
        what = ", ".join(f"{'case ' + w['case'] if w['case'] else w['requirement']}"
                         for w in stale)
        reasons.append(f"{len(stale)} stale waiver(s) (it now passes: {what})"
                       + ("" if strict_waivers else
                          "; not gating (use --conformance-strict-waivers)"))
    if errors:
        reasons.append(f"{len(errors)} case(s) could not be told (ERROR: infrastructure), "
                       f"in {_requirements(errors)}")
    if failing or (strict_waivers and stale):
        outcome, code = "non-conformant", EXIT_NONCONFORMANT
    elif errors:
        outcome, code = "infrastructure-errors", EXIT_INFRA
    elif not cases:
        outcome, code = "nothing-run", EXIT_OK
    elif waived:
        outcome, code = "conformant-with-waivers", EXIT_OK
    else:
        outcome, code = "conformant", EXIT_OK
    if waived:
        reasons.append(f"{len(waived)} failing case(s) waived (accepted deviations)")
    return {"outcome": outcome, "headline": HEADLINES[outcome], "exit_code": code,
            "strict_waivers": strict_waivers, "reasons": reasons,
            "failing_cases": sorted(failing), "waived_cases": sorted(waived),
            "error_cases": sorted(errors), "stale_waivers": len(stale)}


def _requirements(case_ids: list[str], limit: int = 8) -> str:
    """The requirement ids of ``req::case`` ids, in order of first appearance."""
    reqs = list(dict.fromkeys(c.split("::", 1)[0] for c in case_ids))
    more = f" and {len(reqs) - limit} more" if len(reqs) > limit else ""
    return ", ".join(reqs[:limit]) + more
