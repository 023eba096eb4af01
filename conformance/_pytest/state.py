"""The run's state: one typed object in ``config.stash[RUN_STATE]``, made at configure
time (:func:`conformance._pytest.options.build_run_state`) and handed to the plugin objects
that need it. Its target is made on first use and closed at the end of the session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ..exitcodes import PYTEST_INTERRUPTED
from ..profile import SiteProfile
from ..ratelimit import RateLimiter, run_dir
from ..report.options import GatingOptions
from ..runner import CaseResult
from ..target import TargetConfig, TargetSession
from ..userpool import UserPool
from .interrupt import Interrupts


def is_worker(config: pytest.Config) -> bool:
    """This process is a pytest-xdist worker (the controller writes the reports)."""
    return hasattr(config, "workerinput")


def worker_input(config: pytest.Config) -> dict[str, Any]:
    """What the xdist controller sent this worker (empty on the controller)."""
    return dict(getattr(config, "workerinput", {})) if is_worker(config) else {}


def worker_id(config: pytest.Config) -> str:
    """The xdist worker id (``gw0``...), or "" on the controller or without xdist."""
    return str(worker_input(config).get("workerid", ""))


@dataclass(frozen=True)
class SafetyOptions:
    """``--conformance-fail-on-leak``, ``--conformance-rate-limit``,
    ``--conformance-throttle-backoff`` (the rate's default already applied)."""

    fail_on_leak: bool = False
    rate: float | None = None      # requests per second, shared by the run's processes
    backoff: float = 30.0          # seconds every process waits after a throttled request


@dataclass
class RunState:
    """Everything one run (one process) knows beyond pytest's own config."""

    target_config: TargetConfig
    gating: GatingOptions
    safety: SafetyOptions
    reports: Path                                  # the reports directory
    only: frozenset[str] = frozenset()             # --conformance-requirement
    worker: str = ""                               # xdist worker id; "" on the controller
    profile: SiteProfile | None = None             # --conformance-site-profile
    reuse_users: bool = False                      # --conformance-reuse-users
    start: datetime = field(default_factory=lambda: datetime.now(UTC))
    # -- filled in as the run goes ---------------------------------------------------------
    case_file_errors: int = 0                      # malformed case files (exit 4)
    items: int = 0                                 # case items collected
    results: list[CaseResult] = field(default_factory=list)     # this process's cases
    records: list[dict[str, Any]] = field(default_factory=list)  # every report's record
    unrecorded_failures: int = 0                   # failures with no verdict in the record
    report_path: Path | None = None                # compliance.json, once written
    gate: dict[str, Any] | None = None             # the gate's decision, once made
    final_exit: int | None = None                  # the session's exit status at its end
    #: the run stopped after collection: discovery could not ask the target
    #: (conformance.failfast.StopMessage fields: kind, headline, url, cause, checks)
    stopped: dict[str, Any] | None = None
    #: run-level results of this process: capability findings (profile vs site), the
    #: discovery answers' envelope differences and how many were checked
    findings: list[str] = field(default_factory=list)
    discovery_envelope: list[dict[str, Any]] = field(default_factory=list)
    discovery_checked: int = 0
    # -- interrupted or stopped runs (conformance._pytest.interrupt) -----------------------
    interrupts: Interrupts = field(default_factory=Interrupts)
    collected: list[str] = field(default_factory=list)  # node ids of the items to run
    ran: set[str] = field(default_factory=set)           # node ids with a final report
    in_progress: str | None = None                        # the item running (started, no end)
    #: a run halted on purpose before its end: {"kind", "headline", "cause", "exit_code"}
    #: (the run deadline: interrupted, 2; every answer HTTP 403: 6)
    halted: dict[str, Any] | None = None
    _target: TargetSession | None = field(default=None, repr=False)

    @property
    def prefix(self) -> str:
        return str(self.target_config.prefix)

    def interrupted(self, exitstatus: int | None = None) -> bool:
        """The run did not get to its end: a signal, pytest's own interruption (exit 2),
        or the run deadline."""
        if self.interrupts.received:
            return True
        if self.halted is not None:  # pytest's 2 of a stop on purpose is not a signal
            return self.halted.get("exit_code") == PYTEST_INTERRUPTED
        return exitstatus == PYTEST_INTERRUPTED

    def interruption(self, exitstatus: int | None = None) -> dict[str, Any] | None:
        """What the run record says of an interrupted run: the cause, when it came, what
        ran and what did not (None: the run was not interrupted)."""
        if not self.interrupted(exitstatus):
            return None
        intr = self.interrupts
        if intr.signal:
            cause = intr.signal
        elif self.halted:
            cause = str(self.halted.get("headline"))
        else:
            cause = "KeyboardInterrupt"
        not_run = [n for n in self.collected if n not in self.ran]
        return {"cause": cause, "during": intr.during or "cases",
                "cleanup_aborted": intr.aborted, "collected": len(self.collected),
                "ran": len([n for n in self.collected if n in self.ran]) if self.collected
                else len(self.ran),
                "in_progress": self.in_progress, "not_run": not_run}

    # -- the target ------------------------------------------------------------------------
    def limiter(self) -> RateLimiter | None:
        """The rate limiter shared by every process of the run (none on the embedded mock
        unless a rate is asked for)."""
        if self.safety.rate or not self.target_config.embedded:
            return RateLimiter(run_dir(self.prefix), self.safety.rate,
                               backoff=self.safety.backoff)
        return None

    def first_case_number(self) -> int:
        """Names stay unique on a site shared by the xdist workers: gw2 counts from 2001."""
        if self.worker.startswith("gw") and self.worker[2:].isdigit():
            return int(self.worker[2:]) * 1000
        return 0

    def new_target(self) -> TargetSession:
        """A target for this run: within its rate limit, with its numbering, and (unless
        ``--conformance-reuse-users=no``) the deactivated users its cases may reuse."""
        pool = UserPool(self.prefix) if self.reuse_users else None
        return TargetSession(self.target_config, limiter=self.limiter(),
                             first_case_number=self.first_case_number(),
                             profile=self.profile, user_pool=pool)

    def target(self) -> TargetSession:
        """The run's target, made on first use (starts the embedded mock)."""
        if self._target is None:
            self._target = self.new_target()
        return self._target

    @property
    def current_target(self) -> TargetSession | None:
        """The run's target if one was made (no case ran: None)."""
        return self._target

    def close_target(self) -> None:
        if self._target is not None:
            self._target.close()
            self._target = None


#: the one stash key of the run's state
RUN_STATE = pytest.StashKey[RunState]()


def run_state(config: pytest.Config) -> RunState | None:
    """The run's state, or None when the conformance plugin is not configured."""
    return config.stash.get(RUN_STATE, None)
