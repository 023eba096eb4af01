"""``python -m conformance.report``: check a run record against its JSON Schema, or
(re)render its HTML report.

    python -m conformance.report validate reports/compliance.json
    python -m conformance.report html reports/compliance.json reports/compliance.html
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from .html import write_html


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
    args = parser.parse_args(argv)
    record = _read(args.record)
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
