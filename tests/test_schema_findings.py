"""Schema findings (conformance/schema_findings.py): every answer a case receives is
validated against the packaged schema; per API in the case record, the run record, the HTML
report and JUnit; the requirement ``schema`` is informational unless gating.

The unit tests use hand-written answers; the end-to-end tests run the suite in a subprocess
on a copy of case files whose answers are schema-valid (auto-password, access-anywhere-
history), with and without the mock fault ``schema-invalid-answer``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from conformance import schema_findings as sf
from conformance.mock import DEFAULT_ADMIN
from conformance.report import assemble, render_html
from conformance.report.junit import add_schema_testcase, findings_text
from conformance.report.publish import ReportSettings
from conformance.xmlsafe import parse_xml

ROOT = Path(__file__).resolve().parent.parent
SERV = "http://www.webex.com/schemas/2002/06/service"
USE = "http://www.webex.com/schemas/2002/06/service/user"
CANARY = "Canary-Secret-42"


def _answer(*children: str) -> etree._Element:
    """An AuthenticateUser answer with these children of its bodyContent."""
    inner = "".join(children)
    text = (f'<serv:message xmlns:serv="{SERV}" xmlns:use="{USE}"><serv:header>'
            f"<serv:response><serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY"
            f"</serv:gsbStatus></serv:response></serv:header><serv:body><serv:bodyContent "
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:type="use:authenticateUserResponse">{inner}</serv:bodyContent></serv:body>'
            f"</serv:message>")
    return parse_xml(text.encode())


VALID = ("<use:sessionTicket>t</use:sessionTicket>", "<use:createTime>1</use:createTime>",
         "<use:timeToLive>5400</use:timeToLive>")


def _ttl(value: str) -> etree._Element:
    return _answer(VALID[0], VALID[1], f"<use:timeToLive>{value}</use:timeToLive>")


def _redact(text: str) -> str:
    return text.replace(CANARY, "********")


# -- one answer --------------------------------------------------------------------------
def test_a_valid_answer_is_counted_and_leaves_no_finding() -> None:
    into: dict[str, Any] = {}
    assert sf.check_answer(into, "AuthenticateUser", _answer(*VALID), step="step 1 'x'") == 0
    assert into == {"apis": {"AuthenticateUser": {"checked": 1, "invalid": 0, "omitted": 0}}}


def test_an_invalid_answer_gives_a_finding_with_a_redacted_example() -> None:
    into: dict[str, Any] = {}
    errors = sf.check_answer(into, "AuthenticateUser", _ttl(CANARY), step="step 2 'auth'",
                             redact=_redact)
    assert errors == 1
    assert into["apis"]["AuthenticateUser"] == {"checked": 1, "invalid": 1, "omitted": 0}
    [found] = into["findings"]
    assert found["api"] == "AuthenticateUser" and found["path"] == "use:timeToLive"
    assert found["count"] == 1
    assert "'…' is not a valid value" in found["message"] and CANARY not in found["message"]
    example = found["example"]
    assert example["step"] == "step 2 'auth'" and example["path"] == "use:timeToLive"
    assert "********" in example["message"] and CANARY not in json.dumps(into)
    assert example["excerpt"] == "<use:timeToLive>********</use:timeToLive>"
    assert isinstance(example["line"], int)


def test_the_same_deviation_with_other_values_is_one_finding() -> None:
    into: dict[str, Any] = {}
    for value in ("soon", "later", "never"):
        sf.check_answer(into, "AuthenticateUser", _ttl(value), step="s")
    sf.check_answer(into, "AuthenticateUser", _answer(*VALID, "<use:extra/>"), step="s")
    assert into["apis"]["AuthenticateUser"]["invalid"] == 4
    by_path = {f["path"]: f for f in into["findings"]}
    assert set(by_path) == {"use:timeToLive", "use:extra"}
    assert by_path["use:timeToLive"]["count"] == 3
    assert "'soon'" in by_path["use:timeToLive"]["example"]["message"]  # the first one's
    assert "not expected" in by_path["use:extra"]["message"]


def test_a_site_s_own_prefixes_give_the_same_finding() -> None:
    """Real sites name the namespaces otherwise (ns1:, declared below the root): the path
    of a finding uses the suite's prefixes, so the same deviation is one finding."""
    into: dict[str, Any] = {}
    sf.check_answer(into, "AuthenticateUser", _answer(*VALID, "<use:extra/>"), step="s")
    other = etree.tostring(_answer(*VALID, "<use:extra/>")).decode()
    other = other.replace(f' xmlns:use="{USE}"', "").replace("use:", "ns1:").replace(
        "<serv:bodyContent ", f'<serv:bodyContent xmlns:ns1="{USE}" ')
    sf.check_answer(into, "AuthenticateUser", parse_xml(other.encode()), step="s")
    [found] = into["findings"]
    assert found["path"] == "use:extra" and found["count"] == 2
    assert found["example"]["excerpt"] == "<use:extra/>"


