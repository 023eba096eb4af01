"""The :class:`Recorder` plugin object: collects the record of every case and fuzz test
from pytest's reports (``report.conformance``), and at the end of the session writes the
run record and its reports once (:func:`conformance.report.publish`), sets the exit code and
prints the terminal summary, as pytest's ``junitxml.LogXML`` does for JUnit XML.
Registered at session start on the controller only (xdist workers send their reports to
it)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from .. import __version__
from ..exitcodes import PYTEST_INTERRUPTED, meaning
from ..report import ReportSettings, publish
from ..runner import ENVELOPE, envelope_result
from ..schema_findings import CASE_ID as SCHEMA_CASE
from ..schema_findings import run_case as schema_result
from .discovery import WORKER_KEY, merge_worker
from .gate import exit_status
from .interrupt import DONE, REPORTS
from .options import narrowed
from .render import listed
from .runcontrol import target_label
from .state import RunState

PLUGIN_NAME = "conformance-recorder"


def ran(state: RunState) -> bool:
    """A case or fuzz test ran (it reported, or a case item failed without a verdict).
    (Not ``pytest tests``: no case items there.)"""
    return bool(state.records or (state.items and state.unrecorded_failures))


class Recorder:
    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state
        self.record: dict[str, Any] | None = None  # the published run record
        self.deselected = 0                         # -k, -m, --lf, --deselect

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    def partial(self) -> bool:
        """The run left requirements out: --conformance-requirement, a deselection, --lf,
        or arguments narrower than the cases directory (a file, a node id, only fuzz/)."""
        return bool(self.state.only or self.deselected or narrowed(self.config)
                    or self.config.getoption("lf", False))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "conformance", None)
        if data is not None:
            self.state.records.append(data)
        elif report.failed:  # a failure with no verdict in the record
            self.state.unrecorded_failures += 1

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        state = self.state
        state.interrupts.enter(REPORTS)  # a signal from here on is noted only
        try:
            if state.case_file_errors:
                session.exitstatus = exit_status(exitstatus=exitstatus,
                                                 case_file_errors=state.case_file_errors)
            elif not self.config.option.collectonly and (
                    ran(state) or state.stopped or state.interrupted(exitstatus)):
                # nothing is published when no case ran (--collect-only, -k that selects
                # nothing): the previous run's reports stay (see .keep)
                signals = state.interrupts.count
                gate = self._publish(exitstatus)
                if state.interrupts.count != signals:  # one came while writing: say so
                    gate = self._publish(exitstatus)
                halted = (state.halted or {}).get("exit_code")
                session.exitstatus = exit_status(
                    exitstatus=exitstatus, gate=gate, recorded=bool(state.records),
                    unrecorded_failures=state.unrecorded_failures,
                    interrupted=state.interrupted(exitstatus),
                    stopped=halted)
            elif state.interrupted(exitstatus):
                session.exitstatus = PYTEST_INTERRUPTED
        finally:
            state.final_exit = int(session.exitstatus)
            state.interrupts.enter(DONE)

    def _publish(self, exitstatus: int | None = None) -> dict[str, Any]:
        """Write compliance.json and the reports built from it; the gate's decision."""
        state, config = self.state, self.config
        target = state.current_target
        gating = state.gating
        # the run-level result of requirement `schema`: every case's answers, merged
        schema = schema_result(state.records, gating=gating.schema_gating, only=state.only)
        if schema is not None:
            state.records.append(schema)
        allure_dir = getattr(config.option, "allure_report_dir", None)
        run = self.run_info()
        interruption = state.interruption(exitstatus)
        if interruption is not None:
            run["interrupted"] = interruption
        if state.halted is not None and state.halted.get("kind") == "forbidden":
            run["stopped"] = {k: v for k, v in state.halted.items() if k != "exit_code"}
        record = publish(self.records(), run, ReportSettings(
            state.reports, waivers=gating.waivers, baseline=gating.baseline,
            baseline_path=gating.baseline_path, strict_waivers=gating.strict_waivers,
            allure_dir=Path(allure_dir) if allure_dir else None,
            redact=target.redactor.text if target is not None else None))
        state.report_path = state.reports / "compliance.json"
        state.gate = record["gate"]
        self.record = record
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
        # the requirements the run was limited to: the filter's, or (a run narrowed by
        # node ids, -k, --lf ...) the ones it ran; empty for a full run
        selected = only or (sorted({r["requirement"] for r in self.records()})
                            if self.partial() else [])
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
            "requirement_filter": selected,
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
        tr = terminalreporter
        if not state.records:
            if not ran(state) and state.items and not config.option.collectonly:
                tr.section("conformance")
                tr.write_line(f"  no case ran: nothing published; {state.reports}/ keeps "
                              f"the previous run's reports")
            return
        tr.section("conformance")
        for text, colour in summary_lines(self.requirements(), gate=state.gate,
                                          partial=self.partial()):
            tr.write_line(text, **({colour: True} if colour else {}))
        findings = sum(len(r["findings"]) for r in state.records)
        if findings:
            tr.write_line(f"  {findings} informational finding(s): see compliance.json")
        for r in state.records:  # the run-level result of requirement schema, when not PASS
            if r["case_id"] == SCHEMA_CASE and r["verdict"] != "pass":
                tr.write_line(f"  schema: {r['reason']}", red=r["verdict"] == "fail")
        for finding in state.findings:
            tr.write_line(f"  capability finding: {finding}", yellow=True)
        tr.write_line(f"  target: {target_label(state)}")
        interruption = state.interruption(exitstatus)
        if interruption is not None:
            tr.write_line(f"  INTERRUPTED ({interruption['cause']}, during the "
                          f"{interruption['during']}): {interruption['ran']} of "
                          f"{interruption['collected']} item(s) ran, "
                          f"{len(interruption['not_run'])} not run", yellow=True)
        final = state.final_exit if state.final_exit is not None else exitstatus
        for reason in (state.gate or {}).get("reasons", []):
            tr.write_line(f"  gate: {reason}")
        if state.report_path:
            tr.write_line(f"  run record: {state.report_path}; HTML report: "
                          f"{state.report_path.with_suffix('.html')}")
        tr.write_line(f"  exit code {final}: {meaning(final)}", bold=True)

    def requirements(self) -> list[dict[str, Any]]:
        """Each requirement of the catalogue with its cases' verdicts (from the published
        record: waivers applied), or from the records when nothing was published."""
        if self.record is not None:
            return list(self.record["requirements"])
        from ..report.record import build_record
        return list(build_record(self.records(), {})["requirements"])

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


