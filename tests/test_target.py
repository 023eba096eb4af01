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
        result = run_case(_case("private-meeting.yaml", "reports-private-flag"), target)
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
        result = run_case(_case("auto-password.yaml", "none-when-not-required"), target)
        assert result.verdict is Verdict.SKIP
        assert "'All meetings must have a password' false; the site has true (GetSite " \
               "siteInstance/securityOptions/allMeetingsPassword = true)" in result.reason
        assert run_case(_case("auto-password.yaml", "generated-when-required"),
                        target).verdict is Verdict.PASS
        result = run_case(_case("display-name.yaml", "enabled-later-composes"), target)
        assert result.verdict is Verdict.SKIP and "only the mock's control" in result.reason
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


# -- what others may change, only through the target's methods (issue 15) -------------------------
def test_the_targets_own_methods_change_it() -> None:
    from datetime import UTC, datetime, timedelta

    from conformance.envelope import Body
    from conformance.ledger import Created
    from conformance.ratelimit import RateLimiter

    class Limiter(RateLimiter):
        def __init__(self) -> None:
            self.calls = 0

        def acquire(self) -> float:
            self.calls += 1
            return 0.0

        def record_answer(self, status: int | None) -> None:
            pass

    limiter = Limiter()
    target = TargetSession(TargetConfig(prefix="wxcmeth1"), limiter=limiter,
                           first_case_number=2000)
    try:
        assert target.transport.limiter is limiter
        assert [target.next_case_number(), target.next_case_number()] == [2001, 2002]
        target.add_secret("S3cret-value")
        target.add_secret_pattern(r"Wx\d{3}")
        masked = target.redactor.text("a S3cret-value b Wx123 c")
        assert "S3cret-value" not in masked and "Wx123" not in masked and masked.startswith("a ")
        hooked: list[int] = []
        target.before_call(lambda: hooked.append(1))
        before = target.now()
        target.advance_clock(3600)
        assert target.now() - before >= timedelta(seconds=3600)
        assert target.now() - datetime.now(UTC) >= timedelta(seconds=3590)
        assert hooked == [] and limiter.calls == 0  # the clock is the control interface
        _, msg = target.call(target.admin, [Body("GetSite")], idempotent=True)
        assert msg.first.ok and hooked == [1] and limiter.calls >= 1
        answer = target.delete(Created("meeting", "123", "DelMeeting", "meetingKey"))
        assert answer.exception_id == "060001"  # not found: the ledger counts it as gone
        target.advance_clock(-3600)
    finally:
        target.close()


def test_a_target_config_is_frozen() -> None:
    import dataclasses

    config = TargetConfig(prefix="wxcfroz1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.prefix = "other"  # type: ignore[misc]
