"""Benchmark 1: the runner's overhead against the floor.

Records every HTTP exchange a conformance run makes against the mock, then, several times:
runs the suite again (wall time of ``python -m pytest ...`` by URL, a fresh mock) and
replays the same requests with a bare ``requests.Session`` loop in a fresh interpreter
against a fresh mock (the floor). Both are child processes of this one, on this machine,
against the same mock served from this process. Reports the median of full/floor.

    python bench/runner_overhead.py [--repeat 5] [--paths cases] [--json OUT]
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PY, ROOT, machine, median, run_suite, serve  # noqa: E402


def replay(exchanges_file: Path) -> tuple[float, float]:
    served = serve()
    try:
        start = time.perf_counter()
        proc = subprocess.run([PY, str(ROOT / "bench" / "_replay.py"), str(exchanges_file),
                               served.base], capture_output=True, text=True, check=True)
        return time.perf_counter() - start, float(proc.stdout.strip())
    finally:
        served.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--paths", nargs="*", default=["cases"],
                    help="what the run collects (default: the case files)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        served = serve(record=True)
        try:
            run_suite(served, tmpdir / "rec", *args.paths)
        finally:
            served.stop()
        exchanges = [{"method": r.method, "path": r.path, "query": r.query,
                      "headers": r.headers, "body": base64.b64encode(r.body).decode()}
                     for r in served.recorded]
        xfile = tmpdir / "exchanges.json"
        xfile.write_text(json.dumps(exchanges))
        fulls, floors, loops = [], [], []
        for i in range(args.repeat):
            s = serve()
            try:
                full, _ = run_suite(s, tmpdir / f"r{i}", *args.paths)
            finally:
                s.stop()
            floor, loop = replay(xfile)
            fulls.append(full)
            floors.append(floor)
            loops.append(loop)
        ratios = [f / g for f, g in zip(fulls, floors, strict=True)]
        result = {
            "benchmark": "runner overhead", "machine": machine(), "paths": args.paths,
            "exchanges": len(exchanges), "repeat": args.repeat,
            "ratio_median": round(median(ratios), 3),
            "ratios": [round(r, 3) for r in ratios],
            "full_run_s_median": round(median(fulls), 3),
            "floor_process_s_median": round(median(floors), 3),
            "floor_loop_only_s_median": round(median(loops), 3),
            "target": "<= 1.3",
        }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
