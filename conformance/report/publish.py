"""Everything a run writes at its end, from the recorded case results: the run record
(compliance.json), the HTML report, Allure's environment, this run's entry in the kept
history (reports/history/, for the trend); and the gate's exit code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..schema_findings import summarize as schema_findings
from .allure_env import write_environment
from .baseline import compare
from .gate import gate
from .history import KEEP, keep_history, load_history, trend
from .html import write_html
from .record import build_record, write_json
from .waivers import Waiver, apply_waivers


@dataclass
class ReportSettings:
    directory: Path
    waivers: list[Waiver] = field(default_factory=list)
    baseline: dict[str, Any] | None = None
    baseline_path: str | None = None
    strict_waivers: bool = False
    today: date | None = None
    allure_dir: Path | None = None
    redact: Callable[[str], str] | None = None
    # how many runs reports/history/ keeps (this one included); 0: no history, no trend
    history_keep: int = KEEP


def _redact_deep(value: Any, redact: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_deep(v, redact) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_deep(v, redact) for v in value]
    return value


def assemble(cases: list[dict[str, Any]], run: dict[str, Any],
             settings: ReportSettings) -> dict[str, Any]:
    """The complete run record: cases, waivers applied, comparison, gate."""
    record = build_record(cases, run)
    record["schema_findings"] = schema_findings(
        cases, gating=bool(record["run"]["options"].get("schema_gating")))
    today = settings.today or datetime.now(UTC).date()
    apply_waivers(record, settings.waivers, today)
    if settings.baseline is not None:
        record["comparison"] = compare(record, settings.baseline, settings.baseline_path)
    record["gate"] = gate(record, strict_waivers=settings.strict_waivers)
    if settings.redact is not None:  # a second line of defence: evidence is redacted already
        record = _redact_deep(record, settings.redact)
    return record


def publish(cases: list[dict[str, Any]], run: dict[str, Any],
            settings: ReportSettings) -> dict[str, Any]:
    record = assemble(cases, run, settings)
    if settings.history_keep > 0:
        earlier = load_history(settings.directory, record["run"], settings.history_keep - 1)
        record["trend"] = trend(record, earlier)
    write_json(record, settings.directory / "compliance.json")
    write_html(record, settings.directory / "compliance.html")
    if settings.allure_dir is not None and settings.allure_dir.is_dir():
        write_environment(record, settings.allure_dir)
    keep_history(record, settings.directory, settings.history_keep)
    return record
