"""pytest glue of the fuzz tests (``fuzz/``), registered by its own ``pytest11`` entry
point: options, the hypothesis profile (budget, derandomized mode, database under
``reports/hypothesis``), fixtures, and the run-record entry of every fuzz test.

The options are module-level hooks; at configure time a :class:`FuzzPlugin` object is
registered with the run's :class:`~conformance._pytest.state.RunState` (its target, its
reports directory, its requirement filter) and does the rest.
"""

from __future__ import annotations

import functools
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .._pytest.render import format_record
from .._pytest.state import RunState, run_state
from ..errors import TargetError
from ..report.options import TRUE
from ..target import TargetSession
from .harness import (
    DEFAULT_EXAMPLES_MOCK,
    DEFAULT_EXAMPLES_SITE,
    DEFAULT_RATE_SITE,
    FuzzFailure,
    FuzzSession,
)

PROFILE = "conformance-fuzz"
FUZZ_DIR = "fuzz"
PLUGIN_NAME = "conformance-fuzz-run"
#: the run's FuzzPlugin (for the fixtures and :func:`stateful_settings`)
FUZZ_PLUGIN = pytest.StashKey["FuzzPlugin"]()
_START = pytest.StashKey[float]()
#: the environment variable of each --conformance-fuzz-NAME option
ENV = {"examples": "WEBEX_FUZZ_EXAMPLES", "derandomize": "WEBEX_FUZZ_DERANDOMIZE",
       "rate": "WEBEX_FUZZ_RATE"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance-fuzz", "Webex XML API fuzzing (fuzz/)")
    group.addoption("--conformance-fuzz-examples", dest="conformance_fuzz_examples",
                    default=None, help=f"examples per fuzz test (default "
                    f"{DEFAULT_EXAMPLES_MOCK} against the mock, {DEFAULT_EXAMPLES_SITE} "
                    f"against a real site) [env {ENV['examples']}]")
    group.addoption("--conformance-fuzz-derandomize", dest="conformance_fuzz_derandomize",
                    action="store_true", default=False,
                    help=f"the same examples on every run (release gating); no database "
                    f"[env {ENV['derandomize']}=1]")
    group.addoption("--conformance-fuzz-rate", dest="conformance_fuzz_rate", default=None,
                    help=f"at most this many calls per minute (default {DEFAULT_RATE_SITE:g} "
                    f"against a real site, unlimited against the mock; 0 = unlimited) "
                    f"[env {ENV['rate']}]")


def _fuzz_dir(config: pytest.Config) -> Path:
    return (config.rootpath / FUZZ_DIR).resolve()


def targets_fuzz(config: pytest.Config) -> bool:
    """Whether the run's arguments touch ``fuzz/`` (or it is a plain ``pytest`` run whose
    testpaths include it)."""
    fuzz = _fuzz_dir(config)
    for arg in config.args:
        path = Path(str(arg).split("::")[0])
        path = path if path.is_absolute() else Path(config.invocation_params.dir) / path
        path = path.resolve()
        if path == fuzz or fuzz in path.parents or path in fuzz.parents:
            return True
    return False


def _number(config: pytest.Config, name: str, text: str | None, kind: type) -> Any:
    if text in (None, ""):
        return None
    try:
        value = kind(text)
    except ValueError:
        raise pytest.UsageError(f"--conformance-fuzz-{name} must be a number, not "
                                f"{text!r}") from None
    if value < 0:
        raise pytest.UsageError(f"--conformance-fuzz-{name} must not be negative")
    return value


@dataclass
class FuzzSettings:
    examples: int
    rate: float | None          # calls per minute; None: unlimited
    derandomize: bool
    reports: Path
    active: bool                # the run's arguments touch fuzz/
    seeds: dict[str, int] = field(default_factory=dict)  # drawn per state machine

    @property
    def mode(self) -> str:
        return "derandomized" if self.derandomize else "random"


def _option(config: pytest.Config, name: str) -> Any:
    """The option, else its environment variable (``WEBEX_FUZZ_EXAMPLES``...)."""
    value = config.getoption(f"conformance_fuzz_{name}")
    if value in (None, "", False):
        value = os.environ.get(ENV[name]) or value
    return value


def pytest_configure(config: pytest.Config) -> None:
    state = run_state(config)  # made by the conformance plugin's (tryfirst) configure
    if state is None:  # the plugin is not active here (an unrelated project)
        return
    examples = _number(config, "examples", _option(config, "examples"), int)
    rate = _number(config, "rate", _option(config, "rate"), float)
    derandomize = str(_option(config, "derandomize")).strip().lower() in TRUE
    if examples == 0:
        raise pytest.UsageError("--conformance-fuzz-examples must be at least 1")
    target_config = state.target_config
    embedded = target_config.embedded or bool(target_config.mock_control)
    if examples is None:
        examples = DEFAULT_EXAMPLES_MOCK if embedded else DEFAULT_EXAMPLES_SITE
    if rate is None:
        rate = None if embedded else DEFAULT_RATE_SITE
    fuzz = FuzzSettings(examples=examples, rate=rate or None, derandomize=derandomize,
                        reports=state.reports,
                        active=targets_fuzz(config))
    if fuzz.active and config.getoption("hypothesis_profile", None) is None:
        _load_profile(examples, derandomize, fuzz.reports)
    plugin = FuzzPlugin(config, fuzz, state)
    config.stash[FUZZ_PLUGIN] = plugin
    if config.pluginmanager.get_plugin(PLUGIN_NAME) is None:
        config.pluginmanager.register(plugin, PLUGIN_NAME)


def _load_profile(examples: int, derandomize: bool, reports: Path) -> None:
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.database import DirectoryBasedExampleDatabase
    database = None if derandomize else DirectoryBasedExampleDatabase(
        str(reports / "hypothesis"))
    settings.register_profile(
        PROFILE, max_examples=examples, derandomize=derandomize, database=database,
        deadline=None, print_blob=True, stateful_step_count=8, report_multiple_bugs=False,
        # no "explain" phase: it costs calls to the target, the budget is for examples
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                               HealthCheck.filter_too_much, HealthCheck.data_too_large])
    settings.load_profile(PROFILE)


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def conformance_target(request: pytest.FixtureRequest) -> TargetSession:
    """The run's :class:`~conformance.target.TargetSession` (mock or site)."""
    return request.config.stash[FUZZ_PLUGIN].target()


