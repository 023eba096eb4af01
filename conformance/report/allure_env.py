"""Files beside allure-pytest's results: ``environment.properties`` (no secrets) and
``categories.json`` (FAIL = non-conformance, ERROR = could not tell, waived)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

# The public English release notes of XML API 40 ("Cisco Webex Meetings API Updates
# Overview (API 40)"); a text fragment scrolls a browser to the section's title.
RELEASE_NOTES_URL = ("https://help.webex.com/en-us/article/nckjgxw/"
                     "Cisco-Webex-Meetings-API-Updates-Overview-API-40")


def release_note_link(source: dict[str, Any]) -> str:
    section = str(source.get("section") or "").split(";")[0].strip()
    section = section.split("(")[0].strip()
    return RELEASE_NOTES_URL + (f"#:~:text={quote(section, safe='')}" if section else "")


def _escape(value: str, key: bool = False) -> str:
    out = []
    for ch in value:
        if ch in "\\":
            out.append("\\\\")
        elif ch in "=: #!" and (key or ch in "=:#!"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) > 126 or ord(ch) < 32:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else "?")
        else:
            out.append(ch)
    return "".join(out)


def environment(record: dict[str, Any]) -> dict[str, str]:
    run = record["run"]
    opts = run.get("options", {})
    env = {
        "Target": str(run.get("url") or run.get("target") or ""),
        "Target.kind": "embedded mock" if run.get("target") == "embedded mock" else "site",
        "Site.name": str(run.get("site_name") or ""),
        "Site.APIVersion": str(run.get("api_version") or "unknown"),
        "Suite.version": str(run.get("suite_version") or ""),
        "Run.start": str(run.get("start") or ""),
        "Run.end": str(run.get("end") or ""),
        "Gate.outcome": str(record.get("gate", {}).get("outcome", "")),
        "Gate.exitCode": str(record.get("gate", {}).get("exit_code", "")),
    }
    for key, value in sorted(opts.items()):
        if value in (None, "", [], False):
            continue
        env[f"Option.{key}"] = ",".join(map(str, value)) if isinstance(value, list) \
            else str(value)
    return env


def write_environment(record: dict[str, Any], results_dir: str | Path) -> None:
    target = Path(results_dir)
    target.mkdir(parents=True, exist_ok=True)
    lines = [f"{_escape(k, key=True)}={_escape(v)}" for k, v in environment(record).items()]
    (target / "environment.properties").write_text("\n".join(lines) + "\n", "latin-1")
    categories = [
        {"name": "Non-conformance (FAIL)", "matchedStatuses": ["failed"]},
        {"name": "Could not tell (ERROR: infrastructure)", "matchedStatuses": ["broken"]},
        {"name": "Waived (accepted deviations)", "matchedStatuses": ["skipped"],
         "messageRegex": "(?s).*waived.*"},
    ]
    (target / "categories.json").write_text(json.dumps(categories, indent=2), "utf-8")
