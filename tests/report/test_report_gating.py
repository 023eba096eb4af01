"""The release gate end to end: a fault, an unreachable site, waivers, a baseline, in
subprocess runs of the suite against the embedded mock."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.mock import DEFAULT_ADMIN

FAULT = "private-flag-missing"  # the fault the fault_run fixture injects (conftest.py)
SuiteRun = Any  # conftest.SuiteRun: returncode, output, reports, record

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "conformance" / "data" /
                     "compliance.schema.json").read_text("utf-8"))
SELECT = "--conformance-requirement=private-meeting,envelope"


def _valid(record: dict) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA,
                                                format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def _by_id(record: dict) -> dict[str, dict]:
    return {r["id"]: r for r in record["requirements"]}


def _no_secret(run: SuiteRun, secret: str = DEFAULT_ADMIN[1]) -> None:
    assert secret not in run.output
    for path in run.reports.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text("utf-8", "replace"), path


def test_fault_is_nonconformance_with_evidence(fault_run: SuiteRun) -> None:
    assert fault_run.returncode == 1, fault_run.output
    record = fault_run.record
    _valid(record)
    req = _by_id(record)["private-meeting"]
    assert req["verdict"] == req["gate_verdict"] == "fail"
    failing = [c for c in req["cases"] if c["verdict"] == "fail"]
    assert failing and all(c["evidence"]["request"] and c["evidence"]["response"]
                           for c in failing)
    assert "ep:isPrivateMeeting: expected 'true', got <absent>" in failing[0]["differences"]
    assert "********" in failing[0]["evidence"]["request"]
    assert record["gate"]["outcome"] == "non-conformant"
    assert record["gate"]["exit_code"] == 1
    assert record["run"]["options"]["faults"] == [FAULT]
    assert record["run"]["api_version"] == "40.12.0"
    html = (fault_run.reports / "compliance.html").read_text("utf-8")
    assert "Non-conformant" in html and 'data-requirement="private-meeting"' in html
    _no_secret(fault_run)


def test_unreachable_site_is_infrastructure_exit_6(run_suite: Callable[..., SuiteRun]) -> None:
    run = run_suite(SELECT, "--conformance-url=http://127.0.0.1:9/WBXService/XMLService",
                    "--conformance-site-name=x", "--conformance-webex-id=admin",
                    "--conformance-password=Canary-Secret-123", "--conformance-timeout=2",
                    name="unreachable")
    assert run.returncode == 6, run.output
    record = run.record
    _valid(record)
    # fail fast (issue 12): discovery could not reach it, the run stopped before any case
    assert record["gate"]["outcome"] == "stopped"
    assert record["run"]["stopped"]["kind"] == "unreachable"
    assert record["run"]["url"] == "http://127.0.0.1:9/WBXService/XMLService"
    _no_secret(run, "Canary-Secret-123")


def test_waived_fault_exits_0(run_suite: Callable[..., SuiteRun],
                              make_waivers: Callable[..., Path]) -> None:
    waivers = make_waivers("2999-12-31")
    run = run_suite(SELECT, f"--conformance-faults={FAULT}",
                    f"--conformance-waivers={waivers}", name="waived")
    assert run.returncode == 0, run.output
    record = run.record
    _valid(record)
    req = _by_id(record)["private-meeting"]
    assert req["verdict"] == "fail" and req["gate_verdict"] == "waived"
    assert record["gate"]["outcome"] == "conformant-with-waivers"
    assert [w["status"] for w in record["waivers"]] == ["active"]
    assert "3 xfailed" in run.output
    junit = (run.reports / "junit.xml").read_text("utf-8")
    assert "<failure" not in junit and "waived until" in junit


def test_expired_waiver_fails_the_gate(run_suite: Callable[..., SuiteRun],
                                       make_waivers: Callable[..., Path]) -> None:
    waivers = make_waivers("2020-01-31")
    run = run_suite(SELECT, f"--conformance-faults={FAULT}",
                    f"--conformance-waivers={waivers}", name="expired")
    assert run.returncode == 1, run.output
    record = run.record
    assert [w["status"] for w in record["waivers"]] == ["expired"]
    assert _by_id(record)["private-meeting"]["gate_verdict"] == "fail"
    assert any("expired" in r for r in record["gate"]["reasons"])


def test_case_waiver_covers_only_its_case(run_suite: Callable[..., SuiteRun],
                                          make_waivers: Callable[..., Path]) -> None:
    waivers = make_waivers("2999-12-31", case="private-meeting::reports-private-flag[private]")
    run = run_suite(SELECT, f"--conformance-faults={FAULT}",
                    f"--conformance-waivers={waivers}", name="case-waiver")
    assert run.returncode == 1, run.output
    assert run.record["gate"]["waived_cases"] == ["private-meeting::reports-private-flag[private]"]


@pytest.mark.parametrize("strict, code", [(False, 0), (True, 1)])
def test_stale_waiver_fails_only_when_strict(run_suite: Callable[..., SuiteRun],
                                             make_waivers: Callable[..., Path],
                                             strict: bool, code: int) -> None:
    waivers = make_waivers("2999-12-31")
    extra = ["--conformance-strict-waivers"] if strict else []
    run = run_suite(SELECT, f"--conformance-waivers={waivers}", *extra,
                    name=f"stale-{strict}")
    assert run.returncode == code, run.output
    assert [w["status"] for w in run.record["waivers"]] == ["stale"]
    assert "stale waiver" in run.output


def test_baseline_lists_newly_failing_first(run_suite: Callable[..., SuiteRun],
                                            tmp_path: Path) -> None:
    good = run_suite(SELECT, name="conformant")
    assert good.returncode == 0, good.output
    baseline = tmp_path / "previous.json"
    baseline.write_text((good.reports / "compliance.json").read_text("utf-8"), "utf-8")
    run = run_suite(SELECT, f"--conformance-faults={FAULT}",
                    f"--conformance-baseline={baseline}", name="baseline")
    assert run.returncode == 1, run.output
    comparison = run.record["comparison"]
    _valid(run.record)
    assert [c["id"] for c in comparison["newly_failing"]] == ["private-meeting"]
    assert comparison["newly_failing"][0]["before"] == "pass"
    assert comparison["newly_passing"] == comparison["newly_skipped"] == []
    html = (run.reports / "compliance.html").read_text("utf-8")
    head = html[html.index('id="headline"'):html.index('id="run"')]
    assert "Newly failing (1)" in head and "private-meeting" in head


@pytest.mark.parametrize("content, field", [
    ("waivers:\n  - requirement: private-meeting\n    reason: r\n    owner: o\n"
     "    issue: not-a-link\n    expires: 2999-01-01\n", "waivers[0].issue"),
    ("waivers:\n  - requirement: no-such-requirement\n    reason: r\n    owner: o\n"
     "    issue: https://x.example/1\n    expires: 2999-01-01\n", "waivers[0].requirement"),
    ("waivers:\n  - requirement: envelope\n    reason: r\n    owner: o\n"
     "    issue: https://x.example/1\n    expires: soon\n", "waivers[0].expires"),
    ("waivers:\n  - requirement: envelope\n    owner: o\n"
     "    issue: https://x.example/1\n    expires: 2999-01-01\n", "waivers[0].reason"),
])
def test_malformed_waiver_file_is_usage_error(run_suite: Callable[..., SuiteRun],
                                              tmp_path: Path, content: str,
                                              field: str) -> None:
    path = tmp_path / "bad-waivers.yaml"
    path.write_text(content, "utf-8")
    run = run_suite(f"--conformance-waivers={path}", name=f"bad-{field}")
    assert run.returncode == 4, run.output
    assert "bad-waivers.yaml" in run.output and f"field '{field}'" in run.output
    assert "Traceback" not in run.output


def test_bad_baseline_is_usage_error(run_suite: Callable[..., SuiteRun], tmp_path: Path) -> None:
    path = tmp_path / "previous.json"
    path.write_text('{"not": "a record"}', "utf-8")
    run = run_suite(f"--conformance-baseline={path}", name="bad-baseline")
    assert run.returncode == 4, run.output
    assert "previous.json" in run.output and "baseline" in run.output
