"""Serving the mock over real HTTP on loopback (werkzeug's threaded WSGI server)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from werkzeug.serving import make_server

from .app import XML_PATH, MockApp
from .state import Site

LOOPBACK = "127.0.0.1"


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
               latency: float = 0.0) -> MockServer:
    """Start the mock in a background thread on 127.0.0.1 (``port=0``: a free port)."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = MockApp(site, control=control, latency=latency)
    server = make_server(LOOPBACK, port, app, threaded=True)
    mock = MockServer(app, LOOPBACK, server.server_port, server)
    thread = threading.Thread(target=server.serve_forever, name="conformance-mock",
                              daemon=True)
    mock._thread = thread
    thread.start()
    return mock
