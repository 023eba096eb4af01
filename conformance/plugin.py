"""The pytest plugin (``pytest11`` entry point ``conformance``): case files become items;
options, verdicts, reports, exit codes.

It is active only in a conformance project: where the rootdir's configuration sets
``conformance_cases`` or a ``--conformance-*`` option is given (:func:`options.active`);
anywhere else (an unrelated project in the same environment) it registers its options and
does nothing. Active, it stays idle unless case files are collected (``pytest tests`` runs
the project's own tests with it loaded but idle). The work is done in
:mod:`conformance._pytest`; this module only wires it: the options, the run state, the
plugin objects, the hooks that delegate.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from . import safety
from ._pytest import discovery, items, options, runcontrol
from ._pytest.items import CaseError, CaseFailed, CaseFile, CaseItem
from ._pytest.junit import PLUGIN_NAME as SCHEMA_JUNIT
from ._pytest.junit import SchemaJUnit
from ._pytest.keep import previous
from ._pytest.recorder import PLUGIN_NAME as RECORDER
from ._pytest.recorder import Recorder
from ._pytest.render import format_result
from ._pytest.state import RUN_STATE, RunState, is_worker, run_state

__all__ = ["RUN_STATE", "CaseError", "CaseFailed", "CaseFile", "CaseItem", "RunState",
           "format_result", "run_state"]


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """--conformance-list-requirements, --conformance-list-faults: print, exit 0."""
    return options.print_lists(config)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not options.active(config):
        return
    config.addinivalue_line("markers", "requirement(id): the requirement id a case checks")
    config.addinivalue_line("markers", "hazard(kind): a case that can lock out, send email or "
                                       "change site-wide state")
    state = options.build_run_state(config)
    config.stash[RUN_STATE] = state
    options.default_report_paths(config, state.reports)
    # signals, the run deadline, what ran; then the run prefix, end-of-run cleanup and
    # leak check, secret scan
    runcontrol.register(config, state)
    safety.register(config, state)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """The Recorder, on the controller: registered after every plugin object of
    pytest_configure, so that its terminal section comes last."""
    config = session.config
    state = run_state(config)
    if state is not None and not is_worker(config) and \
            config.pluginmanager.get_plugin(RECORDER) is None:
        config.pluginmanager.register(Recorder(config, state), RECORDER)
        config.pluginmanager.register(SchemaJUnit(config, state), SCHEMA_JUNIT)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """After collection, before the first item: capability discovery; a target that cannot
    be asked stops the run here (one message, exit 6)."""
    discovery.discover_or_stop(config, items)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: the workers write Allure results into the run's directory too."""
    allure_dir = getattr(node.config.option, "allure_report_dir", None)
    if run_state(node.config) is not None and allure_dir:
        node.workerinput["conformance_allure_dir"] = os.path.abspath(allure_dir)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if run_state(parent.config) is None:
        return None
    return items.collect_file(file_path, parent)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    items.make_report(item, call, outcome.get_result())


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    return items.report_teststatus(report)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """After the safety clean-up and the recorder's reports: the target is closed; the
    previous run's JUnit XML and Allure results come back if nothing was published (no
    case ran: :mod:`._pytest.keep`)."""
    state = run_state(session.config)
    if state is not None:
        state.close_target()
        if not is_worker(session.config):
            previous(session.config).settle(ran=state.report_path is not None)
