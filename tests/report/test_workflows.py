"""The example CI workflows (examples/workflows/) and waiver file are valid and wired as the
README says: secrets from the secret store, artifacts carried, exit code gating."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conformance.report import load_waivers

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "examples" / "workflows"


def _load(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    assert isinstance(doc, dict)
    return doc


@pytest.mark.parametrize("name", ["nightly.yml", "gate.yml"])
def test_workflow_is_valid_github_actions_yaml(name: str) -> None:
    doc = _load(name)
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers and doc["jobs"]
    for job in doc["jobs"].values():
        assert job["runs-on"] and job["steps"]
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
    text = (WORKFLOWS / name).read_text("utf-8")
    assert "WEBEX_PASSWORD: ${{ secrets.WEBEX_PASSWORD }}" in text
    assert "Passw0rd" not in text


def test_nightly_carries_record_and_hypothesis_database() -> None:
    doc = _load("nightly.yml")
    assert doc.get("on", doc.get(True))["schedule"]
    steps = doc["jobs"]["nightly"]["steps"]
    text = "\n".join(str(s.get("run", "")) for s in steps)
    assert "--conformance-baseline=previous/compliance.json" in text
    assert "reports/hypothesis" in text
    upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert upload and upload[0]["with"]["path"] == "reports/" and upload[0]["if"] == "always()"


def test_nightly_sweeps_its_prefix_after_a_failure_or_cancel() -> None:
    """Issue 13 item 3: a cancelled (SIGINT, SIGTERM) or killed run may leave objects: the
    run's prefix is chosen before the run, passed to it, and swept by a step that runs on
    failure or cancel, with the site's secrets from the secret store."""
    doc = _load("nightly.yml")
    steps = doc["jobs"]["nightly"]["steps"]
    ids = [s.get("id") for s in steps]
    prefix = steps[ids.index("prefix")]
    assert "new_prefix()" in prefix["run"] and "GITHUB_OUTPUT" in prefix["run"]
    run = steps[ids.index("run")]
    assert "--conformance-prefix=${{ steps.prefix.outputs.prefix }}" in run["run"]
    assert "--conformance-deadline=" in run["run"]
    assert ids.index("prefix") < ids.index("run")
    sweep = [s for s in steps if "conformance.sweep" in str(s.get("run", ""))]
    assert len(sweep) == 1
    step = sweep[0]
    assert steps.index(step) > ids.index("run")
    assert "failure() || cancelled()" in step["if"]
    assert '--prefix "${{ steps.prefix.outputs.prefix }}"' in step["run"]
    assert "--all-prefixes" not in step["run"]  # only this run's objects
    for name in ("WEBEX_XMLAPI_URL", "WEBEX_SITE_NAME", "WEBEX_ID", "WEBEX_PASSWORD"):
        assert step["env"][name] == "${{ secrets." + name + " }}"
    # the deadline ends the run before the job's own timeout kills it
    deadline = int(run["run"].split("--conformance-deadline=")[1].split()[0].rstrip(")"))
    assert deadline < doc["jobs"]["nightly"]["timeout-minutes"] * 60 - 300


def test_gate_uses_exit_code_and_waivers() -> None:
    doc = _load("gate.yml")
    job = doc["jobs"]["release-gate"]
    run = next(s for s in job["steps"] if s.get("id") == "run")["run"]
    assert "--conformance-waivers=conformance-waivers.yaml" in run
    assert "--conformance-strict-waivers" in run
    assert "exit $code" in run and all(f"{c})" in run for c in (0, 1, 4, 6))
    assert job["needs"] == "waivers"


def test_example_waiver_file_is_valid() -> None:
    waivers = load_waivers(ROOT / "examples" / "waivers.yaml")
    assert waivers and all(w.reason and w.owner and w.issue and w.expires for w in waivers)


def _steps(name: str) -> list[dict]:
    doc = _load(name)
    job = doc["jobs"]["release-gate" if name == "gate.yml" else "nightly"]
    return job["steps"]


def _index(steps: list[dict], predicate) -> int:
    found = [i for i, s in enumerate(steps) if predicate(s)]
    assert found, "no such step"
    return found[0]


