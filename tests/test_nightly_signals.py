"""Issue 13, items 3, 6 and 9, in real subprocesses receiving SIGTERM and SIGINT: CI's cancel
(SIGTERM) is handled like the first Ctrl-C (clean-up, then the reports, marked interrupted);
the run prefix is printed at the start, so a ``kill -9`` can be swept; Ctrl-C while the
reports are written, a double Ctrl-C and a swallowed KeyboardInterrupt each end with exit
2, no traceback, and a record marked interrupted.

Before: SIGTERM killed the run (objects left, no record); an interrupted run published
"Conformant", exit_code 0; Ctrl-C while publishing and a double Ctrl-C gave tracebacks and
exit 130; a swallowed signal let the run go on and report exit 1 as if complete."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from live_run import LiveRun, clean_env, project
from standalone_mock import ROOT, left_with_prefix, standalone_mock

from conformance.mock import DEFAULT_ADMIN

CASES = ("email-whitespace.yaml", "private-meeting.yaml")
TRACEBACK = "Traceback (most recent call last)"


def _record(reports: Path) -> dict:
    return json.loads((reports / "compliance.json").read_text("utf-8"))


def _wait_for_objects(mock, prefix: str, run: LiveRun, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and run.process.poll() is None:
        objects = mock.state(prefix)["objects"]
        if objects["meetings"] or objects["records"] or objects["deactivated_users"]:
            return
        time.sleep(0.05)
    raise AssertionError(f"the run created nothing to interrupt:\n{run.output[-2000:]}")


def _validate(path: Path) -> None:
    check = subprocess.run([sys.executable, "-m", "conformance.report", "validate",
                            str(path)], capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stderr


def test_sigterm_midway_cleans_up_and_writes_an_interrupted_record(tmp_path: Path) -> None:
    prefix = "wxcterm1"
    proj = project(tmp_path / "p", *CASES)
    reports = tmp_path / "reports"
    with standalone_mock("--latency", "0.03") as mock:
        run = LiveRun(proj, "-q", f"--conformance-reports={reports}",
                      f"--conformance-prefix={prefix}", env=mock.env())
        try:
            # the prefix comes first, before any case (a kill -9 can be swept)
            first = run.wait_for("run prefix")
            assert f"run prefix {prefix}" in first and "conformance.sweep --prefix" in first
            assert "********" in first or DEFAULT_ADMIN[1] not in first
            _wait_for_objects(mock, prefix, run)
            time.sleep(0.3)
            run.send(signal.SIGTERM)
            code = run.finish()
        finally:
            run.kill()
        state = mock.state(prefix)
    out = run.output
    assert code == 2, out[-3000:]
    assert TRACEBACK not in out and DEFAULT_ADMIN[1] not in out
    assert left_with_prefix(state) == {}, state["objects"]  # the meeting is gone too
    record = _record(reports)
    interrupted = record["run"]["interrupted"]
    assert interrupted["cause"] == "SIGTERM" and interrupted["during"] == "cases"
    assert 0 < interrupted["ran"] < interrupted["collected"]
    assert len(interrupted["not_run"]) >= interrupted["collected"] - interrupted["ran"] - 1
    gate = record["gate"]
    assert gate["outcome"] == "interrupted" and gate["exit_code"] == 2
    assert gate["headline"].startswith("Interrupted (SIGTERM)")
    assert "Conformant" not in gate["headline"]
    html = (reports / "compliance.html").read_text("utf-8")
    assert 'data-outcome="interrupted"' in html and "Interrupted (SIGTERM)" in html
    cleanup = json.loads((reports / "cleanup.json").read_text("utf-8"))
    assert cleanup["left"] == [] and cleanup["checked"] == "mock state"
    assert "INTERRUPTED (SIGTERM" in out
    _validate(reports / "compliance.json")


def test_the_printed_prefix_lets_the_sweep_follow_a_kill_9(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", *CASES)
    with standalone_mock("--latency", "0.03") as mock:
        run = LiveRun(proj, "-q", f"--conformance-reports={tmp_path / 'r'}", env=mock.env())
        try:
            line = run.wait_for("run prefix")
            prefix = re.search(r"run prefix (wxc[a-z0-9]{5})", line).group(1)
            _wait_for_objects(mock, prefix, run)
            time.sleep(0.3)
            run.process.send_signal(signal.SIGKILL)  # no clean-up, no reports
            run.finish()
        finally:
            run.kill()
        before = left_with_prefix(mock.state(prefix))
        sweep = subprocess.run([sys.executable, "-m", "conformance.sweep", "--prefix", prefix],
                               cwd=ROOT, env=mock.env(), capture_output=True, text=True,
                               timeout=120)
        after = mock.state(prefix)
    assert before, "the kill left nothing: the test proves nothing"
    assert sweep.returncode == 0, sweep.stdout + sweep.stderr
    assert left_with_prefix(after) == {}, after["objects"]


SLOW_PUBLISH = """
import importlib, sys, time
publish = importlib.import_module("conformance.report.publish")  # the module, not publish()
_write_html = publish.write_html
def slow_write_html(record, path):
    sys.stderr.write("MARK publishing\\n"); sys.stderr.flush()
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        time.sleep(0.05)
    return _write_html(record, path)
