"""The suite's mutation score: every named mock fault must make at least one case of its
requirement FAIL, and the correct mock must make every case PASS.

Runs the cases through the library (the same runner the plugin uses), one embedded mock
per fault. A suite-level requirement (``schema``: every answer valid against the schema)
has no case file: its run-level result, made from the answers of a sample of cases with
gating on (``conformance.schema_findings.run_case``), is what the fault must turn FAIL.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conformance import schema_findings
from conformance.cases import Case, case_files, load_case_file
from conformance.mock.faults import FAULTS
from conformance.runner import Verdict, run_case
from conformance.target import TargetConfig, TargetSession

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"


def _cases() -> dict[str, list[Case]]:
    by_req: dict[str, list[Case]] = defaultdict(list)
    for path in case_files(CASES_DIR):
        for case in load_case_file(path):
            by_req[case.requirement].append(case)
    return by_req


CASES = _cases()
#: suite-level requirement -> the requirements whose cases make its run-level result (cases
#: whose answers are schema-valid before and after the mock follows the schema everywhere)
RUN_LEVEL = {schema_findings.REQUIREMENT: ("auto-password", "access-anywhere-history")}


def _run(cases: list[Case], faults: list[str]) -> dict[str, list]:
    target = TargetSession(TargetConfig(faults=faults))
    try:
        return {c.full_id: run_case(c, target) for c in cases}
    finally:
        target.close()


@pytest.mark.parametrize("requirement", sorted(CASES))
def test_correct_mock_passes_every_case(requirement: str) -> None:
    results = _run(CASES[requirement], [])
    bad = {cid: f"{r.verdict}: {r.reason} {r.differences}" for cid, r in results.items()
           if r.verdict is not Verdict.PASS}
    assert not bad


def _run_level(requirement: str, faults: list[str]) -> dict[str, Any]:
    """The run-level result of a suite-level requirement, with gating on."""
    cases = [c for req in RUN_LEVEL[requirement] for c in CASES[req]]
    results = _run(cases, faults)
    record = schema_findings.run_case([r.to_dict() for r in results.values()], gating=True)
    assert record is not None, "no answer was checked"
    return {record["case_id"]: SimpleNamespace(verdict=Verdict(record["verdict"]),
                                               reason=record["reason"],
                                               differences=record["differences"])}


@functools.cache
def _fault_results(fault: str) -> dict[str, Any]:
    """The cases of the fault's requirement run with the fault (once per process)."""
    requirement = FAULTS[fault].requirement
    if requirement in RUN_LEVEL:
        return _run_level(requirement, [fault])
    return _run(CASES[requirement], [fault])


@pytest.mark.parametrize("requirement", sorted(RUN_LEVEL))
def test_correct_mock_passes_the_run_level_requirement(requirement: str) -> None:
    results = _run_level(requirement, [])
    bad = {cid: f"{r.verdict}: {r.reason} {r.differences}" for cid, r in results.items()
           if r.verdict is not Verdict.PASS}
    assert not bad


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_caught(fault: str) -> None:
    requirement = FAULTS[fault].requirement
    assert requirement in CASES or requirement in RUN_LEVEL, \
        f"fault {fault} breaks {requirement}, which has no case"
    results = _fault_results(fault)
    verdicts = {cid: r.verdict for cid, r in results.items()}
    assert Verdict.FAIL in verdicts.values(), (
        f"no case of {requirement} fails with fault {fault}: {verdicts}")
    errors = {cid: results[cid].reason for cid, v in verdicts.items() if v is Verdict.ERROR}
    assert not errors, f"a fault must give FAIL, not ERROR: {errors}"


def test_every_named_requirement_has_faults() -> None:
    for requirement in ("private-meeting", "registration-form-040014", "email-whitespace",
                        "pmr-key-retention"):
        assert any(f.requirement == requirement for f in FAULTS.values())


def test_every_case_can_fail() -> None:
    """Each case, not just each requirement, is turned red by at least one named fault: a
    case no deviation of the mock can fail would be a check that cannot fail."""
    failed = {cid for fault, f in FAULTS.items() if f.requirement in CASES
              for cid, r in _fault_results(fault).items() if r.verdict is Verdict.FAIL}
    never = sorted(c.full_id for cases in CASES.values() for c in cases
                   if c.full_id not in failed)
    assert not never, f"cases no mock fault makes FAIL: {never}"
