"""The exit codes and the reports directory, each written once; the gate's exit status."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from conformance import exitcodes, replay
from conformance._pytest.gate import exit_status
from conformance.paths import DEFAULT_REPORTS, reports_dir

report_gate = importlib.import_module("conformance.report.gate")  # the package has gate()


def test_pytests_codes_are_pytests() -> None:
    assert exitcodes.PYTEST_INTERRUPTED == pytest.ExitCode.INTERRUPTED
    assert exitcodes.PYTEST_INTERNAL_ERROR == pytest.ExitCode.INTERNAL_ERROR
    assert exitcodes.PYTEST_USAGE_ERROR == pytest.ExitCode.USAGE_ERROR == exitcodes.EXIT_USAGE
    assert exitcodes.PYTEST_NO_TESTS_COLLECTED == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_codes_are_the_same_objects_everywhere() -> None:
    assert (report_gate.EXIT_OK, report_gate.EXIT_NONCONFORMANT, report_gate.EXIT_INFRA) == \
        (exitcodes.EXIT_OK, exitcodes.EXIT_NONCONFORMANT, exitcodes.EXIT_INFRA)
    assert (replay.EXIT_OK, replay.EXIT_USAGE, replay.EXIT_INFRA) == (0, 4, 6)
    codes = [exitcodes.EXIT_OK, exitcodes.EXIT_NONCONFORMANT, 2, 3, exitcodes.EXIT_USAGE, 5,
             exitcodes.EXIT_INFRA, exitcodes.EXIT_SAFETY]
    assert codes == [0, 1, 2, 3, 4, 5, 6, 7]
    assert exitcodes.meaning(6).startswith("infrastructure") and exitcodes.meaning(7) == "see pytest"


def test_reports_dir() -> None:
    assert reports_dir() == reports_dir("") == reports_dir(None) == Path(DEFAULT_REPORTS)
    assert reports_dir("/tmp/x") == Path("/tmp/x")


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"case_file_errors": 1, "exitstatus": 0}, 4),
    ({"exitstatus": 2, "gate": {"exit_code": 1}, "recorded": True}, 2),   # interrupted stands
    ({"exitstatus": 1, "gate": {"exit_code": 1}, "recorded": True}, 1),
    ({"exitstatus": 0, "gate": {"exit_code": 6}, "recorded": True}, 6),
    ({"exitstatus": 1, "gate": {"exit_code": 0}, "recorded": True}, 0),   # a waived FAIL
    ({"exitstatus": 1, "gate": {"exit_code": 0}, "recorded": True,
      "unrecorded_failures": 1}, 1),                                      # a fixture error
    ({"exitstatus": 5, "gate": {"exit_code": 0}, "recorded": False}, 5),
    ({"exitstatus": 0}, 0),                                               # nothing published
])
def test_exit_status(kwargs: dict, expected: int) -> None:
    assert exit_status(**kwargs) == expected
