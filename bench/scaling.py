"""Benchmark 3: scaling under latency.

The mock with an injected per-request latency (default 100 ms), served from this process;
the suite by URL with ``pytest -n 1`` and ``-n 4`` (pytest-xdist). Reports the speed-up
and whether both runs gave the same verdict per case.

    python bench/scaling.py [--latency 0.1] [--workers 4] [--paths cases] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, run_suite, serve, verdicts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--paths", nargs="*", default=["cases"])
    ap.add_argument("--no-control", action="store_true",
                    help="do not give the suite the mock's control interface (as against a "
                         "real site: cases that change site-wide state skip); no rate limit")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    extra_args: list[str] = ["--conformance-rate-limit=0"] if args.no_control else []
    env = {"WEBEX_MOCK_CONTROL": ""} if args.no_control else {}
    walls, vs = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1, args.workers):
            served = serve(latency=args.latency)
            try:
                reports = Path(tmp) / f"n{n}"
                walls[n], _ = run_suite(served, reports, "-n", str(n), *extra_args,
                                        *args.paths, **env)
                vs[n] = verdicts(reports)
            finally:
                served.stop()
    same = vs[1] == vs[args.workers]
    diff = sorted(k for k in set(vs[1]) | set(vs[args.workers])
                  if vs[1].get(k) != vs[args.workers].get(k))
    out = {"benchmark": "scaling under latency", "machine": machine(),
           "latency_s": args.latency, "cases": len(vs[1]),
           "control": not args.no_control,
           "skipped": sum(v == "skip" for v in vs[1].values()),
           "wall_n1_s": round(walls[1], 2), f"wall_n{args.workers}_s": round(walls[args.workers], 2),
           "speedup": round(walls[1] / walls[args.workers], 2),
           "same_verdicts": same, "differing_cases": diff[:20], "target": ">= 3.5"}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
