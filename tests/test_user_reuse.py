"""Issue 13 item 10, last bullet: a run reactivates and reuses the deactivated users of
earlier runs (the ``wxc`` prefix family) before creating new ones; a case that checks
CreateUser itself still creates a brand-new user.

Before: every case that needed a user created one, and DelUser can only deactivate it: a
nightly run left about 20 deactivated users (7,000 a year)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from standalone_mock import ROOT, standalone_mock

from conformance.cases import case_files, load_case_file
from conformance.envelope import Body, Credentials, build_message
from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE
from conformance.runner import Verdict, run_case
from conformance.schema import validate_message
from conformance.target import TargetConfig, TargetSession
from conformance.userpool import UserPool, in_family, reusable_step, reuse_body


def _load() -> dict:
    out = {}
    for path in case_files(ROOT / "cases"):
        if "CreateUser" in path.read_text("utf-8"):  # the files that create users
            out.update({c.full_id: c for c in load_case_file(path)})
    return out


CASES = _load()


def _creates_user(case) -> list:
    return [s for s in case.steps if s.api == "CreateUser"]


def test_only_cases_that_need_some_user_reuse_one() -> None:
    """Which cases need a brand-new user: every case whose CreateUser is what it checks
    (stored values, a refusal, the welcome email) or that shapes the new user."""
    reusing = sorted({cid.split("[")[0] for cid, c in CASES.items()
                      if any(reusable_step(s, "CreateUser") for s in _creates_user(c))})
    assert reusing == ["email-whitespace::setuser",
                       "pmr-key-retention::reactivated-after-deluser-keeps-key",
                       "pmr-key-retention::reactivated-after-setuser-keeps-key",
                       "pmr-key-retention::reactivated-after-six-days-keeps-key",
                       "pmr-key-retention::reenabled-pmr-keeps-key",
                       "setuser-supportedservices-ci-site::supportedservices-unchanged"]
    brand_new = {cid.split("::")[0] for cid, c in CASES.items()
                 if _creates_user(c) and not any(reusable_step(s, "CreateUser")
                                                 for s in _creates_user(c))}
    assert {"cmr-hybrid-voip", "device-can-start", "display-name", "um-site-admin",
            "welcome-email-languages", "pmr-e2ee-110063"} <= brand_new
    assert "email-whitespace" in brand_new  # its createuser cases check the refusal


def test_the_family() -> None:
    assert in_family("wxc1a2b3007u") and in_family("WXCabcde1234u")
    assert not in_family("wxc1a2b3user001") and not in_family("alice")
    assert not in_family("wxc1a2b3c007u")  # not a run prefix: 6 characters after wxc
    assert not in_family("wxc1a2b3007") and not in_family("wxc1a2b 007u")


def test_the_reuse_request_is_schema_valid() -> None:
    body = reuse_body("wxcold00003u", {"firstName": "Conformance", "lastName": "User 4",
                                       "webExId": "wxcnew00004u",
                                       "email": "wxcnew00004u@example.com",
                                       "password": "Wxnew0!004aA", "privilege": {"host": True},
                                       "active": "ACTIVATED", "sendWelcome": False})
    assert body["newWebExId"] == "wxcnew00004u" and body["webExId"] == "wxcold00003u"
    message = build_message(Credentials(DEFAULT_SITE, *DEFAULT_ADMIN), [Body("SetUser", body)])
    assert validate_message(message) == []


def _deactivated_user(target: TargetSession, webex_id: str) -> None:
    for body in (Body("CreateUser", {"firstName": "Old", "lastName": "Run",
                                     "webExId": webex_id, "email": f"{webex_id}@example.com",
                                     "password": "Old-Passw0rd!1", "privilege": {"host": True},
                                     "active": "ACTIVATED"}),
                 Body("SetUser", {"webExId": webex_id, "displayName": "left over",
                                  "privilege": {"isEnablePMR": False}}),
                 Body("DelUser", {"webExId": webex_id})):
        _, msg = target.call(target.admin, [body], idempotent=False)
        assert msg.first.ok, msg.first.summary()


def _pool_target(prefix: str, faults: list[str] | None = None) -> TargetSession:
    return TargetSession(TargetConfig(prefix=prefix, faults=faults or []),
                         user_pool=UserPool(prefix))


def test_a_case_reuses_a_user_of_an_earlier_run() -> None:
    target = _pool_target("wxcnew01")
    try:
        _deactivated_user(target, "wxcold01007u")
        result = run_case(CASES["pmr-key-retention::reenabled-pmr-keeps-key"], target)
        state = target.control("state?prefix=wxc", method="GET")["objects"]
    finally:
        target.close()
    assert result.verdict is Verdict.PASS, (result.reason, result.differences)
    assert target.user_pool.reused == [("wxcold01007u", "wxcnew01001u")]
    first = result.steps[0]
    assert first.api == "SetUser" and "reused the deactivated user wxcold01007u" in first.summary
    # the reused user is the case's now: deactivated again at its end, under this run's name
    assert state["deactivated_users"] == ["wxcnew01001u"] and state["users"] == []
    assert "DelUser user wxcnew01001u: done" in " ".join(result.cleanup)


def test_a_user_that_does_not_look_new_is_put_back_and_the_case_creates_its_own() -> None:
    """An admin's email change that waits for confirmation: the reused user keeps its old
    email, so it is not as a new user would be; it is renamed back and deactivated."""
    target = _pool_target("wxcnew02", ["email-change-admin-needs-confirmation"])
    try:
        _deactivated_user(target, "wxcold02007u")
        target.control("settings", {"settings": {"require_email_confirmation": True}})
        result = run_case(CASES["pmr-key-retention::reenabled-pmr-keeps-key"], target)
        state = target.control("state?prefix=wxc", method="GET")["objects"]
    finally:
        target.close()
    assert result.verdict is Verdict.PASS, (result.reason, result.differences)
    assert target.user_pool.reused == []
    assert target.user_pool.refused and "email" in target.user_pool.refused[0]
    assert result.steps[0].api == "CreateUser"
    assert sorted(state["deactivated_users"]) == ["wxcnew02001u", "wxcold02007u"]


def test_a_case_that_checks_createuser_creates_a_brand_new_user() -> None:
    target = _pool_target("wxcnew03")
    try:
        _deactivated_user(target, "wxcold03007u")
        result = run_case(CASES["um-site-admin::create-and-set-role"], target)
    finally:
        target.close()
    assert result.verdict is Verdict.PASS, result.reason
    assert result.steps[0].api == "CreateUser" and target.user_pool.reused == []


REQUIREMENTS = "pmr-key-retention,setuser-supportedservices-ci-site,um-site-admin"
BRAND_NEW_PER_RUN = 1  # um-site-admin::create-and-set-role


def _deactivated(mock) -> list[str]:
    return sorted(mock.state("wxc")["objects"]["deactivated_users"])


def _nightly(mock, reports: Path, prefix: str, *extra: str) -> dict:
    files = [f"cases/{name}.yaml" for name in REQUIREMENTS.split(",")]
    run = subprocess.run([sys.executable, "-m", "pytest", *files, "-q", "-p",
                          "no:cacheprovider", f"--conformance-reports={reports}",
                          f"--conformance-prefix={prefix}",
                          f"--conformance-requirement={REQUIREMENTS}", *extra],
                         cwd=ROOT, env=mock.env(), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    return json.loads((reports / "cleanup.json").read_text("utf-8"))


def test_two_nightly_runs_leave_no_more_deactivated_users(tmp_path: Path) -> None:
    """The measure of the issue, on the cases that need some user (and one that needs a
    brand-new one): the second run leaves no more deactivated users than the first but for
    the brand-new one; without reuse it leaves one per case."""
    with standalone_mock() as mock:
        first = _nightly(mock, tmp_path / "r1", "wxcrun01")
        after_first = _deactivated(mock)
        second = _nightly(mock, tmp_path / "r2", "wxcrun02")
        after_second = _deactivated(mock)
        _nightly(mock, tmp_path / "r3", "wxcrun03", "--conformance-reuse-users=no")
        after_third = _deactivated(mock)
    eligible = 5  # pmr-key-retention (4) and setuser-supportedservices (1)
    # the first run: each case after the first reuses the user the one before left
    assert len(after_first) == 1 + BRAND_NEW_PER_RUN, after_first
    assert len(first["reused_users"]) == eligible - 1
    # the second: it starts with a user of the first run; nothing more for those cases
    assert len(after_second) == len(after_first) + BRAND_NEW_PER_RUN, after_second
    assert any(r.startswith("wxcrun01") for r in second["reused_users"]), second
    # without reuse: one new user per case
    assert len(after_third) == len(after_second) + eligible + BRAND_NEW_PER_RUN
