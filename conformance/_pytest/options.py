"""The option table and the settings of a run: each ``--conformance-NAME`` option has an
ini key ``conformance_NAME`` and some an environment variable; the option wins over the
environment, the environment over the ini file. :func:`build_run_state` turns them into
the run's :class:`~conformance._pytest.state.RunState` (a bad value is a usage error)."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import pytest

from ..errors import CaseDefinitionError
from ..paths import reports_dir
from ..profile import SiteProfile, load_profile, resolve_sources
from ..report.options import TRUE, read_gating_options
from ..target import TargetConfig, new_prefix
from ..transport import RunDeadline
from .keep import previous
from .state import RunState, SafetyOptions, is_worker, worker_id, worker_input

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
    ("faults", "WEBEX_FAULTS", "comma-separated mock faults to inject (embedded mock only; "
     "--conformance-list-faults lists them)", False),
    ("requirement", "WEBEX_REQUIREMENT", "run only these requirement ids (comma-separated; "
     "--conformance-list-requirements lists them)", False),
    ("hazards", "WEBEX_HAZARDS", "on a real site, also run cases of these hazard classes: "
     "lockout, email, site-settings, or all (against the mock they always run)", False),
    ("reports", "WEBEX_REPORTS", "directory for compliance.json (default: reports)", False),
    ("timeout", "WEBEX_TIMEOUT", "deadline of each whole request in seconds (connect, send, "
     "receive; default 60)", False),
    ("deadline", "WEBEX_DEADLINE", "deadline of the whole run in seconds (default: none): "
     "after it no request is sent and the run stops cleanly (clean-up, then the reports)",
     False),
    ("reuse-users", "WEBEX_REUSE_USERS", "reuse the deactivated users of earlier runs "
     "(prefix family wxc) for cases that only need some user: yes (default on a site) or "
     "no (default on the embedded mock)", False),
    ("prefix", "WEBEX_PREFIX", "prefix of every object the run creates (default: random "
     "wxc...)", False),
    ("site-profile", "WEBEX_SITE_PROFILE", "YAML site profile: what the site's administrator "
     "states that the XML API does not report (examples/site-profile.yaml)", False),
    ("no-control", "WEBEX_NO_CONTROL", "flag: ignore WEBEX_MOCK_CONTROL and the embedded "
     "mock's control interface: test the target as a real site", False),
    # -- reports and gating options --
    ("waivers", "WEBEX_WAIVERS", "YAML file of accepted deviations (known failures) by "
     "requirement or case id, each with reason, owner, issue and expires: waived FAILs do "
     "not fail the gate, expired waivers do", False),
    ("strict-waivers", "WEBEX_STRICT_WAIVERS", "flag: a waiver whose case now passes (stale) "
     "fails the gate", False),
    ("baseline", "WEBEX_BASELINE", "a previous compliance.json: report newly failing, newly "
     "passing and newly skipped requirements", False),
    ("schema-gating", "WEBEX_SCHEMA_GATING", "flag: an answer that is not valid against "
     "Cisco's XSDs FAILs the requirement 'schema' (default: schema findings are "
     "informational)", False),
    # -- safety options (cleanup, leaks, secrets, rate limits) --
    ("fail-on-leak", "WEBEX_FAIL_ON_LEAK", "flag: exit 7 when objects with the run prefix are "
     "left on the site after the run (deactivated users are reported, not counted)", False),
    ("rate-limit", "WEBEX_RATE_LIMIT", "requests per second to the target, shared by all "
     "xdist workers of the run (default 5 on a real site, none on a mock; 0: none)", False),
    ("throttle-backoff", "WEBEX_THROTTLE_BACKOFF", "seconds every worker waits after the site "
     "throttled a request (HTTP 403, exceptionID 000045; default 30)", False),
]

FLAGS = frozenset({"strict-waivers", "fail-on-leak", "schema-gating", "no-control"})  # options without a value
#: requests per second against a real site when nothing is configured
DEFAULT_SITE_RATE = 5.0
DEFAULT_BACKOFF = 30.0


def dest(name: str) -> str:
    """The option's ``dest`` and ini key: ``conformance_site_name`` for ``site-name``."""
    return "conformance_" + name.replace("-", "_")


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "Webex XML API conformance")
    for name, env, text, _ in OPTIONS:
        suffix = f" [env {env}]" if env else ""
        group.addoption(f"--conformance-{name}", dest=dest(name), default=None,
                        help=text + suffix,
                        **({"action": "store_true"} if name in FLAGS else {}))
        parser.addini(dest(name), text)
    for name, text in LISTS.items():
        group.addoption(f"--conformance-list-{name}", dest=f"conformance_list_{name}",
                        action="store_true", default=False, help=text)
    # no default: the plugin is active only where the configuration sets it (:func:`active`)
    parser.addini("conformance_cases", "directory of case files (default: cases); setting "
                  "it makes the rootdir a conformance project")


