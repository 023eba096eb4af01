"""Issue 13 in the pytest layer, each against the behaviour before (in a subprocess run):

* item 1: an empty URL, or site settings without a URL, is a usage error naming the
  setting (before: the embedded mock was tested and the run said "Conformant", exit 0);
  the embedded mock only without any site setting, and the terminal says so;
* item 2: ``--conformance-deadline`` stops the run cleanly (clean-up, then the reports,
  marked interrupted), also against a target that answers slowly; a bad value is exit 4;
* item 7: a case our own code fails in is an ERROR in the record, not a traceback and a
  case missing from it;
* item 8: every answer HTTP 403 stops the run after the first case with exit 6 and the
  cause, without the back-off (before: an ERROR per case); a run that created nothing
  skips the leak check (before: six list calls).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hostile_server import hostile_server
from live_run import LiveRun, clean_env, project
from standalone_mock import left_with_prefix, standalone_mock

from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE

SITE = {"WEBEX_SITE_NAME": DEFAULT_SITE, "WEBEX_ID": DEFAULT_ADMIN[0],
        "WEBEX_PASSWORD": DEFAULT_ADMIN[1]}
TRACEBACK = "Traceback (most recent call last)"


def _run(proj: Path, *args: str, env: dict[str, str] | None = None,
         timeout: float = 120) -> tuple[int, str]:
    run = LiveRun(proj, "-q", *args, env=env if env is not None else clean_env())
    try:
        code = run.finish(timeout=timeout)
    finally:
        run.kill()
    return code, run.output


def _record(reports: Path) -> dict:
    return json.loads((reports / "compliance.json").read_text("utf-8"))


# -- item 1 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("env", "args", "named"), [
    ({"WEBEX_XMLAPI_URL": "", **SITE}, (), "WEBEX_XMLAPI_URL is set but empty"),
    (SITE, ("--conformance-url=",), "--conformance-url is empty"),
    ({"WEBEX_ID": "admin", "WEBEX_PASSWORD": "Canary-Secret-1"}, (),
     "--conformance-webex-id / WEBEX_ID, --conformance-password / WEBEX_PASSWORD"),
    ({}, ("--conformance-site-name=example",), "--conformance-site-name / WEBEX_SITE_NAME"),
])
def test_no_silent_embedded_mock(tmp_path: Path, env: dict, args: tuple, named: str) -> None:
    proj = project(tmp_path / "p", "envelope.yaml")
    code, out = _run(proj, f"--conformance-reports={tmp_path / 'r'}", *args,
                     env=clean_env(**env))
    assert code == 4, out[-2000:]
    assert named in out and TRACEBACK not in out
    assert "embedded mock" in out  # says how to get it, never runs it
    assert not (tmp_path / "r" / "compliance.json").exists()
    assert "Canary-Secret-1" not in out


def test_the_embedded_mock_is_named_when_it_is_the_target(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", "envelope.yaml")
    code, out = _run(proj, f"--conformance-reports={tmp_path / 'r'}")
    assert code == 0, out[-2000:]
    lines = out.splitlines()
    assert lines[0].startswith("conformance: target embedded mock (no site settings given)")
    assert "  target: embedded mock" in out  # in the summary too
    assert _record(tmp_path / "r")["run"]["target"] == "embedded mock"


# -- item 2 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan"])
def test_a_bad_deadline_is_a_usage_error(tmp_path: Path, value: str) -> None:
    proj = project(tmp_path / "p", "envelope.yaml")
    code, out = _run(proj, f"--conformance-deadline={value}")
    assert code == 4 and "positive number of seconds" in out and TRACEBACK not in out, out


def test_the_run_deadline_stops_the_run_cleanly(tmp_path: Path) -> None:
    """A slow site and a deadline of 2 s: the cases after it do not run, the one in flight
    is cut, everything is cleaned up in the grace time, the record says so."""
    prefix = "wxcdead1"
    proj = project(tmp_path / "p", "email-whitespace.yaml", "private-meeting.yaml")
    reports = tmp_path / "reports"
    with standalone_mock("--latency", "0.05") as mock:
        started = time.monotonic()
        code, out = _run(proj, f"--conformance-reports={reports}",
                         f"--conformance-prefix={prefix}", "--conformance-deadline=2",
                         env=mock.env())
        elapsed = time.monotonic() - started
        state = mock.state(prefix)
    assert code == 2, out[-3000:]
    assert elapsed < 40, elapsed
    assert TRACEBACK not in out
    assert left_with_prefix(state) == {}, state["objects"]
    record = _record(reports)
    interrupted = record["run"]["interrupted"]
    assert interrupted["cause"] == "run deadline reached"
    assert interrupted["not_run"] and interrupted["ran"] < interrupted["collected"]
    assert record["gate"]["outcome"] == "interrupted" and record["gate"]["exit_code"] == 2
    assert "run deadline reached" in out
    cleanup = json.loads((reports / "cleanup.json").read_text("utf-8"))
    assert cleanup["checked"] == "mock state" and cleanup["left"] == []


def test_the_deadline_goes_to_the_xdist_workers() -> None:
    from conformance._pytest.options import _deadline  # noqa: PLC2701 - the unit itself

    class Config:  # an xdist worker's config: the controller's instant
        workerinput = {"conformance_deadline_at": 1234.5, "workerid": "gw0"}

    deadline = _deadline(Config(), "999")  # type: ignore[arg-type]
    assert deadline is not None and deadline.at == 1234.5


# -- item 7 ---------------------------------------------------------------------------------
BROKEN_RUNNER = """
import conformance.runner as runner
def broken(*args, **kwargs):
    raise RuntimeError("a bug in our own code")
