"""Throttling (HTTP 403, exceptionID 000045) makes the affected cases ERROR (throttled),
never FAIL; the whole run backs off (the shared limiter records it); the rest still
passes and nothing is left on the site."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hostile_server import hostile_server
from standalone_mock import ROOT

from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE


@pytest.mark.parametrize("mode", ["forbidden-403", "throttled-000045"])
def test_throttled_cases_are_error_never_fail(mode: str, tmp_path: Path) -> None:
    prefix = "wxcthr" + ("03" if mode.startswith("forbidden") else "45")
    with hostile_server() as proxy:
        proxy.trigger, proxy.mode = b"GetSessionInfo", mode
        env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("WEBEX_")}
        env.update({"WEBEX_XMLAPI_URL": proxy.url, "WEBEX_SITE_NAME": DEFAULT_SITE,
                    "WEBEX_ID": DEFAULT_ADMIN[0], "WEBEX_PASSWORD": DEFAULT_ADMIN[1],
                    "WEBEX_MOCK_CONTROL": proxy.control_url})
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "cases/private-meeting.yaml", "cases/envelope.yaml",
             "-q", "-p", "no:cacheprovider", f"--conformance-reports={tmp_path}",
             f"--conformance-prefix={prefix}", "--conformance-throttle-backoff=0.2",
             "--conformance-rate-limit=100"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        import requests
        objects = requests.get(f"{proxy.control_url}/state", params={"prefix": prefix},
                               timeout=10).json()["objects"]
    assert run.returncode == 6, run.stdout[-3000:]  # infrastructure errors only
    record = json.loads((tmp_path / "compliance.json").read_text("utf-8"))
    cases = [c for r in record["requirements"] for c in r.get("cases", [])]
    verdicts = {c["verdict"] for c in cases}
    assert "fail" not in verdicts and {"error", "pass"} <= verdicts
    for case in cases:
        if case["verdict"] == "error":
            assert "throttl" in case["reason"], case["reason"]
    assert proxy.hits and set(proxy.hits) == {mode}
    state = json.loads((tmp_path / "cleanup.json").read_text("utf-8"))["rate_limit"]
    assert state["throttled"] >= 1 and state["requests"] > len(cases)
    assert "the run backed off" in run.stdout
    # the run's shared state is removed at its end
    assert not (Path(tempfile.gettempdir()) / f"webex-conformance-{prefix}").exists()
    assert not objects["meetings"] and not objects["records"] and not objects["users"]
    assert DEFAULT_ADMIN[1] not in run.stdout
