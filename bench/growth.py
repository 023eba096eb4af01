"""Benchmark 5: cost growth with the number of cases.

Copies the case files 1x, 4x and 16x into a temporary directory (each copy a file of its
own, so every case runs again with its own run-unique names) and runs the suite on each
set against the embedded mock. Linear growth means time per case stays flat.

    python bench/growth.py [--factors 1 4 16] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conformance.cases import case_files

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PY, ROOT, case_count, machine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--factors", nargs="*", type=int, default=[1, 4, 16])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        for factor in args.factors:
            cases = Path(tmp) / f"x{factor}"
            cases.mkdir()
            shutil.copy(ROOT / "cases" / "_steps.yaml", cases / "_steps.yaml")
            for i in range(factor):
                for f in case_files(ROOT / "cases"):
                    shutil.copy(f, cases / f"{f.stem}-{i:02d}.yaml")
            reports = Path(tmp) / f"r{factor}"
            start = time.perf_counter()
            proc = subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                   f"--conformance-reports={reports}",
                                   "-o", f"conformance_cases={cases}", str(cases)],
                                  cwd=ROOT, capture_output=True, text=True)
            wall = time.perf_counter() - start
            n = case_count(reports) if (reports / "compliance.json").exists() else 0
            rows.append({"factor": factor, "cases": n, "wall_s": round(wall, 2),
                         "ms_per_case": round(1000 * wall / max(n, 1), 2),
                         "exit_code": proc.returncode})
    base = rows[0]["ms_per_case"]
    for r in rows:
        r["per_case_vs_1x"] = round(r["ms_per_case"] / base, 3)
    out = {"benchmark": "cost growth", "machine": machine(), "rows": rows,
           "target": "linear: per-case time flat (per_case_vs_1x ~ 1 or lower)"}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