_WORDS = {"fail": "failed", "error": "could not tell (ERROR)", "skip": "skipped",
          "pass": "passed"}
_ORDER = ["fail", "error", "waived", "skip", "pass"]
_COLOURS = {"fail": "red", "error": "yellow", "waived": "yellow", "pass": "green"}


def summary_lines(requirements: list[dict[str, Any]], *, gate: dict[str, Any] | None,
                  partial: bool) -> list[tuple[str, str]]:
    """The conformance section's lines (text, colour): one line of totals first; then each
    requirement that did not pass, worst first, with how many of its cases failed ("4/7
    failed"); the passing ones in one line; the ones the run left out ("not run
    (filtered)") or that have no case ("not covered"). Lists end "…and N more"."""
    run = [r for r in requirements if r.get("cases")]
    left_out = sorted(r["id"] for r in requirements if not r.get("cases"))
    cases = Counter(c["verdict"] for r in run for c in r["cases"])
    headline = (gate or {}).get("headline") or _fallback_headline(cases)
    if partial and "partial run" not in headline:
        headline += (f" (partial run: {len(run)} of {len(requirements)} requirements "
                     f"selected)")
    totals = ", ".join(f"{cases[v]} {v.upper()}" for v in ("fail", "error", "pass", "skip")
                       if cases[v])
    scope = "" if "partial run" in headline else \
        f"; {len(run)} of {len(requirements)} requirement(s) run"
    lines = [(f"{headline}: {sum(cases.values())} case(s): {totals}{scope}",
              _COLOURS.get(_worst(cases), ""))]
    shown = {r["id"]: r.get("gate_verdict", r["verdict"]) for r in run}
    passing = []
    for r in sorted(run, key=lambda r: (_ORDER.index(shown[r["id"]])
                                        if shown[r["id"]] in _ORDER else 9, r["id"])):
        verdict = shown[r["id"]]
        if verdict == "pass":
            passing.append(r["id"])
            continue
        counts = Counter(c["verdict"] for c in r["cases"])
        total = len(r["cases"])
        parts = [f"{counts[v]}/{total} {_WORDS[v]}" for v in ("fail", "error", "skip")
                 if counts[v]]
        if verdict == "waived":
            parts.append("waived")
        if verdict == "skip":
            reason = next((c.get("reason") for c in r["cases"] if c.get("reason")), "")
            parts[-1] += f": {_short(reason)}" if reason else ""
        label = {"waived": "WAIVED"}.get(verdict, verdict.upper())
        lines.append((f"  {label:8} {r['id']}: {', '.join(parts)}", _COLOURS.get(verdict, "")))
    if passing:
        lines.append((f"  {'PASS':8} {len(passing)} requirement(s): {listed(passing)}",
                      "green"))
    if left_out:
        what = "not run (filtered)" if partial else "not covered (no case)"
        lines.append((f"  {what}: {len(left_out)} requirement(s): {listed(left_out)}", ""))
    return lines


def _short(text: str, width: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _worst(cases: Counter[str]) -> str:
    return next((v for v in ("fail", "error", "pass", "skip") if cases[v]), "")


def _fallback_headline(cases: Counter[str]) -> str:
    return {"fail": "Non-conformant", "error": "Could not tell"}.get(_worst(cases),
                                                                     "Conformant")
