"""The run's exit code (:mod:`conformance.exitcodes`) from the release gate's decision
(:func:`conformance.report.gate.gate`) and what pytest saw."""

from __future__ import annotations

from typing import Any

from ..exitcodes import (
    EXIT_NONCONFORMANT,
    EXIT_OK,
    EXIT_USAGE,
    PYTEST_INTERRUPTED,
    PYTEST_KEEPS,
)


def exit_status(*, exitstatus: int, case_file_errors: int = 0,
                gate: dict[str, Any] | None = None, recorded: bool = False,
                unrecorded_failures: int = 0, interrupted: bool = False,
                stopped: int | None = None) -> int:
    """The session's exit status at its end.

    A malformed case file is a usage error (4). An interrupted run (a signal, the run
    deadline; also when the code under the signal swallowed it) is pytest's interrupted
    (2). A run stopped on purpose (every answer HTTP 403) has its own code (``stopped``:
    6). pytest's interrupted, internal error and usage error stand. Otherwise the gate
    decides: its code when not 0; a failure the record has no verdict for (a fixture
    error, a crash) is non-conformance (1); with verdicts recorded and nothing wrong, 0
    (pytest's 1 for a waived, xfailed FAIL does not count); with nothing recorded,
    pytest's own status."""
    if case_file_errors:
        return EXIT_USAGE
    if interrupted:
        return PYTEST_INTERRUPTED
    if stopped is not None and exitstatus == PYTEST_INTERRUPTED:
        return stopped
    if gate is None or exitstatus in PYTEST_KEEPS:
        return exitstatus
    if gate["exit_code"] != EXIT_OK:
        return int(gate["exit_code"])
    if unrecorded_failures:  # the gate judged every recorded verdict
        return EXIT_NONCONFORMANT
    return EXIT_OK if recorded else exitstatus
