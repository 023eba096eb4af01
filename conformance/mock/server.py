"""Serving the mock over real HTTP on loopback (werkzeug's threaded WSGI server)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import make_server

from .app import XML_PATH, MockApp
from .state import Site

LOOPBACK = "127.0.0.1"


@dataclass
class WsgiServer:
    """A WSGI app served on 127.0.0.1 by werkzeug's threaded server in a daemon thread."""

    server: Any
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=timeout)


def serve_wsgi(app: Any, *, port: int = 0) -> WsgiServer:
    """Serve ``app`` on 127.0.0.1 (``port=0``: a free port) until :meth:`WsgiServer.stop`:
    the mock, the benchmarks' servers and the tests' loopback servers all use this."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(LOOPBACK, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="conformance-wsgi", daemon=True)
    thread.start()
    return WsgiServer(server, thread)


@dataclass
class MockServer:
    app: MockApp
    host: str
    port: int
    _server: object
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + XML_PATH

    @property
    def control_url(self) -> str:
        return self.base_url + "/_mock"

    @property
    def site(self) -> Site:
        return self.app.site

    def stop(self) -> None:
        self._server.shutdown()  # type: ignore[attr-defined]
        self._server.server_close()  # type: ignore[attr-defined]
        if self._thread is not None:
            self._thread.join(timeout=5)


def start_mock(site: Site | None = None, *, port: int = 0, control: bool = True,
               latency: float = 0.0, record: str | None = None) -> MockServer:
    """Start the mock in a background thread on 127.0.0.1 (``port=0``: a free port);
    ``record``: a directory the answers are appended to (default ``$WEBEX_MOCK_RECORD``)."""
    app = MockApp(site, control=control, latency=latency, record=record)
    served = serve_wsgi(app, port=port)
    return MockServer(app, LOOPBACK, served.port, served.server, served.thread)
