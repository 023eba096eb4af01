"""The :class:`RunControl` plugin object: how a run starts, stops and is interrupted.

* At the start (controller): one line naming the target (``embedded mock`` or the URL
  without its secrets) and the run prefix, flushed at once, so that a run killed with
  ``kill -9`` can still be swept (``python -m conformance.sweep --prefix P``).
* What ran: the node ids collected, those with a final report, the one in progress; an
  interrupted run's record lists what did not run (:meth:`RunState.interruption
  <conformance._pytest.state.RunState.interruption>`).
* Signals (:mod:`.interrupt`): installed for a conformance run; the end of the session is
  its clean-up phase; the previous handlers come back after the last hook.
* The run deadline (``--conformance-deadline``): no item starts after it
  (``session.shouldstop``); the run is interrupted (exit 2), with its clean-up and reports.
* Every answer HTTP 403 (a proxy, a firewall, a blocked account): the run stops after the
  first case, with the cause and exit 6, instead of an ERROR for every case.
"""

from __future__ import annotations

from typing import Any

import pytest

from ..exitcodes import EXIT_INFRA, PYTEST_INTERRUPTED
from ..redact import redact_url
from .interrupt import CLEANUP
from .options import targets_cases
from .state import RunState, is_worker

PLUGIN_NAME = "conformance-runcontrol"

FORBIDDEN_HEADLINE = "every answer was HTTP 403: the target refuses this caller"
FORBIDDEN_CHECKS = ("a proxy or firewall between this machine and the site (HTTPS_PROXY/"
                    "NO_PROXY, an allow-list of source addresses)",
                    "that the account is not blocked (the two-hour 403 block of "
                    "GetSessionInfo/GetUserCard): wait and run again later",
                    "the URL (--conformance-url / WEBEX_XMLAPI_URL)")


def target_label(state: RunState) -> str:
    """The target as the terminal names it: never a secret of the URL."""
    tc = state.target_config
    if tc.embedded:
        return "embedded mock (no site settings given)"
    return f"{redact_url(str(tc.url))} (site {tc.site_name})"


class RunControl:
    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state
        self.active = targets_cases(config) or is_worker(config)
        if self.active:
            state.interrupts.quiet = is_worker(config)  # the controller tells the user
            state.interrupts.install()

    # -- start -----------------------------------------------------------------------------
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.state.interrupts.session = session

    def pytest_collection(self, session: pytest.Session) -> None:
        """The first line of a conformance run (before collection: it is there even when
        the run is killed at once)."""
        if not self.active or is_worker(self.config):
            return
        state = self.state
        line = f"conformance: target {target_label(state)}; run prefix {state.prefix}"
        if not state.target_config.embedded:
            line += (f" (if the run is killed: python -m conformance.sweep --prefix "
                     f"{state.prefix})")
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        if tr is not None:
            tr.write_line(line)
            tr.flush()
        else:
            print(line, flush=True)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if session.items:
            self.state.collected = [item.nodeid for item in session.items]

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if not self.state.collected:  # every worker collects the same items
            self.state.collected = list(ids)

    # -- each item -------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Any) -> bool | None:
        deadline = self.state.target_config.run_deadline
        if deadline is not None and deadline.passed:
            item.session.shouldstop = "run deadline reached (--conformance-deadline)"
            return True  # not run: the record lists it
        return None

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.state.in_progress = nodeid

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.state.ran.add(report.nodeid)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        state = self.state
        if state.in_progress == nodeid:
            state.in_progress = None
        target = state.current_target
        limiter = target.transport.limiter if target is not None else None
        if state.halted is None and limiter is not None and limiter.every_answer_forbidden():
            session = state.interrupts.session
            if session is not None:
                session.shouldstop = FORBIDDEN_HEADLINE
            state.halted = self._forbidden()

    def _forbidden(self) -> dict[str, Any]:
        state = self.state
        cause = next((r.reason for r in state.results if r.reason),
                     "HTTP 403 Forbidden to the first request")
        return {"kind": "forbidden", "headline": FORBIDDEN_HEADLINE,
                "url": redact_url(str(state.target_config.url)), "cause": cause,
                "checks": list(FORBIDDEN_CHECKS), "exit_code": EXIT_INFRA}

    # -- end -------------------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> Any:
        """Before every other end-of-session hook: why the run stopped, if it stopped on
        purpose; from here on, signals do not cut the clean-up or the reports short."""
        state = self.state
        if state.halted is None and not state.interrupts.received \
                and exitstatus == PYTEST_INTERRUPTED:
            deadline = state.target_config.run_deadline
            if deadline is not None and deadline.passed:
                state.halted = {"kind": "deadline", "headline": "run deadline reached",
                                "cause": "--conformance-deadline / WEBEX_DEADLINE",
                                "exit_code": PYTEST_INTERRUPTED}
            elif not state.target_config.embedded and _all_forbidden(state):
                state.halted = self._forbidden()  # an xdist worker stopped for it
        if state.interrupts.received and state.halted is not None and \
                state.halted.get("exit_code") != PYTEST_INTERRUPTED:
            state.halted = None  # a signal came too: interrupted is what the run was
        if state.halted is not None and state.halted["kind"] == "forbidden" and \
                not is_worker(self.config):
            tr = self.config.pluginmanager.get_plugin("terminalreporter")
            text = (f"conformance: stopped: {state.halted['headline']}\n"
                    f"  target: {state.halted['url']}\n  cause:  {state.halted['cause']}"
                    "\n  check:\n" + "\n".join(f"    - {c}" for c in state.halted["checks"]))
            if state.current_target is not None:
                text = state.current_target.redactor.text(text)
            if tr is not None:
                tr.ensure_newline()
                tr.write_line(text, red=True)
        state.interrupts.enter(CLEANUP)
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_unconfigure(self, config: pytest.Config) -> Any:
        yield
        self.state.interrupts.restore()


def _all_forbidden(state: RunState) -> bool:
    limiter = state.limiter()
    return limiter is not None and limiter.every_answer_forbidden()


def register(config: pytest.Config, state: RunState) -> RunControl:
    existing = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if existing is not None:
        return existing
    plugin = RunControl(config, state)
    config.pluginmanager.register(plugin, PLUGIN_NAME)
    return plugin
