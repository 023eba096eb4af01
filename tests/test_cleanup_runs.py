"""Runs against the standalone mock leave nothing with their prefix: with faults that
create objects the ledger cannot know (found by the end-of-run sweep), and when the run
is interrupted by SIGINT midway. The mock's control state is the proof."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from standalone_mock import ROOT, left_with_prefix, standalone_mock

FAULTS = ("email-rejected-but-applied", "040014-attendee-created", "private-flag-missing")
CASES = ["cases/email-whitespace.yaml", "cases/registration-form-040014.yaml",
         "cases/private-meeting.yaml"]


def _pytest(reports: Path, prefix: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pytest", *CASES, "-q", "-p", "no:cacheprovider",
            f"--conformance-reports={reports}", f"--conformance-prefix={prefix}", *extra]


def test_run_with_faults_leaves_nothing(tmp_path: Path) -> None:
    prefix = "wxcflt01"
    args = [a for f in FAULTS for a in ("--fault", f)]
    with standalone_mock(*args) as mock:
        run = subprocess.run(_pytest(tmp_path, prefix, "--conformance-fail-on-leak"),
                             cwd=ROOT, env=mock.env(), capture_output=True, text=True,
                             timeout=600)
        assert run.returncode == 1, run.stdout[-3000:]  # FAILs, no leak (that would be 7)
        state = mock.state(prefix)
    assert left_with_prefix(state) == {}, state["objects"]
    cleanup = json.loads((tmp_path / "cleanup.json").read_text("utf-8"))
    assert cleanup["prefix"] == prefix and cleanup["checked"] == "mock state"
    assert cleanup["left"] == []
    # email-rejected-but-applied creates what the ledger never saw: the sweep found it
    assert cleanup["swept"], cleanup
    # users are deactivated, not deleted, and reported as such
    assert cleanup["deactivated_users"] == sorted(state["objects"]["deactivated_users"])
    assert cleanup["deactivated_users"]
    assert "nothing with the run prefix left" in run.stdout


def test_sigint_midway_leaves_nothing(tmp_path: Path) -> None:
    prefix = "wxcint02"
    with standalone_mock("--latency", "0.03") as mock:
        process = subprocess.Popen(_pytest(tmp_path, prefix), cwd=ROOT, env=mock.env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 120
            # midway: once the run has created something
            while time.monotonic() < deadline and process.poll() is None:
                objects = mock.state(prefix)["objects"]
                if objects["meetings"] or objects["records"] or objects["deactivated_users"]:
                    break
                time.sleep(0.05)
            time.sleep(0.3)
            assert process.poll() is None, "the run ended before it could be interrupted"
            process.send_signal(signal.SIGINT)
            out, _ = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert process.returncode == 2, out[-3000:]  # pytest's "interrupted"
        assert "KeyboardInterrupt" in out
        state = mock.state(prefix)
    assert left_with_prefix(state) == {}, state["objects"]
    cleanup = json.loads((tmp_path / "cleanup.json").read_text("utf-8"))
    assert cleanup["left"] == []
    assert cleanup["deactivated_users"] == sorted(state["objects"]["deactivated_users"])
    assert "Adm1n-Passw0rd!" not in out
