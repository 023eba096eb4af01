"""Fail fast: when capability discovery cannot reach the target, cannot authenticate or gets
no XML API answer, the run stops after collection with ONE clear message instead of an
ERROR per case. :func:`stop_message` builds that message (pure): the URL without secrets,
the cause, and what to check. The plugin prints ``text``, exits 6 and puts ``headline`` in
the record and the HTML report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import (
    AuthenticationFailed,
    HttpError,
    InvalidResponse,
    TargetError,
    Throttled,
    Unreachable,
)
from .redact import MASK, Redactor, strip_userinfo

URL_CHECK = ("the URL: scheme, host, port and the path of the XML API endpoint, "
             "https://SITE.webex.com/WBXService/XMLService (WEBEX_XMLAPI_URL or "
             "--conformance-url)")


@dataclass(frozen=True)
class StopMessage:
    """The one message of a run stopped by discovery. ``kind``: unreachable,
    authentication, invalid-response, http-error, throttled or infrastructure."""

    kind: str
    headline: str
    url: str
    cause: str
    checks: tuple[str, ...]

    @property
    def text(self) -> str:
        lines = [f"conformance: stopped before any case ran: {self.headline}",
                 f"  target: {self.url}",
                 f"  cause:  {self.cause}",
                 "  check:"]
        lines += [f"    - {c}" for c in self.checks]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text


def safe_url(url: str, redactor: Redactor | None = None) -> str:
    """The URL without secrets: no user or password before the host, every query value
    masked, no fragment; then every known secret masked."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:  # IPv6
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port else "")
        query = urlencode([(k, MASK) for k, _ in parse_qsl(parts.query, keep_blank_values=True)],
                          safe="*")
        clean = urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, ""))
    except ValueError:  # not a URL at all (a bad port): show no more than its scheme
        clean = url.split("://", 1)[0] + "://" + MASK if "://" in url else MASK
    return redactor.text(clean) if redactor is not None else clean


def _cause(error: Exception, url: str, shown: str, redactor: Redactor | None) -> str:
    text = str(error).strip() or type(error).__name__
    if url:
        text = text.replace(url, shown)
    # any other URL with a user part (a redirect's Location, a proxy)
    text = strip_userinfo(text)
    return redactor.text(text) if redactor is not None else text


def _http_status(error: Exception) -> int | None:
    exchange = getattr(error, "exchange", None)
    status = getattr(exchange, "status", None)
    if isinstance(status, int):
        return status
    found = re.search(r"HTTP (\d{3})", str(error))
    return int(found.group(1)) if found else None


def stop_message(error: TargetError, url: str, redactor: Redactor | None = None, *,
                 webex_id: str | None = None, site_name: str | None = None) -> StopMessage:
    """The one message for a discovery failure: what happened, where, and what to check."""
    shown = safe_url(url, redactor)
    cause = _cause(error, url, shown, redactor)
    who = f" for '{webex_id}'" if webex_id else ""
    site = f" '{site_name}'" if site_name else ""
    # the target raised a plain TargetError for a refused login before AuthenticationFailed
    auth = isinstance(error, AuthenticationFailed) or (
        type(error) is TargetError and str(error).lower().startswith("authentication failed"))
    if auth:
        return StopMessage("authentication", f"authentication failed{who} on site{site}",
                           shown, cause, (
                               "WEBEX_SITE_NAME: the site's name, as in its URL "
                               "(SITE.webex.com)",
                               "WEBEX_ID and WEBEX_PASSWORD (or WEBEX_ACCESS_TOKEN): the "
                               "account exists, is active, and its password has not expired",
                               "that the account may use the XML API (site admin for the "
                               "user-management cases)",
                               URL_CHECK))
    if isinstance(error, Throttled):
        return StopMessage("throttled", "the target refuses or throttles this caller", shown,
                           cause, ("wait and run again later: the site throttles too many "
                                   "requests (--conformance-rate-limit to send fewer)",
                                   "that the account is not blocked (the two-hour 403 block "
                                   "of GetSessionInfo/GetUserCard)",
                                   URL_CHECK))
    if isinstance(error, HttpError):
        status = _http_status(error)
        checks = [URL_CHECK]
        if status in (404, 405):
            checks.insert(0, "the path: the XML API answers at /WBXService/XMLService")
        elif status in (401, 407):
            checks.insert(0, "a proxy in between that wants its own login "
                             "(HTTPS_PROXY/NO_PROXY)")
        elif status is not None and status >= 500:
            checks.insert(0, "that the site is up (its own status page); run again later")
        label = f"HTTP {status}" if status else "an HTTP error"
        return StopMessage("http-error", f"the target answered {label}, not an XML API "
                           f"message", shown, cause, tuple(checks))
    if isinstance(error, InvalidResponse):
        return StopMessage("invalid-response", "the target's answer is not an XML API "
                           "message", shown, cause, (
                               URL_CHECK + ": not a web page, a login page or a proxy's page",
                               "that the URL names the XML API of a Webex Meetings site "
                               "(the meetings part of the XML API reached end of life on "
                               "2024-03-31; some sandboxes answer otherwise)"))
    if isinstance(error, Unreachable):
        text = str(error)
        if "within" in text or "timed out" in text:
            headline, first = "the target did not answer in time", (
                "that the site answers at all from this machine; or raise "
                "--conformance-timeout")
        elif "Name or service not known" in text or "resolve" in text.lower():
            headline, first = "the target's host name does not resolve", (
                "the host name in the URL (a typo, or a site that does not exist)")
        elif "refused" in text:
            headline, first = "the target refused the connection", (
                "the host and the port: nothing listens there")
        else:
            headline, first = "the target is unreachable", (
                "that the site is up and reachable from this machine")
        return StopMessage("unreachable", headline, shown, cause, (
            first, URL_CHECK, "the network between: DNS, a firewall, a proxy "
                              "(HTTPS_PROXY/NO_PROXY)"))
    return StopMessage("infrastructure", "capability discovery failed", shown, cause,
                       (URL_CHECK, "the cause above"))
