"""Files beside allure-pytest's results: ``environment.properties`` (no secrets) and
``categories.json`` (FAIL = non-conformance, ERROR = could not tell, waived); and pure
helpers for the items' labels and attachments: a sortable release label
(:func:`release_label`, :func:`release_order`) and the real type of a recorded body
(:func:`body_kind`, :func:`attachment_kind`)."""

from __future__ import annotations

import json
import re
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


_VERSION = re.compile(r"\s*(\d+)\.(\d+)(?:\.(\d+))?")


def _release_parts(version: Any) -> tuple[int, int, int] | None:
    """(major, minor, patch) of the first version in ``version`` ("40.4.5/40.2.6, 40.8.0"
    gives 40.4.5), or None when it names none (e.g. "all")."""
    m = _VERSION.match(str(version or ""))
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def release_label(since: Any) -> str:
    """The release a requirement arrived in (its catalogue ``since``), written so that
    Allure's string sort is the release order: minor and patch zero-padded to two digits,
    ``40.2.0`` -> ``40.02.00``, ``40.12.0`` -> ``40.12.00`` (40.10.0 after 40.9.0, not before
    40.2.0). Free text such as "all" is returned as it is (sorted after the numbers, since
    digits sort before letters)."""
    parts = _release_parts(since)
    if parts is None:
        return str(since or "").strip() or "unknown"
    major, minor, patch = parts
    return f"{major}.{minor:02d}.{patch:02d}"


def release_order(since: Any) -> int:
    """The same release as a number (``40.4.5`` -> 400405), for a numeric label or a sort
    key; 0 when ``since`` names no release."""
    parts = _release_parts(since)
    if parts is None:
        return 0
    major, minor, patch = parts
    return major * 10000 + min(minor, 99) * 100 + min(patch, 99)


def release_labels(since: Any) -> list[tuple[str, str]]:
    """The Allure labels of an item for its requirement's release: ``(label_type, value)``
    pairs, to pass to ``allure_label`` markers or ``allure.dynamic.label``. The epic groups
    the behaviors tree by release, in release order."""
    return [("epic", f"XML API {release_label(since)}"),
            ("release", release_label(since)),
            ("release_order", str(release_order(since)))]


# Allure's attachment types, by the name allure_commons.types.AttachmentType gives them.
_KINDS = {"xml": "XML", "html": "HTML", "json": "JSON", "text": "TEXT"}
_HTML_START = re.compile(r"(?is)\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*"
                         r"(?:<!doctype\s+html\b|<html\b|<head\b|<body\b)")
_HTML_TAGS = re.compile(r"(?i)<(?:html|head|body|title|div|p|h1|h2|br|table|script)\b")


def body_kind(body: Any, content_type: str | None = None) -> str:
    """What a recorded HTTP body really is: ``xml``, ``html``, ``json`` or ``text``.

    A body counts as XML only when it parses (hardened parser) and its root is not
    ``html``; an error page (the HTML of a 403, a proxy's page) is ``html`` even when it
    claims ``text/xml``; empty or unparsable bodies are ``text``. ``content_type`` (the
    response's header) decides only between json and text for non-markup bodies."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = "" if body is None else str(body)
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        return "text"
    if _HTML_START.match(stripped):
        return "html"
    if stripped.startswith("<"):
        try:
            from ..xmlsafe import parse_xml
            root = parse_xml(stripped.encode("utf-8"))
        except Exception:  # not well-formed: an HTML fragment, or broken markup
            return "html" if _HTML_TAGS.search(stripped[:4096]) else "text"
        local = root.tag.rsplit("}", 1)[-1].lower() if isinstance(root.tag, str) else ""
        return "html" if local == "html" else "xml"
    if stripped[0] in "{[" or "json" in (content_type or "").lower():
        try:
            json.loads(stripped)
            return "json"
        except ValueError:
            pass
    return "text"


def attachment_kind(body: Any, content_type: str | None = None) -> tuple[str, str]:
    """``(AttachmentType member name, file extension)`` for a recorded body, e.g.
    ``("HTML", "html")`` for the HTML of a 403: ``getattr(allure.attachment_type, name)``
    gives the type to attach with, so no non-XML body is saved as ``.xml``."""
    kind = body_kind(body, content_type)
    return _KINDS[kind], {"text": "txt"}.get(kind, kind)


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
