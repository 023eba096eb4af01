"""The example CI workflows (examples/workflows/) and waiver file are valid and wired as the
README says: secrets from the secret store, artifacts carried, exit code gating."""

from __future__ import annotations

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
