"""The release gate: one exit code from the run record (after waivers)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..exitcodes import (
    EXIT_INFRA,
    EXIT_NONCONFORMANT,
    EXIT_OK,
    EXIT_USAGE,
    PYTEST_INTERRUPTED,
)
from ..redact import strip_userinfo

__all__ = ["EXIT_INFRA", "EXIT_NONCONFORMANT", "EXIT_OK", "EXIT_USAGE", "HEADLINES", "gate"]

HEADLINES = {
    "conformant": "Conformant",
    "conformant-with-waivers": "Conformant with waivers",
    "non-conformant": "Non-conformant",
    "infrastructure-errors": "Could not tell: infrastructure errors",
    "nothing-run": "Nothing was checked",
    "stopped": "Stopped before any case ran",
    "interrupted": "Interrupted: the run did not finish",
}


def gate(record: dict[str, Any], *, strict_waivers: bool = False) -> dict[str, Any]:
    """The gate's decision. An interrupted run (``run.interrupted``: a signal, the run
    deadline) is "interrupted", pytest's 2, whatever its cases say: it did not check
    everything. FAIL not covered by an active waiver: non-conformant (1), also when ERRORs
    are mixed in. Under ``strict_waivers`` a stale waiver (its case now passes) fails the
    gate too (1). ERROR only: infrastructure (6). Otherwise 0."""
    stopped = (record.get("run") or {}).get("stopped")
    if stopped:  # discovery could not ask the target (conformance.failfast), or every
        # answer was HTTP 403 (conformance._pytest.runcontrol: after the first case)
        lead = "Stopped after the first case" if stopped.get("kind") == "forbidden" \
            else HEADLINES["stopped"]
        return {"outcome": "stopped",
                "headline": f"{lead}: {stopped.get('headline')}",
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
    causes = error_causes(cases)
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
        reasons.append(_error_reason(len(errors), causes))
    interrupted = (record.get("run") or {}).get("interrupted")
    if interrupted:
        outcome, code = "interrupted", PYTEST_INTERRUPTED
        reasons.insert(0, interrupted_reason(interrupted))
    elif failing or (strict_waivers and stale):
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
    cause = causes[0]["reason"] if causes and causes[0]["cases"] * 2 >= len(errors) else None
    headline = HEADLINES[outcome]
    if outcome == "infrastructure-errors" and cause:
        headline = f"Could not tell: {cause}"  # the common cause, e.g. an unreachable site
    if interrupted:
        headline = (f"Interrupted ({interrupted.get('cause')}): "
                    f"{interrupted.get('ran', 0)} of {interrupted.get('collected', 0)} "
                    f"item(s) ran")
    selected = (record.get("run") or {}).get("requirement_filter") or []
    if selected and outcome != "nothing-run":
        headline += f" (partial run: {len(selected)} of {len(record['requirements'])} " \
                    f"requirements selected)"
    return {"outcome": outcome, "headline": headline, "exit_code": code,
            "strict_waivers": strict_waivers, "reasons": reasons,
            "failing_cases": sorted(failing), "waived_cases": sorted(waived),
            "error_cases": sorted(errors), "stale_waivers": len(stale),
            "cause": cause, "error_causes": causes}


MAX_CAUSE = 240
def _cause_text(reason: Any) -> str:
    text = " ".join(str(reason or "").split()) or "(no reason recorded)"
    text = strip_userinfo(text)  # never user:password@ of a URL
    return text if len(text) <= MAX_CAUSE else text[:MAX_CAUSE - 1] + "…"


def error_causes(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ERROR cases grouped by their reason (an unreachable site gives one group for
    every case), most cases first: ``reason``, ``cases`` (count), ``requirements``."""
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for c in cases:
        if c["verdict"] == "error":
            by_reason.setdefault(_cause_text(c.get("reason")), []).append(c)
    counts = Counter({reason: len(mine) for reason, mine in by_reason.items()})
    return [{"reason": reason, "cases": n,
             "requirements": list(dict.fromkeys(str(c.get("requirement") or
                                                    str(c["case_id"]).split("::", 1)[0])
                                                for c in by_reason[reason]))}
            for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _error_reason(n_errors: int, causes: list[dict[str, Any]]) -> str:
    """One line naming what kept the cases from a verdict: the cause itself when one
    explains them all (not the 33 requirement names an unreachable site touches)."""
    head = f"{n_errors} case(s) could not be told (ERROR: infrastructure)"
    if len(causes) == 1:
        reqs = causes[0]["requirements"]
        where = f"in {_requirements([r + '::' for r in reqs])}" if len(reqs) <= 3 \
            else f"in {len(reqs)} requirements"
        return f"{head} {where}: {causes[0]['reason']}"
    shown = "; ".join(f"{c['cases']} × {c['reason']}" for c in causes[:3])
    rest = sum(c["cases"] for c in causes[3:])
    more = f"; {rest} more with {len(causes) - 3} other cause(s)" if rest else ""
    return f"{head}: {shown}{more}"


def interrupted_reason(interrupted: dict[str, Any]) -> str:
    """One line of what an interrupted run did: cause, when, what ran and what did not."""
    not_run = interrupted.get("not_run") or []
    text = (f"interrupted ({interrupted.get('cause')}, during the "
            f"{interrupted.get('during') or 'cases'}): {interrupted.get('ran', 0)} of "
            f"{interrupted.get('collected', 0)} item(s) ran, {len(not_run)} did not")
    if interrupted.get("in_progress"):
        text += f"; {interrupted['in_progress']} was running"
    if interrupted.get("cleanup_aborted"):
        text += "; the clean-up was aborted: sweep the run prefix"
    return text


def _requirements(case_ids: list[str], limit: int = 8) -> str:
    """The requirement ids of ``req::case`` ids, in order of first appearance."""
    reqs = list(dict.fromkeys(c.split("::", 1)[0] for c in case_ids))
    more = f" and {len(reqs) - limit} more" if len(reqs) > limit else ""
    return ", ".join(reqs[:limit]) + more
