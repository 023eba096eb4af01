"""Where a run writes its reports, worked out in one place."""

from __future__ import annotations

from pathlib import Path

#: the reports directory when ``--conformance-reports`` (ini ``conformance_reports``) is
#: not given, relative to the working directory
DEFAULT_REPORTS = "reports"


def reports_dir(value: str | Path | None = None) -> Path:
    """The reports directory: ``value`` when given (not empty), else :data:`DEFAULT_REPORTS`."""
    return Path(value) if value not in (None, "") else Path(DEFAULT_REPORTS)
