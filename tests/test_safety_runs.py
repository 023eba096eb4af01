"""Issue 13 end to end, in a subprocess pytest run: the URL's userinfo and query values
reach no artifact and are part of the secret scan (item 5); an invalid URL is a usage
error, exit 4 (item 10)."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE, Site, start_mock
from conformance.safety import EXIT_SAFETY

ROOT = Path(__file__).resolve().parent.parent
INI = "[pytest]\ntestpaths = cases\nconformance_cases = cases\n"
USER_SECRET = "Ui-" + secrets.token_hex(6)
QUERY_SECRET = "Qv-" + secrets.token_hex(6)
PLANT = """
import os
from pathlib import Path
def pytest_sessionfinish(session):
    out = Path("reports") / "planted.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("leaked: " + os.environ["PLANTED"], "utf-8")
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".ini", pytest=INI)
    (pytester.path / "cases").mkdir()
    for name in ("_steps.yaml", "private-meeting.yaml", "envelope.yaml"):
        shutil.copy(ROOT / "cases" / name, pytester.path / "cases" / name)
    return pytester


@pytest.fixture
def secret_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The mock by a URL with a user:password@ and an API key in the query."""
    site = Site()
    site.set_faults(["private-flag-missing"])  # FAILs: the request lands in every report
    mock = start_mock(site)
    for name in ("WEBEX_HOST_ID", "WEBEX_HOST_PASSWORD", "WEBEX_ACCESS_TOKEN", "WEBEX_JWT"):
        monkeypatch.delenv(name, raising=False)
    scheme, rest = mock.url.split("://", 1)
    url = f"{scheme}://svc:{USER_SECRET}@{rest}?apikey={quote(QUERY_SECRET)}"
    monkeypatch.setenv("WEBEX_XMLAPI_URL", url)
    monkeypatch.setenv("WEBEX_SITE_NAME", DEFAULT_SITE)
    monkeypatch.setenv("WEBEX_ID", DEFAULT_ADMIN[0])
    monkeypatch.setenv("WEBEX_PASSWORD", DEFAULT_ADMIN[1])
    monkeypatch.setenv("WEBEX_MOCK_CONTROL", mock.control_url)
    try:
        yield url
    finally:
        mock.stop()


def test_url_secrets_reach_no_artifact(project: pytest.Pytester, secret_url: str) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-o", "junit_logging=all",
                                          "--conformance-requirement=private-meeting,envelope")
    out = result.stdout.str() + result.stderr.str()
    assert result.ret == 1, out[-3000:]  # the fault's FAILs; no secret found (that is 7)
    assert "SECRET FOUND" not in out and "FAIL: private-meeting" in out
    data = b"".join(p.read_bytes() for p in (project.path / "reports").rglob("*")
                    if p.is_file())
    assert b"svc:********@" in data or b"127.0.0.1" in data
    for secret in (USER_SECRET, QUERY_SECRET):
        assert secret not in out
        assert secret.encode() not in data


def test_a_url_secret_in_a_report_is_found(project: pytest.Pytester, secret_url: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    project.makeconftest(PLANT)
    monkeypatch.setenv("PLANTED", QUERY_SECRET)
    result = project.runpytest_subprocess("-p", "no:cacheprovider",
                                          "--conformance-requirement=envelope")
    out = result.stdout.str() + result.stderr.str()
    assert result.ret == EXIT_SAFETY, out[-3000:]
    assert ("planted.txt: the value of query parameter 'apikey' of --conformance-url / "
            "WEBEX_XMLAPI_URL") in out
    assert QUERY_SECRET not in out


def test_an_invalid_port_is_a_usage_error(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(
        "-p", "no:cacheprovider",
        "--conformance-url=http://127.0.0.1:99999/WBXService/XMLService",
        "--conformance-site-name=x", "--conformance-webex-id=admin",
        "--conformance-password=Canary-Secret-123")
    err = result.stderr.str()
    assert result.ret == 4, result.stdout.str() + err
    assert "invalid URL" in err and "port 99999" in err and "WEBEX_XMLAPI_URL" in err
    assert "Traceback" not in err and "Canary-Secret-123" not in err
