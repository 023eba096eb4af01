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
