"""The exit codes of a conformance run, written once: the plugin, the release gate
(:mod:`conformance.report.gate`), :mod:`conformance.replay` and the safety checks use these.

=====  ==========================================================================
0      conformant (or, for replay, the target answered)
1      non-conformant: a FAIL no active waiver covers (or a stale waiver, strict)
2      pytest: interrupted (Ctrl-C, SIGTERM, the run deadline): the record says so
3      pytest: internal error
4      usage error: a malformed case file, option, waiver file or baseline
5      pytest: no tests collected
6      infrastructure errors only: the target could not be asked (could not tell)
7      safety: a secret in the reports, or objects left (``--conformance-fail-on-leak``)
=====  ==========================================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NONCONFORMANT = 1
EXIT_USAGE = 4
EXIT_INFRA = 6
EXIT_SAFETY = 7

# pytest's own (pytest.ExitCode), kept as plain numbers so that the report tools and the
# replay command do not need pytest
PYTEST_INTERRUPTED = 2
PYTEST_INTERNAL_ERROR = 3
PYTEST_USAGE_ERROR = 4
PYTEST_NO_TESTS_COLLECTED = 5

#: pytest's verdicts on the run itself that no conformance verdict overrides
PYTEST_KEEPS = frozenset({PYTEST_INTERRUPTED, PYTEST_INTERNAL_ERROR, PYTEST_USAGE_ERROR})

#: what the terminal summary says of an exit code (others: "see pytest")
MEANINGS = {EXIT_OK: "conformant", EXIT_NONCONFORMANT: "non-conformance found",
            PYTEST_INTERRUPTED: "interrupted: the run did not finish (see what ran in the "
                                "record)",
            EXIT_INFRA: "infrastructure errors only (could not tell)"}


def meaning(code: int) -> str:
    return MEANINGS.get(code, "see pytest")
