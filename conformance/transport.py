"""HTTP transport on a ``requests.Session``.

* Each request is bounded as a whole, connect, send and receive together (``deadline``,
  default: the read timeout), whatever the server does: one that trickles a byte a second
  is cut at the deadline like one that never answers (:class:`_Watchdog` shuts the socket
  down). A run-wide :class:`RunDeadline` also bounds every request, and after it no
  request is sent (:class:`~conformance.errors.DeadlineReached`).
* Redirects are never followed: a 3xx is an error naming both addresses, and nothing is
  re-sent (requests would re-send a POST, password included, on a 307/308).
* Retries only on connection errors and only for calls that change nothing (a create is
  never re-sent blindly).
* Every request and response is kept as an :class:`Exchange` whose printable form is
  redacted; messages show the URL as :func:`~conformance.redact.redact_url` writes it.
"""

from __future__ import annotations

import math
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests
from lxml import etree
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import DeadlineReached, HttpError, InvalidResponse, Throttled, Unreachable
from .ratelimit import RateLimiter
from .redact import URL_SETTING, Redactor, redact_url
from .response import Message, Response, parse_message

#: (connect, read) timeouts in seconds; the read timeout is also the default deadline of
#: each whole request
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
            "url": redactor.text(redact_url(self.url)),
            "request_headers": redactor.headers(self.request_headers),
            "request": redactor.text(self.request),
            "status": self.status,
            "response_headers": redactor.headers(self.response_headers),
            "response": redactor.text(self.response),
            "elapsed_ms": round(self.elapsed * 1000, 1),
        }


class RunDeadline:
    """The run-wide deadline: a wall-clock instant (``time.time()``, so that every process
    of a run can share it: xdist workers get ``at`` from the controller). The transport
    consults it before each request and cuts each request at it; once it has passed,
    calls raise :class:`~conformance.errors.DeadlineReached` ("run deadline reached")
    without sending anything. For the clean-up after it, :meth:`grace` allows a bounded
    time more."""

    def __init__(self, at: float, *, what: str = "run deadline") -> None:
        if not math.isfinite(at):
            raise ValueError(f"a deadline must be a finite instant, not {at!r}")
        self.at = at
        self.what = what

    @classmethod
    def after(cls, seconds: float) -> RunDeadline:
        """The deadline ``seconds`` from now."""
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError(f"a run deadline needs a positive number of seconds, not "
                             f"{seconds!r}")
        return cls(time.time() + seconds)

    def remaining(self) -> float:
        return self.at - time.time()

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0

    def check(self, url: str = "the target") -> None:
        if self.passed:
            raise DeadlineReached(f"{self.what} reached: no more requests are sent to {url}")

    def grace(self, seconds: float, what: str = "clean-up deadline") -> None:
        """After the deadline: allow requests for ``seconds`` more from now (the clean-up
        and leak check); then they stop again, under the name ``what``."""
        self.at = time.time() + max(0.0, seconds)
        self.what = what

    def __repr__(self) -> str:
        return f"RunDeadline({self.what}, {self.remaining():.1f} s left)"


class _Watchdog:
    """Bounds one request as a whole: when ``seconds`` have passed it shuts down every
    socket the request uses (duplicates of their descriptors, taken while the request runs),
    which ends any read or write blocked on them, however slowly the server trickles.
    Used as a context manager around the request on the thread that makes it."""

    def __init__(self, seconds: float) -> None:
        self.expires = time.monotonic() + seconds
        self.fired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self.expires - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.fired or self.remaining() <= 0

    def watch(self, sock: socket.socket) -> None:
        try:
            dup = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except OSError:  # closed already
            return
        with self._lock:
            self._socks.append(dup)
            if self.fired:
                _shutdown(dup)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._socks:
                _shutdown(sock)

    def __enter__(self) -> _Watchdog:
        _CURRENT.watchdog = self
        _REAPER.add(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _CURRENT.watchdog = None
        _REAPER.remove(self)
        with self._lock:
            for sock in self._socks:
                sock.close()
            self._socks.clear()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Reaper:
    """One daemon thread that fires the watchdogs whose time is up (instead of a timer
    thread per request)."""

    IDLE = 5.0

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active: set[_Watchdog] = set()
        self._thread: threading.Thread | None = None
        self._wake_at = math.inf

    def add(self, watchdog: _Watchdog) -> None:
        with self._cond:
            self._active.add(watchdog)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="conformance-request-deadline")
                self._thread.start()
            elif watchdog.expires < self._wake_at:
                self._cond.notify()

    def remove(self, watchdog: _Watchdog) -> None:
        with self._cond:
            self._active.discard(watchdog)

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for watchdog in [w for w in self._active if w.expires <= now]:
                    self._active.discard(watchdog)
                    watchdog.fire()
                self._wake_at = min((w.expires for w in self._active),
                                    default=now + self.IDLE)
                self._cond.wait(max(0.0, self._wake_at - now))


