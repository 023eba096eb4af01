"""Runs of the conformance suite in a subprocess, against the embedded mock, on a copy of a
few case files; cached per argument list for the whole test session."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INI = "[pytest]\ntestpaths = cases\nconformance_cases = cases\njunit_family = xunit1\n"
CASES = ("_steps.yaml", "private-meeting.yaml", "envelope.yaml")  # + the shared steps
FAULT = "private-flag-missing"  # a departure from private-meeting (conformance/mock/faults.py)


@dataclass
class SuiteRun:
    returncode: int
    output: str
    reports: Path

    @property
    def record(self) -> dict[str, Any]:
        return json.loads((self.reports / "compliance.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def suite_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("suite")
    (project / "pytest.ini").write_text(INI, "utf-8")
    (project / "cases").mkdir()
    for name in CASES:
        shutil.copy(ROOT / "cases" / name, project / "cases" / name)
    return project


@pytest.fixture(scope="session")
def run_suite(suite_project: Path) -> Callable[..., SuiteRun]:
    cache: dict[tuple[str, ...], SuiteRun] = {}

    def run(*args: str, name: str) -> SuiteRun:
        key = (name, *args)
        if key not in cache:
            reports = suite_project / "runs" / name
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 f"--conformance-reports={reports}", *args],
                cwd=suite_project, capture_output=True, text=True, timeout=300)
            cache[key] = SuiteRun(proc.returncode, proc.stdout + proc.stderr, reports)
        return cache[key]

    return run


@pytest.fixture(scope="session")
def fault_run(run_suite: Callable[..., SuiteRun]) -> SuiteRun:
    """private-meeting and envelope with one fault injected: private-meeting fails."""
    return run_suite("--conformance-requirement=private-meeting,envelope",
                     f"--conformance-faults={FAULT}", name="fault")


@pytest.fixture
def make_waivers(tmp_path: Path) -> Callable[..., Path]:
    """make_waivers(expires, requirement=... | case=...) -> a waiver file."""
    return lambda expires, **target: _write_waivers(tmp_path / f"waivers-{expires}.yaml",
                                                    expires, **target)


def _write_waivers(path: Path, expires: str, **target: str) -> Path:
    entry = {"requirement": "private-meeting", **target} if not target else dict(target)
    lines = ["waivers:"]
    first = True
    for key, value in {**entry, "reason": "fix scheduled for the next site upgrade",
                       "owner": "jane.doe", "issue": "https://tracker.example.com/WBX-1234",
                       "expires": expires}.items():
        lines.append(f"  {'- ' if first else '  '}{key}: {value}")
        first = False
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path
