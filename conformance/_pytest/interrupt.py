"""Signals during a run: SIGTERM (how CI cancels a job) is handled like the first Ctrl-C,
and the end of a run (clean-up, reports, secret scan) is never cut short by a traceback.

* While the cases run, the first SIGINT or SIGTERM stops the run as Ctrl-C does: the case in
  progress is interrupted (its own clean-up runs), no further case starts (also when the
  code under the signal swallowed the ``KeyboardInterrupt``: ``session.shouldstop``), and
  the end of the run follows: clean-up, leak check, reports marked interrupted, secret scan.
* During the final clean-up the first signal is noted; a second one aborts the clean-up
  (:class:`CleanupAborted` is raised only inside :meth:`Interrupts.abortable`, where the
  clean-up catches it); the reports are written in full whatever comes.
* While the reports are written, and after, signals are noted only.

The run's :class:`Interrupts` lives in its :class:`~conformance._pytest.state.RunState`;
:mod:`conformance.plugin` installs it at configure time and restores the previous handlers
at the very end.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: phases of a run, in order
CASES, CLEANUP, REPORTS, DONE = "cases", "clean-up", "reports", "done"
HANDLED = (signal.SIGINT, signal.SIGTERM)


class CleanupAborted(KeyboardInterrupt):
    """A second interrupt during the final clean-up: it stops; the reports are still
    written."""


class Interrupts:
    """The signals a run received, and what they mean in the phase they came in."""

    def __init__(self) -> None:
        self.signal: str | None = None     # the first signal's name (SIGINT, SIGTERM)
        self.during: str | None = None     # the phase it came in
        self.count = 0                     # signals received
        self.aborted = False               # a second one: the clean-up is given up
        self.phase = CASES
        self.session: Any = None           # pytest's session, for shouldstop
        self.quiet = False                 # an xdist worker: the controller speaks
        self._abortable = 0
        self._previous: dict[int, Any] = {}

    # -- installation ------------------------------------------------------------------------
    def install(self) -> None:
        """Handle SIGINT and SIGTERM from now on (main thread only: elsewhere nothing)."""
        for sig in HANDLED:
            try:
                previous = signal.signal(sig, self._handler)
            except (ValueError, OSError):  # not the main thread, or not allowed
                continue
            self._previous.setdefault(sig, previous)

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            try:
                signal.signal(sig, previous)
            except (ValueError, OSError, TypeError):
                pass
        self._previous.clear()

    # -- what the run asks -------------------------------------------------------------------
    @property
    def received(self) -> bool:
        return self.count > 0

    def enter(self, phase: str) -> None:
        self.phase = phase

    @contextmanager
    def abortable(self) -> Iterator[None]:
        """Requests of the final clean-up: a second interrupt raises :class:`CleanupAborted`
        in here (the caller catches it)."""
        self._abortable += 1
        try:
            yield
        finally:
            self._abortable -= 1

    def summary(self) -> dict[str, Any]:
        return {"signal": self.signal, "during": self.during, "signals": self.count,
                "cleanup_aborted": self.aborted}

    # -- the handler -------------------------------------------------------------------------
    def _handler(self, signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        self.count += 1
        first = self.count == 1
        if first:
            self.signal, self.during = name, self.phase
        if self.phase == CASES:
            if not first:
                self.aborted = True  # the case's own clean-up is cut; so is the final one
            if self.session is not None:
                # no further case starts, even if the code below swallows the exception
                self.session.shouldstop = f"interrupted by {name}"
            raise KeyboardInterrupt
        if self.phase == CLEANUP:
            if first and not self.quiet:
                _say(f"{name}: finishing the clean-up of what the run created, then the "
                     f"reports; {name} or Ctrl-C again aborts the clean-up (the reports "
                     f"are still written)")
                return
            self.aborted = True
            if self._abortable:
                raise CleanupAborted
            return
        if not self.quiet:
            _say(f"{name}: the run is writing its reports; they are finished first")


def _say(text: str) -> None:
    try:
        sys.stderr.write(f"\nconformance: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed stream: nothing to say it on
        pass
