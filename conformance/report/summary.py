"""A short Markdown summary of a run record, for a CI job summary (``$GITHUB_STEP_SUMMARY``)
or a chat message: ``python -m conformance.report summary reports/compliance.json``.

The gate's headline and exit code first, then the failing and erroring requirements (with
how many of their cases failed, their release, and the last runs when the record carries a
trend), ERROR by cause, the changes since the baseline and the gate's reasons. Everything
comes from the (already redacted) record; text from the record is escaped, so a case id or
a reason cannot break the table or inject markup."""

from __future__ import annotations

import re
from typing import Any

from .allure_env import release_note_link
from .baseline import CHANGES
from .html import VERDICT_LABELS, VERDICT_ORDER, shown_verdict, visible

MAX_ROWS = 20
_LETTERS = {"fail": "F", "error": "E", "waived": "W", "pass": "P", "skip": "S"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md(text: Any) -> str:
    """Text from the record as inline Markdown: control characters spelled out, one line,
    Markdown and HTML specials escaped."""
    one_line = " ".join(visible(text).split())
    return _MD_SPECIAL.sub(r"\\\1", one_line)


def _label(verdict: str) -> str:
    return VERDICT_LABELS.get(verdict, verdict.upper())


def _strip(trend: list[dict[str, Any]], req_id: str) -> str:
    return " ".join(_LETTERS.get(run.get("verdicts", {}).get(req_id, ""), "·")
                    for run in trend)


def markdown_summary(record: dict[str, Any], max_rows: int = MAX_ROWS) -> str:
    gate = record.get("gate", {})
    run = record.get("run", {})
    reqs = record.get("requirements", [])
    selected = run.get("requirement_filter") or []
    lines = [f"## {md(gate.get('headline', 'Conformance run'))} "
             f"(exit code {gate.get('exit_code', '?')})", ""]
    facts = [f"target {md(run.get('url') or run.get('target') or '?')}",
             f"site API version {md(run.get('api_version') or 'unknown')}"]
    if run.get("duration_s") is not None:
        facts.append(f"{run['duration_s']} s")
    if selected:
        facts.append(f"partial run: {len(selected)} of {len(reqs)} requirement(s) selected")
    lines += [" · ".join(facts), ""]
    shown = {r["id"]: shown_verdict(r, selected) for r in reqs}
    counts = {v: sum(1 for s in shown.values() if s == v) for v in VERDICT_ORDER}
    lines.append("Requirements: " + " · ".join(f"{n} {_label(v)}" for v, n in counts.items()
                                               if n) + f" (of {len(reqs)})")
    case_counts = (record.get("summary") or {}).get("cases") or {}
    if case_counts:
        lines.append("Cases: " + " · ".join(f"{n} {_label(v).lower()}"
                                            for v, n in sorted(case_counts.items(),
                                                               key=lambda kv: VERDICT_ORDER.index(kv[0])
                                                               if kv[0] in VERDICT_ORDER else 99)))
    lines.append("")
    if gate.get("cause"):
        lines += [f"**Cause:** {md(gate['cause'])}", ""]
    bad = [r for r in reqs if shown[r["id"]] in ("fail", "error")]
    bad.sort(key=lambda r: (VERDICT_ORDER.index(shown[r["id"]]), r["id"]))
    trend = record.get("trend") or []
    causes = gate.get("error_causes") or []
    if bad and len(causes) == 1 and all(shown[r["id"]] == "error" for r in bad):
        # one cause for every ERROR (an unreachable site): the cause is the news
        lines += [f"All {causes[0]['cases']} case(s) of {len(bad)} requirement(s) could not "
                  f"be told for that cause.", ""]
    elif bad:
        with_trend = len(trend) > 1
        lines += ["### Failing and erroring requirements", "",
                  "| requirement | verdict | cases | since | title |"
                  + (f" last {len(trend)} runs |" if with_trend else ""),
                  "|---|---|---|---|---|" + ("---|" if with_trend else "")]
        for r in bad[:max_rows]:
            cases = r.get("cases", [])
            n_fail = sum(1 for c in cases if c["verdict"] == "fail")
            n_error = sum(1 for c in cases if c["verdict"] == "error")
            what = ", ".join(x for x in (f"{n_fail}/{len(cases)} failed" if n_fail else "",
                                         f"{n_error}/{len(cases)} ERROR" if n_error else "")
                             if x)
            link = release_note_link(r.get("source") or {})
            row = (f"| [{md(r['id'])}]({link}) | {_label(shown[r['id']])} | {what} | "
                   f"{md(r.get('since', ''))} | {md(r.get('title', ''))} |")
            if with_trend:
                row += f" `{_strip(trend, r['id'])}` |"
            lines.append(row)
        if len(bad) > max_rows:
            lines.append(f"\n…and {len(bad) - max_rows} more (see compliance.html)")
        lines.append("")
    if len(causes) > 1 or (causes and not gate.get("cause")):
        lines += ["### Could not tell (ERROR), by cause", ""]
        for c in causes[:5]:
            lines.append(f"- {c['cases']} case(s) in {len(c['requirements'])} "
                         f"requirement(s): {md(c['reason'])}")
        if len(causes) > 5:
            lines.append(f"- …and {len(causes) - 5} more cause(s)")
        lines.append("")
    comparison = record.get("comparison") or {}
    changes = [(name, comparison.get(name) or []) for name in CHANGES]
    if any(items for _, items in changes):
        base = comparison.get("baseline") or {}
        lines += [f"### Changes since the baseline ({md(base.get('start') or 'unknown date')})",
                  ""]
        for name, items in changes:
            if items:
                lines.append(f"- **{name.replace('_', ' ').capitalize()}**: "
                             + ", ".join(f"{md(i['id'])} (was {_label(i['before'])})"
                                         for i in items[:max_rows])
                             + (f", …and {len(items) - max_rows} more"
                                if len(items) > max_rows else ""))
        lines.append("")
    if gate.get("reasons"):
        lines += ["### Gate", ""] + [f"- {md(r)}" for r in gate["reasons"]] + [""]
    lines.append("The full report: compliance.html and compliance.json (artifact), "
                 "junit.xml, the Allure report.")
    return "\n".join(lines) + "\n"
