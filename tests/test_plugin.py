"""The plugin end to end, in a subprocess pytest run on a copy of some case files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conformance.mock import DEFAULT_ADMIN

ROOT = Path(__file__).resolve().parent.parent
INI = "[pytest]\ntestpaths = cases\nconformance_cases = cases\n"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".ini", pytest=INI)
    (pytester.path / "cases").mkdir()
    for name in ("_steps.yaml", "private-meeting.yaml", "envelope.yaml"):
        shutil.copy(ROOT / "cases" / name, pytester.path / "cases" / name)
    return pytester


def _record(p: pytest.Pytester) -> dict:
    return json.loads((p.path / "reports" / "compliance.json").read_text("utf-8"))


def test_conformant_run_writes_reports_and_exits_0(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    record = _record(project)
    by_id = {r["id"]: r for r in record["requirements"]}
    assert by_id["private-meeting"]["verdict"] == "pass"
    assert by_id["pmr-key-retention"]["verdict"] == "not-covered"
    assert len(by_id) == 34  # the 33 documented behaviours and the suite-level schema
    assert (project.path / "reports" / "junit.xml").exists()
    junit = (project.path / "reports" / "junit.xml").read_text("utf-8")
    assert 'name="requirement" value="private-meeting"' in junit
    assert any((project.path / "reports" / "allure-results").iterdir())
    everything = "".join(p.read_text("utf-8", "replace")
                         for p in (project.path / "reports").rglob("*") if p.is_file())
    assert DEFAULT_ADMIN[1] not in everything


def test_fault_gives_fail_exit_1_and_readable_differences(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider",
                                          "--conformance-faults=private-flag-missing")
    assert result.ret == 1
    out = result.stdout.str()
    assert "FAIL: private-meeting" in out
    assert "ep:isPrivateMeeting: expected 'true', got <absent>" in out
    assert "Traceback" not in out and "conformance/runner.py" not in out
    assert DEFAULT_ADMIN[1] not in out and "********" in out
    assert _record(project)["run"]["faults"] == ["private-flag-missing"]
    by_id = {r["id"]: r for r in _record(project)["requirements"]}
    assert by_id["private-meeting"]["verdict"] == "fail"
    assert by_id["envelope"]["verdict"] == "pass"


def test_unreachable_site_is_error_exit_6(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(
        "-p", "no:cacheprovider", "--conformance-url=http://127.0.0.1:9/WBXService/XMLService",
        "--conformance-site-name=x", "--conformance-webex-id=admin",
        "--conformance-password=Canary-Secret-123", "--conformance-timeout=2")
    assert result.ret == 6, result.stdout.str()
    out = result.stdout.str()
    assert "target unreachable" in out
    assert "Canary-Secret-123" not in out
    # fail fast (issue 12): discovery could not reach the target, so no case ran
    assert out.count("stopped before any case ran: the target refused the connection") == 1
    record = _record(project)
    assert record["run"]["stopped"]["kind"] == "unreachable"
    assert {r["verdict"] for r in record["requirements"]} == {"not-covered"}


def test_a_bad_site_profile_is_a_usage_error_naming_file_line_field(
        project: pytest.Pytester) -> None:
    (project.path / "site.yaml").write_text("site_name: mocksite\nsettings:\n"
                                            "  display_name_enabeld: true\n", "utf-8")
    result = project.runpytest_subprocess("-p", "no:cacheprovider",
                                          "--conformance-site-profile=site.yaml")
    assert result.ret == 4
    err = result.stderr.str()
    assert "site.yaml:3: field 'settings.display_name_enabeld': unknown key" in err
    assert "did you mean 'display_name_enabled'" in err and "Traceback" not in err
    (project.path / "other.yaml").write_text("site_name: othersite\n", "utf-8")
    result = project.runpytest_subprocess("-p", "no:cacheprovider",
                                          "--conformance-site-profile=other.yaml")
    assert result.ret == 4 and "other.yaml:1: field 'site_name'" in result.stderr.str()


def test_a_site_profile_set_but_empty_is_a_usage_error(project: pytest.Pytester,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBEX_SITE_PROFILE", "")
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 4 and "WEBEX_SITE_PROFILE is set but empty" in result.stderr.str()


def test_the_embedded_mock_becomes_the_site_of_the_profile(project: pytest.Pytester) -> None:
    """--conformance-no-control with a profile: the embedded mock is that site, tested as a
    real site (no control interface); the profile's ini key works as well."""
    (project.path / "site.yaml").write_text(
        "site_name: mocksite\nsettings: {all_meetings_need_password: false}\n", "utf-8")
    for name in ("auto-password.yaml",):
        shutil.copy(ROOT / "cases" / name, project.path / "cases" / name)
    project.makefile(".ini", pytest=INI + "conformance_site_profile = site.yaml\n")
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "--conformance-no-control",
                                          "--conformance-requirement=auto-password")
    assert result.ret == 0, result.stdout.str()
    cases = {c["case_id"]: c for r in _record(project)["requirements"] for c in r["cases"]}
    assert cases["auto-password::none-when-not-required"]["verdict"] == "pass"
    skipped = cases["auto-password::generated-when-required"]
    assert skipped["verdict"] == "skip" and "the site has false (GetSite" in skipped["reason"]
    run = _record(project)["run"]
    assert run["site_profile"].endswith("site.yaml") and run["findings"] == []


def test_malformed_case_file_is_usage_error(project: pytest.Pytester) -> None:
    (project.path / "cases" / "broken.yaml").write_text(
        "requirement: envelope\n"
        "cases:\n  - id: x\n    title: y\n    steps:\n      - name: s\n        api: GetUser\n"
        "        expect: {exceptionID: 040014}\n", "utf-8")
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 4
    out = result.stdout.str()
    assert "broken.yaml:8" in out and "exceptionID" in out and "write it in quotes" in out


def test_site_url_without_credentials_is_usage_error(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider",
                                          "--conformance-url=https://example.invalid/x")
    assert result.ret == 4
    assert "WEBEX_PASSWORD" in result.stderr.str()


def test_requirement_filter(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider",
                                          "--conformance-requirement=envelope")
    assert result.ret == 0
    by_id = {r["id"]: r for r in _record(project)["requirements"]}
    assert by_id["private-meeting"]["verdict"] == "not-covered"
    assert by_id["envelope"]["verdict"] == "pass"
