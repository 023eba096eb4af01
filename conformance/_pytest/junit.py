"""The :class:`SchemaJUnit` plugin object: after pytest's junitxml has written
``junit.xml`` (its ``pytest_sessionfinish``; this one is ``trylast``), the test case of the
run-level ``schema`` result is added to it from the run record
(:func:`conformance.report.junit.add_schema_testcase`). Controller only, like the
:class:`~conformance._pytest.recorder.Recorder`."""

from __future__ import annotations

import json

import pytest

from ..report.junit import add_schema_testcase
from .state import RunState

PLUGIN_NAME = "conformance-schema-junit"


class SchemaJUnit:
    def __init__(self, config: pytest.Config, state: RunState) -> None:
        self.config = config
        self.state = state

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        xmlpath = getattr(self.config.option, "xmlpath", None)
        report = self.state.report_path
        if not xmlpath or report is None or not report.is_file():
            return
        try:
            record = json.loads(report.read_text("utf-8"))
        except (OSError, ValueError):
            return  # the record's own problems are reported by the Recorder
        family = str(self.config.getini("junit_family") or "xunit2")
        add_schema_testcase(xmlpath, record, properties=family in ("xunit1", "legacy"))
