"""Benchmark 2: the mock's throughput.

Requests per second for a cheap call (GetAPIVersion), a state-changing pair (CreateMeeting
+ DelMeeting) and a list (LstsummarySession of 500 meetings), with 1 and 8 concurrent
clients (threads of one client process), compared in the same run with a minimal WSGI
app that returns canned bytes on the same stack (werkzeug's threaded server).

    python bench/mock_throughput.py [--requests 600] [--repeat 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PY, ROOT, machine, median, serve  # noqa: E402

from conformance.envelope import Body, Credentials, build_message  # noqa: E402
from conformance.mock.state import DEFAULT_ADMIN, DEFAULT_SITE  # noqa: E402

ADMIN = Credentials(DEFAULT_SITE, *DEFAULT_ADMIN)


def msg(api: str, fields: dict | None = None) -> str:
    return build_message(ADMIN, [Body(api, fields or {})]).decode("utf-8")


def future() -> str:
    return (datetime.now(UTC) + timedelta(days=30)).strftime("%m/%d/%Y %H:%M:%S")


def create_meeting(name: str) -> str:
    return msg("CreateMeeting", {"accessControl": {"meetingPassword": "Pw12345x"},
                                 "metaData": {"confName": name, "meetingType": 3},
                                 "schedule": {"startDate": future(), "timeZoneID": 20,
                                              "duration": 30}})


def load(mode: str, url: str, payloads: list[str], clients: int, total: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(payloads, fh)
    proc = subprocess.run([PY, str(ROOT / "bench" / "_load.py"), mode, url, fh.name,
                           str(clients), str(total)], capture_output=True, text=True)
    Path(fh.name).unlink()
    if proc.returncode:
        raise SystemExit(f"load client failed: {proc.stderr.strip()}")
    return float(proc.stdout.strip())


def canned_app(body: bytes):
    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            environ["wsgi.input"].read(length)
        start_response("200 OK", [("Content-Type", "text/xml;charset=UTF-8"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    return app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    n = args.requests
    mock = serve()
    results: dict[str, dict[str, float]] = {}
    try:
        version = msg("GetAPIVersion")
        canned_body = requests.post(mock.url, data=version.encode()).content
        canned = serve(app=canned_app(canned_body))
        # 500 meetings for the list benchmark (scheduled once, through the API)
        with requests.Session() as s:
            for i in range(500):
                r = s.post(mock.url, data=create_meeting(f"bench list {i}").encode())
                assert b"SUCCESS" in r.content, r.content[:300]
        lst = msg("LstsummarySession", {"listControl": {"startFrom": 1, "maximumNum": 500}})
        probe = requests.post(mock.url, data=lst.encode()).content
        assert probe.count(b"sessionKey>") >= 500 or probe.count(b"sessionkey>") >= 500 \
            or b"SUCCESS" in probe, probe[:300]
        dele = msg("DelMeeting", {"meetingKey": "KEY"})
        try:
            for clients in (1, 8):
                key = f"{clients} client(s)"
                r: dict[str, float] = {}
                r["canned_rps"] = median(load("plain", canned.url, [version], clients, n)
                                         for _ in range(args.repeat))
                r["GetAPIVersion_rps"] = median(load("plain", mock.url, [version], clients, n)
                                                for _ in range(args.repeat))
                r["CreateMeeting+DelMeeting_ops"] = median(
                    load("create-del", mock.url, [create_meeting("bench cd"), dele], clients,
                         max(n // 4, 50)) for _ in range(args.repeat))
                r["LstsummarySession500_rps"] = median(
                    load("plain", mock.url, [lst], clients, max(n // 10, 20))
                    for _ in range(args.repeat))
                r["cheap_vs_canned"] = round(r["GetAPIVersion_rps"] / r["canned_rps"], 3)
                results[key] = {k: round(v, 3) for k, v in r.items()}
        finally:
            canned.stop()
    finally:
        mock.stop()
    out = {"benchmark": "mock throughput", "machine": machine(), "requests": n,
           "repeat": args.repeat, "results": results,
           "target": "GetAPIVersion >= 0.8 x canned"}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
