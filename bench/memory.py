"""Benchmark 4: peak RSS of a full conformance run against the embedded mock.

Runs ``python -m pytest`` (the README's conformance command) in a child process and reads
the child's peak resident set size from getrusage.

    python bench/memory.py [--paths ...] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PY, ROOT, machine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", nargs="*", default=[])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               f"--conformance-reports={tmp}", *args.paths], cwd=ROOT,
                              capture_output=True, text=True)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out = {"benchmark": "memory", "machine": machine(),
           "run": "python -m pytest " + " ".join(args.paths) + " (embedded mock)",
           "exit_code": proc.returncode, "peak_rss_mb": round(peak_mb, 1), "target": "< 300"}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
