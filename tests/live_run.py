"""Test helper: a conformance run in a real subprocess whose output is read line by line
while it runs, so that a test can send it SIGINT or SIGTERM at a chosen moment."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INI = "[pytest]\ntestpaths = cases fuzz\nconformance_cases = cases\n"


def project(path: Path, *case_files: str, conftest: str | None = None,
            fuzz: dict[str, str] | None = None) -> Path:
    """A conformance project in ``path``: some of the suite's case files (and the shared
    steps), a conftest, fuzz test files."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "pytest.ini").write_text(INI, "utf-8")
    (path / "cases").mkdir(parents=True, exist_ok=True)
    for name in (*case_files, "_steps.yaml"):
        shutil.copy(ROOT / "cases" / name, path / "cases" / name)
    if conftest:
        (path / "conftest.py").write_text(conftest, "utf-8")
    if fuzz:
        (path / "fuzz").mkdir(exist_ok=True)
        for name, text in fuzz.items():
            (path / "fuzz" / name).write_text(text, "utf-8")
    return path


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}
    env.update(extra)
    return env


class LiveRun:
    """``python -m pytest ARGS`` in ``cwd``; stdout and stderr merged, read as it comes."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd,
            env=env if env is not None else clean_env(), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.started = time.monotonic()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def _drain(self, timeout: float) -> bool:
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            return True
        if line is None:
            self._queue.put(None)
            return False
        self.lines.append(line)
        return True

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """The first output line containing ``text`` (waits for it)."""
        deadline = time.monotonic() + timeout
        index = 0
        while True:
            while index < len(self.lines):
                if text in self.lines[index]:
                    return self.lines[index]
                index += 1
            left = deadline - time.monotonic()
            if left <= 0 or (not self._drain(min(left, 0.2)) and index == len(self.lines)):
                raise AssertionError(f"no line with {text!r} (exit "
                                     f"{self.process.poll()}):\n{self.output[-3000:]}")

    def send(self, sig: signal.Signals) -> None:
        assert self.process.poll() is None, f"the run already ended:\n{self.output[-3000:]}"
        self.process.send_signal(sig)

    def finish(self, timeout: float = 120) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=10)
        while self._drain(0.01):
            pass
        self.elapsed = time.monotonic() - self.started
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def output(self) -> str:
        return "".join(self.lines)
