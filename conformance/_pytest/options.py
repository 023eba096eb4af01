"""The option table and the settings of a run: each ``--conformance-NAME`` option has an
ini key ``conformance_NAME`` and some an environment variable; the option wins over the
environment, the environment over the ini file. :func:`build_run_state` turns them into
the run's :class:`~conformance._pytest.state.RunState` (a bad value is a usage error)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ..errors import CaseDefinitionError
from ..paths import reports_dir
from ..profile import SiteProfile, load_profile, resolve_sources
from ..report.options import TRUE, read_gating_options
from ..target import TargetConfig, new_prefix
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
    ("faults", None, "comma-separated mock faults to inject (embedded mock only)", False),
    ("requirement", None, "run only these requirement ids (comma-separated)", False),
    ("hazards", None, "on a real site, also run cases of these hazard classes: lockout, "
     "email, site-settings, or all (against the mock they always run)", False),
    ("reports", None, "directory for compliance.json (default: reports)", False),
    ("timeout", None, "read timeout per request in seconds (default 60)", False),
    ("prefix", None, "prefix of every object the run creates (default: random wxc...)", False),
    ("site-profile", "WEBEX_SITE_PROFILE", "YAML site profile: what the site's administrator "
     "states that the XML API does not report (examples/site-profile.yaml)", False),
    ("no-control", None, "flag: ignore WEBEX_MOCK_CONTROL and the embedded mock's control "
     "interface: test the target as a real site", False),
    # -- reports and gating options --
    ("waivers", None, "YAML file of accepted deviations (known failures) by requirement or "
     "case id, each with reason, owner, issue and expires: waived FAILs do not fail the "
     "gate, expired waivers do", False),
    ("strict-waivers", None, "flag: a waiver whose case now passes (stale) fails the gate",
     False),
    ("baseline", None, "a previous compliance.json: report newly failing, newly passing and "
     "newly skipped requirements", False),
    ("schema-gating", "WEBEX_SCHEMA_GATING", "flag: an answer that is not valid against "
     "Cisco's XSDs FAILs the requirement 'schema' (default: schema findings are "
     "informational)", False),
    # -- safety options (cleanup, leaks, secrets, rate limits) --
    ("fail-on-leak", "WEBEX_FAIL_ON_LEAK", "flag: exit 7 when objects with the run prefix are "
     "left on the site after the run (deactivated users are reported, not counted)", False),
    ("rate-limit", "WEBEX_RATE_LIMIT", "requests per second to the target, shared by all "
     "xdist workers of the run (default 5 on a real site, none on a mock; 0: none)", False),
    ("throttle-backoff", None, "seconds every worker waits after the site throttled a "
     "request (HTTP 403, exceptionID 000045; default 30)", False),
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
    parser.addini("conformance_cases", "directory of case files (default: cases)",
                  default="cases")


def setting(config: pytest.Config, name: str, env: str | None) -> str | None:
    """One setting: the option, else the environment variable, else the ini key."""
    value = config.getoption(dest(name))
    if value in (None, "") and env:
        value = os.environ.get(env)
    if value in (None, ""):
        value = config.getini(dest(name)) or None
    return value


def settings(config: pytest.Config) -> dict[str, Any]:
    return {name: setting(config, name, env) for name, env, _, _ in OPTIONS}


def cases_dir(config: pytest.Config) -> Path:
    return (config.rootpath / str(config.getini("conformance_cases"))).resolve()


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
        hazards=set(_items(values["hazards"])), no_control=_truthy(values["no-control"]))
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
                    worker=worker_id(config))


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
    XML and Allure results go there unless their own options say otherwise."""
    if not targets_cases(config) or is_worker(config):
        return
    if getattr(config.option, "xmlpath", None) is None:
        config.option.xmlpath = str(reports / "junit.xml")
    if getattr(config.option, "allure_report_dir", None) is None and \
            hasattr(config.option, "allure_report_dir"):
        config.option.allure_report_dir = str(reports / "allure-results")
        config.option.clean_alluredir = True
