"""The compliance model and its writers. Pure functions over recorded case results."""

from .baseline import compare, load_baseline
from .gate import EXIT_INFRA, EXIT_NONCONFORMANT, EXIT_OK, EXIT_USAGE, gate
from .html import render_html, write_html
from .publish import ReportSettings, assemble, publish
from .record import SCHEMA_VERSION, build_record, requirement_verdict, safe_url, write_json
from .waivers import Waiver, apply_waivers, load_waivers

__all__ = ["EXIT_INFRA", "EXIT_NONCONFORMANT", "EXIT_OK", "EXIT_USAGE", "SCHEMA_VERSION",
           "ReportSettings", "Waiver", "apply_waivers", "assemble", "build_record", "compare",
           "gate", "load_baseline", "load_waivers", "publish", "render_html",
           "requirement_verdict", "safe_url", "write_html", "write_json"]
