"""Running safely against a shared site: one run prefix for all workers, the run's ledger
torn down again at the end (also after a failure or Ctrl-C), a sweep and leak check by
prefix, a rate limit shared by the xdist workers, cases that change site-wide state kept
apart from the others, redacted logs, and a scan of every report for the run's secrets.

Registered by :func:`conformance.plugin.pytest_configure` as the plugin object
``conformance-safety``, with the run's :class:`~conformance._pytest.state.RunState`; the
runner and the report writers do not know it.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import pytest

from ._pytest.interrupt import CleanupAborted, Interrupts
from ._pytest.options import CLEANUP_GRACE
from ._pytest.render import listed
from ._pytest.state import RunState, is_worker
from .capabilities import arranges_settings
from .errors import TargetError
from .exitcodes import EXIT_SAFETY, PYTEST_KEEPS
from .ratelimit import RateLimiter, SiteStateLock, run_dir
from .redact import Redactor, url_secrets
from .target import TargetConfig, TargetSession

__all__ = ["EXIT_SAFETY", "LeakReport", "SafetyPlugin", "configured_secrets", "finish_target",
           "leftovers", "register", "scan", "teardown_ledger"]

PLUGIN_NAME = "conformance-safety"


@dataclass
class LeakReport:
    """What the end of a run found and did."""

    prefix: str
    checked: str = ""                       # how: "mock state" | "list APIs" | why not
    teardown: list[str] = field(default_factory=list)   # run ledger items deleted at the end
    swept: list[str] = field(default_factory=list)      # found by prefix and deleted
    left: list[str] = field(default_factory=list)       # still there: a leak
    deactivated_users: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rate_limit: dict[str, float] = field(default_factory=dict)  # requests, throttled
    creates: int = 0                        # requests sent that can create something
    teardown_left: int = 0                  # run ledger items not torn down (aborted)
    reused_users: list[str] = field(default_factory=list)  # "old as new" (userpool)

    def merge(self, other: dict[str, Any]) -> None:
        for name in ("teardown", "swept", "left", "deactivated_users", "errors",
                     "reused_users"):
            getattr(self, name).extend(other.get(name, []))
        self.creates += int(other.get("creates", 0))
        if other.get("checked") and not self.checked:
            self.checked = other["checked"]

    def to_dict(self) -> dict[str, Any]:
        return {"prefix": self.prefix, "checked": self.checked, "teardown": self.teardown,
                "swept": self.swept, "left": self.left,
                "deactivated_users": sorted(set(self.deactivated_users)),
                "errors": self.errors, "rate_limit": self.rate_limit,
                "creates": self.creates, "reused_users": self.reused_users}


# -- the run's ledger, sweep and leak check ------------------------------------------------------
def teardown_ledger(target: TargetSession) -> tuple[list[str], list[str]]:
    """Delete what is still in the run's ledger, newest first. Returns (done, failed)."""
    done: list[str] = []
    failed: list[str] = []
    for outcome in target.ledger.teardown(target.delete):
        item = outcome.item
        what = f"{item.kind} {item.key} (case {item.case})"
        if outcome.removed:
            done.append(f"{item.delete_api} {what}: done{outcome.note}")
        elif outcome.status == "refused":
            failed.append(f"{what}: {item.delete_api} answered {outcome.detail}")
        else:
            failed.append(f"{what}: {outcome.detail}")
    return done, failed


def leftovers(target: TargetSession, prefix: str) -> tuple[str, dict[str, list[str]]]:
    """Objects on the site whose name starts with ``prefix``: from the mock's control state
    when there is one, else through the list APIs. Keys: users, deactivated_users,
    meetings, records."""
    if target.control_url:
        state = target.control("state?prefix=" + prefix, method="GET")
        objects = state.get("objects", {})
        return "mock state", {k: list(v) for k, v in objects.items()}
    from .sweep import find, matcher
    found, errors = find(target, matcher(prefix))
    out: dict[str, list[str]] = {"users": [], "deactivated_users": [], "meetings": [],
                                 "records": [], "errors": errors}
    for item in found:
        if item.kind == "user":
            out["users" if item.active else "deactivated_users"].append(item.name)
        elif item.kind == "meeting":
            out["meetings"].append(item.key)
        else:
            out["records"].append(f"{item.kind}:{item.key}")
    return "list APIs", out