def _run_step(step: dict, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """A workflow step's shell, as GitHub runs it (bash -e), in ``cwd``."""
    import os
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=cwd,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHON": sys.executable, **env,
                               "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})


def test_gate_writes_a_job_summary(tmp_path: Path) -> None:
    steps = _steps("gate.yml")
    run = _index(steps, lambda s: s.get("id") == "run")
    summary = _index(steps, lambda s: "$GITHUB_STEP_SUMMARY" in str(s.get("run", "")))
    assert summary > run and steps[summary]["if"] == "always()"
    assert "python -m conformance.report summary reports/compliance.json" in \
        steps[summary]["run"]
    # the step itself, run on a record: it appends the gate's headline to the summary file
    (tmp_path / "reports").mkdir()
    record = {"schema_version": 2, "run": {"url": "https://site.example/x", "api_version":
                                           "40.12.0", "options": {}},
              "summary": {"cases": {"fail": 1}},
              "gate": {"outcome": "non-conformant", "headline": "Non-conformant",
                       "exit_code": 1, "reasons": ["1 failing case(s) not covered by a "
                                                   "waiver, in envelope"]},
              "requirements": [{"id": "envelope", "title": "t", "since": "40.1.0",
                                "verdict": "fail", "source": {},
                                "cases": [{"case_id": "envelope::a", "verdict": "fail"}]}]}
    (tmp_path / "reports" / "compliance.json").write_text(json.dumps(record), "utf-8")
    out = tmp_path / "summary.md"
    out.write_text("earlier step\n", "utf-8")
    proc = _run_step(steps[summary], tmp_path, GITHUB_STEP_SUMMARY=str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text("utf-8")
    assert text.startswith("earlier step\n## Non-conformant (exit code 1)")
    assert "| [envelope](https://help.webex.com/" in text and "1/1 failed" in text
    # no record (the run did not start): a note, and the step does not fail
    (tmp_path / "reports" / "compliance.json").unlink()
    proc = _run_step(steps[summary], tmp_path, GITHUB_STEP_SUMMARY=str(out))
    assert proc.returncode == 0 and "No run record" in out.read_text("utf-8")


@pytest.mark.parametrize("name", ["nightly.yml", "gate.yml"])
def test_workflow_publishes_junit_and_builds_allure(name: str) -> None:
    doc = _load(name)
    assert doc["permissions"]["checks"] == "write"
    steps = _steps(name)
    run = _index(steps, lambda s: s.get("id") == "run")
    junit = _index(steps, lambda s: "junit" in str(s.get("uses", "")))
    assert steps[junit]["with"]["report_paths"] == "reports/junit.xml"
    assert steps[junit]["if"] == "always()" and junit > run
    allure = _index(steps, lambda s: "allure-commandline" in str(s.get("run", "")))
    text = steps[allure]["run"]
    assert "generate reports/allure-results" in text and "-o reports/allure-report" in text
    assert steps[allure]["if"] == "always()" and allure > run
    java = _index(steps, lambda s: str(s.get("uses", "")).startswith("actions/setup-java"))
    assert java < allure
    uploads = [i for i, s in enumerate(steps)
               if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert any(i > allure and steps[i]["if"] == "always()" and
               str(steps[i]["with"]["path"]).split()[0] in ("reports/", "reports/allure-report/")
               for i in uploads)


def test_nightly_carries_history_and_allure_history_over(tmp_path: Path) -> None:
    steps = _steps("nightly.yml")
    run = _index(steps, lambda s: s.get("id") == "run")
    carry = _index(steps, lambda s: "previous/history" in str(s.get("run", "")))
    carry_allure = _index(steps, lambda s: "allure-report/history" in str(s.get("run", "")))
    generate = _index(steps, lambda s: "allure-commandline" in str(s.get("run", "")))
    # history and hypothesis before the run; Allure's history after it (the suite empties
    # allure-results when it starts) and before the report is generated
    assert carry < run < carry_allure < generate
    prev = tmp_path / "previous"
    (prev / "history").mkdir(parents=True)
    (prev / "history" / "compliance-20260501T021700Z.json").write_text("{}", "utf-8")
    (prev / "hypothesis").mkdir()
    (prev / "hypothesis" / "examples").write_text("db", "utf-8")
    (prev / "allure-report" / "history").mkdir(parents=True)
    (prev / "allure-report" / "history" / "history-trend.json").write_text("[]", "utf-8")
    (tmp_path / "reports").mkdir()
    proc = _run_step(steps[carry], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "reports" / "history" / "compliance-20260501T021700Z.json").is_file()
    assert (tmp_path / "reports" / "hypothesis" / "examples").is_file()
    (tmp_path / "reports" / "allure-results").mkdir()  # what the run wrote
    proc = _run_step(steps[carry_allure], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "reports" / "allure-results" / "history" /
            "history-trend.json").read_text("utf-8") == "[]"
    # the first night: nothing to carry, nothing fails
    first = tmp_path / "first"
    (first / "reports").mkdir(parents=True)
    assert _run_step(steps[carry], first).returncode == 0
    assert _run_step(steps[carry_allure], first).returncode == 0
