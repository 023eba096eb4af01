"""Allure: the results allure-pytest writes during a run carry the labels, the link to the
release notes, redacted attachments and environment.properties; the real Allure CLI
(npm ``allure-commandline``, Java) turns them into the HTML report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
                      if lb["name"] == "feature")]
    assert results, "no Allure result for private-meeting"
    for result in results:
        labels: dict[str, list[str]] = {}
        for label in result["labels"]:
            labels.setdefault(label["name"], []).append(label["value"])
        # the behaviors tree: release (sortable) > requirement > case, each test once
        assert labels["epic"] == ["XML API 40.12.00"]
        assert labels["release"] == ["40.12.00"] and labels["release_order"] == ["401200"]
        assert labels["feature"] == ["private-meeting"]
        assert len(labels["story"]) == 1 and result["name"].startswith(labels["story"][0])
        assert labels["severity"] == ["critical"]
        assert labels["api"] and set(labels["api"]) <= {
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
    assert {c["name"] for c in failed} == {"reports-private-flag[private]",
                                           "reports-private-flag[standard]",
                                           "setmeeting-to-private-type"}
    assert all(any(lb["name"] == "feature" and lb["value"] == "private-meeting"
                   for lb in c["labels"]) for c in failed)
    assert all(c["links"] and c["links"][0]["url"].startswith("https://help.webex.com/")
               for c in failed)
    environment = json.loads((out / "widgets" / "environment.json").read_text("utf-8"))
    env = {item["name"]: item["values"] for item in environment}
    assert env["Site.APIVersion"] == ["40.12.0"]
    assert env["Gate.outcome"] == ["non-conformant"]
    behaviors = (out / "data" / "behaviors.json").read_text("utf-8")
    assert "XML API 40.12.00" in behaviors and "private-meeting" in behaviors


# -- every parametrised case is its own test (issue 14, item 1) ------------------------------
WHITESPACE_FAULT = "email-only-space-checked"  # the mock accepts tabs and line breaks


@pytest.fixture(scope="module")
def whitespace_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """email-whitespace (78 parametrised cases) with a fault that fails 39 of them, and the
    report the Allure CLI generates from its results."""
    cli = _allure_cli()
    if cli is None or (shutil.which("java") is None and not os.environ.get("JAVA_HOME")):
        pytest.skip("the Allure CLI (npm install --prefix .ci/node allure-commandline@2) "
                    "and Java are needed")
    project = tmp_path_factory.mktemp("whitespace")
    (project / "pytest.ini").write_text("[pytest]\ntestpaths = cases\nconformance_cases = "
                                        "cases\n", "utf-8")
    (project / "cases").mkdir()
    for name in ("_steps.yaml", "email-whitespace.yaml"):
        shutil.copy(ROOT / "cases" / name, project / "cases" / name)
    reports = project / "reports"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"--conformance-reports={reports}",
                          f"--conformance-faults={WHITESPACE_FAULT}"],
                         cwd=project, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr
    out = project / "allure-report"
    proc = subprocess.run([cli, "generate", str(reports / "allure-results"), "-o", str(out),
                           "--clean"], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = json.loads((reports / "compliance.json").read_text("utf-8"))
    # the cases' records (not the run-level results every run adds: envelope of every
    # answer, schema), which are the run's pytest items
    cases = [c for r in record["requirements"] for c in r["cases"]
             if r["id"] == "email-whitespace"]
    return {"cases": cases, "out": out, "results": reports / "allure-results",
            "tests": [json.loads(p.read_text("utf-8"))
                      for p in (out / "data" / "test-cases").glob("*.json")]}


def test_allure_counts_every_parametrised_case_once(whitespace_report: dict[str, Any]) -> None:
    cases = whitespace_report["cases"]
    fails = [c for c in cases if c["verdict"] == "fail"]
    assert len(cases) == 78 and len(fails) == 39  # the run itself
    summary = json.loads((whitespace_report["out"] / "widgets" / "summary.json")
                         .read_text("utf-8"))["statistic"]
    # Allure's own count: every case a test, none hidden as a "retry" of its siblings
    assert summary["total"] == len(cases)
    assert summary["failed"] == len(fails)
    assert summary["passed"] == len(cases) - len(fails)
    tests = whitespace_report["tests"]
    assert not [t["name"] for t in tests if t.get("retry")]
    assert all(t["retriesCount"] == 0 for t in tests)
    results = [json.loads(p.read_text("utf-8"))
               for p in whitespace_report["results"].glob("*-result.json")]
    assert len({r["historyId"] for r in results}) == len(results) == len(cases)


def test_allure_status_of_each_variant_is_its_own(whitespace_report: dict[str, Any]) -> None:
    """No variant that passed is labelled failed: Allure's status of each test is the
    verdict of the case of the same name in the run record."""
    verdict = {c["case_id"].split("::", 1)[1]: c["verdict"] for c in whitespace_report["cases"]}
    status = {t["name"]: t["status"] for t in whitespace_report["tests"]}
    assert set(status) == set(verdict)
    assert {n: s for n, s in status.items()
            if s != {"fail": "failed", "pass": "passed"}[verdict[n]]} == {}
    assert status["createuser[inner-space]"] == "passed"
    assert status["createuser[inner-tab]"] == "failed"
    names = {t["name"]: t for t in whitespace_report["tests"]}
    params = {p["name"]: p["value"] for p in names["createuser[inner-tab]"]["parameters"]}
    assert params == {"email": "'x\\t@${case.uid}.example.com'"}  # escaped, no raw TAB


def test_allure_behaviors_count_each_case_once(whitespace_report: dict[str, Any]) -> None:
    out = whitespace_report["out"]
    tree = json.loads((out / "data" / "behaviors.json").read_text("utf-8"))
    leaves: list[dict[str, Any]] = []
    paths: list[tuple[str, ...]] = []

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        if "children" not in node:
            leaves.append(node)
            paths.append(path)
            return
        for child in node["children"]:
            walk(child, (*path, child["name"]))

    walk(tree, ())
    assert len(leaves) == 78 and len({leaf["uid"] for leaf in leaves}) == 78
    assert sum(leaf["status"] == "failed" for leaf in leaves) == 39
    # release > requirement > case > the parametrised test
    assert {p[:2] for p in paths} == {("XML API 40.08.00", "email-whitespace")}
    assert ("XML API 40.08.00", "email-whitespace", "createuser",
            "createuser[trailing-crlf]") in paths
    widget = json.loads((out / "widgets" / "behaviors.json").read_text("utf-8"))
    # the overview's behaviors bar: one release, one requirement in it, failed once
    assert [(i["name"], i["statistic"]["failed"], i["statistic"]["total"])
            for i in widget["items"]] == [("XML API 40.08.00", 1, 1)]