def _left(objects: dict[str, list[str]]) -> list[str]:
    return [f"{kind[:-1] if kind.endswith('s') else kind} {name}"
            for kind in ("users", "meetings", "records") for name in objects.get(kind, [])]


def finish_target(target: TargetSession, prefix: str, *, check: bool,
                  interrupted: bool = False, interrupts: Interrupts | None = None,
                  creates: int | None = None) -> LeakReport:
    """End of a run on ``target``: tear the run's ledger down; then (``check``) look for
    anything with the prefix, sweep it, and look again.

    No look is needed when every answer of the run was an HTTP 403 (nothing got through)
    or when the run sent no request that creates anything (``creates`` == 0). With the
    run's ``interrupts``, a second interrupt aborts all this (the prefix is then left to
    the sweep)."""
    report = LeakReport(prefix)
    aborted = (f"clean-up aborted by a second interrupt: what the run created may be "
               f"left; sweep: python -m conformance.sweep --prefix {prefix}")
    if interrupts is not None and interrupts.aborted:
        report.checked = "not run: the clean-up was aborted by a second interrupt"
        report.errors.append(aborted)
        report.teardown_left = len(target.ledger)
        return report
    try:
        with interrupts.abortable() if interrupts is not None else nullcontext():
            _finish(target, prefix, report, check=check, interrupted=interrupted,
                    creates=creates)
    except CleanupAborted:
        report.checked = report.checked or "not finished: aborted by a second interrupt"
        report.errors.append(aborted)
    return report


def _finish(target: TargetSession, prefix: str, report: LeakReport, *, check: bool,
            interrupted: bool, creates: int | None) -> None:
    done, failed = teardown_ledger(target)
    report.teardown += done
    report.errors += failed
    if not check:
        return
    limiter = target.transport.limiter
    if limiter is not None and limiter.every_answer_forbidden():
        report.checked = ("not needed: every answer was HTTP 403 (the site or something in "
                          "front of it refuses this caller), so the run created nothing")
        return
    if creates == 0 and not target.ledger:
        report.checked = "not needed: the run sent no request that creates anything"
        return
    from .sweep import matcher, sweep
    passes = 3 if interrupted else 2
    for attempt in range(passes):
        try:
            report.checked, objects = leftovers(target, prefix)
        except TargetError as exc:
            report.checked = "not checked"
            report.errors.append(f"leak check failed: {exc}")
            return
        report.errors += objects.pop("errors", [])
        report.deactivated_users = objects.get("deactivated_users", [])
        report.left = _left(objects)
        if not report.left or attempt == passes - 1:
            break
        if attempt and interrupted:
            time.sleep(1.0)  # a request in flight at Ctrl-C may still be creating
        result = sweep(target, matcher(prefix))
        report.swept += result.deleted
        report.errors += result.errors + result.failed


# -- secrets ---------------------------------------------------------------------------------
def configured_secrets(config: TargetConfig) -> dict[str, str]:
    """The run's secrets by where they come from (never printed: only the names are)."""
    out = {"--conformance-password / WEBEX_PASSWORD": config.password,
           "--conformance-host-password / WEBEX_HOST_PASSWORD": config.host_password,
           "--conformance-access-token / WEBEX_ACCESS_TOKEN": config.access_token,
           "--conformance-jwt / WEBEX_JWT": config.jwt, **url_secrets(config.url)}
    if config.embedded:
        from . import mock
        out.update({"the embedded mock's admin password": mock.DEFAULT_ADMIN[1],
                    "the embedded mock's host password": mock.DEFAULT_HOST[1],
                    "the embedded mock's access token": mock.DEFAULT_ACCESS_TOKEN,
                    "the embedded mock's API key JWT": getattr(mock, "DEFAULT_JWT", None)})
    return {name: value for name, value in out.items() if value and len(value) >= 3}