def test_distinct_deviations_are_capped_but_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sf, "MAX_MESSAGES", 2)
    into: dict[str, Any] = {}
    for name in ("a", "b", "c", "d"):
        sf.check_answer(into, "AuthenticateUser", _answer(*VALID, f"<use:{name}/>"), step="s")
    assert len(into["findings"]) == 2
    assert into["apis"]["AuthenticateUser"] == {"checked": 4, "invalid": 4, "omitted": 2}


def test_values_are_masked_and_long_sets_cut() -> None:
    zones = ", ".join(f"'GMT+0{i}:00, Zone {i}'" for i in range(9))
    message = (f"Element 'meet:timeZone': [facet 'enumeration'] The value 'GMT+00:00, GMT "
               f"(Casablanca)' is not an element of the set {{{zones}}}.")
    out = sf.normalize(message)
    assert "The value '…' is not an element of the set {'GMT+00:00, Zone 0'" in out
    assert "… 6 more}." in out and "Casablanca" not in out
    assert sf.normalize("Element 'x': [facet 'maxLength'] The value has a length of '21'; "
                        "this exceeds the allowed maximum length of '20'.") == (
        "Element 'x': [facet 'maxLength'] The value has a length of '…'; this exceeds the "
        "allowed maximum length of '20'.")
    assert sf.normalize("Element 'use:a': This element is not expected.") == \
        "Element 'use:a': This element is not expected."


def test_an_unknown_secret_on_a_secret_element_is_not_shown() -> None:
    assert sf._secret_element("meet:accessControl/meet:meetingPassword")
    assert sf._secret_element("use:password") and not sf._secret_element("use:timeToLive")


# -- the run ----------------------------------------------------------------------------
def _case(case_id: str, *answers: etree._Element) -> dict[str, Any]:
    into: dict[str, Any] = {}
    for root in answers:
        sf.check_answer(into, "AuthenticateUser", root, step="step 1 'auth'")
    return {"case_id": case_id, "requirement": "envelope", "verdict": "pass", "schema": into}


def test_summary_merges_the_cases_in_case_id_order() -> None:
    a = _case("envelope::a", _answer(*VALID), _ttl("soon"))
    b = _case("envelope::b", _ttl("later"), _answer(*VALID, "<use:extra/>"))
    fuzz = {"case_id": "envelope::fuzz:x", "requirement": "envelope", "verdict": "pass"}
    one, two = sf.summarize([a, b, fuzz]), sf.summarize([fuzz, b, a])
    assert one == two  # serial or parallel (xdist order), the same record
    assert one["checked"] == 4 and one["invalid"] == 3 and one["apis_invalid"] == 1
    [api] = one["apis"]
    assert api["api"] == "AuthenticateUser"
    ttl = next(m for m in api["messages"] if m["path"] == "use:timeToLive")
    assert ttl["count"] == 2 and ttl["example"]["case"] == "envelope::a"
    assert "'soon'" in ttl["example"]["message"]


