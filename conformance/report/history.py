"""The last runs, kept beside the reports for a trend: ``reports/history/``.

Each run that checked something adds ``history/compliance-<UTC start>.json``: a slim run
record (the run's identity, the gate, and per requirement its verdict and counts; no cases,
no exchanges). The oldest files beyond ``keep`` (10) are removed. A nightly job that carries
``reports/history/`` over from one night to the next (see examples/workflows/nightly.yml)
thus shows, per requirement, a strip of the last runs' verdicts in the HTML report.

A kept file is itself a valid ``--conformance-baseline`` (schema_version, requirements[].id
and .verdict), and a full ``compliance.json`` dropped into the directory is read too.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

KEEP = 10
DIRNAME = "history"
_NAME = re.compile(r"^compliance-(\d{8}T\d{6}Z)(?:-\d+)?\.json$")


def _stamp(start: Any) -> str:
    try:
        when = datetime.fromisoformat(str(start))
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    except ValueError:
        when = datetime.now(UTC)
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def target_key(run: dict[str, Any]) -> str:
    """Which target a run checked: runs of the embedded mock share one key (its port
    changes every run); a site is its URL (without credentials, as recorded)."""
    if run.get("target") == "embedded mock":
        return "embedded mock"
    return str(run.get("url") or run.get("target") or "")


def history_entry(record: dict[str, Any]) -> dict[str, Any]:
    """The slim record kept for the trend (no case, no exchange: nothing to redact)."""
    run = record.get("run", {})
    gate = record.get("gate", {})
    return {
        "schema_version": record.get("schema_version"),
        "kind": "history",
        "run": {k: run.get(k) for k in ("start", "end", "target", "url", "site_name",
                                        "api_version", "suite_version", "faults",
                                        "requirement_filter")},
        "gate": {k: gate.get(k) for k in ("outcome", "exit_code", "headline")},
        "requirements": [{"id": r["id"], "verdict": r["verdict"],
                          "gate_verdict": r.get("gate_verdict", r["verdict"]),
                          "counts": r.get("counts", {})}
                         for r in record.get("requirements", [])],
    }


def keep_history(record: dict[str, Any], directory: str | Path, keep: int = KEEP) -> Path | None:
    """Add this run to ``directory/history/`` and remove the oldest beyond ``keep``.
    Nothing is kept for a run that checked nothing, or with ``keep`` 0."""
    if keep <= 0 or not any(r.get("cases") for r in record.get("requirements", [])):
        return None
    folder = Path(directory) / DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(record.get("run", {}).get("start"))
    path = folder / f"compliance-{stamp}.json"
    n = 1
    while path.exists():
        path = folder / f"compliance-{stamp}-{n}.json"
        n += 1
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(history_entry(record), indent=1, ensure_ascii=False), "utf-8")
    tmp.replace(path)
    kept = sorted((p for p in folder.iterdir() if _NAME.match(p.name)), key=_order)
    for old in kept[:-keep]:
        old.unlink(missing_ok=True)
    return path


def _order(path: Path) -> tuple[str, int]:
    m = re.match(r"^compliance-(\d{8}T\d{6}Z)(?:-(\d+))?\.json$", path.name)
    return (m.group(1), int(m.group(2) or 0)) if m else (path.name, 0)


def _start_key(entry: dict[str, Any]) -> str:
    try:
        when = datetime.fromisoformat(str(entry.get("run", {}).get("start")))
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC).isoformat()
    except ValueError:
        return ""


def load_history(directory: str | Path, run: dict[str, Any] | None = None,
                 limit: int = KEEP - 1) -> list[dict[str, Any]]:
    """The earlier runs in ``directory/history/`` (oldest first, at most ``limit``), of the
    same target as ``run`` when given. Unreadable or foreign files are skipped: a trend is
    a convenience, never a reason for a run to fail."""
    folder = Path(directory) / DIRNAME
    if limit <= 0 or not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        reqs = doc.get("requirements") if isinstance(doc, dict) else None
        if not isinstance(reqs, list) or not isinstance(doc.get("run"), dict) or not all(
                isinstance(r, dict) and isinstance(r.get("id"), str)
                and isinstance(r.get("verdict"), str) for r in reqs):
            continue
        if run is not None and target_key(doc["run"]) != target_key(run):
            continue
        if run is not None and doc["run"].get("start") == run.get("start"):
            continue  # this run itself
        entries.append(doc if doc.get("kind") == "history" else history_entry(doc))
    entries.sort(key=_start_key)
    return entries[-limit:]


def trend(record: dict[str, Any], history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs of the strip, oldest first, this run last: ``start``, ``outcome``,
    ``api_version``, ``current`` and ``verdicts`` (requirement id -> verdict as the gate
    saw it, waived included; absent when that run did not check the requirement)."""
    runs = []
    for entry in [*history, history_entry(record)]:
        verdicts = {r["id"]: r.get("gate_verdict") or r["verdict"]
                    for r in entry.get("requirements", [])}
        runs.append({"start": entry["run"].get("start"),
                     "outcome": (entry.get("gate") or {}).get("outcome"),
                     "api_version": entry["run"].get("api_version"),
                     "current": False,
                     "verdicts": {k: v for k, v in verdicts.items() if v != "not-covered"}})
    runs[-1]["current"] = True
    return runs