@pytest.fixture(scope="session")
def conformance_fuzz(request: pytest.FixtureRequest, conformance_target) -> FuzzSession:
    """The run's :class:`~conformance.fuzzing.harness.FuzzSession`."""
    return request.config.stash[FUZZ_PLUGIN].fuzz_session(conformance_target)


@pytest.fixture
def fuzz(conformance_fuzz: FuzzSession) -> FuzzSession:
    """The fuzz session, reset for this test."""
    conformance_fuzz.begin()
    try:
        conformance_fuzz.target.capabilities()
    except TargetError as exc:
        from .harness import FuzzTargetError
        raise FuzzTargetError(f"the target could not be asked: {exc}") from None
    return conformance_fuzz


def stateful_settings(config: pytest.Config, machine: type) -> Any:
    """Settings for ``run_state_machine_as_test``; the seed comes from --hypothesis-seed
    or is drawn here so that it can be printed on failure."""
    from hypothesis import settings
    fuzz = config.stash[FUZZ_PLUGIN].settings
    if not fuzz.derandomize:
        seed = config.getoption("hypothesis_seed", None)
        seed = int(seed) if seed not in (None, "") else random.getrandbits(32)
        machine._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
        fuzz.seeds[machine.__name__] = seed
    return settings()


# -- the run record -------------------------------------------------------------------------
def _requirement(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("requirement")
    return str(mark.args[0]) if mark and mark.args else None


def _is_fuzz_item(item: pytest.Item) -> bool:
    return _under(str(item.path), str(_fuzz_dir(item.config))) and \
        _requirement(item) is not None


@functools.lru_cache(maxsize=4096)
def _under(path: str, directory: str) -> bool:
    return Path(directory) in Path(path).resolve().parents


class FuzzPlugin:
    """The fuzz tests' part of a run: their target (the run's), their session, their
    record entries and their terminal section."""

    def __init__(self, config: pytest.Config, settings: FuzzSettings,
                 state: RunState | None) -> None:
        self.config = config
        self.settings = settings
        self.state = state
        self.session: FuzzSession | None = None

    def target(self) -> TargetSession:
        if self.state is None:
            raise pytest.UsageError("the fuzz tests need the conformance plugin "
                                    "(conformance.plugin) for their target")
        return self.state.target()

    def fuzz_session(self, target: TargetSession) -> FuzzSession:
        if self.session is None or self.session.target is not target:
            info = self.settings
            self.session = FuzzSession(target, calls_per_minute=info.rate,
                                       reports=info.reports, examples=info.examples,
                                       mode=info.mode)
        return self.session

    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        """--conformance-requirement applies to the fuzz tests too."""
        only = self.state.only if self.state is not None else frozenset()
        if not only:
            return
        keep, drop = [], []
        for item in items:
            (drop if _is_fuzz_item(item) and _requirement(item) not in only
             else keep).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if _is_fuzz_item(item):
            item.stash[_START] = time.perf_counter()

    def _seed_line(self, item: pytest.Item) -> str:
        info = self.settings
        if info.derandomize:
            return ("derandomized run (--conformance-fuzz-derandomize): the same examples "
                    "every time")
        seed = getattr(getattr(item, "obj", None), "_hypothesis_internal_use_generated_seed",
                       None)
        if seed is None:
            seed = info.seeds.get(getattr(item, "_machine_name", ""), None)
        forced = item.config.getoption("hypothesis_seed", None)
        seed = forced if forced not in (None, "") else seed
        if seed is None:
            return (f"seed: see hypothesis' output above; the example is also kept in "
                    f"{info.reports}/hypothesis and replayed first on the next run")
        return (f"seed: {seed} (reproduce: python -m pytest '{item.nodeid}' "
                f"--hypothesis-seed={seed})")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):
        outcome = yield
        report = outcome.get_result()
        if not _is_fuzz_item(item):
            return
        final = call.when == "call" or (call.when == "setup" and not report.passed)
        if not final:
            return
        from ..catalogue import catalogue
        requirement = _requirement(item) or ""
        req = catalogue().get(requirement)
        session = self.session
        started = item.stash.get(_START, None)
        duration = round((time.perf_counter() - started) * 1000, 1) if started else 0.0
        verdict, reason = "pass", ""
        failure = session.last_failure if session is not None else None
        extra_lines: list[str] = []
        if report.skipped:
            verdict = "skip"
            reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) \
                else "skipped"
        elif report.failed:
            exc = call.excinfo.value if call.excinfo is not None else None
            kind = _kind(exc)
            if call.when == "setup" or kind == "error":
                verdict, reason = "error", f"could not tell: {exc}"
            elif kind == "fail":
                verdict = "fail"
                reason = failure.message if failure else \
                    str(exc).splitlines()[0] if exc else ""
            else:  # a defect of the fuzzer itself is no verdict on the target
                verdict, reason = "error", f"fuzz harness error: {type(exc).__name__}: {exc}"
        params: dict[str, Any] = {"examples": self.settings.examples,
                                  "mode": self.settings.mode}
        if verdict == "fail" and session is not None:
            params["seed"] = self._seed_line(item)
            extra_lines.append(params["seed"])
            if failure is not None:
                path, command = session.save(item.name, failure, requirement=requirement)
                if path is not None:
                    params["saved"] = str(path)
                if command:
                    params["replay"] = command
                    extra_lines.append(f"shrunk example saved: {path}")
                    extra_lines.append(f"replay: {command}")
                extra_lines.append(f"minimal example: {failure.example}")
        failed = bool(failure and verdict == "fail")
        report.conformance = {  # type: ignore[attr-defined]
            "case_id": f"{requirement}::fuzz:{item.name}",
            "requirement": requirement,
            "title": _title(item),
            "since": req.since if req else "",
            "source": dict(req.source) if req else {},
            "apis": list(req.apis) if req else [],
            "params": params,
            "verdict": verdict,
            "reason": reason,
            "differences": list(failure.differences) if failed else [],  # type: ignore[union-attr]
            "findings": [],
            "steps": failure.steps if failed else [],  # type: ignore[union-attr]
            "cleanup": list(failure.cleanup) if failed else [],  # type: ignore[union-attr]
            "leftovers": list(session.leftovers) if session is not None else [],
            "evidence": failure.evidence if failed else None,  # type: ignore[union-attr]
            "duration_ms": duration,
        }
        if session is not None:
            session.leftovers = []
        target = self.state.current_target if self.state is not None else None
        exc = call.excinfo.value if call.excinfo is not None else None
        if failed or (verdict == "error" and isinstance(exc, TargetError)):
            # like a case's failure: requirement, differences, the redacted exchange, the
            # seed and the replay command; hypothesis' own notes (the falsifying example,
            # @reproduce_failure) last; no traceback through the harness
            notes = [_cut(str(n)) for n in getattr(exc, "__notes__", None) or ()]
            report.longrepr = format_record(report.conformance, target,
                                            extra=extra_lines + notes)
        elif extra_lines:
            report.sections.append(("conformance fuzz", "\n".join(extra_lines)))

    # after the cleanup section, before the conformance one (trylast implementations run in
    # the order they were registered)
    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int,
                                config: pytest.Config) -> None:
        info = self.settings
        session = self.session
        records = self.state.records if self.state is not None else []
        if not info.active or (session is None and not any(
                "::fuzz:" in str(r.get("case_id")) for r in records)):
            return  # no fuzz test ran (--collect-only, -k ...); xdist: they ran on workers
        tr = terminalreporter
        tr.section("conformance fuzz")
        rate = f"{info.rate:g} calls/min" if info.rate else "unlimited"
        tr.write_line(f"  {info.examples} example(s) per test, {info.mode}, rate {rate}; "
                      f"database {'off' if info.derandomize else str(info.reports) + '/hypothesis'}")
        if session is not None:
            tr.write_line(f"  {session.calls} call(s) to the target")
        saved = sorted((info.reports / "fuzz").glob("*.xml")) \
            if (info.reports / "fuzz").is_dir() else []
        if saved and exitstatus not in (0,):
            tr.write_line(f"  shrunk failures: {info.reports}/fuzz/ "
                          f"(python -m conformance.replay FILE [--url URL])")


def _cut(note: str, keep: int = 6) -> str:
    """A hypothesis note (the falsifying example's call, which may print whole objects) cut
    to its first lines."""
    lines = note.splitlines()
    if len(lines) <= keep:
        return note
    return "\n".join(lines[:keep - 1] + [f"  … ({len(lines) - keep + 1} more lines)"])


def _title(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "obj", None), "__doc__", None) or ""
    first = " ".join(doc.strip().split("\n\n")[0].split())
    return first or item.name


def _kind(exc: BaseException | None) -> str:
    """fail (a property failed, also when hypothesis found it flaky), error (the target
    could not be asked), or harness (anything else)."""
    if exc is None:
        return "harness"
    if isinstance(exc, (FuzzFailure, AssertionError)):
        return "fail"
    if isinstance(exc, TargetError):
        return "error"
    inner = [_kind(e) for e in getattr(exc, "exceptions", None) or ()]
    if "fail" in inner:
        return "fail"
    if inner and all(k == "error" for k in inner):
        return "error"
    return "harness"
