"""``python -m conformance.report``: check a run record against its JSON Schema,
(re)render its HTML report, or print a Markdown summary (for a CI job summary).

    python -m conformance.report validate reports/compliance.json
    python -m conformance.report html reports/compliance.json reports/compliance.html
    python -m conformance.report summary reports/compliance.json >> "$GITHUB_STEP_SUMMARY"
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from .html import write_html
from .summary import MAX_ROWS, markdown_summary


def schema() -> dict[str, Any]:
    text = resources.files("conformance.data").joinpath("compliance.schema.json")
    return json.loads(text.read_text("utf-8"))


def validation_errors(record: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(validator.iter_errors(record), key=lambda e: list(map(str, e.path)))]


def _read(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        sys.exit(f"{path}: not a readable JSON run record: {exc}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.report",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a compliance.json against its JSON Schema")
    v.add_argument("record")
    h = sub.add_parser("html", help="render the HTML report of a compliance.json")
    h.add_argument("record")
    h.add_argument("output")
    s = sub.add_parser("summary", help="print a Markdown summary of a compliance.json "
                                       "(e.g. into $GITHUB_STEP_SUMMARY)")
    s.add_argument("record")
    s.add_argument("--max-rows", type=int, default=MAX_ROWS,
                   help=f"requirements listed at most (default {MAX_ROWS})")
    s.add_argument("--missing-ok", action="store_true",
                   help="a missing record prints a one-line note and exits 0 (the run "
                        "did not start: its log says why)")
    args = parser.parse_args(argv)
    if args.command == "summary" and args.missing_ok and not Path(args.record).exists():
        print(f"No run record at {args.record}: the run did not start (see the job log).")
        return 0
    record = _read(args.record)
    if args.command == "summary":
        if not isinstance(record, dict) or not isinstance(record.get("requirements"), list):
            sys.exit(f"{args.record}: not a compliance.json run record")
        sys.stdout.write(markdown_summary(record, max_rows=max(1, args.max_rows)))
        return 0
    if args.command == "validate":
        errors = validation_errors(record)
        for error in errors[:50]:
            print(f"{args.record}: {error}", file=sys.stderr)
        if errors:
            return 1
        print(f"{args.record}: valid run record (schema_version {record['schema_version']})")
        return 0
    write_html(record, args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
