"""Issue 13 item 6 and 9 as units: an interrupted run's gate is "interrupted" (exit 2), never
"Conformant"; an interrupted baseline is compared only on what it ran; what a signal does in
each phase of a run; the session's exit status."""

from __future__ import annotations

import signal
from typing import Any

import pytest

from conformance._pytest.gate import exit_status
from conformance._pytest.interrupt import CLEANUP, REPORTS, CleanupAborted, Interrupts
from conformance.report import build_record, compare, gate
from conformance.report.html import render_html

RUN = {"suite_version": "x", "target": "embedded mock", "url": None, "site_name": "s",
       "api_version": "40.12.0", "start": "2026-01-01T00:00:00+00:00",
       "end": "2026-01-01T00:01:00+00:00"}


def _case(req: str, cid: str, verdict: str) -> dict[str, Any]:
    return {"case_id": f"{req}::{cid}", "requirement": req, "title": cid, "since": "40.1.0",
            "source": {}, "apis": [], "params": {}, "verdict": verdict, "reason": "",
            "differences": [], "findings": [], "steps": [], "cleanup": [], "leftovers": [],
            "evidence": None, "duration_ms": 1.0}


INTERRUPTED = {"cause": "SIGTERM", "during": "cases", "cleanup_aborted": False,
               "collected": 78, "ran": 11, "in_progress": "cases/x.yaml::c",
               "not_run": [f"cases/x.yaml::n{i}" for i in range(66)]}


def test_an_interrupted_run_is_never_conformant() -> None:
    cases = [_case("envelope", "a", "pass"), _case("envelope", "b", "pass")]
    complete = gate(build_record(cases, RUN))
    assert complete["outcome"] == "conformant" and complete["exit_code"] == 0
    record = build_record(cases, {**RUN, "interrupted": INTERRUPTED})
    decision = gate(record)
    assert decision["outcome"] == "interrupted" and decision["exit_code"] == 2
    assert decision["headline"] == "Interrupted (SIGTERM): 11 of 78 item(s) ran"
    assert decision["reasons"][0].startswith("interrupted (SIGTERM, during the cases): 11 of "
                                             "78 item(s) ran, 66 did not; cases/x.yaml::c was "
                                             "running")
    record["gate"] = decision
    html = render_html(record)
    assert 'data-outcome="interrupted"' in html and "66 not run" in html


def test_an_interrupted_run_with_a_fail_is_still_interrupted() -> None:
    record = build_record([_case("envelope", "a", "fail")], {**RUN, "interrupted": INTERRUPTED})
    decision = gate(record)
    assert decision["outcome"] == "interrupted" and decision["exit_code"] == 2
    assert decision["failing_cases"] == ["envelope::a"]
    assert any("failing case(s)" in r for r in decision["reasons"])


def test_an_interrupted_baseline_is_compared_only_on_what_it_ran() -> None:
    before = build_record([_case("envelope", "a", "pass")],
                          {**RUN, "interrupted": INTERRUPTED})
    now = build_record([_case("envelope", "a", "pass"), _case("envelope", "b", "fail"),
                        _case("private-meeting", "p", "pass")], RUN)
    comparison = compare(now, before, "previous/compliance.json")
    # envelope::b did not run in the baseline: not "newly failing"; private-meeting did not
    # run at all: not "newly passing"
    assert comparison["newly_failing"] == [] and comparison["newly_passing"] == []
    assert [c["id"] for c in comparison["not_compared"]] == ["private-meeting"]
    assert comparison["baseline"]["interrupted"] is True
    assert "compared only on the cases it ran" in comparison["baseline"]["note"]
    # a complete baseline compares everything, as before
    full = compare(now, build_record([_case("envelope", "a", "pass")], RUN))
    assert [c["id"] for c in full["newly_failing"]] == ["envelope"]
    assert "not_compared" not in full


def test_the_session_exit_status() -> None:
    assert exit_status(exitstatus=0, gate={"exit_code": 0}, recorded=True,
                       interrupted=True) == 2  # a swallowed signal: not "complete"
    assert exit_status(exitstatus=1, gate={"exit_code": 1}, recorded=True,
                       interrupted=True) == 2
    assert exit_status(exitstatus=2, gate={"exit_code": 6}, recorded=True, stopped=6) == 6
    assert exit_status(exitstatus=2, case_file_errors=1, interrupted=True) == 4


class _Session:
    shouldstop: Any = False


def _signal(intr: Interrupts, sig: signal.Signals = signal.SIGINT) -> None:
    intr._handler(sig, None)  # noqa: SLF001 - the handler itself, without a real signal


def test_a_signal_while_the_cases_run_stops_the_run() -> None:
    intr = Interrupts()
    intr.session = _Session()
    with pytest.raises(KeyboardInterrupt):
        _signal(intr, signal.SIGTERM)
    assert intr.signal == "SIGTERM" and intr.during == "cases" and not intr.aborted
    assert intr.session.shouldstop == "interrupted by SIGTERM"  # even if swallowed
    with pytest.raises(KeyboardInterrupt):
        _signal(intr)  # a second one: the case's clean-up too, and the final one
    assert intr.aborted and intr.signal == "SIGTERM"


def test_in_the_final_clean_up_the_first_is_noted_the_second_aborts(capsys) -> None:
    intr = Interrupts()
    intr.enter(CLEANUP)
    _signal(intr)  # noted
    assert "finishing the clean-up" in capsys.readouterr().err and not intr.aborted
    with intr.abortable(), pytest.raises(CleanupAborted):
        _signal(intr)
    assert intr.aborted and intr.during == CLEANUP


def test_while_the_reports_are_written_signals_are_noted_only(capsys) -> None:
    intr = Interrupts()
    intr.enter(REPORTS)
    for _ in range(3):
        _signal(intr)
    assert intr.count == 3 and intr.during == REPORTS and not intr.aborted
    assert "finished first" in capsys.readouterr().err
