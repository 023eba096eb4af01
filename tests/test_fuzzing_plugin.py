"""The fuzz plugin: option checks, what a verdict is made of, which runs are fuzz runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance.errors import Unreachable
from conformance.fuzzing.harness import FuzzFailure, FuzzTargetError
from conformance.fuzzing.plugin import _kind

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("exc, kind", [
    (FuzzFailure("x"), "fail"),
    (AssertionError("x"), "fail"),
    (FuzzTargetError("x"), "error"),
    (Unreachable("x"), "error"),
    (ExceptionGroup("g", [FuzzTargetError("a"), Unreachable("b")]), "error"),
    (ExceptionGroup("g", [FuzzTargetError("a"), FuzzFailure("b")]), "fail"),
    (TypeError("bug"), "harness"),
    (ExceptionGroup("g", [TypeError("a"), FuzzTargetError("b")]), "harness"),
    (None, "harness"),
])
def test_kind_of_failure(exc, kind: str) -> None:
    assert _kind(exc) == kind


@pytest.mark.parametrize("option", ["--conformance-fuzz-examples=abc",
                                    "--conformance-fuzz-examples=0",
                                    "--conformance-fuzz-rate=-1"])
def test_bad_fuzz_options_are_usage_errors(option: str) -> None:
    run = subprocess.run([sys.executable, "-m", "pytest", "fuzz", "--co", "-q", "-p",
                          "no:cacheprovider", option], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 4, run.stdout + run.stderr
    assert "--conformance-fuzz-" in run.stderr


def test_collection_of_cases_fuzz_and_both() -> None:
    def count(*args: str) -> str:
        run = subprocess.run([sys.executable, "-m", "pytest", *args, "--co", "-q", "-p",
                              "no:cacheprovider"], cwd=REPO, capture_output=True, text=True,
                             timeout=120)
        return run.stdout
    fuzz_only = count("fuzz")
    assert "fuzz/test_fuzz_envelope.py::" in fuzz_only and "cases/" not in fuzz_only
    both = count()
    assert "fuzz/test_fuzz_lifecycles.py::" in both and "cases/envelope.yaml::" in both
    assert "fuzz/" not in count("cases")


def test_requirement_filter_applies_to_fuzz_tests() -> None:
    run = subprocess.run([sys.executable, "-m", "pytest", "fuzz", "--co", "-q", "-p",
                          "no:cacheprovider", "--conformance-requirement=past-start-060016"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "test_fuzz_past_start.py::" in run.stdout
    assert "test_fuzz_envelope.py::" not in run.stdout and "deselected" in run.stdout
