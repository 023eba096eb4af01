"""An in-process stand-in for ``requests.Session`` that hands requests straight to a WSGI
app (werkzeug's test Client): the same :class:`~conformance.transport.Transport` code,
without sockets, for the fast self-tests of the mock under fuzz."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from werkzeug.test import Client


class _Response:
    def __init__(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self._data = data

    def iter_content(self, size: int = 65536) -> Iterator[bytes]:
        for i in range(0, len(self._data), size):
            yield self._data[i:i + size]

    def close(self) -> None:
        pass


class WsgiSession:
    """Just what :class:`~conformance.transport.Transport` uses of a requests session."""

    def __init__(self, app: Any) -> None:
        self.client = Client(app)

    def post(self, url: str, *, data: bytes, headers: dict[str, str], **_: Any) -> _Response:
        path = urlsplit(url).path or "/"
        resp = self.client.post(path, data=data, headers=headers)
        try:
            return _Response(resp.status_code, dict(resp.headers), resp.get_data())
        finally:
            resp.close()

    def close(self) -> None:
        pass


def in_process(target: Any) -> Any:
    """Route ``target``'s XML API calls to its embedded mock in-process."""
    target.route_in_process(WsgiSession)
    return target
