"""``pytest -n 4`` (pytest-xdist) gives the same verdict per case as a serial run, against
the embedded mock and against one standalone mock shared by the workers (by URL); the run
record is written once by the controller with every worker's results, one run prefix for
all workers, and nothing is left."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from standalone_mock import ROOT, left_with_prefix, standalone_mock

pytest.importorskip("xdist")

# A subset that mixes PASS and FAIL (a fault) and includes cases that change site-wide
# state of the mock (settings, clock) while others run.
CASES = ["cases/private-meeting.yaml", "cases/auto-password.yaml",
         "cases/pmr-key-retention.yaml", "cases/past-start-060016.yaml",
         "cases/envelope.yaml"]
FAULT = "private-flag-missing"


def _run(reports: Path, prefix: str, env: dict[str, str] | None, *extra: str
         ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", *CASES, "-q", "-p",
                           "no:cacheprovider", f"--conformance-reports={reports}",
                           f"--conformance-prefix={prefix}", *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def _verdicts(reports: Path) -> dict[str, str]:
    record = json.loads((reports / "compliance.json").read_text("utf-8"))
    return {case["case_id"]: case["verdict"]
            for req in record["requirements"] for case in req.get("cases", [])}


def _env() -> dict[str, str]:
    import os
    return {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}


def test_parallel_equals_serial_on_the_embedded_mock(tmp_path: Path) -> None:
    serial = _run(tmp_path / "serial", "wxcser01", _env(), f"--conformance-faults={FAULT}")
    parallel = _run(tmp_path / "par", "wxcpar01", _env(), f"--conformance-faults={FAULT}",
                    "-n", "4")
    assert serial.returncode == parallel.returncode == 1, parallel.stdout[-3000:]
    a, b = _verdicts(tmp_path / "serial"), _verdicts(tmp_path / "par")
    assert a == b
    assert {"pass", "fail"} <= set(a.values())
    record = json.loads((tmp_path / "par" / "compliance.json").read_text("utf-8"))
    assert record["run"]["prefix"] == "wxcpar01"
    assert len(a) >= 15  # every worker's results, in the one record of the controller


def test_parallel_equals_serial_by_url(tmp_path: Path) -> None:
    with standalone_mock("--fault", FAULT) as mock:
        serial = _run(tmp_path / "serial", "wxcser02", mock.env())
        parallel = _run(tmp_path / "par", "wxcpar02", mock.env(), "-n", "4")
        states = {p: mock.state(p) for p in ("wxcser02", "wxcpar02")}
    assert serial.returncode == parallel.returncode == 1, parallel.stdout[-3000:]
    a, b = _verdicts(tmp_path / "serial"), _verdicts(tmp_path / "par")
    assert a == b
    assert {"pass", "fail"} <= set(a.values())
    for prefix, state in states.items():
        assert left_with_prefix(state) == {}, (prefix, state["objects"])
    # every worker named its objects with the one run prefix, and never the same name twice
    users = states["wxcpar02"]["objects"]["deactivated_users"]
    assert users and all(u.startswith("wxcpar02") for u in users)
    assert len(users) == len(set(users))


def test_case_record_survives_xdist_serialisation() -> None:
    """Case records hold YAML-derived values (LineDict, dates): they reach the controller
    as plain JSON values (execnet cannot send the others)."""
    import datetime
    from types import SimpleNamespace

    import execnet

    from conformance.cases import LineDict
    from conformance.safety import SafetyPlugin

    params = LineDict({"api": "GetMeeting", "when": datetime.date(2030, 1, 2)})
    report = SimpleNamespace(conformance={"case_id": "x::y", "verdict": "pass",
                                          "params": params})
    with pytest.raises(execnet.DataFormatError):
        execnet.dumps(report.conformance)
    SafetyPlugin.pytest_report_to_serializable(None, None, report)  # type: ignore[arg-type]
    assert report.conformance["params"] == {"api": "GetMeeting", "when": "2030-01-02"}
    assert execnet.loads(execnet.dumps(report.conformance)) == report.conformance
