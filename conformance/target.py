"""The target: the embedded mock (default) or a site URL with credentials; capability
discovery, once per run; the mock's control interface when there is one."""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from .apis import APIS
from .capabilities import Capabilities, build_capabilities, discovery_requests, observe
from .envelope import Body, Credentials, build_message
from .envelope_check import check_envelope
from .errors import AuthenticationFailed, CaseDefinitionError, TargetError, Unreachable
from .ledger import Created, Ledger
from .profile import SiteProfile
from .ratelimit import RateLimiter
from .redact import URL_SETTING, Redactor, redact_url, url_secrets
from .response import Message, Response
from .transport import Exchange, RunDeadline, Transport

# A well-formed JWT (HS256, {"iss": "webex-conformance"}) with a made-up signature: no site
# issued it, so every site must refuse it (usercard-authorization, `as: wrong_jwt`).
WRONG_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ3ZWJleC1jb25mb3JtYW5jZSJ9.bm90LWlzc3VlZC1ieS10aGUtc2l0ZQ"


HAZARDS: dict[str, str] = {
    "lockout": "can lock the account out (the two-hour 403 block of GetSessionInfo/GetUserCard)",
    "email": "sends real emails (welcome emails, invitations)",
    "site-settings": "changes site-wide state",
}


@dataclass(frozen=True)
class TargetConfig:
    url: str | None = None
    site_name: str | None = None
    webex_id: str | None = None
    password: str | None = field(default=None, repr=False)
    host_id: str | None = None
    host_password: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    jwt: str | None = field(default=None, repr=False)
    mock_control: str | None = None
    faults: list[str] = field(default_factory=list)
    #: seconds for each whole request (connect, send, receive)
    timeout: float = 60.0
    prefix: str | None = None
    hazards: set[str] = field(default_factory=set)
    #: the run-wide deadline the transport consults (None: the run has none)
    run_deadline: RunDeadline | None = field(default=None, repr=False)
    #: --conformance-no-control: test the target as a real site (no control interface,
    #: also not the embedded mock's)
    no_control: bool = False

    @property
    def embedded(self) -> bool:
        return not self.url

    def check(self) -> None:
        if self.url:
            missing = [n for n, v in (("WEBEX_SITE_NAME", self.site_name),
                                      ("WEBEX_ID", self.webex_id),
                                      ("WEBEX_PASSWORD", self.password)) if not v]
            if missing:
                raise CaseDefinitionError(
                    f"a site URL needs {', '.join(missing)} (or the matching "
                    f"--conformance-* options)", field="target")
            if not re.match(r"^https?://", self.url):
                raise CaseDefinitionError(f"target URL must start with http:// or https://: "
                                          f"{redact_url(self.url)}", field="target")
            problem = url_problem(self.url)
            if problem:
                raise CaseDefinitionError(f"invalid URL {redact_url(self.url)} "
                                          f"({URL_SETTING}): {problem}", field="target")
        unknown = self.hazards - set(HAZARDS) - {"all"}
        if unknown:
            raise CaseDefinitionError(f"unknown hazard(s) {', '.join(sorted(unknown))}; "
                                      f"known: {', '.join(HAZARDS)}, all", field="hazards")
        if self.faults and not self.embedded:
            raise CaseDefinitionError("--conformance-faults needs the embedded mock (no URL)",
                                      field="faults")