publish.write_html = slow_write_html

def pytest_sessionfinish(session):
    # a secret in the reports: the scan after the reports must still find it
    from pathlib import Path
    from conformance.mock import DEFAULT_ADMIN
    out = Path(session.config.getoption("conformance_reports")) / "planted.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("leaked: " + DEFAULT_ADMIN[1], "utf-8")
"""


def test_ctrl_c_while_the_reports_are_written(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", "envelope.yaml", conftest=SLOW_PUBLISH)
    reports = tmp_path / "reports"
    run = LiveRun(proj, "-q", f"--conformance-reports={reports}")
    try:
        run.wait_for("MARK publishing")
        run.send(signal.SIGINT)
        code = run.finish()
    finally:
        run.kill()
    out = run.output
    assert code == 2, out[-3000:]
    assert TRACEBACK not in out and "KeyboardInterrupt" not in out
    assert "the run is writing its reports; they are finished first" in out
    record = _record(reports)
    assert record["run"]["interrupted"]["during"] == "reports"
    assert record["run"]["interrupted"]["not_run"] == []  # every case had run
    assert record["gate"]["outcome"] == "interrupted"
    assert (reports / "compliance.html").is_file()
    # the secret scan ran after the reports (pytest's 2 stands, the finding is printed)
    assert "SECRET FOUND" in out and "planted.txt" in out


SLOW_CLEANUP = """
import sys, time
import conformance.safety as safety
_teardown = safety.teardown_ledger
def slow_teardown(target):
    sys.stderr.write("MARK final clean-up\\n"); sys.stderr.flush()
    end = time.monotonic() + 20
    while time.monotonic() < end:
        time.sleep(0.05)
    return _teardown(target)
safety.teardown_ledger = slow_teardown

SEEN = []
def pytest_runtest_setup(item):
    SEEN.append(item)
    if len(SEEN) == 2:  # a case ran: the target exists
        sys.stderr.write(f"MARK case {item.name}\\n"); sys.stderr.flush()
        time.sleep(2)
"""


def test_double_ctrl_c_aborts_the_clean_up_exit_2_no_traceback(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", "envelope.yaml", conftest=SLOW_CLEANUP)
    reports = tmp_path / "reports"
    run = LiveRun(proj, "-q", "-s", f"--conformance-reports={reports}")  # -s: the marks
    try:
        run.wait_for("MARK case")
        run.send(signal.SIGINT)
        run.wait_for("MARK final clean-up")
        time.sleep(0.3)
        run.send(signal.SIGINT)
        code = run.finish(timeout=60)
    finally:
        run.kill()
    out = run.output
    assert code == 2, out[-3000:]
    assert TRACEBACK not in out
    assert run.elapsed < 15, "the second Ctrl-C did not abort the clean-up"
    record = _record(reports)
    interrupted = record["run"]["interrupted"]
    assert interrupted["cause"] == "SIGINT" and interrupted["cleanup_aborted"] is True
    assert record["gate"]["outcome"] == "interrupted"
    assert any("sweep the run prefix" in r for r in record["gate"]["reasons"])
    cleanup = json.loads((reports / "cleanup.json").read_text("utf-8"))
    assert any("aborted by a second interrupt" in e for e in cleanup["errors"]), cleanup
    assert "clean-up problem: clean-up aborted by a second interrupt" in out


SWALLOWING = """
import sys, time

def test_swallows_the_interrupt():
    sys.stderr.write("MARK swallowing\\n"); sys.stderr.flush()
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            time.sleep(0.05)
        except KeyboardInterrupt:  # as hypothesis once did
            break

def test_after_the_interrupt():
    sys.stderr.write("MARK ran after the interrupt\\n")
"""


def test_a_swallowed_interrupt_still_stops_the_run(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", "envelope.yaml", fuzz={"test_swallow.py": SWALLOWING})
    reports = tmp_path / "reports"
    run = LiveRun(proj, "-q", "-s", f"--conformance-reports={reports}", env=clean_env())
    try:
        run.wait_for("MARK swallowing")
        run.send(signal.SIGINT)
        code = run.finish(timeout=60)
    finally:
        run.kill()
    out = run.output
    assert code == 2, out[-3000:]  # not 0 or 1 "as if complete"
    assert "MARK ran after the interrupt" not in out
    assert TRACEBACK not in out
    record = _record(reports)
    assert record["run"]["interrupted"]["cause"] == "SIGINT"
    assert any(n.endswith("test_after_the_interrupt")
               for n in record["run"]["interrupted"]["not_run"])
    assert record["gate"]["outcome"] == "interrupted"