#: --conformance-list-NAME: print and exit 0 (conformance.plugin.pytest_cmdline_main)
LISTS = {"requirements": "list the requirement ids (release, title) and exit",
         "faults": "list the embedded mock's faults (requirement, description) and exit"}


def active(config: pytest.Config) -> bool:
    """The plugin works only in a conformance project: the rootdir's configuration sets
    ``conformance_cases``, or a ``--conformance-*`` option is given (on the command line,
    in ``addopts`` or ``PYTEST_ADDOPTS``). Anywhere else (an unrelated project in the same
    environment) it stays out of the way: no items, no reports, no terminal sections."""
    if config.getini("conformance_cases"):
        return True
    return any(key.startswith("conformance_") and value not in (None, False, "")
               for key, value in vars(config.option).items())


def setting(config: pytest.Config, name: str, env: str | None) -> str | None:
    """One setting: the option, else the environment variable, else the ini key."""
    value = config.getoption(dest(name))
    if value in (None, "") and env:
        value = os.environ.get(env)
    if value in (None, ""):
        value = config.getini(dest(name)) or None
    return value


def settings(config: pytest.Config) -> dict[str, Any]:
    """Every option's setting; a secret (a password, token or JWT) in an ini file is a usage
    error naming the environment variable to use instead (ini files get committed)."""
    for name, env, _, secret in OPTIONS:
        if secret and config.getini(dest(name)):
            where = config.inipath.name if config.inipath else "the ini file"
            raise pytest.UsageError(
                f"{dest(name)} is set in {where}: a secret does not belong in a file that "
                f"is committed or shared; remove it and set the environment variable {env} "
                f"instead")
    return {name: setting(config, name, env) for name, env, _, _ in OPTIONS}


def print_lists(config: pytest.Config) -> int | None:
    """What --conformance-list-requirements and --conformance-list-faults print; 0 when one
    was given (pytest then stops), None otherwise."""
    shown = False
    if config.getoption("conformance_list_requirements", False):
        from ..catalogue import catalogue
        reqs = sorted(catalogue().values(), key=lambda r: (_release_key(r.since), r.id))
        width = max(len(r.id) for r in reqs)
        print(f"{len(reqs)} requirements (id, since, title):")
        for r in reqs:
            print(f"  {r.id:{width}}  {r.since:8}  {r.title}")
        shown = True
    if config.getoption("conformance_list_faults", False):
        from ..mock.faults import FAULTS
        width = max(len(name) for name in FAULTS)
        print(f"{len(FAULTS)} mock faults (--conformance-faults=a,b; the mock and replay: "
              f"--faults a,b), name, requirement, description:")
        for name, fault in sorted(FAULTS.items()):
            print(f"  {name:{width}}  {fault.requirement}: {fault.description}")
        shown = True
    return 0 if shown else None


def _release_key(since: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in str(since).split("."))


def cases_dir(config: pytest.Config) -> Path:
    return (config.rootpath / str(config.getini("conformance_cases") or "cases")).resolve()


def targets_cases(config: pytest.Config) -> bool:
    """A conformance run (writes reports): the args touch the cases or the fuzz dir."""
    dirs = (cases_dir(config), (config.rootpath / "fuzz").resolve())
    for arg in config.args:
        path = Path(str(arg).split("::")[0])
        path = (path if path.is_absolute() else Path(config.invocation_params.dir) / path)
        path = path.resolve()
        if any(path == d or d in path.parents or path in d.parents for d in dirs):
            return True
    return False