def test_run_result_pass_skip_fail_and_filter() -> None:
    valid = [_case("envelope::a", _answer(*VALID))]
    invalid = [_case("envelope::a", _answer(*VALID)), _case("envelope::b", _ttl("soon"))]
    ok = sf.run_case(valid, gating=False)
    assert ok is not None and ok["verdict"] == "pass" and ok["case_id"] == sf.CASE_ID
    assert "all valid" in ok["reason"]
    info = sf.run_case(invalid, gating=False)
    assert info is not None and info["verdict"] == "skip"
    assert info["reason"].startswith("not gating: 1 of 2 answer(s) deviate")
    assert info["findings"] and not info["differences"]
    gated = sf.run_case(invalid, gating=True)
    assert gated is not None and gated["verdict"] == "fail"
    assert gated["differences"][0].startswith("AuthenticateUser use:timeToLive: ")
    assert "(1x; e.g. envelope::b, step 1 'auth')" in gated["differences"][0]
    assert sf.run_case(invalid, gating=True, only={"envelope"}) is None
    assert sf.run_case(invalid, gating=True, only={"schema"})["verdict"] == "fail"
    assert sf.run_case([{"case_id": "x::y", "verdict": "pass"}], gating=True) is None


def _record(cases: list[dict[str, Any]], gating: bool) -> dict[str, Any]:
    result = sf.run_case(cases, gating=gating)
    run = {"suite_version": "t", "target": "embedded mock", "url": None, "site_name": "s",
           "api_version": None, "start": "2026-01-01T00:00:00", "end": "2026-01-01T00:00:01",
           "options": {"schema_gating": gating}}
    return assemble([*cases, *([result] if result else [])], run,
                    ReportSettings(Path("unused")))


def test_record_html_and_schema_validation() -> None:
    from conformance.report.__main__ import validation_errors

    cases = [{**_case("envelope::b", _ttl("soon")), "reason": "", "differences": [],
              "findings": [], "steps": [], "evidence": None, "duration_ms": 1.0}]
    record = _record(cases, gating=True)
    assert record["schema_findings"]["invalid"] == 1 and record["schema_findings"]["gating"]
    assert record["gate"]["exit_code"] == 1 and record["gate"]["failing_cases"] == [sf.CASE_ID]
    assert validation_errors(record) == []
    broken = json.loads(json.dumps(record))
    del broken["schema_findings"]["apis"][0]["messages"][0]["example"]["case"]
    assert validation_errors(broken)  # the JSON Schema describes the findings
    html = render_html(record)
    assert 'id="schema-findings" data-gating="yes" data-invalid="1"' in html
    assert "use:timeToLive" in html and "envelope::b" in html
    record_info = _record(cases, gating=False)
    assert record_info["gate"]["exit_code"] == 0
    assert 'data-gating="no"' in render_html(record_info)
    del record_info["schema_findings"]  # a record written before the findings existed
    assert 'id="schema-findings"' not in render_html(record_info)


@pytest.mark.parametrize(("gating", "status"), [(True, "failure"), (False, "skipped")])
def test_junit_gets_one_dedicated_test_case(tmp_path: Path, gating: bool, status: str) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text('<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
                     '<testsuite name="s" errors="0" failures="0" skipped="0" tests="1">'
                     '<testcase classname="c" name="n"/></testsuite></testsuites>', "utf-8")
    cases = [{**_case("envelope::b", _ttl("soon")), "reason": "", "differences": [],
              "findings": [], "steps": [], "evidence": None, "duration_ms": 1.0}]
    assert add_schema_testcase(junit, _record(cases, gating))
    suite = etree.parse(str(junit)).getroot().find("testsuite")
    case = suite.find("testcase[@name='every-answer']")
    assert case.get("classname") == "conformance.schema"
    assert case.find(status) is not None and "1 of 1 answer(s)" in case.find(status).get("message")
    assert "use:timeToLive" in case.findtext("system-out")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["requirement"] == "schema" and props["schema.invalid"] == "1"
    assert suite.get("tests") == "2" and suite.get(
        "failures" if gating else "skipped") == "1"


