"""Unit tests for conformance.transport.Transport against a loopback werkzeug server.

Every test talks to 127.0.0.1 only and stays well under two seconds.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from werkzeug.wrappers import Request, Response

from conformance.errors import HttpError, InvalidResponse, TargetError, Throttled, Unreachable
from conformance.mock.server import serve_wsgi
from conformance.namespaces import NS
from conformance.redact import MASK, Redactor
from conformance.transport import Exchange, Transport

SERV = NS["serv"]

OK_MESSAGE = f"""<?xml version="1.0" encoding="UTF-8"?>
<serv:message xmlns:serv="{SERV}" xmlns:ep="{NS['ep']}" xmlns:xsi="{NS['xsi']}">
<serv:header><serv:response><serv:result>SUCCESS</serv:result>
<serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header>
<serv:body><serv:bodyContent xsi:type="ep:getAPIVersionResponse">
<ep:apiVersion>WebEx XML API V40.12.0</ep:apiVersion></serv:bodyContent></serv:body>
</serv:message>""".encode()

LATIN1_MESSAGE = (f'<serv:message xmlns:serv="{SERV}"><serv:header><serv:response>'
                  "<serv:result>FAILURE</serv:result><serv:reason>d\u00e9j\u00e0</serv:reason>"
                  "<serv:exceptionID>000015</serv:exceptionID>"
                  "</serv:response></serv:header></serv:message>").encode("latin-1")

BAD_GATEWAY = b"""<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"""

SLOW_SECONDS = 1.0
READ_TIMEOUT = 0.3


@dataclass
class Loopback:
    base: str
    hits: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _app(state: Loopback):
    @Request.application
    def app(request: Request) -> Response:
        state.hits.append(request.path)
        state.headers.append({k.lower(): v for k, v in request.headers.items()})
        state.bodies.append(request.get_data())
        path = request.path
        if path == "/ok":
            return Response(OK_MESSAGE, content_type="text/xml;charset=UTF-8")
        if path == "/latin1":
            return Response(LATIN1_MESSAGE, content_type="text/xml; charset=ISO-8859-1")
        if path == "/bad-gateway":
            return Response(BAD_GATEWAY, status=502, content_type="text/html")
        if path == "/forbidden":
            return Response(b"<html><body>Forbidden</body></html>", status=403,
                            content_type="text/html")
        if path == "/server-error":
            return Response(OK_MESSAGE, status=500, content_type="text/xml")
        if path == "/big":
            return Response(b"<a>" + b"x" * 5000 + b"</a>", content_type="text/xml")
        if path == "/html200":
            return Response(BAD_GATEWAY, content_type="text/html")
        if path == "/empty200":
            return Response(b"", content_type="text/xml")
        if path == "/close":
            # drop the connection without answering
            sock = request.environ["werkzeug.socket"]
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            return Response(b"")
        if path == "/stall":
            def stalled() -> Iterator[bytes]:
                yield OK_MESSAGE[:40]
                time.sleep(SLOW_SECONDS)
                yield OK_MESSAGE[40:]
            return Response(stalled(), content_type="text/xml")
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
            return Response(OK_MESSAGE, content_type="text/xml")
        return Response(b"not found", status=404)

    return app


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    logger = logging.getLogger("werkzeug")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    state = Loopback("")
    served = serve_wsgi(_app(state))
    state.base = served.base_url
    try:
        yield state
    finally:
        served.stop(timeout=2)
        logger.setLevel(level)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _transport(url: str, **kwargs) -> Transport:
    kwargs.setdefault("timeout", (1.0, 1.0))
    return Transport(url, **kwargs)


# -- success ----------------------------------------------------------------------------------

def test_ok_message(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/ok"))
    try:
        ex, message = transport.call(b"<request/>", idempotent=True,
                                     headers={"JWTToken": "eyJ.jwt.sig"})
    finally:
        transport.close()
    assert isinstance(ex, Exchange)
    assert ex.status == 200
    assert ex.attempts == 1
    assert ex.response == OK_MESSAGE
    assert ex.request == b"<request/>"
    assert ex.url == loopback.url("/ok")
    assert ex.elapsed > 0
    assert ex.request_headers["Content-Type"] == "text/xml;charset=UTF-8"
    assert ex.request_headers["JWTToken"] == "eyJ.jwt.sig"
    assert ex.response_headers["Content-Type"].startswith("text/xml")
    assert message.first.ok
    assert message.first.text("ep:apiVersion") == "WebEx XML API V40.12.0"
    # what the server received
    assert loopback.hits == ["/ok"]
    assert loopback.bodies == [b"<request/>"]
    assert loopback.headers[0]["jwttoken"] == "eyJ.jwt.sig"
    assert loopback.headers[0]["content-type"] == "text/xml;charset=UTF-8"


def test_charset_of_the_http_header_is_used(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/latin1"))
    ex, message = transport.call(b"<request/>", idempotent=True)
    assert ex.status == 200
    assert message.first.reason == "d\u00e9j\u00e0"
    assert message.first.exception_id == "000015"


def test_exchange_redaction(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/ok"))
    ex, _ = transport.call(b"<password>pw-123</password><x>tok-456</x>", idempotent=True,
                           headers={"JWTToken": "eyJ.jwt.sig"})
    printable = ex.redacted(Redactor(["tok-456"]))
    assert printable["request_headers"]["JWTToken"] == MASK
    assert "pw-123" not in printable["request"] and "tok-456" not in printable["request"]
    assert printable["status"] == 200
    assert "SUCCESS" in printable["response"]
    assert isinstance(printable["elapsed_ms"], float)


# -- HTTP errors ------------------------------------------------------------------------------

def test_http_502_html_page_is_an_http_error(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/bad-gateway"))
    with pytest.raises(HttpError, match="HTTP 502") as info:
        transport.call(b"<request/>", idempotent=True)
    assert not isinstance(info.value, Throttled)
    assert info.value.kind == "http-error"
    ex = info.value.exchange
    assert isinstance(ex, Exchange)
    assert ex.status == 502
    assert b"502 Bad Gateway" in ex.response
    assert loopback.hits == ["/bad-gateway"]  # an HTTP error is not retried


def test_http_500_with_xml_is_still_an_http_error(loopback: Loopback) -> None:
    with pytest.raises(HttpError, match="HTTP 500"):
        _transport(loopback.url("/server-error")).post(b"<r/>", idempotent=True)


def test_http_403_is_throttled(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/forbidden"))
    with pytest.raises(Throttled, match="403") as info:
        transport.post(b"<request/>", idempotent=True)
    assert isinstance(info.value, HttpError)
    assert info.value.kind == "throttled"
    assert info.value.exchange.status == 403
    assert loopback.hits == ["/forbidden"]


# -- invalid responses ------------------------------------------------------------------------

def test_body_bigger_than_the_limit_is_invalid(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/big"), max_response_bytes=1000)
    with pytest.raises(InvalidResponse, match="larger than 1000 bytes") as info:
        transport.post(b"<request/>", idempotent=True)
    assert isinstance(info.value.exchange, Exchange)
    assert info.value.exchange.status == 200
    assert loopback.hits == ["/big"]


def test_body_within_the_limit_is_read(loopback: Loopback) -> None:
    ex = _transport(loopback.url("/big"), max_response_bytes=6000).post(b"<r/>",
                                                                         idempotent=True)
    assert len(ex.response) == 5007


@pytest.mark.parametrize("path", ["/html200", "/empty200"])
def test_non_xml_200_body_is_invalid_with_the_exchange(loopback: Loopback, path: str) -> None:
    transport = _transport(loopback.url(path))
    with pytest.raises(InvalidResponse) as info:
        transport.call(b"<request/>", idempotent=True)
    ex = info.value.exchange
    assert isinstance(ex, Exchange)
    assert ex.status == 200
    assert ex.url == loopback.url(path)
    assert ex.request == b"<request/>"
    assert info.value.kind == "invalid-response"


def test_post_does_not_parse(loopback: Loopback) -> None:
    ex = _transport(loopback.url("/html200")).post(b"<r/>", idempotent=True)
    assert ex.status == 200 and b"Bad Gateway" in ex.response


# -- unreachable ------------------------------------------------------------------------------

def test_connection_refused_is_unreachable(closed_port: int) -> None:
    transport = _transport(f"http://127.0.0.1:{closed_port}/api", retries=0)
    with pytest.raises(Unreachable, match="unreachable") as info:
        transport.post(b"<request/>", idempotent=True)
    assert isinstance(info.value, TargetError)
    assert info.value.kind == "unreachable"
    assert f"127.0.0.1:{closed_port}" in str(info.value)
    assert info.value.exchange.status is None


def test_refused_non_idempotent_call_is_attempted_once(closed_port: int) -> None:
    transport = _transport(f"http://127.0.0.1:{closed_port}/api", retries=2)
    start = time.perf_counter()
    with pytest.raises(Unreachable, match="not retried") as info:
        transport.post(b"<request/>", idempotent=False)
    assert info.value.exchange.attempts == 1
    assert time.perf_counter() - start < 0.5  # no back-off sleeps


def test_refused_idempotent_call_is_retried(closed_port: int) -> None:
    transport = _transport(f"http://127.0.0.1:{closed_port}/api", retries=2)
    with pytest.raises(Unreachable) as info:
        transport.post(b"<request/>", idempotent=True)
    assert info.value.exchange.attempts == 3
    assert "not retried" not in str(info.value)


def test_dropped_connection_non_idempotent_hits_the_server_once(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/close"), retries=2)
    with pytest.raises(Unreachable, match="not retried") as info:
        transport.call(b"<CreateMeeting/>", idempotent=False)
    assert loopback.hits == ["/close"]
    assert info.value.exchange.attempts == 1


def test_dropped_connection_idempotent_is_retried(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/close"), retries=1)
    with pytest.raises(Unreachable) as info:
        transport.call(b"<GetSite/>", idempotent=True)
    assert loopback.hits == ["/close", "/close"]
    assert info.value.exchange.attempts == 2


def test_retry_then_success_is_not_an_error(loopback: Loopback) -> None:
    # first attempt dropped, second answered: an idempotent call succeeds on attempt 2
    state = {"n": 0}
    base = loopback.url("")

    class FlakySession:
        def __init__(self) -> None:
            import requests
            self.inner = requests.Session()

        def post(self, url, **kwargs):
            state["n"] += 1
            target = base + ("/close" if state["n"] == 1 else "/ok")
            return self.inner.post(target, **kwargs)

        def close(self) -> None:
            self.inner.close()

    transport = Transport(loopback.url("/any"), timeout=(1.0, 1.0), retries=2,
                          session=FlakySession())  # type: ignore[arg-type]
    ex, message = transport.call(b"<GetSite/>", idempotent=True)
    assert ex.attempts == 2
    assert message.first.ok
    assert loopback.hits == ["/close", "/ok"]


def test_slow_answer_past_the_read_timeout_is_unreachable(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/slow"), timeout=(1.0, READ_TIMEOUT), retries=2)
    start = time.perf_counter()
    with pytest.raises(Unreachable) as info:
        transport.post(b"<GetSite/>", idempotent=True)
    elapsed = time.perf_counter() - start
    message = str(info.value)
    assert f"within {READ_TIMEOUT:g} s" in message
    assert "no answer" in message
    assert elapsed < SLOW_SECONDS
    assert info.value.exchange.elapsed >= READ_TIMEOUT * 0.9
    assert loopback.hits == ["/slow"]  # a timeout is not retried (the call may have run)


def test_body_stalling_past_the_read_timeout_is_unreachable(loopback: Loopback) -> None:
    transport = _transport(loopback.url("/stall"), timeout=(1.0, READ_TIMEOUT), retries=2)
    start = time.perf_counter()
    with pytest.raises(Unreachable, match="timed out") as info:
        transport.post(b"<CreateMeeting/>", idempotent=False)
    assert time.perf_counter() - start < SLOW_SECONDS
    assert info.value.exchange.attempts == 1
    assert loopback.hits == ["/stall"]
