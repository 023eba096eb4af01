"""Secret hygiene: the post-run scan of every artifact, the redacting log records, and a run
with a canary password (nothing found) next to one with the canary planted (found: exit 7).
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE, Site, start_mock
from conformance.redact import MASK, Redactor
from conformance.safety import EXIT_SAFETY, _RedactingFactory, scan

ROOT = Path(__file__).resolve().parent.parent
INI = "[pytest]\ntestpaths = cases\nconformance_cases = cases\n"
CANARY = "Cn&ry<Pw-" + secrets.token_hex(6)


# -- the scan ----------------------------------------------------------------------------------
@pytest.mark.parametrize("written", [CANARY, CANARY.replace("&", "&amp;").replace("<", "&lt;"),
                                     json.dumps({"p": CANARY + '"'})],
                         ids=["raw", "xml-escaped", "json-escaped"])  # the canary is random
def test_scan_finds_a_planted_secret_in_any_form(tmp_path: Path, written: str) -> None:
    (tmp_path / "clean.json").write_text('{"password": "********"}', "utf-8")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "attachment.txt").write_text(f"x {written} y", "utf-8")
    hits = scan([tmp_path], {"WEBEX_PASSWORD": CANARY})
    assert hits == [f"{tmp_path / 'deep' / 'er' / 'attachment.txt'}: WEBEX_PASSWORD"]
    assert CANARY not in "".join(hits)


def test_scan_of_latin1_and_binary_files(tmp_path: Path) -> None:
    secret = "Mot-de-passe-\u00e9t\u00e9"
    (tmp_path / "a.xml").write_bytes(b"\x00\x01" + secret.encode("iso-8859-1") + b"\xff")
    assert scan([tmp_path], {"pw": secret}) == [f"{tmp_path / 'a.xml'}: pw"]
    assert scan([tmp_path], {"pw": "not-there"}) == []


def test_log_records_are_redacted() -> None:
    factory = _RedactingFactory(logging.getLogRecordFactory(), Redactor([CANARY]))
    previous = logging.getLogRecordFactory()
    logging.setLogRecordFactory(factory)
    try:
        record = logging.getLogger("conformance.test").makeRecord(
            "x", logging.INFO, __file__, 1, "login with %s and <password>%s</password>",
            (CANARY, "positional-secret"), None)
    finally:
        logging.setLogRecordFactory(previous)
    message = record.getMessage()
    assert CANARY not in message and "positional-secret" not in message
    assert message.count(MASK) == 2


# -- runs ----------------------------------------------------------------------------------------
CONFTEST_LOGS = """
import logging, os
def pytest_runtest_setup(item):
    logging.getLogger("canary").warning("the password is %s", os.environ["WEBEX_PASSWORD"])
"""
CONFTEST_PLANTS = """
import os
from pathlib import Path
def pytest_sessionfinish(session):
    out = Path("reports") / "allure-results" / "planted-attachment.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("leaked: " + os.environ["WEBEX_PASSWORD"], "utf-8")
"""


@pytest.fixture
def canary_site(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    site = Site()
    admin = site.find_user(DEFAULT_ADMIN[0])
    assert admin is not None
    admin.password = CANARY
    # a fault: FAIL messages with the request as evidence land in JUnit and Allure too
    site.set_faults(["private-flag-missing"])
    mock = start_mock(site)
    for name in ("WEBEX_HOST_ID", "WEBEX_HOST_PASSWORD", "WEBEX_ACCESS_TOKEN", "WEBEX_JWT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WEBEX_XMLAPI_URL", mock.url)
    monkeypatch.setenv("WEBEX_SITE_NAME", DEFAULT_SITE)
    monkeypatch.setenv("WEBEX_ID", DEFAULT_ADMIN[0])
    monkeypatch.setenv("WEBEX_PASSWORD", CANARY)
    monkeypatch.setenv("WEBEX_MOCK_CONTROL", mock.control_url)
    try:
        yield mock.url
    finally:
        mock.stop()


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".ini", pytest=INI)
    (pytester.path / "cases").mkdir()
    for name in ("_steps.yaml", "private-meeting.yaml", "envelope.yaml", "email-whitespace.yaml"):
        shutil.copy(ROOT / "cases" / name, pytester.path / "cases" / name)
    return pytester


def _everything(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.rglob("*") if p.is_file())


def test_canary_run_leaves_no_secret_anywhere(project: pytest.Pytester, canary_site: str
                                              ) -> None:
    project.makeconftest(CONFTEST_LOGS)
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-o", "junit_logging=all",
                                          "--conformance-requirement=private-meeting,envelope")
    out = result.stdout.str() + result.stderr.str()
    assert result.ret == 1, out[-3000:]  # the fault's FAILs, and no secret (that is 7)
    assert "FAIL: private-meeting" in out and "<password>********</password>" in out
    assert "SECRET FOUND" not in out
    assert CANARY not in out
    reports = project.path / "reports"
    data = _everything(reports)
    for form in (CANARY, CANARY.replace("&", "&amp;").replace("<", "&lt;")):
        assert form.encode() not in data
    junit = (reports / "junit.xml").read_text("utf-8")
    assert "the password is ********" in junit  # the log record was masked, not dropped
    assert "&lt;password&gt;********&lt;/password&gt;" in junit  # failure evidence
    assert (reports / "compliance.json").exists() and (reports / "cleanup.json").exists()
    assert any((reports / "allure-results").iterdir())


def test_planted_canary_is_found_and_fails_the_run(project: pytest.Pytester,
                                                   canary_site: str) -> None:
    project.makeconftest(CONFTEST_PLANTS)
    result = project.runpytest_subprocess("-p", "no:cacheprovider",
                                          "--conformance-requirement=envelope")
    out = result.stdout.str() + result.stderr.str()
    assert result.ret == EXIT_SAFETY, out[-3000:]
    assert "SECRET FOUND" in out
    assert "planted-attachment.txt: --conformance-password / WEBEX_PASSWORD" in out
    assert CANARY not in out
