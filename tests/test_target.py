"""Release applicability, hazards and capability skips, through the runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cases import load_case_file
from conformance.errors import CaseDefinitionError
from conformance.mock import DEFAULT_ADMIN, Site, start_mock
from conformance.runner import Verdict, run_case
from conformance.target import TargetConfig, TargetSession

CASES = Path(__file__).resolve().parent.parent / "cases"


def _case(file: str, case_id: str):
    return next(c for c in load_case_file(CASES / file) if c.id == case_id)


def test_requirement_newer_than_the_site_is_not_applicable() -> None:
    target = TargetSession(TargetConfig())
    try:
        target.control("settings", {"api_version": "40.6.0"})
        result = run_case(_case("private-meeting.yaml", "private-type-reports-true"), target)
        assert result.verdict is Verdict.SKIP
        assert "40.6.0" in result.reason and "40.12.0" in result.reason
        older = run_case(_case("pmr-key-retention.yaml", "reactivated-after-deluser-keeps-key"),
                         target)
        assert older.verdict is Verdict.PASS
    finally:
        target.close()


@pytest.fixture
def site_like_mock():
    """The mock without its control interface: the runner treats it as a real site."""
    server = start_mock(Site(), control=False)
    yield server
    server.stop()


def _site_target(url: str, **extra) -> TargetSession:
    return TargetSession(TargetConfig(url=url, site_name="mocksite", webex_id=DEFAULT_ADMIN[0],
                                      password=DEFAULT_ADMIN[1], **extra))


def test_hazardous_case_is_skipped_on_a_site_unless_enabled(site_like_mock, tmp_path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(
        "requirement: welcome-email-languages\n"
        "cases:\n  - id: x\n    title: y\n"
        "    hazards: [email]\n    steps:\n      - name: s\n        api: GetAPIVersion\n"
        "        expect: {result: SUCCESS}\n", "utf-8")
    case = load_case_file(path)[0]
    target = _site_target(site_like_mock.url)
    try:
        result = run_case(case, target)
        assert result.verdict is Verdict.SKIP
        assert "--conformance-hazards=email" in result.reason
    finally:
        target.close()
    target = _site_target(site_like_mock.url, hazards={"email"})
    try:
        assert run_case(case, target).verdict is Verdict.PASS
    finally:
        target.close()


def test_unknown_hazard_is_a_usage_error() -> None:
    with pytest.raises(CaseDefinitionError, match="unknown hazard"):
        TargetConfig(hazards={"fire"}).check()


def test_capability_missing_on_a_site_is_a_readable_skip(site_like_mock) -> None:
    target = _site_target(site_like_mock.url)
    try:
        result = run_case(_case("auto-password.yaml", "generated-when-required"), target)
        assert result.verdict is Verdict.SKIP
        assert "control interface" in result.reason
    finally:
        target.close()


def test_bad_credentials_are_an_error_naming_the_account(site_like_mock) -> None:
    target = TargetSession(TargetConfig(url=site_like_mock.url, site_name="mocksite",
                                        webex_id="siteadmin", password="wrong-password"))
    try:
        result = run_case(_case("envelope.yaml", "failure-shape"), target)
        assert result.verdict is Verdict.ERROR
        assert "authentication failed for 'siteadmin'" in result.reason
        assert "wrong-password" not in str(result.to_dict())
    finally:
        target.close()
