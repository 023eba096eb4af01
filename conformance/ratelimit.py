"""Limits shared by every process of one run (pytest-xdist workers included).

* :class:`RateLimiter`: at most ``rate`` requests per second to the target, counted across
  processes through a small state file under a file lock (``filelock``), and a run-wide
  back-off after the site throttles us (HTTP 403 or exceptionID 000045): every process
  waits until the back-off has passed before its next request.
  It also notes, across processes, whether every answer of the run was an HTTP 403
  (:meth:`RateLimiter.every_answer_forbidden`): then the site (or a proxy, a firewall)
  refuses this caller, nothing was created, and the leak check has nothing to find.
* :class:`SiteStateLock`: a reader/writer lock across processes. Cases that change
  site-wide state on a shared target (mock settings, the mock clock, site settings) take
  it exclusively; every other case takes it shared, so they never overlap.

Both keep their files in a run directory named after the run prefix (see
:func:`run_dir`), outside ``reports/``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from pathlib import Path

from filelock import FileLock

#: the longest a single request waits for its slot or for a back-off to pass
MAX_WAIT_SECONDS = 300.0


def run_dir(prefix: str) -> Path:
    """The directory the processes of the run with ``prefix`` share."""
    path = Path(tempfile.gettempdir()) / f"webex-conformance-{prefix}"
    path.mkdir(parents=True, exist_ok=True)
    return path


class RateLimiter:
    """A cross-process request spacer: request *n* starts no earlier than ``1/rate`` seconds
    after request *n-1* of any process sharing ``directory``."""

    def __init__(self, directory: Path, rate: float | None, *, backoff: float = 30.0,
                 name: str = "target") -> None:
        self.rate = rate if rate and rate > 0 else None
        self.backoff = backoff
        self.state_path = Path(directory) / f"ratelimit-{name}.json"
        self.lock = FileLock(str(self.state_path) + ".lock")
        self.waited = 0.0
        # marker files, each written at most once per process (no lock, no cost per request)
        self._markers = {kind: Path(directory) / f"answers-{name}.{kind}"
                         for kind in ("forbidden", "other", "none")}
        self._marked: set[str] = set()

    def _read(self) -> dict[str, float]:
        try:
            data = json.loads(self.state_path.read_text("utf-8"))
            return {k: float(v) for k, v in data.items()}
        except (OSError, ValueError, AttributeError):
            return {}

    def _write(self, data: dict[str, float]) -> None:
        tmp = self.state_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), "utf-8")
        os.replace(tmp, self.state_path)

    def acquire(self) -> float:
        """Wait for this process's turn; returns the seconds waited."""
        if self.rate is None and not self.state_path.exists():
            # No rate to keep and no process of the run was throttled yet (the state file
            # appears with the first back-off): nothing to wait for, nothing to count.
            return 0.0
        with self.lock:
            data = self._read()
            now = time.time()
            slot = max(now, data.get("next", 0.0), data.get("cooldown_until", 0.0))
            slot = min(slot, now + MAX_WAIT_SECONDS)
            if self.rate:
                data["next"] = slot + 1.0 / self.rate
            data["requests"] = data.get("requests", 0.0) + 1
            self._write(data)
        delay = slot - time.time()
        if delay > 0:
            time.sleep(delay)
            self.waited += delay
            return delay
        return 0.0

    def throttled(self) -> None:
        """The site throttled a request: every process of the run backs off."""
        with self.lock:
            data = self._read()
            data["cooldown_until"] = max(data.get("cooldown_until", 0.0),
                                         time.time() + self.backoff)
            data["throttled"] = data.get("throttled", 0.0) + 1
            self._write(data)

    def stats(self) -> dict[str, float]:
        with self.lock:
            return self._read()

    def record_answer(self, status: int | None) -> None:
        """Note how a request ended: its HTTP status, or None when no answer came (a
        timeout, a reset: the request may have been carried out)."""
        kind = "none" if status is None else "forbidden" if status == 403 else "other"
        if kind not in self._marked:
            self._markers[kind].touch()
            self._marked.add(kind)

    def every_answer_forbidden(self) -> bool:
        """True when requests were made by the processes of the run and every one was
        answered HTTP 403 (no other status, none unanswered): the site or something in
        front of it refuses this caller, and nothing can have been created."""
        markers = self._markers
        return (markers["forbidden"].exists() and not markers["other"].exists()
                and not markers["none"].exists())


class SiteStateLock:
    """Reader/writer lock across processes: writers hold ``gate`` for the whole case and
    wait until no reader is left; readers pass the gate briefly and leave a marker file.
    Markers of processes that died are ignored."""

    def __init__(self, directory: Path, *, timeout: float = 1800.0) -> None:
        self.gate = FileLock(str(Path(directory) / "site-state.gate"), timeout=timeout)
        self.readers = Path(directory) / "site-state.readers"
        self.readers.mkdir(parents=True, exist_ok=True)
        self.timeout = timeout
        self._marker: Path | None = None
        self._exclusive = False

    def acquire(self, exclusive: bool) -> None:
        if exclusive:
            self.gate.acquire()
            self._exclusive = True
            deadline = time.monotonic() + self.timeout
            while self._live_readers() and time.monotonic() < deadline:
                time.sleep(0.05)
        else:
            with self.gate:
                self._marker = self.readers / f"{os.getpid()}-{uuid.uuid4().hex}"
                self._marker.touch()

    def release(self) -> None:
        if self._exclusive:
            self._exclusive = False
            self.gate.release()
        if self._marker is not None:
            self._marker.unlink(missing_ok=True)
            self._marker = None

    def _live_readers(self) -> list[Path]:
        live = []
        for marker in self.readers.iterdir():
            pid = marker.name.split("-", 1)[0]
            if pid.isdigit() and _alive(int(pid)):
                live.append(marker)
            else:
                marker.unlink(missing_ok=True)
        return live


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
