"""HTTP transport on a ``requests.Session``.

Timeouts on every call; retries only on connection errors and only for calls that change
nothing (a create is never re-sent blindly); every request and response kept as an
:class:`Exchange` whose printable form is redacted.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import requests
from lxml import etree

from .errors import HttpError, InvalidResponse, Throttled, Unreachable
from .ratelimit import RateLimiter
from .redact import Redactor
from .response import Message, Response, parse_message

DEFAULT_TIMEOUT = (5.0, 60.0)
#: the exception id of the service's request throttling: infrastructure, never a FAIL
THROTTLED_EXCEPTION_ID = "000045"
MAX_RESPONSE_BYTES = 8 * 1024 * 1024


@dataclass
class Exchange:
    """One HTTP round trip. ``request``/``response`` are raw bytes: never print them;
    use :meth:`redacted`."""

    url: str
    request: bytes
    request_headers: dict[str, str]
    status: int | None = None
    response: bytes = b""
    response_headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    attempts: int = 1

    def redacted(self, redactor: Redactor) -> dict[str, object]:
        return {
            "url": self.url,
            "request_headers": redactor.headers(self.request_headers),
            "request": redactor.text(self.request),
            "status": self.status,
            "response_headers": redactor.headers(self.response_headers),
            "response": redactor.text(self.response),
            "elapsed_ms": round(self.elapsed * 1000, 1),
        }


def _session_for(url: str) -> requests.Session:
    """A session that reads the environment (proxies, NO_PROXY, CA bundle) once, not on
    every request: requests' per-request environment merge cost more than the runner's
    own work per exchange (profile of a run against the mock)."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


class Transport:
    def __init__(self, url: str, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 retries: int = 2, session: requests.Session | None = None,
                 max_response_bytes: int = MAX_RESPONSE_BYTES,
                 limiter: RateLimiter | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.retries = retries
        self.session = session or _session_for(url)
        self.max_response_bytes = max_response_bytes
        #: shared by the processes of a run: spaces requests, backs off after throttling
        self.limiter = limiter

    def close(self) -> None:
        self.session.close()

    def post(self, payload: bytes, *, idempotent: bool,
             headers: dict[str, str] | None = None,
             accept_status: frozenset[int] = frozenset()) -> Exchange:
        """POST raw bytes; raise :class:`~conformance.errors.TargetError` subclasses for
        transport trouble (never for a FAILURE answer, which is HTTP 200). A status in
        ``accept_status`` (a step that expects it, e.g. the documented 403) is an answer."""
        req_headers = {"Content-Type": "text/xml;charset=UTF-8", **(headers or {})}
        ex = Exchange(self.url, payload, req_headers)
        attempts = 1 + (self.retries if idempotent else 0)
        start = self._started = time.perf_counter()
        for attempt in range(1, attempts + 1):
            ex.attempts = attempt
            if self.limiter is not None:
                self.limiter.acquire()
            try:
                resp = self.session.post(self.url, data=payload, headers=req_headers,
                                         timeout=self.timeout, stream=True)
                try:
                    ex.status = resp.status_code
                    ex.response_headers = dict(resp.headers)
                    ex.response = self._read(resp, ex)
                finally:
                    resp.close()
                break
            except requests.ConnectionError as exc:
                if attempt < attempts:
                    time.sleep(0.2 * attempt)
                    continue
                ex.elapsed = time.perf_counter() - start
                what = "" if idempotent else " (not retried: the call may change state)"
                raise Unreachable(f"target unreachable at {self.url}: {_short(exc)}{what}",
                                  exchange=ex) from None
            except requests.Timeout:
                ex.elapsed = time.perf_counter() - start
                raise Unreachable(f"no answer from {self.url} within {self.timeout[1]:g} s",
                                  exchange=ex) from None
            except requests.RequestException as exc:
                ex.elapsed = time.perf_counter() - start
                raise Unreachable(f"request to {self.url} failed: {_short(exc)}",
                                  exchange=ex) from None
        ex.elapsed = time.perf_counter() - start
        if ex.status in accept_status:
            return ex
        if ex.status == 403:
            if self.limiter is not None:
                self.limiter.throttled()
            raise Throttled("HTTP 403 Forbidden: the site refuses this caller (documented "
                            "throttling of GetSessionInfo/GetUserCard, or a blocked account)",
                            exchange=ex)
        if ex.status != 200:
            raise HttpError(f"HTTP {ex.status} from {self.url} (the XML API answers "
                            f"FAILURE with HTTP 200)", exchange=ex)
        return ex

    def _read(self, resp: requests.Response, ex: Exchange) -> bytes:
        chunks, size = [], 0
        for chunk in resp.iter_content(65536):
            size += len(chunk)
            if size > self.max_response_bytes:
                ex.elapsed = time.perf_counter() - self._started
                raise InvalidResponse(
                    f"response larger than {self.max_response_bytes} bytes was cut off",
                    exchange=ex)
            chunks.append(chunk)
        return b"".join(chunks)

    def call(self, payload: bytes, *, idempotent: bool,
             headers: dict[str, str] | None = None,
             accept_status: frozenset[int] = frozenset()) -> tuple[Exchange, Message]:
        """POST and parse. An accepted non-200 status gives a message with one empty
        response (no result): its body is not an XML API answer."""
        ex = self.post(payload, idempotent=idempotent, headers=headers,
                       accept_status=accept_status)
        if ex.status != 200:
            return ex, Message(etree.Element("no-message"), [Response(result=None)])
        try:
            message = parse_message(ex.response, charset=_charset(ex.response_headers))
        except InvalidResponse as exc:
            exc.exchange = ex
            raise
        if any(r.exception_id == THROTTLED_EXCEPTION_ID for r in message.responses):
            if self.limiter is not None:
                self.limiter.throttled()
            raise Throttled(f"exceptionID {THROTTLED_EXCEPTION_ID}: the site throttles this "
                            f"caller (too many requests); backing off", exchange=ex)
        return ex, message


def _charset(headers: dict[str, str]) -> str | None:
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    for part in ctype.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return None


charset = _charset  # public: the charset of an answer's Content-Type (replay, fuzzing)


def _short(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out",
                   "Connection reset", "Remote end closed"):
        if marker in text:
            return marker
    return text[:200]
