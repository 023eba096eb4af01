"""The pytest plugin: case files become items; options, verdicts, reports, exit codes.

Registered through the ``pytest11`` entry point, it stays inert unless case files are
collected (``pytest tests`` runs the project's own tests with it loaded but idle).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from . import __version__
from .cases import Case, is_case_file, load_case_file
from .errors import CaseDefinitionError, ConformanceError
from .report import ReportSettings, publish
from .report.allure_env import release_note_link
from .report.options import GatingOptions, read_gating_options
from .runner import CaseResult, Verdict, run_case
from .target import TargetConfig, TargetSession

EXIT_OK = 0
EXIT_NONCONFORMANT = 1
EXIT_USAGE = 4
EXIT_INFRA = 6

# name, environment variable, help, secret?
OPTIONS: list[tuple[str, str | None, str, bool]] = [
    ("url", "WEBEX_XMLAPI_URL", "XML API endpoint of a real site; without it the embedded "
     "mock is the target", False),
    ("site-name", "WEBEX_SITE_NAME", "site name for the securityContext", False),
    ("webex-id", "WEBEX_ID", "webExID of a site-admin account", False),
    ("password", "WEBEX_PASSWORD", "password of that account (prefer the environment "
     "variable: command lines are visible to other users)", True),
    ("host-id", "WEBEX_HOST_ID", "webExID of a second, non-admin account", False),
    ("host-password", "WEBEX_HOST_PASSWORD", "its password", True),
    ("access-token", "WEBEX_ACCESS_TOKEN", "an access token (webExAccessToken)", True),
    ("jwt", "WEBEX_JWT", "an API key JWT for GetUserCard (JWTToken header)", True),
    ("mock-control", "WEBEX_MOCK_CONTROL", "control URL of a standalone mock "
     "(http://127.0.0.1:8080/_mock): lets cases set site settings and the clock", False),
    ("faults", None, "comma-separated mock faults to inject (embedded mock only)", False),
    ("requirement", None, "run only these requirement ids (comma-separated)", False),
    ("hazards", None, "on a real site, also run cases of these hazard classes: lockout, "
     "email, site-settings, or all (against the mock they always run)", False),
    ("reports", None, "directory for compliance.json (default: reports)", False),
    ("timeout", None, "read timeout per request in seconds (default 60)", False),
    ("prefix", None, "prefix of every object the run creates (default: random wxc...)", False),
    # -- reports and gating options --
    ("waivers", None, "YAML file of accepted deviations (known failures) by requirement or "
     "case id, each with reason, owner, issue and expires: waived FAILs do not fail the "
     "gate, expired waivers do", False),
    ("strict-waivers", None, "flag: a waiver whose case now passes (stale) fails the gate",
     False),
    ("baseline", None, "a previous compliance.json: report newly failing, newly passing and "
     "newly skipped requirements", False),
    # -- safety options (cleanup, leaks, secrets, rate limits) --
    ("fail-on-leak", "WEBEX_FAIL_ON_LEAK", "flag: exit 7 when objects with the run prefix are "
     "left on the site after the run (deactivated users are reported, not counted)", False),
    ("rate-limit", "WEBEX_RATE_LIMIT", "requests per second to the target, shared by all "
     "xdist workers of the run (default 5 on a real site, none on a mock; 0: none)", False),
    ("throttle-backoff", None, "seconds every worker waits after the site throttled a "
     "request (HTTP 403, exceptionID 000045; default 30)", False),
]

_FLAGS = {"strict-waivers", "fail-on-leak"}  # options without a value
_TARGET = pytest.StashKey[TargetSession]()
_GATING = pytest.StashKey[GatingOptions]()
_CONFIG = pytest.StashKey[TargetConfig]()
_RESULTS = pytest.StashKey[list]()
_STATE = pytest.StashKey[dict]()


def _dest(name: str) -> str:
    return "conformance_" + name.replace("-", "_")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "Webex XML API conformance")
    for name, env, text, _ in OPTIONS:
        suffix = f" [env {env}]" if env else ""
        group.addoption(f"--conformance-{name}", dest=_dest(name), default=None,
                        help=text + suffix,
                        **({"action": "store_true"} if name in _FLAGS else {}))
        parser.addini(_dest(name), text)
    parser.addini("conformance_cases", "directory of case files (default: cases)",
                  default="cases")


def _setting(config: pytest.Config, name: str, env: str | None) -> str | None:
    value = config.getoption(_dest(name))
    if value in (None, "") and env:
        value = os.environ.get(env)
    if value in (None, ""):
        value = config.getini(_dest(name)) or None
    return value


def _targets_cases(config: pytest.Config) -> bool:
    """A conformance run (writes reports): the args touch the cases or the fuzz dir."""
    dirs = (_cases_dir(config), (config.rootpath / "fuzz").resolve())
    for arg in config.args:
        path = Path(str(arg).split("::")[0])
        path = (path if path.is_absolute() else Path(config.invocation_params.dir) / path)
        path = path.resolve()
        if any(path == d or d in path.parents or path in d.parents for d in dirs):
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(id): the requirement id a case checks")
    config.addinivalue_line("markers", "hazard(kind): a case that can lock out, send email or "
                                       "change site-wide state")
    values = {name: _setting(config, name, env) for name, env, _, _ in OPTIONS}
    try:
        timeout = float(values["timeout"] or 60)
    except ValueError:
        raise pytest.UsageError(f"--conformance-timeout must be a number of seconds, "
                                f"not {values['timeout']!r}") from None
    target = TargetConfig(
        url=values["url"], site_name=values["site-name"], webex_id=values["webex-id"],
        password=values["password"], host_id=values["host-id"],
        host_password=values["host-password"], access_token=values["access-token"],
        jwt=values["jwt"], mock_control=values["mock-control"],
        faults=[f.strip() for f in (values["faults"] or "").split(",") if f.strip()],
        timeout=timeout, prefix=values["prefix"],
        hazards={h.strip() for h in (values["hazards"] or "").split(",") if h.strip()})
    try:
        target.check()
        if target.faults:
            from .mock.faults import check_names
            check_names(target.faults)
        config.stash[_GATING] = read_gating_options(values)
    except (CaseDefinitionError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_CONFIG] = target
    reports = Path(values["reports"] or "reports")
    if _targets_cases(config) and not _is_worker(config):
        # A conformance run writes all its reports under one directory by default.
        if getattr(config.option, "xmlpath", None) is None:
            config.option.xmlpath = str(reports / "junit.xml")
        if getattr(config.option, "allure_report_dir", None) is None and \
                hasattr(config.option, "allure_report_dir"):
            config.option.allure_report_dir = str(reports / "allure-results")
            config.option.clean_alluredir = True
    config.stash[_RESULTS] = []
    config.stash[_STATE] = {"case_file_errors": 0, "items": 0,
                            "start": datetime.now(UTC),
                            "reports": values["reports"] or "reports",
                            "only": {r.strip() for r in (values["requirement"] or "").split(",")
                                     if r.strip()}}
    from . import safety  # run prefix, end-of-run cleanup and leak check, secret scan
    safety.register(config)


def _cases_dir(config: pytest.Config) -> Path:
    return (config.rootpath / str(config.getini("conformance_cases"))).resolve()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if is_case_file(file_path):
        cases_dir = _cases_dir(parent.config)
        if cases_dir in file_path.resolve().parents:
            return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self):  # type: ignore[override]
        try:
            cases = load_case_file(self.path)
        except CaseDefinitionError as exc:
            self.config.stash[_STATE]["case_file_errors"] += 1
            raise self.CollectError(f"malformed case file: {exc}") from None
        only = self.config.stash[_STATE]["only"]
        for case in cases:
            if only and case.requirement not in only:
                continue
            name = case.id + (f"[{case.param_id}]" if case.params else "")
            yield CaseItem.from_parent(self, name=name, case=case)


class CaseError(ConformanceError):
    """Raised in set-up for ERROR: the target could not be asked, so no verdict."""


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.result: CaseResult | None = None
        self.add_marker(pytest.mark.requirement(case.requirement))
        for hazard in case.hazards:
            self.add_marker(pytest.mark.hazard(hazard))
        self.user_properties += [("requirement", case.requirement), ("since", case.since),
                                 ("source", f"{case.source.get('release')}: "
                                            f"{case.source.get('section')}")]
        self._allure_labels()
        self.config.stash[_STATE]["items"] += 1

    def _allure_labels(self) -> None:
        c = self.case
        mark = pytest.mark
        self.add_marker(mark.allure_label(c.source.get("release", c.since), label_type="epic"))
        called = []  # the APIs the case calls: literal, or a parameter's value
        for s in c.steps:
            ref = re.fullmatch(r"\$\{params\.(\w+)\}", s.api or "")
            if ref and isinstance(c.params.get(ref.group(1)), str):
                called.append(c.params[ref.group(1)])
            elif s.api and "${" not in s.api:
                called.append(s.api)
        for api in (list(dict.fromkeys(called)) or list(c.apis)):
            self.add_marker(mark.allure_label(api, label_type="feature"))
        self.add_marker(mark.allure_label(c.requirement, label_type="story"))
        self.add_marker(mark.allure_label("critical", label_type="severity"))
        self.add_marker(mark.allure_label(c.requirement, label_type="requirement"))
        self.add_marker(mark.allure_link(release_note_link(c.source), link_type="link",
                                         name=f"release notes {c.source.get('release')}: "
                                              f"{c.source.get('section')}"))

    def setup(self) -> None:
        target = _target(self.config)
        self.result = run_case(self.case, target)
        self.user_properties.append(("verdict", self.result.verdict.value))
        self.config.stash[_RESULTS].append(self.result)
        _allure_attach(self.result)
        if self.result.verdict is Verdict.SKIP:
            pytest.skip(self.result.reason)
        if self.result.verdict is Verdict.ERROR:
            raise CaseError(self.result.reason)

    def runtest(self) -> None:
        assert self.result is not None
        if self.result.verdict is Verdict.FAIL:
            today = datetime.now(UTC).date()
            for w in self.config.stash[_GATING].waivers:
                if w.matches(self.result.to_dict()) and not w.expired(today):
                    pytest.xfail(f"waived until {w.expires} ({w.owner}, {w.issue}): {w.reason}")
            raise CaseFailed(self.result.reason)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):  # type: ignore[override]
        if isinstance(excinfo.value, (CaseFailed, CaseError)) and self.result is not None:
            return format_result(self.result, self.config.stash[_TARGET])
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.case.line, f"{self.case.requirement}: {self.case.title}"


class CaseFailed(AssertionError):
    """FAIL: the target departs from the documented behaviour."""


def _target(config: pytest.Config) -> TargetSession:
    target = config.stash.get(_TARGET, None)
    if target is None:
        target = TargetSession(config.stash[_CONFIG])
        config.stash[_TARGET] = target
    return target


def _pretty(text: str) -> str:
    try:
        from .xmlsafe import parse_xml
        root = parse_xml(text.encode("utf-8"))
        text = etree.tostring(root, pretty_print=True, encoding="unicode")
    except Exception:  # evidence is shown as is when it is not XML
        pass
    return text if len(text) <= 6000 else text[:6000] + "\n... (cut)"


def format_result(result: CaseResult, target: TargetSession | None = None) -> str:
    lines = [f"{result.verdict.value.upper()}: {result.requirement} "
             f"(since {result.since}) — {result.title}",
             f"  case {result.case_id}",
             f"  {result.reason}"]
    if result.differences:
        lines.append("  differences:")
        lines += [f"    - {d}" for d in result.differences]
    if result.findings:
        lines.append("  informational findings (not gating):")
        lines += [f"    - {f}" for f in result.findings]
    if result.leftovers:
        lines.append("  left on the site after cleanup:")
        lines += [f"    - {x}" for x in result.leftovers]
    ev = result.evidence
    if ev:
        lines.append(f"  request to {ev.get('url')} (secrets redacted):")
        lines += ["    " + line for line in _pretty(str(ev.get("request", ""))).splitlines()]
        lines.append(f"  response: HTTP {ev.get('status')}, {ev.get('elapsed_ms')} ms")
        lines += ["    " + line for line in _pretty(str(ev.get("response", ""))).splitlines()]
    text = "\n".join(lines)
    return target.redactor.text(text) if target is not None else text


def _allure_attach(result: CaseResult) -> None:
    try:
        import allure
    except ImportError:  # allure-pytest is optional at run time
        return
    allure.dynamic.description(f"Requirement {result.requirement} (since {result.since}): "
                               f"{result.title}\n\nSource: {result.source.get('release')} — "
                               f"{result.source.get('section')}")
    for step in result.steps:
        if step.exchange:
            allure.attach(str(step.exchange.get("request", "")),
                          name=f"{step.name}: request (redacted)",
                          attachment_type=allure.attachment_type.XML)
            allure.attach(str(step.exchange.get("response", "")),
                          name=f"{step.name}: response (redacted)",
                          attachment_type=allure.attachment_type.XML)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    report = outcome.get_result()
    if not isinstance(item, CaseItem) or item.result is None:
        return
    final = (call.when == "setup" and item.result.verdict in (Verdict.ERROR, Verdict.SKIP)) \
        or (call.when == "call")
    if final:
        report.conformance = item.result.to_dict()
    if call.when == "setup" and report.skipped and isinstance(report.longrepr, tuple):
        report.longrepr = (str(item.path), (item.case.line or 1) - 1, item.result.reason)
    if call.when == "setup" and call.excinfo is not None \
            and call.excinfo.errisinstance(CaseError):
        report.longrepr = format_result(item.result, item.config.stash.get(_TARGET, None))


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    data = getattr(report, "conformance", None)
    if data and data["verdict"] == "error" and report.when == "setup":
        return "error", "E", "ERROR (could not tell)"
    if data and data["verdict"] == "fail" and report.when == "call" and report.failed:
        return "failed", "F", "FAIL (non-conformant)"
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    data = getattr(report, "conformance", None)
    if data is not None and _CURRENT_CONFIG:
        _CURRENT_CONFIG[0].stash[_STATE].setdefault("records", []).append(data)
    elif report.failed and _CURRENT_CONFIG:  # a failure with no verdict in the record
        state = _CURRENT_CONFIG[0].stash[_STATE]
        state["unrecorded_failures"] = state.get("unrecorded_failures", 0) + 1


_CURRENT_CONFIG: list[pytest.Config] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    _CURRENT_CONFIG[:] = [session.config]


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    target = config.stash.get(_TARGET, None)
    try:
        if _is_worker(config):
            return
        records = state.get("records", [])
        if state["case_file_errors"]:
            session.exitstatus = EXIT_USAGE
            return
        if not records and not state["items"]:
            return
        gating = config.stash[_GATING]
        allure_dir = getattr(config.option, "allure_report_dir", None)
        record = publish(records, _run_info(config, target, state), ReportSettings(
            Path(state["reports"]), waivers=gating.waivers, baseline=gating.baseline,
            baseline_path=gating.baseline_path, strict_waivers=gating.strict_waivers,
            allure_dir=Path(allure_dir) if allure_dir else None,
            redact=target.redactor.text if target is not None else None))
        path = Path(state["reports"]) / "compliance.json"
        state["report_path"] = path
        state["gate"] = record["gate"]
        if exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR,
                          pytest.ExitCode.USAGE_ERROR):
            return
        if record["gate"]["exit_code"] != EXIT_OK:
            session.exitstatus = record["gate"]["exit_code"]
        elif state.get("unrecorded_failures"):  # the gate judged every recorded verdict
            session.exitstatus = EXIT_NONCONFORMANT
        else:
            session.exitstatus = EXIT_OK if records else exitstatus
    finally:
        state["final_exit"] = int(session.exitstatus)
        if target is not None:
            target.close()
            del config.stash[_TARGET]


def _run_info(config: pytest.Config, target: TargetSession | None,
              state: dict[str, Any]) -> dict[str, Any]:
    tc = config.stash[_CONFIG]
    info: dict[str, Any] = {
        "suite_version": __version__,
        "target": "embedded mock" if tc.embedded else tc.url,
        "url": target.url if target else tc.url,
        "site_name": target.site_name if target else tc.site_name,
        "api_version": target.version if target else None,
        "prefix": target.prefix if target else tc.prefix,
        "faults": tc.faults,
        "start": state["start"].isoformat(timespec="seconds"),
        "end": datetime.now(UTC).isoformat(timespec="seconds"),
        "requirement_filter": sorted(state["only"]),
        "options": {"faults": tc.faults, "requirement_filter": sorted(state["only"]),
                    "hazards": sorted(tc.hazards), "timeout_s": tc.timeout,
                    **config.stash[_GATING].summary()},
    }
    return info


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None or _is_worker(config) or not state.get("records"):
        return
    from .report.record import requirement_verdict
    by_req: dict[str, list[str]] = {}
    findings = 0
    for r in state["records"]:
        by_req.setdefault(r["requirement"], []).append(r["verdict"])
        findings += len(r["findings"])
    tr = terminalreporter
    tr.section("conformance")
    for req_id in sorted(by_req):
        verdict = requirement_verdict(by_req[req_id])
        tr.write_line(f"  {verdict.upper():7} {req_id} ({len(by_req[req_id])} case(s))",
                      red=verdict == "fail", yellow=verdict == "error",
                      green=verdict == "pass")
    if findings:
        tr.write_line(f"  {findings} informational finding(s): see compliance.json")
    if state.get("report_path"):
        tr.write_line(f"  run record: {state['report_path']}")
    codes = {EXIT_OK: "conformant", EXIT_NONCONFORMANT: "non-conformance found",
             EXIT_INFRA: "infrastructure errors only (could not tell)"}
    gate = state.get("gate") or {}
    exitstatus = state.get("final_exit", exitstatus)
    for reason in gate.get("reasons", []):
        tr.write_line(f"  gate: {reason}")
    if state.get("report_path"):
        tr.write_line(f"  HTML report: {Path(state['report_path']).with_suffix('.html')}")
    tr.write_line(f"  exit code {exitstatus}: {codes.get(exitstatus, 'see pytest')}")


