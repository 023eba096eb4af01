"""The schema findings in JUnit XML: one dedicated ``testcase`` for the run-level result of
requirement ``schema`` (``conformance.schema`` / ``every-answer``), added to the file
pytest's junitxml wrote, from the run record only.

What JUnit viewers show (Jenkins, GitLab, Azure DevOps, the GitHub test reporters) is the
test case, its status and message, its ``failure``/``skipped`` text and its
``system-out``; few show properties. So the findings are in all of them: the status follows
the result (FAIL with gating: ``failure``; deviations, not gating: ``skipped`` "not
gating: ..."; all valid: passed), the message is the result's reason, ``system-out`` lists
every API (answers checked, invalid) and each distinct deviation with its example, and the
properties carry the counts for tools (xunit1 only: xunit2 has no test-case properties).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lxml import etree

CLASSNAME = "conformance.schema"
NAME = "every-answer"


def findings_text(findings: dict[str, Any]) -> str:
    """The per-API listing (plain text): counts, then each distinct deviation."""
    gating = "gating" if findings.get("gating") else "informational, not gating"
    lines = [f"Schema findings ({gating}): {findings.get('invalid', 0)} of "
             f"{findings.get('checked', 0)} answer(s) invalid against Cisco's XSDs (2011, "
             f"with the 40.x overlay), in {findings.get('apis_invalid', 0)} of "
             f"{len(findings.get('apis', []))} API(s).", ""]
    width = max([len(a["api"]) for a in findings.get("apis", [])] + [3])
    lines.append(f"{'API':{width}}  checked  invalid")
    for a in findings.get("apis", []):
        lines.append(f"{a['api']:{width}}  {a['checked']:7}  {a['invalid']:7}")
    for a in findings.get("apis", []):
        if not a["messages"]:
            continue
        lines += ["", f"{a['api']}: {a['invalid']} of {a['checked']} answer(s) invalid"]
        for m in a["messages"]:
            ex = m["example"]
            where = f" {m['path']}" if m["path"] else ""
            lines.append(f"  -{where}: {m['message']} ({m['count']}x)")
            lines.append(f"    e.g. {ex.get('case')}, {ex.get('step')}"
                         + (f", line {ex['line']}" if ex.get("line") else "")
                         + f": {ex.get('message')}")
            if ex.get("excerpt"):
                lines.append(f"    {ex['excerpt']}")
        if a.get("omitted"):
            lines.append(f"  ({a['omitted']} more occurrence(s) of deviations not listed)")
    return "\n".join(lines) + "\n"


def _result(record: dict[str, Any], case_id: str) -> dict[str, Any] | None:
    for req in record.get("requirements", []):
        for case in req.get("cases", []):
            if case.get("case_id") == case_id:
                return case
    return None


def add_schema_testcase(junit_path: str | os.PathLike[str], record: dict[str, Any], *,
                        case_id: str = "schema::every-answer",
                        properties: bool = True) -> bool:
    """Add the test case of the run-level ``schema`` result to ``junit_path`` (in place).
    False, and the file untouched, when the record has no such result or the file is not
    a JUnit XML file of testsuites/testsuite."""
    findings = record.get("schema_findings")
    case = _result(record, case_id)
    path = Path(junit_path)
    if not findings or case is None or not path.is_file():
        return False
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError:
        return False
    root = tree.getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        return False
    verdict = case.get("verdict")
    testcase = etree.SubElement(suite, "testcase", classname=CLASSNAME, name=NAME,
                                time="0.000")
    if properties:
        props = etree.SubElement(testcase, "properties")
        source = case.get("source") or {}
        for name, value in (("requirement", case.get("requirement")),
                            ("since", case.get("since")),
                            ("source", f"{source.get('release')}: {source.get('section')}"),
                            ("verdict", verdict),
                            ("schema.gating", str(bool(findings.get("gating"))).lower()),
                            ("schema.checked", findings.get("checked")),
                            ("schema.invalid", findings.get("invalid")),
                            ("schema.apis_invalid", findings.get("apis_invalid"))):
            etree.SubElement(props, "property", name=name, value=str(value))
    reason = str(case.get("reason", ""))
    counted = ["tests"]
    if verdict == "fail":
        failure = etree.SubElement(testcase, "failure", message=reason)
        failure.text = "\n".join([reason, "", *case.get("differences", [])])
        counted.append("failures")
    elif verdict == "skip":
        skipped = etree.SubElement(testcase, "skipped", type="pytest.skip", message=reason)
        skipped.text = reason
        counted.append("skipped")
    etree.SubElement(testcase, "system-out").text = findings_text(findings)
    for attribute in counted:
        _bump(suite, attribute)
        if root is not suite and root.get(attribute) is not None:
            _bump(root, attribute)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tree.write(str(tmp), xml_declaration=True, encoding="utf-8")
    tmp.replace(path)
    return True


def _bump(element: etree._Element, attribute: str) -> None:
    try:
        element.set(attribute, str(int(element.get(attribute) or 0) + 1))
    except ValueError:
        pass
