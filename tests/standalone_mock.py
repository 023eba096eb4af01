"""Test helpers: the standalone mock in a subprocess, its control state, and the
environment that points the suite at it by URL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Standalone:
    process: subprocess.Popen
    base: str

    @property
    def url(self) -> str:
        return self.base + "/WBXService/XMLService"

    @property
    def control(self) -> str:
        return self.base + "/_mock"

    def state(self, prefix: str | None = None) -> dict:
        query = f"?prefix={prefix}" if prefix else ""
        with urllib.request.urlopen(f"{self.control}/state{query}", timeout=10) as resp:
            return json.loads(resp.read())

    def env(self, password: str = DEFAULT_ADMIN[1]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}
        env.update({"WEBEX_XMLAPI_URL": self.url, "WEBEX_SITE_NAME": DEFAULT_SITE,
                    "WEBEX_ID": DEFAULT_ADMIN[0], "WEBEX_PASSWORD": password,
                    "WEBEX_MOCK_CONTROL": self.control})
        return env


@contextmanager
def standalone_mock(*args: str) -> Iterator[Standalone]:
    """``python -m conformance.mock --port 0 ARGS`` until the block ends."""
    process = subprocess.Popen([sys.executable, "-m", "conformance.mock", "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        deadline = time.monotonic() + 20
        while "http://" not in line and time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the mock did not start: {line}")
            line = process.stdout.readline()
        url = line[line.index("http://"):].strip()
        yield Standalone(process, url.split("/WBXService")[0])
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def left_with_prefix(state: dict) -> dict[str, list[str]]:
    """What a leak is: anything with the prefix except deactivated users."""
    objects = state["objects"]
    return {k: v for k, v in objects.items() if k != "deactivated_users" and v}
