"""conformance.failfast: one clear message for a discovery failure; the URL without
secrets, the cause, what to check."""

from __future__ import annotations

import socket

import pytest

from conformance.errors import (
    AuthenticationFailed,
    HttpError,
    InvalidResponse,
    TargetError,
    Throttled,
    Unreachable,
)
from conformance.failfast import safe_url, stop_message
from conformance.redact import MASK, Redactor
from conformance.transport import Transport

SECRET = "S3cret-Passw0rd!"
URL = "https://admin:S3cret-Passw0rd!@acme.webex.com/WBXService/XMLService?AT=tok123#frag"


@pytest.mark.parametrize("url, shown", [
    (URL, f"https://acme.webex.com/WBXService/XMLService?AT={MASK}"),
    ("http://127.0.0.1:8080/WBXService/XMLService", "http://127.0.0.1:8080/WBXService/XMLService"),
    ("http://[::1]:9/x", "http://[::1]:9/x"),
    ("https://acme.webex.com:99999/x", "https://********"),
])
def test_safe_url(url, shown):
    assert safe_url(url) == shown


def test_safe_url_masks_known_secrets_in_the_path():
    redactor = Redactor([SECRET])
    assert SECRET not in safe_url(f"https://acme.webex.com/{SECRET}/x", redactor)


def _no_secret(message) -> None:
    for part in (message.text, message.headline, message.url, message.cause):
        assert SECRET not in part and "tok123" not in part and "admin:" not in part


def test_unreachable_connection_refused():
    error = Unreachable(f"target unreachable at {URL}: Connection refused")
    message = stop_message(error, URL, Redactor([SECRET]))
    assert message.kind == "unreachable"
    assert message.headline == "the target refused the connection"
    assert message.cause == (f"target unreachable at https://acme.webex.com/WBXService/"
                             f"XMLService?AT={MASK}: Connection refused")
    assert "nothing listens there" in message.checks[0]
    _no_secret(message)
    lines = message.text.splitlines()
    assert lines[0] == ("conformance: stopped before any case ran: the target refused the "
                        "connection")
    assert lines[1] == f"  target: https://acme.webex.com/WBXService/XMLService?AT={MASK}"
    assert lines[2].startswith("  cause:  target unreachable")
    assert lines[3] == "  check:" and all(line.startswith("    - ") for line in lines[4:])
    assert str(message) == message.text


@pytest.mark.parametrize("text, headline", [
    ("no answer from URL within 60 s", "did not answer in time"),
    ("target unreachable at URL: Name or service not known", "does not resolve"),
    ("request to URL failed: SSL: CERTIFICATE_VERIFY_FAILED", "the target is unreachable"),
])
def test_unreachable_causes(text, headline):
    message = stop_message(Unreachable(text.replace("URL", URL)), URL, Redactor([SECRET]))
    assert headline in message.headline
    _no_secret(message)


def test_authentication_failed():
    error = AuthenticationFailed("authentication failed for 'admin' on site 'acme': 030002 "
                                 "Incorrect user or password")
    message = stop_message(error, URL, Redactor([SECRET]), webex_id="admin", site_name="acme")
    assert message.kind == "authentication"
    assert message.headline == "authentication failed for 'admin' on site 'acme'"
    assert any("WEBEX_SITE_NAME" in c for c in message.checks)
    assert any("WEBEX_ID and WEBEX_PASSWORD" in c for c in message.checks)
    # today's target raises a plain TargetError for it
    plain = stop_message(TargetError("authentication failed for 'admin'"), URL)
    assert plain.kind == "authentication"


def test_not_xml():
    message = stop_message(InvalidResponse("not well-formed XML: line 1"), URL)
    assert message.kind == "invalid-response"
    assert "not an XML API message" in message.headline
    assert "login page" in message.checks[0]


class _Exchange:
    status = 404


@pytest.mark.parametrize("status, check", [(404, "/WBXService/XMLService"),
                                           (407, "proxy"), (503, "the site is up"),
                                           (418, "the URL")])
def test_http_errors(status, check):
    exchange = _Exchange()
    exchange.status = status
    message = stop_message(HttpError(f"HTTP {status} from {URL}", exchange=exchange), URL,
                           Redactor([SECRET]))
    assert message.kind == "http-error"
    assert message.headline == f"the target answered HTTP {status}, not an XML API message"
    assert check in message.checks[0]
    _no_secret(message)
    # the status from the text when there is no exchange
    assert f"HTTP {status}" in stop_message(HttpError(f"HTTP {status}"), URL).headline


def test_throttled_and_anything_else():
    assert stop_message(Throttled("HTTP 403 Forbidden"), URL).kind == "throttled"
    other = stop_message(TargetError("something odd"), URL)
    assert other.kind == "infrastructure" and other.cause == "something odd"
    assert stop_message(TargetError(""), URL).cause == "TargetError"


def test_a_secret_in_the_cause_is_masked():
    error = Unreachable(f"refused: password={SECRET} at https://u:p@proxy.example/")
    message = stop_message(error, URL, Redactor([SECRET]))
    assert SECRET not in message.text and "u:p@" not in message.text


def test_against_a_port_nothing_listens_on():
    """The real transport's error for a closed port gives the refused message, quickly."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    url = f"http://127.0.0.1:{port}/WBXService/XMLService"
    transport = Transport(url, timeout=(2.0, 2.0))
    try:
        with pytest.raises(Unreachable) as err:
            transport.post(b"<x/>", idempotent=True)
    finally:
        transport.close()
    message = stop_message(err.value, url)
    assert message.headline == "the target refused the connection"
    assert message.url == url
