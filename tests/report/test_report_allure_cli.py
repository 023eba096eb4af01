"""Allure: the results allure-pytest writes during a run carry the labels, the link to the
release notes, redacted attachments and environment.properties; the real Allure CLI
(npm ``allure-commandline``, Java) turns them into the HTML report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conformance.mock import DEFAULT_ADMIN

ROOT = Path(__file__).resolve().parents[2]


def _allure_cli() -> str | None:
    for candidate in (os.environ.get("ALLURE_CLI"),
                      str(ROOT / ".ci" / "node" / "node_modules" / ".bin" / "allure"),
                      shutil.which("allure")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _results(run: Any) -> list[dict[str, Any]]:
    results = run.reports / "allure-results"
    return [json.loads(p.read_text("utf-8")) for p in results.glob("*-result.json")]


def test_allure_results_have_labels_links_attachments_environment(fault_run: Any) -> None:
    results = [r for r in _results(fault_run)
               if any(lb["value"] == "private-meeting" for lb in r["labels"]
                      if lb["name"] == "story")]
    assert results, "no Allure result for private-meeting"
    for result in results:
        labels: dict[str, list[str]] = {}
        for label in result["labels"]:
            labels.setdefault(label["name"], []).append(label["value"])
        assert labels["epic"] == ["40.12.0"]
        assert labels["story"] == ["private-meeting"]
        assert labels["severity"] == ["critical"]
        assert labels["feature"] and set(labels["feature"]) <= {
            "CreateMeeting", "SetMeeting", "GetSessionInfo", "GetMeeting", "LstsummarySession",
            "LstCalendarSession", "GetMeetingType", "LstMeetingType"}
        link = result["links"][0]
        assert link["url"].startswith("https://help.webex.com/") and \
            "private%20meeting%20type" in link["url"]
        assert "40.12.0" in link["name"]
    failed = [r for r in results if r["status"] == "failed"]
    assert len(failed) == 3
    names = [a["name"] for a in failed[0]["attachments"]]
    assert any(n.endswith("request (redacted)") for n in names)
    assert any(n.endswith("response (redacted)") for n in names)
    results_dir = fault_run.reports / "allure-results"
    for attachment in results_dir.glob("*-attachment*"):
        assert DEFAULT_ADMIN[1] not in attachment.read_text("utf-8", "replace")
    env = (results_dir / "environment.properties").read_text("latin-1")
    assert "Site.APIVersion=40.12.0" in env and "Option.faults=private-flag-missing" in env
    assert "Password" not in env and DEFAULT_ADMIN[1] not in env
    assert json.loads((results_dir / "categories.json").read_text("utf-8"))


def test_allure_cli_generates_the_html_report(fault_run: Any, tmp_path: Path) -> None:
    cli = _allure_cli()
    if cli is None:
        pytest.skip("the Allure CLI is not installed (npm install --prefix .ci/node "
                    "allure-commandline; needs Java; .ci/run installs it)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("the Allure CLI needs Java (java 17), which is not installed")
    out = tmp_path / "allure-report"
    proc = subprocess.run([cli, "generate", str(fault_run.reports / "allure-results"),
                           "-o", str(out), "--clean"],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "index.html").is_file()
    cases = [json.loads(p.read_text("utf-8")) for p in (out / "data" / "test-cases").glob("*.json")]
    failed = [c for c in cases if c["status"] == "failed"]
    assert {c["name"] for c in failed} == {"private-type-reports-true",
                                           "standard-type-reports-false",
                                           "setmeeting-to-private-type"}
    assert all(any(lb["name"] == "story" and lb["value"] == "private-meeting"
                   for lb in c["labels"]) for c in failed)
    assert all(c["links"] and c["links"][0]["url"].startswith("https://help.webex.com/")
               for c in failed)
    environment = json.loads((out / "widgets" / "environment.json").read_text("utf-8"))
    env = {item["name"]: item["values"] for item in environment}
    assert env["Site.APIVersion"] == ["40.12.0"]
    assert env["Gate.outcome"] == ["non-conformant"]
    behaviors = (out / "data" / "behaviors.json").read_text("utf-8")
    assert "40.12.0" in behaviors and "private-meeting" in behaviors
