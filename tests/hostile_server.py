"""A small loopback server that stands in front of the mock and plays hostile or broken
answers for the requests that name a trigger API; everything else is passed through."""

from __future__ import annotations

import logging
import socket
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests
from werkzeug.wrappers import Request, Response

from conformance.mock import start_mock
from conformance.mock.server import serve_wsgi
from conformance.namespaces import NS

SERV = NS["serv"]
SLOW_SECONDS = 2.0


def _envelope(inner: str = "", result: str = "SUCCESS", exception_id: str = "") -> str:
    exc = f"<serv:exceptionID>{exception_id}</serv:exceptionID>" if exception_id else ""
    return (f'<serv:message xmlns:serv="{SERV}" xmlns:mtgtype="{NS["mtgtype"]}">'
            f"<serv:header><serv:response><serv:result>{result}</serv:result>"
            f"<serv:gsbStatus>PRIMARY</serv:gsbStatus>{exc}</serv:response></serv:header>"
            f"<serv:body><serv:bodyContent>{inner}</serv:bodyContent></serv:body>"
            f"</serv:message>")


XXE = ('<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       + _envelope("<mtgtype:name>&xxe;</mtgtype:name>")).encode()
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10))
          + ']>\n' + _envelope("<mtgtype:name>&lol9;</mtgtype:name>")).encode()
TRUNCATED = _envelope("<mtgtype:name>cut</mtgtype:name>").encode()[:-40]
BAD_GATEWAY = (b"<html><head><title>502 Bad Gateway</title></head><body><center>"
               b"<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
LATIN1 = ('<?xml version="1.0"?>' + _envelope("<mtgtype:name>r\u00e9union</mtgtype:name>")
          ).encode("iso-8859-1")
UTF16_NO_BOM = _envelope("<mtgtype:name>x</mtgtype:name>").encode("utf-16-le")
THROTTLED_000045 = _envelope(result="FAILURE", exception_id="000045").encode()

#: mode -> what the answer is (see :func:`_hostile`)
MODES = ("xxe", "billion-laughs", "oversize", "truncated", "proxy-502", "wrong-charset",
         "missing-charset", "unknown-charset", "empty", "forbidden-403", "throttled-000045",
         "slow", "reset")


@dataclass
class Hostile:
    base: str
    mock_url: str
    control_url: str
    mode: str | None = None
    trigger: bytes = b"GetMeetingType"
    hits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.base + "/WBXService/XMLService"


def _hostile(mode: str, request: Request) -> Response:
    xml = "text/xml;charset=UTF-8"
    if mode == "xxe":
        return Response(XXE, content_type=xml)
    if mode == "billion-laughs":
        return Response(LAUGHS, content_type=xml)
    if mode == "oversize":  # more than the transport's limit (set low by the tests)
        return Response(_envelope("<mtgtype:name>" + "x" * 200_000 + "</mtgtype:name>"),
                        content_type=xml)
    if mode == "truncated":
        return Response(TRUNCATED, content_type=xml)
    if mode == "proxy-502":
        return Response(BAD_GATEWAY, status=502, content_type="text/html")
    if mode == "wrong-charset":  # ISO-8859-1 bytes labelled UTF-8
        return Response(LATIN1, content_type=xml)
    if mode == "missing-charset":
        return Response(LATIN1, content_type="text/xml")
    if mode == "unknown-charset":  # UTF-16 without a BOM, no charset: cannot be read
        return Response(UTF16_NO_BOM, content_type="text/xml")
    if mode == "empty":
        return Response(b"", content_type=xml)
    if mode == "forbidden-403":
        return Response(b"<html><body>403 Forbidden</body></html>", status=403,
                        content_type="text/html")
    if mode == "throttled-000045":
        return Response(THROTTLED_000045, content_type=xml)
    if mode == "slow":
        time.sleep(SLOW_SECONDS)
        return Response(_envelope(), content_type=xml)
    if mode == "reset":
        sock = request.environ["werkzeug.socket"]
        # linger 0: the close resets the connection instead of ending it politely
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        return Response(b"")
    raise ValueError(mode)


@contextmanager
def hostile_server(mock_url: str | None = None, control_url: str | None = None
                   ) -> Iterator[Hostile]:
    """A hostile proxy in front of ``mock_url`` (default: a fresh in-process mock)."""
    logger = logging.getLogger("werkzeug")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    mock = None
    if mock_url is None:
        mock = start_mock()
        mock_url, control_url = mock.url, mock.control_url
    state = Hostile("", mock_url, control_url or "")
    upstream = requests.Session()

    @Request.application
    def app(request: Request) -> Response:
        data = request.get_data()
        if state.mode and state.trigger in data:
            state.hits.append(state.mode)
            return _hostile(state.mode, request)
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "jwttoken")}
        resp = upstream.post(state.mock_url, data=data, headers=headers, timeout=30)
        return Response(resp.content, status=resp.status_code,
                        content_type=resp.headers.get("Content-Type"))

    served = serve_wsgi(app)
    state.base = served.base_url
    try:
        yield state
    finally:
        served.stop()
        upstream.close()
        if mock is not None:
            mock.stop()
        logger.setLevel(level)
