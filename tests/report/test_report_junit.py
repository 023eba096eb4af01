"""JUnit XML (reports/junit.xml, xunit1): the requirement id and since-version as properties
on each test case, a <failure> with the readable differences, no secrets."""

from __future__ import annotations

from typing import Any

from conformance.mock import DEFAULT_ADMIN


def test_junit_has_requirement_and_since_on_each_case(fault_run: Any) -> None:
    from lxml import etree

    root = etree.parse(str(fault_run.reports / "junit.xml")).getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == 11
    for case in cases:
        props = {p.get("name"): p.get("value") for p in case.findall("properties/property")}
        assert props["requirement"] in ("private-meeting", "envelope")
        assert props["since"] in ("40.12.0", "40.1.0")
        assert props["verdict"] in ("pass", "fail")
        assert props["source"]
    failures = [c for c in cases if c.find("failure") is not None]
    assert {c.get("name") for c in failures} == {"reports-private-flag[private]",
                                                 "reports-private-flag[standard]",
                                                 "setmeeting-to-private-type"}
    text = failures[0].find("failure").text or ""
    assert "ep:isPrivateMeeting" in text and DEFAULT_ADMIN[1] not in text
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite.get("failures") == "3" and suite.get("tests") == "11"