def test_junit_without_properties_and_untouched_without_a_result(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    original = '<testsuites><testsuite name="s" tests="0"/></testsuites>'
    junit.write_text(original, "utf-8")
    assert not add_schema_testcase(junit, {"requirements": [], "schema_findings": {}})
    assert junit.read_text("utf-8") == original
    cases = [{**_case("envelope::a", _answer(*VALID)), "reason": "", "differences": [],
              "findings": [], "steps": [], "evidence": None, "duration_ms": 1.0}]
    record = _record(cases, gating=False)
    assert add_schema_testcase(junit, record, properties=False)
    case = etree.parse(str(junit)).getroot().find(".//testcase")
    assert case.find("properties") is None and case.find("skipped") is None
    assert "0 of 1 answer(s) invalid" in case.findtext("system-out")
    assert "AuthenticateUser" in findings_text(record["schema_findings"])


# -- end to end ---------------------------------------------------------------------------
INI = "[pytest]\ntestpaths = cases\nconformance_cases = cases\njunit_family = xunit1\n"
VALID_CASES = ("_steps.yaml", "auto-password.yaml", "access-anywhere-history.yaml")
FAULT = "schema-invalid-answer"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema-findings")
    (path / "pytest.ini").write_text(INI, "utf-8")
    (path / "cases").mkdir()
    for name in VALID_CASES:
        shutil.copy(ROOT / "cases" / name, path / "cases" / name)
    return path


def _env(**extra: str) -> dict[str, str]:
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}
    return {**env, **extra}


_RUNS: dict[tuple[str, ...], tuple[subprocess.CompletedProcess, Path]] = {}


def _suite(project: Path, name: str, *args: str, env: dict[str, str] | None = None
           ) -> tuple[subprocess.CompletedProcess, Path]:
    """One run of the suite on the project (the same arguments and environment: once)."""
    env = env or _env()
    key = (str(project), *args, *sorted(f"{k}={v}" for k, v in env.items()
                                        if k.startswith("WEBEX_")))
    if key not in _RUNS:
        reports = project / "runs" / name
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               f"--conformance-reports={reports}", *args], cwd=project,
                              env=env, capture_output=True, text=True, timeout=300)
        _RUNS[key] = (proc, reports)
    return _RUNS[key]


