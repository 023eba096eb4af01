"""Shared pieces of the benchmarks: a mock served from this process (optionally recording
every exchange), running the suite in a subprocess, timing, medians."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.mock.app import MockApp
from conformance.mock.server import serve_wsgi
from conformance.mock.state import DEFAULT_ADMIN, DEFAULT_HOST, Site

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


@dataclass
class Recorded:
    """One HTTP exchange as the client sent it: enough to send it again."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Served:
    server: Any
    thread: threading.Thread
    app: Any
    site: Site
    recorded: list[Recorded] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def url(self) -> str:
        return self.base + "/WBXService/XMLService"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(*, record: bool = False, latency: float = 0.0, seed: int = 1,
          app: Callable[..., Any] | None = None) -> Served:
    """The mock (or ``app``) on a free loopback port, werkzeug's threaded server, as
    ``python -m conformance.mock`` serves it."""
    site = Site(seed=seed)
    mock = app or MockApp(site, control=True, latency=latency)
    served = Served(None, None, mock, site)  # type: ignore[arg-type]

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        import io
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items()
                   if k.startswith("HTTP_") and k not in ("HTTP_HOST", "HTTP_CONTENT_LENGTH")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        served.recorded.append(Recorded(environ["REQUEST_METHOD"], environ["PATH_INFO"],
                                        environ.get("QUERY_STRING", ""), headers, body))
        return mock(environ, start_response)

    wsgi = serve_wsgi(recording if record else mock)
    served.server, served.thread = wsgi.server, wsgi.thread
    return served


def suite_env(served: Served, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # Bytecode caching as on a usual machine (this workplace sets PYTHONDONTWRITEBYTECODE,
    # which makes every run compile and assertion-rewrite ~140 modules again: ~2 s).
    if not os.environ.get("BENCH_KEEP_DONTWRITEBYTECODE"):
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({
        "WEBEX_XMLAPI_URL": served.url, "WEBEX_SITE_NAME": served.site.name,
        "WEBEX_ID": DEFAULT_ADMIN[0], "WEBEX_PASSWORD": DEFAULT_ADMIN[1],
        "WEBEX_HOST_ID": DEFAULT_HOST[0], "WEBEX_HOST_PASSWORD": DEFAULT_HOST[1],
        "WEBEX_MOCK_CONTROL": served.base + "/_mock",
    })
    env.update(extra)
    return env


def run_suite(served: Served, reports: Path, *args: str, **env: str) -> tuple[float, int]:
    """``python -m pytest`` (the README's conformance command) against ``served`` by URL;
    returns (wall seconds, exit code)."""
    cmd = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           f"--conformance-reports={reports}", *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=suite_env(served, **env),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - start
    if proc.returncode not in (0,):
        tail = proc.stdout.decode(errors="replace")[-2000:]
        raise SystemExit(f"the suite exited {proc.returncode}:\n{tail}")
    return wall, proc.returncode


def verdicts(reports: Path) -> dict[str, str]:
    record = json.loads((reports / "compliance.json").read_text("utf-8"))
    return {c["case_id"]: c["verdict"] for r in record["requirements"] for c in r["cases"]}


def case_count(reports: Path) -> int:
    record = json.loads((reports / "compliance.json").read_text("utf-8"))
    return sum(len(r["cases"]) for r in record["requirements"])


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def children_max_rss_mb() -> float:
    """Peak RSS of the largest child process waited for so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def machine() -> str:
    cpus = os.cpu_count()
    try:
        model = next(line.split(":", 1)[1].strip() for line in
                     Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        model = "unknown CPU"
    return f"{cpus} CPU(s), {model}, Python {sys.version.split()[0]}"
