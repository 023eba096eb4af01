"""The failure text of a case: verdict, reason, differences, findings, leftovers, and the
request and response (pretty-printed, secrets redacted). No Python traceback."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..runner import CaseResult
from ..target import TargetSession
from ..xmlsafe import parse_xml

MAX_EVIDENCE = 6000  # characters of a request or response shown
LIST_MAX = 8  # names a terminal line lists before "…and N more"


def listed(names: list[str], limit: int = LIST_MAX) -> str:
    """``a, b, c …and 38 more``: the first ``limit`` names."""
    shown = ", ".join(str(n) for n in names[:limit])
    return shown + (f" …and {len(names) - limit} more" if len(names) > limit else "")


def pretty(text: str) -> str:
    """XML indented (text that is not XML as it is), cut after :data:`MAX_EVIDENCE`."""
    try:
        root = parse_xml(text.encode("utf-8"))
        text = etree.tostring(root, pretty_print=True, encoding="unicode")
    except Exception:  # evidence is shown as is when it is not XML
        pass
    return text if len(text) <= MAX_EVIDENCE else text[:MAX_EVIDENCE] + "\n... (cut)"


def format_result(result: CaseResult, target: TargetSession | None = None) -> str:
    return format_record(result.to_dict(), target)


def format_record(data: dict[str, Any], target: TargetSession | None = None,
                  extra: list[str] | None = None) -> str:
    """The failure block of a case's (or a fuzz test's) record: verdict, requirement, case,
    reason, differences, findings, leftovers, the request and response (secrets redacted),
    then ``extra`` lines (a fuzz test's seed, example and replay command)."""
    lines = [f"{str(data.get('verdict', '')).upper()}: {data.get('requirement')} "
             f"(since {data.get('since')}) — {data.get('title')}",
             f"  case {data.get('case_id')}",
             f"  {data.get('reason')}"]
    if data.get("differences"):
        lines.append("  differences:")
        lines += [f"    - {d}" for d in data["differences"]]
    if data.get("findings"):
        lines.append("  informational findings (not gating):")
        lines += [f"    - {f}" for f in data["findings"]]
    if data.get("leftovers"):
        lines.append("  left on the site after cleanup:")
        lines += [f"    - {x}" for x in data["leftovers"]]
    ev = data.get("evidence")
    if ev:
        lines.append(f"  request to {ev.get('url')} (secrets redacted):")
        lines += ["    " + line for line in pretty(str(ev.get("request", ""))).splitlines()]
        lines.append(f"  response: HTTP {ev.get('status')}, {ev.get('elapsed_ms')} ms")
        lines += ["    " + line for line in pretty(str(ev.get("response", ""))).splitlines()]
    lines += [f"  {line}" for line in extra or []]
    text = "\n".join(lines)
    return target.redactor.text(text) if target is not None else text