def _schema(reports: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    record = json.loads((reports / "compliance.json").read_text("utf-8"))
    [req] = [r for r in record["requirements"] if r["id"] == "schema"]
    return record, req


def _junit_case(reports: Path) -> etree._Element:
    root = etree.parse(str(reports / "junit.xml")).getroot()
    return root.find(".//testcase[@classname='conformance.schema']")


def test_valid_answers_give_no_findings_and_pass(project: Path) -> None:
    proc, reports = _suite(project, "valid", "--conformance-schema-gating")
    assert proc.returncode == 0, proc.stdout[-3000:]
    record, req = _schema(reports)
    findings = record["schema_findings"]
    assert findings["checked"] >= 5 and findings["invalid"] == 0
    assert all(not a["messages"] for a in findings["apis"])
    assert req["verdict"] == "pass" and req["cases"][0]["case_id"] == "schema::every-answer"
    case = _junit_case(reports)
    assert case is not None and case.find("failure") is None and case.find("skipped") is None
    assert re.search(r"^  PASS +\d+ requirement\(s\): .*\bschema\b", proc.stdout, re.M)


def test_invalid_answers_are_informational_findings_by_default(project: Path) -> None:
    proc, reports = _suite(project, "informational", f"--conformance-faults={FAULT}")
    assert proc.returncode == 0, proc.stdout[-3000:]
    record, req = _schema(reports)
    findings = record["schema_findings"]
    # every SUCCESS answer has the undeclared element (a FAILURE answer has no body)
    assert not findings["gating"] and 0 < findings["invalid"] <= findings["checked"]
    apis = {a["api"]: a for a in findings["apis"]}
    assert "CreateMeeting" in apis and "LstAccessAnywhereHistory" in apis
    [message] = apis["CreateMeeting"]["messages"]
    assert message["path"] == "serv:notInTheSchema"
    assert message["example"]["excerpt"] == "<serv:notInTheSchema/>"
    assert req["verdict"] == "skip" and req["cases"][0]["reason"].startswith("not gating")
    # every case record carries its own answers' findings (what travels under xdist)
    per_case = [c for r in record["requirements"] for c in r["cases"] if c.get("schema")]
    assert sum(a["checked"] for c in per_case for a in c["schema"]["apis"].values()) == \
        findings["checked"]
    html = (reports / "compliance.html").read_text("utf-8")
    assert 'id="schema-findings" data-gating="no"' in html and "serv:notInTheSchema" in html
    assert _junit_case(reports).find("skipped") is not None
    everything = "".join(p.read_text("utf-8", "replace") for p in reports.rglob("*")
                         if p.is_file())
    assert DEFAULT_ADMIN[1] not in everything


@pytest.mark.parametrize("how", ["option", "environment", "ini"])
def test_gating_makes_requirement_schema_fail_exit_1(project: Path, how: str) -> None:
    args: list[str] = [f"--conformance-faults={FAULT}"]
    env = _env()
    if how == "option":
        args.append("--conformance-schema-gating")
    elif how == "environment":
        env["WEBEX_SCHEMA_GATING"] = "true"
    else:
        args += ["-o", "conformance_schema_gating=yes"]
    proc, reports = _suite(project, f"gating-{how}", *args, env=env)
    assert proc.returncode == 1, proc.stdout[-3000:]
    record, req = _schema(reports)
    assert record["schema_findings"]["gating"] and req["verdict"] == "fail"
    assert record["gate"]["failing_cases"] == ["schema::every-answer"]
    assert record["run"]["options"]["schema_gating"] is True
    assert "  FAIL     schema: 1/1 failed" in proc.stdout
    assert "exit code 1" in proc.stdout
    case = _junit_case(reports)
    assert "serv:notInTheSchema" in case.find("failure").text


def test_a_bad_gating_value_is_a_usage_error(project: Path) -> None:
    proc, _ = _suite(project, "bad-value", env=_env(WEBEX_SCHEMA_GATING="maybe"))
    assert proc.returncode == 4
    assert "--conformance-schema-gating is a flag" in proc.stderr


def test_findings_survive_xdist(project: Path) -> None:
    pytest.importorskip("xdist")
    serial, a = _suite(project, "gating-option", f"--conformance-faults={FAULT}",
                       "--conformance-schema-gating")  # the serial run of the gating test
    parallel, b = _suite(project, "parallel", f"--conformance-faults={FAULT}",
                         "--conformance-schema-gating", "-n", "2")
    assert serial.returncode == parallel.returncode == 1, parallel.stdout[-3000:]
    one, two = _schema(a)[0]["schema_findings"], _schema(b)[0]["schema_findings"]
    assert one["invalid"] > 0 and one == two


def test_findings_on_a_target_by_url(project: Path) -> None:
    """Any target: the standalone mock by URL, answering schema-invalid answers."""
    from standalone_mock import standalone_mock

    with standalone_mock("--fault", FAULT) as mock:
        proc, reports = _suite(project, "by-url", env=mock.env())
    assert proc.returncode == 0, proc.stdout[-3000:]
    record, req = _schema(reports)
    assert record["schema_findings"]["invalid"] > 0 and req["verdict"] == "skip"
    assert DEFAULT_ADMIN[1] not in (reports / "compliance.json").read_text("utf-8")