_REAPER = _Reaper()
_CURRENT = threading.local()  # .watchdog: the one of the request on this thread


def _watch(sock: socket.socket | None) -> None:
    watchdog = getattr(_CURRENT, "watchdog", None)
    if watchdog is not None and sock is not None:
        watchdog.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    """Lets the request's watchdog see the socket: a new one, or a kept-alive one."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)  # before the TLS handshake: a trickled handshake is cut too
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connections the request deadline can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS has connection classes of its own
            manager.pool_classes_by_scheme = _POOLS
        return manager


def _session_for(url: str) -> requests.Session:
    """A session that reads the environment (proxies, NO_PROXY, CA bundle) once, not on
    every request: requests' per-request environment merge cost more than the runner's
    own work per exchange (profile of a run against the mock). Its connections can be cut
    by the request deadline."""
    session = requests.Session()
    for scheme in ("http://", "https://"):
        session.mount(scheme, _DeadlineAdapter())
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
                 limiter: RateLimiter | None = None, deadline: float | None = None,
                 run_deadline: RunDeadline | None = None) -> None:
        self.url = url
        #: the URL as messages show it (userinfo and query values masked)
        self.display_url = redact_url(url)
        self.timeout = timeout
        #: seconds for each whole request (connect, send, receive; retries included)
        self.deadline = float(deadline if deadline is not None else timeout[1])
        #: the run-wide deadline, when the run has one
        self.run_deadline = run_deadline
        self.retries = retries
        self.session = session or _session_for(url)
        self.max_response_bytes = max_response_bytes
        #: shared by the processes of a run: spaces requests, backs off after throttling
        self.limiter = limiter

    def close(self) -> None:
        self.session.close()

    def _budget(self, expires: float) -> tuple[float, bool]:
        """Seconds left for the request, and whether the run deadline is what bounds it."""
        left = expires - time.monotonic()
        if self.run_deadline is not None:
            run_left = self.run_deadline.remaining()
            if run_left < left:
                return run_left, True
        return left, False

    def _timed_out(self, ex: Exchange, *, by_run: bool, partial: bool) -> Exception:
        if by_run and self.run_deadline is not None:
            return DeadlineReached(
                f"{self.run_deadline.what} reached during the request to {self.display_url}: "
                f"no more requests are sent", exchange=ex)
        what = "no complete answer" if partial else "no answer"
        return Unreachable(f"{what} from {self.display_url} within {self.deadline:g} s "
                           f"(timed out: the limit covers the whole request, connect, send "
                           f"and receive)", exchange=ex)

    def post(self, payload: bytes, *, idempotent: bool,
             headers: dict[str, str] | None = None,
             accept_status: frozenset[int] = frozenset()) -> Exchange:
        """POST raw bytes; raise :class:`~conformance.errors.TargetError` subclasses for
        transport trouble (never for a FAILURE answer, which is HTTP 200). A status in
        ``accept_status`` (a step that expects it, e.g. the documented 403) is an answer.
        A redirect is never followed."""
        req_headers = {"Content-Type": "text/xml;charset=UTF-8", **(headers or {})}
        ex = Exchange(self.url, payload, req_headers)
        attempts = 1 + (self.retries if idempotent else 0)
        start = self._started = time.perf_counter()
        expires: float | None = None
        for attempt in range(1, attempts + 1):
            ex.attempts = attempt
            ex.status, ex.response_headers = None, {}  # nothing of an earlier attempt
            if self.run_deadline is not None:
                self.run_deadline.check(self.display_url)
            if self.limiter is not None:
                self.limiter.acquire()
                if self.run_deadline is not None:  # the wait may have passed it
                    self.run_deadline.check(self.display_url)
            if expires is None:  # one deadline for all the attempts
                expires = time.monotonic() + self.deadline
            budget, by_run = self._budget(expires)
            if budget <= 0:
                ex.elapsed = time.perf_counter() - start
                raise self._timed_out(ex, by_run=by_run, partial=False)
            timeout = (max(0.001, min(self.timeout[0], budget)),
                       max(0.001, min(self.timeout[1], budget)))
            with _Watchdog(budget) as watchdog:
                try:
                    resp = self.session.post(self.url, data=payload, headers=req_headers,
                                             timeout=timeout, stream=True,
                                             allow_redirects=False)
                    try:
                        ex.status = resp.status_code
                        ex.response_headers = dict(resp.headers)
                        ex.response = self._read(resp, ex, watchdog)
                    finally:
                        resp.close()
                    if watchdog.fired:  # the socket was shut down: the body may be cut
                        raise _Expired
                    break
                except (requests.RequestException, OSError, _Expired) as exc:
                    ex.elapsed = time.perf_counter() - start
                    if watchdog.expired or isinstance(exc, _Expired):
                        if watchdog.fired:
                            self.session.close()  # no connection the watchdog cut is reused
                        self._no_answer(ex)
                        raise self._timed_out(ex, by_run=by_run,
                                              partial=ex.status is not None) from None
                    what = "" if idempotent else " (not retried: the call may change state)"
                    if isinstance(exc, requests.exceptions.SSLError):
                        raise Unreachable(f"target unreachable at {self.display_url}: "
                                          f"{_tls_failure(exc)}", exchange=ex) from None
                    if isinstance(exc, requests.ConnectTimeout) or (
                            isinstance(exc, requests.ConnectionError)
                            and not isinstance(exc, requests.Timeout)
                            and not _read_timed_out(exc)):
                        pause = 0.2 * attempt
                        if attempt < attempts and expires - time.monotonic() > pause:
                            time.sleep(pause)  # no retry once the deadline is that close
                            continue
                        self._no_answer(ex)
                        raise Unreachable(f"target unreachable at {self.display_url}: "
                                          f"{_short(exc)}{what}", exchange=ex) from None
                    self._no_answer(ex)
                    if isinstance(exc, (requests.Timeout, requests.ConnectionError)):
                        raise Unreachable(f"no answer from {self.display_url} within "
                                          f"{min(self.timeout[1], budget):g} s (timed out "
                                          f"waiting to read; not retried: the call may "
                                          f"have run)", exchange=ex) from None
                    raise Unreachable(f"request to {self.display_url} failed: {_short(exc)}",
                                      exchange=ex) from None
        ex.elapsed = time.perf_counter() - start
        if self.limiter is not None:
            self.limiter.record_answer(ex.status)
        if ex.status is not None and 300 <= ex.status < 400:
            location = next((v for k, v in ex.response_headers.items()
                             if k.lower() == "location"), None)
            where = (redact_url(urljoin(self.url, location)) if location
                     else "(no Location header)")
            raise HttpError(f"HTTP {ex.status} redirect from {self.display_url} to {where}: "
                            f"not followed, nothing was re-sent (a redirect would send the "
                            f"request, password included, to another address); if that "
                            f"address is the right one, set {URL_SETTING} to it", exchange=ex)
        if ex.status in accept_status:
            return ex
        if ex.status == 403:
            if self.limiter is not None:
                self.limiter.throttled()
            raise Throttled("HTTP 403 Forbidden: the site refuses this caller (documented "
                            "throttling of GetSessionInfo/GetUserCard, or a blocked account)",
                            exchange=ex)
        if ex.status != 200:
            raise HttpError(f"HTTP {ex.status} from {self.display_url} (the XML API answers "
                            f"FAILURE with HTTP 200)", exchange=ex)
        return ex

    def _no_answer(self, ex: Exchange) -> None:
        if self.limiter is not None:
            self.limiter.record_answer(None)

    def _read(self, resp: requests.Response, ex: Exchange, watchdog: _Watchdog) -> bytes:
        chunks, size = [], 0
        for chunk in resp.iter_content(65536):
            if watchdog.fired:
                raise _Expired
            size += len(chunk)
            if size > self.max_response_bytes:
                ex.elapsed = time.perf_counter() - self._started
                if self.limiter is not None:
                    self.limiter.record_answer(ex.status)
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


class _Expired(Exception):
    """The request's watchdog fired (internal)."""


def _read_timed_out(exc: Exception) -> bool:
    """A read timeout that requests reports as a connection error (while streaming)."""
    return "Read timed out" in str(exc)


_NOT_TLS = ("WRONG_VERSION_NUMBER", "wrong version number", "record layer failure",
            "packet length too long", "unknown protocol", "HTTP_REQUEST", "http request")


def _tls_failure(exc: Exception) -> str:
    """The cause of a failed TLS handshake, said plainly (requests' message buries it
    after the pool's)."""
    text = str(exc)
    if any(marker in text for marker in _NOT_TLS):
        return ("TLS handshake failed: the server does not speak TLS (is the URL https:// "
                "where the server answers http://?)")
    found = re.search(r"\[SSL: [A-Z0-9_]+\] ([^(\'\"]+)", text) or \
        re.search(r"(certificate verify failed[^(\'\"]*)", text)
    return f"TLS handshake failed: {(found.group(1) if found else _short(exc)).strip()}"


charset = _charset  # public: the charset of an answer's Content-Type (replay, fuzzing)


def _short(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out",
                   "Connection reset", "Remote end closed"):
        if marker in text:
            return marker
    return text[:200]
