"""The mock refuses a request body over its limit without reading it all (issue 13, item
10): at its Content-Length, before a byte of the body is read; without one (chunked), after
at most limit + 1 bytes."""

from __future__ import annotations

import io
import socket
import time

import pytest
from lxml import etree
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from conformance.mock import start_mock
from conformance.mock.app import MAX_REQUEST_BYTES, MockApp, read_body


class CountingStream(io.RawIOBase):
    """An endless request body that counts what is read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = min(len(buffer), 65536)  # short reads, as a socket gives
        buffer[:n] = b"x" * n
        self.read_bytes += n
        return n


def _environ(stream: io.RawIOBase, length: int | None) -> dict:
    env = EnvironBuilder(method="POST", path="/WBXService/XMLService").get_environ()
    env["wsgi.input"] = stream
    env.pop("CONTENT_LENGTH", None)
    if length is not None:
        env["CONTENT_LENGTH"] = str(length)
    else:
        env["wsgi.input_terminated"] = True  # chunked: the server ends the stream
    return env


def _request(stream: io.RawIOBase, length: int | None) -> Request:
    return Request(_environ(stream, length))


def test_refused_at_content_length_without_reading() -> None:
    stream = CountingStream()
    assert read_body(_request(stream, MAX_REQUEST_BYTES + 1), MAX_REQUEST_BYTES) is None
    assert stream.read_bytes == 0


def test_without_content_length_reads_at_most_limit_plus_one() -> None:
    stream = CountingStream()
    assert read_body(_request(stream, None), 1000) is None
    assert stream.read_bytes <= 1001


def test_a_body_within_the_limit_is_read_whole() -> None:
    body = b"<x/>" * 100_000  # 400 kB, several short reads
    assert read_body(_request(io.BytesIO(body), len(body)), MAX_REQUEST_BYTES) == body
    assert read_body(_request(io.BytesIO(body), None), MAX_REQUEST_BYTES) == body


def _exception_id(answer: bytes) -> str | None:
    found = etree.fromstring(answer).find(".//{*}exceptionID")
    return None if found is None else found.text


@pytest.fixture
def mock():
    server = start_mock()
    yield server
    server.stop()


def test_over_the_wire_refused_before_the_body_is_sent(mock) -> None:
    """Only the headers are sent: a server that read the body first would wait for it."""
    with socket.create_connection((mock.host, mock.port), timeout=10) as sock:
        sock.sendall(b"POST /WBXService/XMLService HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: text/xml\r\n"
                     + f"Content-Length: {MAX_REQUEST_BYTES * 4}\r\n\r\n".encode())
        started = time.monotonic()
        data = b""
        while b"</serv:message>" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        assert time.monotonic() - started < 5
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert _exception_id(body[body.index(b"<?xml"):]) == "000000"


def test_an_app_without_server_refuses_a_large_body_too() -> None:
    app = MockApp()
    stream = CountingStream()
    env = _environ(stream, MAX_REQUEST_BYTES + 10)
    statuses: list[str] = []
    body = b"".join(app(env, lambda status, headers, exc=None: statuses.append(status)))
    assert statuses == ["200 OK"] and _exception_id(body) == "000000"
    assert stream.read_bytes == 0