def _forms(secret: str) -> set[bytes]:
    """The secret as it could appear in a file: raw, XML-escaped, JSON-escaped; UTF-8 and
    ISO-8859-1."""
    texts = {secret, escape(secret, quote=False), escape(secret, quote=True),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    out: set[bytes] = set()
    for text in texts:
        for encoding in ("utf-8", "iso-8859-1"):
            try:
                out.add(text.encode(encoding))
            except UnicodeEncodeError:
                pass
    return out


def scan(paths: list[Path], secrets: dict[str, str],
         patterns: dict[str, str] | None = None) -> list[str]:
    """Every file under ``paths`` that contains one of ``secrets`` or matches one of
    ``patterns`` (regular expressions of generated secrets): "file: name of the secret"
    (the value is never part of the answer)."""
    forms = {name: _forms(value) for name, value in secrets.items()}
    families = {name: re.compile(pattern.encode("utf-8"))
                for name, pattern in (patterns or {}).items()}
    # one pass over each file for all secrets; the names only when something matched
    alternatives = [re.escape(v) for vs in forms.values()
                    for v in sorted(vs, key=len, reverse=True)]
    alternatives += [f.pattern for f in families.values()]
    anything = re.compile(b"|".join(alternatives)) if alternatives else None
    hits: list[str] = []
    seen: set[Path] = set()
    for root in paths:
        files: Iterator[Path] = iter([root]) if root.is_file() else root.rglob("*")
        for path in files:
            if not path.is_file() or path in seen:
                continue
            seen.add(path)
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if anything is None or not anything.search(data):
                continue
            for name, variants in forms.items():
                if any(v in data for v in variants):
                    hits.append(f"{path}: {name}")
            for name, family in families.items():
                if family.search(data):
                    hits.append(f"{path}: {name}")
    return hits


class _RedactingFactory:
    """A log record factory that masks the run's secrets in every record's message."""

    def __init__(self, previous: Any, redactor: Redactor) -> None:
        self.previous, self.redactor = previous, redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record stays as it is
            return record
        masked = self.redactor.text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record


# -- the plugin ------------------------------------------------------------------------------
def _changes_site_state(case: Any, *, control: bool = True) -> bool:
    """Cases whose steps (or whose required setting values, arranged by the runner) change
    what every other case sees: site settings or the clock of a shared mock (only where the control interface is there to change them: without it
    those steps skip the case and change nothing), or hazards of the kind
    site-settings/lockout."""
    if case is None:
        return False
    if {"site-settings", "lockout"} & set(case.hazards):
        return True
    if control and arranges_settings(case.requires):  # the runner sets them first
        return True
    return control and any(s.control and ("settings" in s.control
                                          or "advance_clock" in s.control)
                           for s in case.steps)


class SafetyPlugin:
    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state
        self.tc: TargetConfig = state.target_config
        self.fail_on_leak = state.safety.fail_on_leak
        self.session: pytest.Session | None = None
        self.report = LeakReport(state.prefix)
        self.worker_reports: list[dict[str, Any]] = []
        self.secrets: dict[str, str] = {}
        self.extra_secrets: set[str] = set()
        self.extra_patterns: set[str] = set()
        self.scan_hits: list[str] = []
        self.lock: SiteStateLock | None = None
        self.log_factory: _RedactingFactory | None = None
        self.active = False  # cases ran: the leak check and the secret scan apply
        self.nodes = 0       # xdist workers started

    # -- configuration ---------------------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        tc = self.tc
        self.secrets = configured_secrets(tc)
        redactor = Redactor(self.secrets.values())
        self.log_factory = _RedactingFactory(logging.getLogRecordFactory(), redactor)
        logging.setLogRecordFactory(self.log_factory)
        config.addinivalue_line("markers", "xdist_group(name): cases kept on one xdist worker "
                                           "(the conformance cases that change site state)")
        option = config.option
        if getattr(option, "dist", "no") == "load" and not tc.embedded:
            # keep the xdist_group of cases that change site-wide state on one worker
            option.dist = "loadgroup"

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_to_serializable(self, config: pytest.Config, report: Any) -> None:
        """xdist sends reports to the controller: the case record (``report.conformance``)
        must survive that; YAML-derived types (LineDict, dates) become plain JSON values.
        Returns None: pytest's own serialisation follows."""
        data = getattr(report, "conformance", None)
        if data is not None:
            report.conformance = json.loads(json.dumps(data, default=str))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["conformance_prefix"] = self.state.prefix
        self.nodes += 1
        deadline = self.tc.run_deadline
        if deadline is not None:  # one instant for every process of the run
            node.workerinput["conformance_deadline_at"] = deadline.at

    def _exclusive(self, item: pytest.Item) -> bool | None:
        """How an item uses a shared target: True (alone: it changes site-wide state), False
        (beside others), None (it does not use the target)."""
        control = bool(self.tc.embedded or self.tc.mock_control)
        case = getattr(item, "case", None)
        if case is not None:
            return _changes_site_state(case, control=control)
        fuzz = (item.config.rootpath / "fuzz").resolve()
        if fuzz in Path(str(item.path)).resolve().parents:
            # fuzz tests (conformance/fuzzing) may set the mock's clock or settings (alone),
            # which they cannot without the control interface (beside others)
            return control
        return None

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            if self._exclusive(item):
                item.add_marker(pytest.mark.xdist_group("conformance-site-state"))

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    # -- each case -------------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Any:
        """Around set-up, call and teardown of each item, on a target shared by xdist
        workers: the site-state lock. (The shared rate limiter and the workers' numbering
        are the target's from its construction: RunState.new_target.)"""
        exclusive = self._exclusive(item)
        lock = None
        if exclusive is not None and is_worker(self.config) and not self.tc.embedded:
            lock = self.lock = self.lock or SiteStateLock(run_dir(self.state.prefix))
            lock.acquire(exclusive=exclusive)
        try:
            yield
        finally:
            if lock is not None:
                lock.release()

    # -- end of the run --------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = session.config
        state = self.state
        target = state.current_target
        interrupted = state.interrupted(exitstatus)
        intr = state.interrupts
        prefix = state.prefix
        deadline = self.tc.run_deadline
        if deadline is not None and deadline.remaining() < CLEANUP_GRACE:
            # after the run deadline: a bounded time for the clean-up and the leak check
            deadline.grace(CLEANUP_GRACE)
        if target is not None:
            self.extra_secrets |= set(target.redactor.secrets)
            self.extra_patterns |= set(target.redactor.patterns)
            self.report.creates += target.create_requests
            if target.user_pool is not None:
                self.report.reused_users += target.user_pool.summary()["reused"]
        if self.state.stopped:  # discovery could not ask the target: nothing ran
            self.active = not is_worker(config)  # the secret scan of the reports still runs
            return
        if is_worker(config):
            if target is not None:
                # a worker checks only its own embedded mock; a shared site is checked by
                # the controller once every worker is done
                rep = finish_target(target, prefix, check=self.tc.embedded,
                                    interrupted=interrupted, interrupts=intr,
                                    creates=target.create_requests)
                rep.creates = target.create_requests
                rep.reused_users = list(self.report.reused_users)
                data = rep.to_dict()
                data["secrets"] = sorted(self.extra_secrets)  # in memory only, for the scan
                data["secret_patterns"] = sorted(self.extra_patterns)
                config.workeroutput["conformance_safety"] = data  # type: ignore[attr-defined]
            return
        for other in self.worker_reports:
            self.report.merge(other)
            self.extra_secrets |= set(other.get("secrets", []))
            self.extra_patterns |= set(other.get("secret_patterns", []))
        # cases ran (not `pytest tests` with the plugin idle, not --collect-only)
        self.active = bool(target is not None or self.worker_reports or self.state.records)
        own: TargetSession | None = target
        if own is None and not self.tc.embedded and self.active:
            try:
                # the shared site, for the final check (within the run's rate limit)
                own = self.state.new_target()
            except Exception as exc:  # configuration problems were reported already
                self.report.errors.append(f"leak check not possible: {exc}")
        if own is not None:
            try:
                # the count of creates is known in this process, or from every worker
                known = target is not None or len(self.worker_reports) >= self.nodes > 0
                rep = finish_target(own, prefix, check=True, interrupted=interrupted,
                                    interrupts=intr,
                                    creates=self.report.creates if known else None)
                creates = self.report.creates
                self.report.merge(rep.to_dict())
                self.report.creates = creates
                self.report.left, self.report.checked = rep.left, rep.checked
                self.report.deactivated_users = rep.deactivated_users
            finally:
                if own is not target:
                    own.close()
        limiter = RateLimiter(run_dir(prefix), None)
        if limiter.state_path.exists():
            stats = limiter.stats()
            self.report.rate_limit = {k: stats[k] for k in ("requests", "throttled")
                                      if k in stats}
        if self.report.checked or self.report.teardown or self.report.errors:
            self._write_report(config)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        data = getattr(node, "workeroutput", {}).get("conformance_safety")
        if data:
            self.worker_reports.append(data)

    def _reports_dir(self) -> Path:
        return self.state.reports

    def _write_report(self, config: pytest.Config) -> None:
        directory = self._reports_dir()
        directory.mkdir(parents=True, exist_ok=True)
        data = self.report.to_dict()
        data["fail_on_leak"] = self.fail_on_leak
        (directory / "cleanup.json").write_text(json.dumps(data, indent=2) + "\n", "utf-8")

    # trylast: after pytest's own sections; before the fuzz and conformance sections
    # (trylast implementations run in the order they were registered)
    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int,
                                config: pytest.Config) -> None:
        rep = self.report
        if is_worker(config) or not (rep.checked or rep.teardown or rep.errors):
            return
        tr = terminalreporter
        tr.section("cleanup")
        tr.write_line(f"  run prefix {rep.prefix}; leak check: {rep.checked or 'not run'}")
        if rep.teardown:
            tr.write_line(f"  {len(rep.teardown)} object(s) deleted at the end of the run "
                          f"(left by an interrupted or failed case clean-up)")
        if rep.rate_limit.get("throttled"):
            tr.write_line(f"  the site throttled {int(rep.rate_limit['throttled'])} request(s): "
                          f"the run backed off; the cases are ERROR (throttled)", yellow=True)
        if rep.swept:
            tr.write_line(f"  {len(rep.swept)} object(s) found by prefix and deleted")
        if rep.reused_users:
            tr.write_line(f"  {len(rep.reused_users)} case(s) reused a deactivated user "
                          f"instead of creating one (--conformance-reuse-users)")
        if rep.deactivated_users:
            tr.write_line(f"  {len(set(rep.deactivated_users))} user(s) deactivated, not "
                          f"deleted (DelUser cannot delete): "
                          + listed(sorted(set(rep.deactivated_users))))
        for error in rep.errors[:20]:
            tr.write_line(f"  clean-up problem: {error}", yellow=True)
        if rep.left:
            tr.write_line(f"  LEAK: {len(rep.left)} object(s) with the prefix left: "
                          + listed(rep.left, 20)
                          + f" - sweep: python -m conformance.sweep --prefix {rep.prefix}",
                          red=True)
        else:
            tr.write_line("  nothing with the run prefix left", green=True)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.log_factory is not None:
            if logging.getLogRecordFactory() is self.log_factory:
                logging.setLogRecordFactory(self.log_factory.previous)
            self.log_factory = None
        if is_worker(config) or self.session is None:
            return
        if self.state.prefix:
            shutil.rmtree(run_dir(self.state.prefix), ignore_errors=True)
        if not self.active:
            return
        messages: list[str] = []
        status: int | None = None
        if self.report.left and self.fail_on_leak:
            messages.append(f"conformance: {len(self.report.left)} object(s) with the run "
                            f"prefix {self.report.prefix} left on the site "
                            f"(--conformance-fail-on-leak): exit code {EXIT_SAFETY}")
            status = EXIT_SAFETY
        self.scan_hits = self.secret_scan(config)
        if self.scan_hits:
            messages.append(f"conformance: SECRET FOUND in the reports - exit code "
                            f"{EXIT_SAFETY}; remove these files before sharing them:")
            messages += [f"  {hit}" for hit in self.scan_hits]
            status = EXIT_SAFETY
        if status is not None and self.session.exitstatus not in PYTEST_KEEPS:
            self.session.exitstatus = status
        if messages:
            tr = config.pluginmanager.get_plugin("terminalreporter")
            for line in messages:
                if tr is not None:
                    tr.write_line(line, red=True)
                else:
                    print(line, flush=True)

    def secret_scan(self, config: pytest.Config) -> list[str]:
        """Every artifact of the run (reports dir, JUnit, Allure results) for each secret."""
        paths = [self._reports_dir()]
        for extra in (getattr(config.option, "xmlpath", None),
                      getattr(config.option, "allure_report_dir", None)):
            if extra:
                paths.append(Path(extra))
        secrets = dict(self.secrets)
        for n, value in enumerate(sorted(self.extra_secrets), 1):
            if value not in secrets.values() and len(value) >= 3:
                secrets[f"a secret of the run (ticket or generated password #{n})"] = value
        return scan([p for p in paths if p.exists()], secrets,
                    patterns={f"a generated password of the run (pattern #{n})": pattern
                              for n, pattern in enumerate(sorted(self.extra_patterns), 1)})


def register(config: pytest.Config, state: RunState) -> SafetyPlugin:
    """Called by the conformance plugin's pytest_configure once the run's state is known."""
    existing = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if existing is not None:
        return existing
    plugin = SafetyPlugin(config, state)
    config.pluginmanager.register(plugin, PLUGIN_NAME)
    return plugin
