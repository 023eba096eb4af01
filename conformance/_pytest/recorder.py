"""The :class:`Recorder` plugin object: collects the record of every case and fuzz test
from pytest's reports (``report.conformance``), and at the end of the session writes the
run record and its reports once (:func:`conformance.report.publish`), sets the exit code and
prints the terminal summary, as pytest's ``junitxml.LogXML`` does for JUnit XML.
Registered at session start on the controller only (xdist workers send their reports to
it)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from .. import __version__
from ..exitcodes import meaning
from ..report import ReportSettings, publish
from ..report.record import requirement_verdict
from ..runner import ENVELOPE, envelope_result
from ..schema_findings import CASE_ID as SCHEMA_CASE
from ..schema_findings import run_case as schema_result
from .discovery import WORKER_KEY, merge_worker
from .gate import exit_status
from .state import RunState

PLUGIN_NAME = "conformance-recorder"


class Recorder:
    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "conformance", None)
        if data is not None:
            self.state.records.append(data)
        elif report.failed:  # a failure with no verdict in the record
            self.state.unrecorded_failures += 1

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        state = self.state
        try:
            if state.case_file_errors:
                session.exitstatus = exit_status(exitstatus=exitstatus,
                                                 case_file_errors=state.case_file_errors)
            elif state.records or state.items or state.stopped:
                session.exitstatus = exit_status(
                    exitstatus=exitstatus, gate=self._publish(), recorded=bool(state.records),
                    unrecorded_failures=state.unrecorded_failures)
        finally:
            state.final_exit = int(session.exitstatus)

    def _publish(self) -> dict[str, Any]:
        """Write compliance.json and the reports built from it; the gate's decision."""
        state, config = self.state, self.config
        target = state.current_target
        gating = state.gating
        # the run-level result of requirement `schema`: every case's answers, merged
        schema = schema_result(state.records, gating=gating.schema_gating, only=state.only)
        if schema is not None:
            state.records.append(schema)
        allure_dir = getattr(config.option, "allure_report_dir", None)
        record = publish(self.records(), self.run_info(), ReportSettings(
            state.reports, waivers=gating.waivers, baseline=gating.baseline,
            baseline_path=gating.baseline_path, strict_waivers=gating.strict_waivers,
            allure_dir=Path(allure_dir) if allure_dir else None,
            redact=target.redactor.text if target is not None else None))
        state.report_path = state.reports / "compliance.json"
        state.gate = record["gate"]
        return record["gate"]

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """A worker's discovery results (a stop, findings, envelopes)."""
        merge_worker(self.state, getattr(node, "workeroutput", {}).get(WORKER_KEY))

    def records(self) -> list[dict[str, Any]]:
        """The cases' records, and the run's result for requirement envelope (every
        answer's envelope), when that requirement is in the run."""
        state = self.state
        if state.stopped or (state.only and ENVELOPE not in state.only):
            return list(state.records)
        result = envelope_result(state.records, state.discovery_envelope,
                                 state.discovery_checked)
        return [*state.records, result.to_dict()] if result is not None else \
            list(state.records)

    def run_info(self) -> dict[str, Any]:
        state = self.state
        tc, target = state.target_config, state.current_target
        only = sorted(state.only)
        return {
            "suite_version": __version__,
            "target": "embedded mock" if tc.embedded else tc.url,
            "url": target.url if target else tc.url,
            "site_name": target.site_name if target else tc.site_name,
            "api_version": target.version if target else None,
            "prefix": target.prefix if target else tc.prefix,
            "faults": tc.faults,
            "start": state.start.isoformat(timespec="seconds"),
            "end": datetime.now(UTC).isoformat(timespec="seconds"),
            "requirement_filter": only,
            "site_profile": state.profile.path if state.profile is not None else None,
            "findings": list(state.findings),
            "stopped": ({k: v for k, v in state.stopped.items() if k != "text"}
                        if state.stopped else None),
            "options": {"faults": tc.faults, "requirement_filter": only,
                        "hazards": sorted(tc.hazards), "timeout_s": tc.timeout,
                        **state.gating.summary()},
        }

    # the last section: trylast, and registered after the safety and fuzz plugin objects
    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int,
                                config: pytest.Config) -> None:
        state = self.state
        if state.stopped:
            self._stopped_summary(terminalreporter, exitstatus)
            return
        if not state.records:
            return
        by_req: dict[str, list[str]] = {}
        findings = 0
        for r in state.records:
            by_req.setdefault(r["requirement"], []).append(r["verdict"])
            findings += len(r["findings"])
        tr = terminalreporter
        tr.section("conformance")
        for req_id in sorted(by_req):
            verdict = requirement_verdict(by_req[req_id])
            tr.write_line(f"  {verdict.upper():7} {req_id} ({len(by_req[req_id])} case(s))",
                          red=verdict == "fail", yellow=verdict == "error",
                          green=verdict == "pass")
        if findings:
            tr.write_line(f"  {findings} informational finding(s): see compliance.json")
        for r in state.records:  # the run-level result of requirement schema, when not PASS
            if r["case_id"] == SCHEMA_CASE and r["verdict"] != "pass":
                tr.write_line(f"  schema: {r['reason']}", red=r["verdict"] == "fail")
        for finding in state.findings:
            tr.write_line(f"  capability finding: {finding}", yellow=True)
        if state.report_path:
            tr.write_line(f"  run record: {state.report_path}")
        final = state.final_exit if state.final_exit is not None else exitstatus
        for reason in (state.gate or {}).get("reasons", []):
            tr.write_line(f"  gate: {reason}")
        if state.report_path:
            tr.write_line(f"  HTML report: {state.report_path.with_suffix('.html')}")
        tr.write_line(f"  exit code {final}: {meaning(final)}")

    def _stopped_summary(self, tr: Any, exitstatus: int) -> None:
        """The one message of a run discovery stopped, and where its record is."""
        state = self.state
        assert state.stopped is not None
        tr.section("conformance")
        for line in str(state.stopped.get("text", state.stopped.get("headline"))).splitlines():
            tr.write_line(line, red=True)
        if state.report_path:
            tr.write_line(f"  run record: {state.report_path}; HTML report: "
                          f"{state.report_path.with_suffix('.html')}")
        final = state.final_exit if state.final_exit is not None else exitstatus
        tr.write_line(f"  exit code {final}: {meaning(final)}")