runner.check_message = broken
"""


def test_an_exception_in_our_code_is_an_error_in_the_record(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", "envelope.yaml", conftest=BROKEN_RUNNER)
    code, out = _run(proj, f"--conformance-reports={tmp_path / 'r'}")
    assert code == 6, out[-3000:]  # ERROR only: could not tell, never "Conformant"
    assert TRACEBACK not in out and "runner.py\", line" not in out
    cases = [c for r in _record(tmp_path / "r")["requirements"] for c in r["cases"]
             if not c["case_id"].endswith("::every-answer")]  # not the run-level results
    assert len(cases) == 5 and {c["verdict"] for c in cases} == {"error"}
    assert all("internal error of the suite" in c["reason"]
               and "RuntimeError: a bug in our own code" in c["reason"] for c in cases)
    assert "internal error of the suite in step 1: RuntimeError" in out


# -- item 8 ---------------------------------------------------------------------------------
def test_every_answer_403_stops_the_run_with_exit_6(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", "envelope.yaml", "private-meeting.yaml")
    reports = tmp_path / "reports"
    with hostile_server() as hostile:
        hostile.trigger, hostile.mode = b"", "forbidden-403"  # a proxy refusing everything
        started = time.monotonic()
        code, out = _run(proj, f"--conformance-reports={reports}",
                         "--conformance-throttle-backoff=30",
                         env=clean_env(WEBEX_XMLAPI_URL=hostile.url, **SITE))
        elapsed = time.monotonic() - started
    assert code == 6, out[-3000:]
    assert elapsed < 20, f"{elapsed:.1f} s: the back-off was waited for"
    assert hostile.hits == ["forbidden-403"]  # one request: the discovery's
    # discovery's first request is refused: the run stops before any case (fail fast);
    # a site that refuses only later stops after its first case (kind "forbidden")
    assert "conformance: stopped before any case ran" in out
    assert "HTTP 403" in out and DEFAULT_ADMIN[1] not in out
    record = _record(reports)
    assert record["run"]["stopped"]["kind"] in ("throttled", "http-error", "forbidden")
    assert "interrupted" not in record["run"]
    cases = [c for r in record["requirements"] for c in r["cases"]]
    assert cases == []  # one message, not an ERROR per case
    assert record["gate"]["exit_code"] == 6 and record["gate"]["outcome"] == "stopped"
    assert "clean-up problem" not in out  # and no leak check waiting a back-off per list
    if (reports / "cleanup.json").exists():
        assert json.loads((reports / "cleanup.json").read_text("utf-8"))["errors"] == []


def test_a_run_that_created_nothing_skips_the_leak_check(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", "envelope.yaml")  # asks, creates nothing
    reports = tmp_path / "reports"
    with hostile_server() as hostile:  # in front of a mock, no control interface
        hostile.trigger, hostile.mode = b"Lstsummary", "empty"  # a list call shows here
        code, out = _run(proj, f"--conformance-reports={reports}",
                         env=clean_env(WEBEX_XMLAPI_URL=hostile.url, **SITE))
    assert code == 0, out[-3000:]
    assert hostile.hits == [], "the leak check listed"
    cleanup = json.loads((reports / "cleanup.json").read_text("utf-8"))
    assert cleanup["checked"] == "not needed: the run sent no request that creates anything"
    assert cleanup["creates"] == 0