def _arg_paths(config: pytest.Config) -> list[tuple[Path, bool]]:
    """Each argument's path (resolved) and whether it names nodes inside it (``::``)."""
    out = []
    for arg in config.args:
        text = str(arg)
        path = Path(text.split("::")[0])
        path = path if path.is_absolute() else Path(config.invocation_params.dir) / path
        out.append((path.resolve(), "::" in text))
    return out


def narrowed(config: pytest.Config) -> bool:
    """The arguments select less than the whole suite's cases: a case file or a node id
    inside the cases directory, or arguments that leave the cases out (only ``fuzz/``)."""
    cases = cases_dir(config)
    covered = False
    for path, nodes in _arg_paths(config):
        if path == cases or path in cases.parents:
            covered = covered or not nodes
        elif cases in path.parents:
            return True
    return not covered


#: the settings that name a site: given without a URL, they are a usage error
SITE_SETTINGS = ("site-name", "webex-id", "password", "host-id", "host-password",
                 "access-token", "jwt", "mock-control")
#: the seconds the clean-up and leak check get after the run deadline
CLEANUP_GRACE = 120.0


def _where(name: str, env: str | None) -> str:
    return f"--conformance-{name}" + (f" / {env}" if env else "")


def check_site_settings(config: pytest.Config, values: dict[str, Any]) -> None:
    """The embedded mock is the target only when no site setting is given at all: an empty
    URL (a CI secret store expands a missing secret to "") or site settings without a URL
    are a usage error naming the setting, never a silent run against the mock."""
    env = dict((n, e) for n, e, _, _ in OPTIONS)
    if values["url"] in (None, ""):
        if config.getoption(dest("url")) == "":
            raise pytest.UsageError(
                "--conformance-url is empty: give the site's XML API URL "
                "(https://SITE.webex.com/WBXService/XMLService), or leave the option out to "
                "test the embedded mock")
        if os.environ.get("WEBEX_XMLAPI_URL") == "":
            raise pytest.UsageError(
                "WEBEX_XMLAPI_URL is set but empty (a missing CI secret?): give the site's "
                "XML API URL, or unset the variable to test the embedded mock")
        given = [_where(n, env[n]) for n in SITE_SETTINGS if values.get(n) not in (None, "")]
        if given:
            raise pytest.UsageError(
                f"site settings without a URL: {', '.join(given)} set, but no "
                f"--conformance-url / WEBEX_XMLAPI_URL; set the URL (is the secret "
                f"missing?), or unset them to test the embedded mock")


def _deadline(config: pytest.Config, value: str | None) -> RunDeadline | None:
    """The run deadline: the controller's instant, handed to the xdist workers
    (:meth:`conformance.safety.SafetyPlugin.pytest_configure_node`)."""
    at = worker_input(config).get("conformance_deadline_at")
    if at is not None:
        return RunDeadline(float(at))
    if value in (None, ""):
        return None
    try:
        seconds = float(str(value))
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError
    except ValueError:
        raise pytest.UsageError(f"--conformance-deadline / WEBEX_DEADLINE must be a positive "
                                f"number of seconds, not {value!r}") from None
    return RunDeadline(time.time() + seconds)


def _reuse_users(value: str | None, target: TargetConfig) -> bool:
    if value in (None, ""):
        return not target.embedded
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in ("0", "no", "false", "off"):
        return False
    raise pytest.UsageError(f"--conformance-reuse-users / WEBEX_REUSE_USERS takes yes or no, "
                            f"not {value!r}")


