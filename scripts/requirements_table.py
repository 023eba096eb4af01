"""Regenerate the requirements table of README.md from the catalogue and cases/.

    python scripts/requirements_table.py          # rewrite README.md between the markers
    python scripts/requirements_table.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from conformance.cases import case_files, load_case_file
from conformance.catalogue import catalogue
from conformance.mock.faults import FAULTS

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- requirements-table:begin -->", "<!-- requirements-table:end -->"


def table() -> str:
    cases: dict[str, int] = defaultdict(int)
    for path in case_files(ROOT / "cases"):
        for case in load_case_file(path):
            cases[case.requirement] += 1
    faults: dict[str, int] = defaultdict(int)
    for fault in FAULTS.values():
        faults[fault.requirement] += 1
    rows = ["| requirement | since | title | cases | mock faults |", "|---|---|---|---|---|"]
    for req in sorted(catalogue().values(), key=lambda r: (tuple(int(p) for p in r.since.split(".")), r.id)):
        n = cases.get(req.id, 0)
        shown = n if n else "every answer (run-level)" if req.level == "suite" else "not covered"
        rows.append(f"| `{req.id}` | {req.since} | {req.title.replace('|', '/')} | "
                    f"{shown} | {faults.get(req.id, 0)} |")
    covered = sum(1 for r in catalogue().values() if cases.get(r.id) or r.level == "suite")
    rows.append("")
    rows.append(f"{covered} of {len(catalogue())} requirements covered, "
                f"{sum(cases.values())} cases, {len(FAULTS)} faults.")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text("utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = f"{head}{BEGIN}\n{table()}\n{END}{tail}"
    if args.check:
        if new != text:
            print("README.md requirements table is out of date: "
                  "run python scripts/requirements_table.py", file=sys.stderr)
            return 1
        return 0
    readme.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
