"""The three kinds of trouble, kept apart.

* :class:`CaseDefinitionError`: the case (or the configuration) is wrong: a usage error.
* :class:`TargetError`: the target could not be asked or did not answer in the protocol:
  an infrastructure ERROR (we could not tell whether it conforms).
* :class:`Nonconformance`: the target answered and the answer departs from what the
  documentation promises: a FAIL.
"""

from __future__ import annotations


class ConformanceError(Exception):
    """Base of every error this package raises on purpose."""


class CaseDefinitionError(ConformanceError):
    """A case file or option is malformed. Names the file, line and field."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field, self.detail = path, line, field, message
        where = path or "<case>"
        if line is not None:
            where += f":{line}"
        if field:
            where += f": field '{field}'"
        super().__init__(f"{where}: {message}")


class TargetError(ConformanceError):
    """Infrastructure trouble: unreachable, HTTP error, non-XML answer, throttled."""

    kind = "infrastructure"

    def __init__(self, message: str, *, exchange: object | None = None) -> None:
        super().__init__(message)
        self.exchange = exchange


class Unreachable(TargetError):
    kind = "unreachable"


class HttpError(TargetError):
    kind = "http-error"


class Throttled(HttpError):
    kind = "throttled"


class InvalidResponse(TargetError):
    kind = "invalid-response"


class DeadlineReached(TargetError):
    """The run-wide deadline has passed (:class:`conformance.transport.RunDeadline`): no
    request is sent any more."""

    kind = "deadline"


class Nonconformance(ConformanceError, AssertionError):
    """The target departs from the documentation; carries the differences."""


class AuthenticationFailed(TargetError):
    """The target answered, and refused the configured credentials (030002, ...)."""

    kind = "authentication"