def _items(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


def _truthy(value: str | bool | None) -> bool:
    return str(value or "").strip().lower() in TRUE


def _safety_options(values: dict[str, Any], target: TargetConfig) -> SafetyOptions:
    rate, backoff = values["rate-limit"], values["throttle-backoff"]
    try:
        rate_value = float(rate) if rate not in (None, "") else None
        backoff_value = float(backoff) if backoff not in (None, "") else DEFAULT_BACKOFF
    except ValueError:
        raise pytest.UsageError("--conformance-rate-limit and --conformance-throttle-"
                                "backoff take a number") from None
    if rate_value is None and not target.embedded and not target.mock_control:
        rate_value = DEFAULT_SITE_RATE
    return SafetyOptions(fail_on_leak=_truthy(values["fail-on-leak"]), rate=rate_value,
                         backoff=backoff_value)


def build_run_state(config: pytest.Config) -> RunState:
    """The run's state from its settings; a bad setting is a :class:`pytest.UsageError`."""
    values = settings(config)
    if targets_cases(config) or is_worker(config):  # not `pytest tests` (the plugin idle)
        check_site_settings(config, values)
    try:
        timeout = float(values["timeout"] or 60)
    except ValueError:
        raise pytest.UsageError(f"--conformance-timeout must be a number of seconds, "
                                f"not {values['timeout']!r}") from None
    # one prefix for every process of the run: the controller's, handed to the workers
    # (conformance.safety.SafetyPlugin.pytest_configure_node)
    prefix = worker_input(config).get("conformance_prefix") or values["prefix"] or new_prefix()
    target = TargetConfig(
        url=values["url"], site_name=values["site-name"], webex_id=values["webex-id"],
        password=values["password"], host_id=values["host-id"],
        host_password=values["host-password"], access_token=values["access-token"],
        jwt=values["jwt"], mock_control=values["mock-control"],
        faults=_items(values["faults"]), timeout=timeout, prefix=prefix,
        hazards=set(_items(values["hazards"])), no_control=_truthy(values["no-control"]),
        run_deadline=_deadline(config, values["deadline"]))
    try:
        target.check()
        if target.faults:
            from ..mock.faults import check_names
            check_names(target.faults)
        gating = read_gating_options(values)
        profile = site_profile(config, target)
    except (CaseDefinitionError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    return RunState(target_config=target, gating=gating, profile=profile,
                    safety=_safety_options(values, target),
                    reports=reports_dir(values["reports"]),
                    only=frozenset(_items(values["requirement"])),
                    worker=worker_id(config),
                    reuse_users=_reuse_users(values["reuse-users"], target))


def site_profile(config: pytest.Config, target: TargetConfig) -> SiteProfile | None:
    """The site profile, loaded and validated before anything runs (a bad one raises
    :class:`CaseDefinitionError`: file, line, field). The raw settings: a profile path set
    but empty (a CI secret expanded to "") is refused, not taken as unset."""
    source = resolve_sources(config.getoption(dest("site-profile")), os.environ,
                             config.getini(dest("site-profile")) or None,
                             rootdir=config.rootpath)
    if source is None:
        return None
    if target.embedded:
        from ..mock import DEFAULT_SITE
        site_name: str | None = DEFAULT_SITE
    else:
        site_name = target.site_name
    return load_profile(source.path, site_name=site_name)


def default_report_paths(config: pytest.Config, reports: Path) -> None:
    """A conformance run writes all its reports under one directory by default: JUnit
    XML and Allure results go there unless their own options say otherwise. The previous
    ones are set aside until a case has run (:mod:`.keep`)."""
    allure_dir = worker_input(config).get("conformance_allure_dir")
    if allure_dir and getattr(config.option, "allure_report_dir", "") is None:
        # an xdist worker writes its Allure results where the controller said (the
        # controller set the old ones aside); xdist passes no option values to workers
        config.option.allure_report_dir = allure_dir
        config.option.clean_alluredir = False
    if not targets_cases(config) or is_worker(config) or config.option.collectonly:
        return  # --collect-only writes nothing (and cleans nothing)
    if getattr(config.option, "xmlpath", None) is None:
        config.option.xmlpath = str(reports / "junit.xml")
        previous(config).set_aside(reports / "junit.xml")
    if getattr(config.option, "allure_report_dir", None) is None and \
            hasattr(config.option, "allure_report_dir"):
        config.option.allure_report_dir = str(reports / "allure-results")
        config.option.clean_alluredir = True
        previous(config).set_aside(reports / "allure-results")
