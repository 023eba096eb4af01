"""Capability discovery before the first item, and fail fast: when discovery cannot ask the
target (unreachable, authentication refused, not an XML API answer, an HTTP error), the run
stops after collection with ONE message (:mod:`conformance.failfast`) instead of an ERROR
per case; every item is deselected, the run record says why (``run.stopped``) and the run
exits 6. Otherwise the discovery's run-level results (profile findings, the discovery
answers' envelopes) go into the run state, for the run record.

Under xdist each worker discovers for its own items; what it found travels to the
controller in ``workeroutput["conformance_run"]`` (:func:`merge_worker`)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from ..errors import TargetError
from ..failfast import stop_message
from .state import RunState, is_worker, run_state

WORKER_KEY = "conformance_run"


def _uses_target(item: pytest.Item) -> bool:
    """A conformance case, or a fuzz test (they ask the target too)."""
    if getattr(item, "case", None) is not None:
        return True
    fuzz = (item.config.rootpath / "fuzz").resolve()
    return fuzz in Path(str(item.path)).resolve().parents


def discover_or_stop(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Discovery once, after collection (``pytest_collection_modifyitems``, last)."""
    state = run_state(config)
    if state is None or not items or config.option.collectonly or \
            not any(_uses_target(i) for i in items):
        return
    target = state.target()
    try:
        caps = target.capabilities()
    except TargetError as exc:
        stop = stop_message(exc, target.url, target.redactor,
                            webex_id=target.admin.webex_id, site_name=target.site_name)
        state.stopped = {**asdict(stop), "checks": list(stop.checks), "text": stop.text}
        config.hook.pytest_deselected(items=list(items))
        items[:] = []
    else:
        state.findings = list(caps.findings)
        state.discovery_envelope = list(target.discovery_envelope)
        state.discovery_checked = target.envelope_checked
    if is_worker(config):
        config.workeroutput[WORKER_KEY] = worker_output(state)  # type: ignore[attr-defined]


def worker_output(state: RunState) -> dict[str, Any]:
    return {"stopped": state.stopped, "findings": state.findings,
            "discovery_envelope": state.discovery_envelope,
            "discovery_checked": state.discovery_checked}


def merge_worker(state: RunState, data: dict[str, Any] | None) -> None:
    """A worker's discovery results into the controller's state: the first stop, the
    findings once, one worker's discovery envelopes (they all asked the same)."""
    if not data:
        return
    if data.get("stopped") and state.stopped is None:
        state.stopped = data["stopped"]
    for finding in data.get("findings") or []:
        if finding not in state.findings:
            state.findings.append(finding)
    if not state.discovery_checked and data.get("discovery_checked"):
        state.discovery_envelope = list(data.get("discovery_envelope") or [])
        state.discovery_checked = int(data["discovery_checked"])
