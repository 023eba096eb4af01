"""The failure text of a case: verdict, reason, differences, findings, leftovers, and the
request and response (pretty-printed, secrets redacted). No Python traceback."""

from __future__ import annotations

from lxml import etree

from ..runner import CaseResult
from ..target import TargetSession
from ..xmlsafe import parse_xml

MAX_EVIDENCE = 6000  # characters of a request or response shown


def pretty(text: str) -> str:
    """XML indented (text that is not XML as it is), cut after :data:`MAX_EVIDENCE`."""
    try:
        root = parse_xml(text.encode("utf-8"))
        text = etree.tostring(root, pretty_print=True, encoding="unicode")
    except Exception:  # evidence is shown as is when it is not XML
        pass
    return text if len(text) <= MAX_EVIDENCE else text[:MAX_EVIDENCE] + "\n... (cut)"


def format_result(result: CaseResult, target: TargetSession | None = None) -> str:
    lines = [f"{result.verdict.value.upper()}: {result.requirement} "
             f"(since {result.since}) — {result.title}",
             f"  case {result.case_id}",
             f"  {result.reason}"]
    if result.differences:
        lines.append("  differences:")
        lines += [f"    - {d}" for d in result.differences]
    if result.findings:
        lines.append("  informational findings (not gating):")
        lines += [f"    - {f}" for f in result.findings]
    if result.leftovers:
        lines.append("  left on the site after cleanup:")
        lines += [f"    - {x}" for x in result.leftovers]
    ev = result.evidence
    if ev:
        lines.append(f"  request to {ev.get('url')} (secrets redacted):")
        lines += ["    " + line for line in pretty(str(ev.get("request", ""))).splitlines()]
        lines.append(f"  response: HTTP {ev.get('status')}, {ev.get('elapsed_ms')} ms")
        lines += ["    " + line for line in pretty(str(ev.get("response", ""))).splitlines()]
    text = "\n".join(lines)
    return target.redactor.text(text) if target is not None else text