def url_problem(url: str) -> str | None:
    """What makes ``url`` unusable as the target (None: nothing): found before the first
    request, so that a typo is a usage error, not an unreachable site."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "it contains a blank or a control character"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "Port out of range 0-65535", "Invalid IPv6 URL", ...
        text = str(exc)
        if "out of range" in text or "could not be cast" in text:
            written = parts.netloc.rpartition("@")[2].rpartition(":")[2]
            return f"port {written} is not a number from 1 to 65535"
        return text
    if not parts.hostname:
        return "it names no host"
    if port == 0:
        return "port 0 is not a number from 1 to 65535"
    return None


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def new_prefix() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "wxc" + "".join(secrets.choice(alphabet) for _ in range(5))


class TargetSession:
    """Everything cases need from the target, shared by the items of one run.

    Nothing outside changes its attributes: what the runner, the safety plugin and the
    fuzzer need to change goes through its methods (:meth:`next_case_number`,
    :meth:`add_secret`, :meth:`add_secret_pattern`, :meth:`advance_clock`,
    :meth:`before_call`, :meth:`route_in_process`) or its constructor (``limiter``,
    ``first_case_number``)."""

    def __init__(self, config: TargetConfig, *, limiter: RateLimiter | None = None,
                 first_case_number: int = 0, profile: SiteProfile | None = None,
                 user_pool: Any = None) -> None:
        """``limiter``: the run's shared rate limiter for every request; ``first_case_number``:
        the numbering of the objects the cases create starts after it (unique names for
        the xdist workers on a shared site); ``profile``: the site profile (what the site's
        administrator states that the XML API does not report; the embedded mock is made
        the site the profile describes); ``user_pool``: the deactivated users the runner may
        reuse (:class:`conformance.userpool.UserPool`; None: every case creates its own)."""
        config.check()
        self.config = config
        self.profile = profile
        self.mock = None
        if config.embedded:
            from .mock import (
                DEFAULT_ACCESS_TOKEN,
                DEFAULT_ADMIN,
                DEFAULT_HOST,
                DEFAULT_JWT,
                Site,
                start_mock,
            )
            site = Site()
            site.set_faults(config.faults)
            if profile is not None:
                from .profile import mock_settings
                site.settings.update(mock_settings(profile))
            self.mock = start_mock(site)
            self.url = self.mock.url
            self.control_url: str | None = self.mock.control_url
            self.site_name = site.name
            self.admin = Credentials(site.name, *DEFAULT_ADMIN)
            self.host: Credentials | None = Credentials(site.name, *DEFAULT_HOST)
            self.access_token: str | None = DEFAULT_ACCESS_TOKEN
            self.jwt: str | None = DEFAULT_JWT  # the mock's API key (settings jwt)
        else:
            self.url = str(config.url)
            self.control_url = config.mock_control
            self.site_name = str(config.site_name)
            self.admin = Credentials(self.site_name, config.webex_id, config.password)
            self.host = (Credentials(self.site_name, config.host_id, config.host_password)
                         if config.host_id and config.host_password else None)
            self.access_token = config.access_token
            self.jwt = config.jwt
        if config.no_control:  # the target as a real site, for everything
            self.control_url = None
        self.prefix = config.prefix or new_prefix()
        self.redactor = Redactor([self.admin.password, self.host.password if self.host else None,
                                  self.access_token, self.jwt, *url_secrets(self.url).values()])
        self.transport = Transport(self.url, timeout=(5.0, config.timeout), limiter=limiter,
                                   run_deadline=config.run_deadline)
        self.clock_offset = timedelta()
        self._caps: Capabilities | None = None
        self._caps_error: TargetError | None = None
        #: envelope differences of the discovery answers (requirement envelope), and how
        #: many discovery answers were checked
        self.discovery_envelope: list[dict[str, Any]] = []
        self.envelope_checked = 0
        self.counter = first_case_number
        self.version: str | None = None
        self._call_hooks: list[Any] = []
        #: everything created and not yet deleted, all cases (conformance.safety tears it
        #: down again at the end of the run)
        self.ledger = Ledger()
        self.user_pool = user_pool
        #: requests sent that can create an object (answered or not): none, and the run
        #: created nothing, so the leak check has nothing to look for
        self.create_requests = 0

    def close(self) -> None:
        self.transport.close()
        if getattr(self, "_control_session", None) is not None:
            self._control_session.close()
            self._control_session = None
        if self.mock is not None:
            self.mock.stop()
            self.mock = None

    # -- identities -------------------------------------------------------------------------
    def credentials(self, who: str) -> Credentials | None:
        if who == "admin":
            return self.admin
        if who == "host":
            return self.host
        if who == "anonymous":
            return Credentials(self.site_name)
        if who == "jwt":
            return Credentials(self.site_name, jwt=self.jwt) if self.jwt else None
        if who == "wrong_jwt":  # usercard-authorization: a JWT no site issued
            return Credentials(self.site_name, jwt=WRONG_JWT)
        if who == "ticket":
            return self._ticket()
        raise CaseDefinitionError(f"unknown identity '{who}'", field="as")

    def _ticket(self) -> Credentials:
        """A sessionTicket for the admin account (AuthenticateUser), fetched once."""
        if getattr(self, "_ticket_credentials", None) is None:
            ex, msg = self.call(self.admin, [Body("AuthenticateUser")], idempotent=True)
            ticket = msg.first.text("use:sessionTicket")
            if not msg.first.ok or not ticket:
                raise TargetError(f"AuthenticateUser gave no sessionTicket: "
                                  f"{msg.first.summary()}", exchange=ex)
            self.add_secret(ticket)
            self._ticket_credentials = Credentials(self.site_name, self.admin.webex_id,
                                                   session_ticket=ticket)
        return self._ticket_credentials

    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    # -- what others may change, through methods ----------------------------------------------
    def next_case_number(self) -> int:
        """The next number for the names of what a case (or a fuzz rule) creates."""
        self.counter += 1
        return self.counter

    def add_secret(self, *values: str | None) -> None:
        """Mask these values in every exchange and report from now on."""
        self.redactor.add(*values)

    def add_secret_pattern(self, pattern: str) -> None:
        """Mask every match of this regular expression (generated passwords)."""
        self.redactor.add_pattern(pattern)

    def advance_clock(self, seconds: float) -> None:
        """Move the mock's clock (control interface) and this target's view of it."""
        self.control("clock", {"advance_seconds": seconds})
        self.clock_offset += timedelta(seconds=seconds)

    def route_in_process(self, make_session: Any) -> None:
        """Send the XML API calls straight to the embedded mock's WSGI app, without HTTP:
        ``make_session(app)`` is a requests-like session (:mod:`conformance.fuzzing.inprocess`)."""
        if self.mock is None:
            raise ValueError("in-process calls need the embedded mock")
        self.transport.session.close()
        self.transport.session = make_session(self.mock.app)

    def before_call(self, hook: Any) -> None:
        """``hook()`` runs before every XML API call (the fuzzer's call budget)."""
        self._call_hooks.append(hook)

    def delete(self, item: Created) -> Response:
        """Delete one ledger entry (its delete API, as the admin)."""
        _, message = self.call(self.admin, [Body(item.delete_api,
                                                 {item.delete_field: item.key})],
                               idempotent=False)
        return message.first

    # -- calls ------------------------------------------------------------------------------
    def call(self, credentials: Credentials | None, bodies: list[Body], *,
             idempotent: bool,
             accept_status: frozenset[int] = frozenset()) -> tuple[Exchange, Message]:
        for hook in self._call_hooks:
            hook()
        payload = build_message(credentials, bodies)
        if any(getattr(APIS.get(b.api), "creates", None) is not None
               or (isinstance(b.payload, dict) and "newWebExId" in b.payload)
               for b in bodies):
            # counted before sending (one in flight may create); a rename too, as it can
            # bring an object under the run prefix (conformance.userpool)
            self.create_requests += 1
        headers = credentials.http_headers() if credentials else {}
        return self.transport.call(payload, idempotent=idempotent, headers=headers,
                                   accept_status=accept_status)

    def control(self, action: str, payload: dict[str, Any] | None = None,
                method: str = "POST") -> dict[str, Any]:
        if not self.control_url:
            raise TargetError("this target has no mock control interface")
        try:
            if getattr(self, "_control_session", None) is None:
                self._control_session = requests.Session()  # one kept-alive connection
            resp = self._control_session.request(method, f"{self.control_url}/{action}",
                                                 json=payload, timeout=10)
        except requests.RequestException as exc:
            raise Unreachable(f"mock control interface unreachable: {exc}") from None
        if resp.status_code != 200:
            raise TargetError(f"mock control '{action}' answered HTTP {resp.status_code}: "
                              f"{resp.text[:200]}")
        return resp.json()

    # -- capabilities -----------------------------------------------------------------------
    def capabilities(self) -> Capabilities:
        """Discovered once (:func:`conformance.capabilities.discovery_requests`), combined
        with the site profile and the control interface into a frozen
        :class:`~conformance.capabilities.Capabilities`. Raises the discovery's
        :class:`TargetError` for every later call if the target cannot be asked at all
        (unreachable, authentication failed, not an XML API answer)."""
        if self._caps_error is not None:
            raise self._caps_error
        if self._caps is None:
            try:
                self._caps = self._discover()
            except TargetError as exc:
                self._caps_error = exc
                raise
        return self._caps

    def _discover(self) -> Capabilities:
        requests_ = discovery_requests(self.admin.webex_id)
        # GetAPIVersion and GetUser of the account in one message, as before: a refused
        # login answers one FAILURE for the whole message
        first, second, *rest = requests_
        ex, msg = self.call(self.admin, [Body(first[0], first[1]), Body(second[0], second[1])],
                            idempotent=True)
        self._check_discovery_envelope(first[0] + "+" + second[0], ex, msg)
        version_resp, user_resp = msg.responses[0], msg.responses[-1]
        if user_resp.exception_id == "030002" or (
                not user_resp.ok and len(msg.responses) == 1):
            raise AuthenticationFailed(f"authentication failed for '{self.admin.webex_id}' "
                                       f"on site '{self.site_name}': {user_resp.exception_id} "
                                       f"{user_resp.reason}", exchange=ex)
        answers: dict[str, Any] = {first[0]: version_resp, second[0]: user_resp}
        for api, body in rest:
            ex, msg = self.call(self.admin, [Body(api, body)], idempotent=True)
            self._check_discovery_envelope(api, ex, msg)
            answers[api] = msg.first
        if not self.jwt and self.control_url:
            # a mock by URL: its API key is a setting (usercard-jwt)
            try:
                key = self.control("state", method="GET").get("settings", {}).get("jwt")
            except TargetError:
                key = None
            if isinstance(key, str) and key:
                self.jwt = key
                self.add_secret(key)
        configured = {"second_user": self.host is not None, "jwt": bool(self.jwt),
                      "access_token": bool(self.access_token)}
        caps = build_capabilities(observe(answers), self.profile,
                                  has_control=bool(self.control_url), configured=configured)
        self.version = caps.api_version
        return caps

    def _check_discovery_envelope(self, api: str, exchange: Exchange, message: Message) -> None:
        diffs = check_envelope(message)
        self.envelope_checked += 1
        if diffs:
            self.discovery_envelope.append({
                "api": api, "step": "capability discovery",
                "differences": [str(d) for d in diffs],
                "exchange": exchange.redacted(self.redactor)})

    def applicable(self, since: str) -> str | None:
        """None when a requirement of ``since`` applies; otherwise the reason why not."""
        version = self.capabilities().api_version
        if version and _version_tuple(version) < _version_tuple(since):
            return (f"not applicable: the site reports XML API {version}, the behaviour "
                    f"arrived in {since}")
        return None

    @property
    def is_mock(self) -> bool:
        """The embedded mock, or a mock reached with its control interface (not with
        --conformance-no-control: then it is tested as a real site)."""
        return (self.config.embedded and not self.config.no_control) or bool(self.control_url)

    def hazard_refused(self, hazards: tuple[str, ...]) -> str | None:
        """Against a real site, hazardous cases run only when asked; on the mock, always."""
        if self.is_mock or not hazards:
            return None
        allowed = self.config.hazards
        refused = [h for h in hazards if h not in allowed and "all" not in allowed]
        if not refused:
            return None
        return ("hazardous on a real site, not enabled: "
                + "; ".join(f"{h} ({HAZARDS.get(h, h)})" for h in refused)
                + f" - run with --conformance-hazards={','.join(refused)} to include it")

    def missing(self, requires: tuple[str, ...]) -> list[str]:
        """The requirements of ``requires`` this target does not meet."""
        return [str(r) for r in self.capabilities().unmet(requires)]
