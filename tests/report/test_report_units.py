"""The report functions on synthetic results: waivers, gate, baseline comparison, the
schema, HTML escaping, Allure's environment file, URLs without secrets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.errors import CaseDefinitionError
from conformance.report import (
    ReportSettings,
    apply_waivers,
    assemble,
    build_record,
    compare,
    gate,
    load_waivers,
    publish,
    render_html,
    safe_url,
)
from conformance.report.allure_env import environment, write_environment
from conformance.report.waivers import Waiver

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "conformance" / "data" /
                     "compliance.schema.json").read_text("utf-8"))
TODAY = date(2026, 6, 1)


def _case(cid: str, verdict: str, **extra: Any) -> dict[str, Any]:
    req = cid.split("::")[0]
    return {"case_id": cid, "requirement": req, "title": "t", "since": "40.12.0",
            "source": {}, "apis": [], "params": {}, "verdict": verdict, "reason": "",
            "differences": [], "findings": [], "steps": [], "cleanup": [], "leftovers": [],
            "evidence": None, "duration_ms": 1.0, **extra}


RUN = {"suite_version": "0.1.0", "target": "embedded mock", "site_name": "mocksite",
       "url": "http://127.0.0.1:1/WBXService/XMLService", "api_version": "40.12.0",
       "start": "2026-06-01T00:00:00+00:00", "end": "2026-06-01T00:00:05+00:00",
       "options": {}}


def _waiver(expires: date, **target: str) -> Waiver:
    return Waiver(0, target.get("requirement"), target.get("case"), "r", "o",
                  "https://x.example/1", expires)


def _record(cases: list[dict[str, Any]], waivers: list[Waiver] = (), strict: bool = False,
            baseline: dict | None = None) -> dict[str, Any]:
    return assemble(cases, RUN, ReportSettings(Path("."), waivers=list(waivers),
                                               strict_waivers=strict, today=TODAY,
                                               baseline=baseline))


def _valid(record: dict[str, Any]) -> None:
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(record))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.mark.parametrize("verdicts, code, outcome", [
    (["pass", "skip"], 0, "conformant"),
    (["pass", "fail"], 1, "non-conformant"),
    (["fail", "error"], 1, "non-conformant"),
    (["pass", "error"], 6, "infrastructure-errors"),
    ([], 0, "nothing-run"),
])
def test_gate_exit_codes(verdicts: list[str], code: int, outcome: str) -> None:
    record = _record([_case(f"envelope::c{i}", v) for i, v in enumerate(verdicts)])
    assert (record["gate"]["exit_code"], record["gate"]["outcome"]) == (code, outcome)
    _valid(record)


def test_active_waiver_covers_fail_but_not_error() -> None:
    cases = [_case("envelope::a", "fail"), _case("envelope::b", "error")]
    record = _record(cases, [_waiver(date(2026, 6, 1), requirement="envelope")])
    assert record["waivers"][0]["status"] == "active"  # the expiry day itself still counts
    assert record["gate"]["exit_code"] == 6
    assert record["gate"]["waived_cases"] == ["envelope::a"]
    _valid(record)


def test_expired_waiver_covers_nothing() -> None:
    record = _record([_case("envelope::a", "fail")],
                     [_waiver(date(2026, 5, 31), requirement="envelope")])
    assert record["waivers"][0]["status"] == "expired"
    assert record["requirements"][[r["id"] for r in record["requirements"]]
                                  .index("envelope")]["gate_verdict"] == "fail"
    assert record["gate"]["exit_code"] == 1


def test_case_waiver_matches_parametrised_cases() -> None:
    cases = [_case("envelope::a[GetUser]", "fail"), _case("envelope::b", "fail")]
    record = _record(cases, [_waiver(date(2030, 1, 1), case="envelope::a")])
    assert record["gate"]["waived_cases"] == ["envelope::a[GetUser]"]
    assert record["gate"]["failing_cases"] == ["envelope::b"]


@pytest.mark.parametrize("strict, code", [(False, 0), (True, 1)])
def test_stale_and_unused_waivers(strict: bool, code: int) -> None:
    waivers = [_waiver(date(2030, 1, 1), requirement="envelope"),
               _waiver(date(2030, 1, 1), requirement="private-meeting")]
    record = _record([_case("envelope::a", "pass")], waivers, strict=strict)
    assert [w["status"] for w in record["waivers"]] == ["stale", "unused"]
    assert record["gate"]["exit_code"] == code


def test_comparison_lists_changes_by_requirement() -> None:
    before = _record([_case("envelope::a", "pass"), _case("private-meeting::a", "fail"),
                      _case("display-name::a", "pass"), _case("um-site-admin::a", "pass")])
    now = _record([_case("envelope::a", "fail"), _case("private-meeting::a", "pass"),
                   _case("display-name::a", "skip")], baseline=before)
    comp = now["comparison"]
    assert [c["id"] for c in comp["newly_failing"]] == ["envelope"]
    assert comp["newly_failing"][0]["cases"] == [{"case_id": "envelope::a", "before": "pass",
                                                  "now": "fail"}]
    assert [c["id"] for c in comp["newly_passing"]] == ["private-meeting"]
    assert [c["id"] for c in comp["newly_skipped"]] == ["display-name"]
    assert [c["id"] for c in comp["not_run"]] == ["um-site-admin"]
    _valid(now)
    html = render_html(now)
    assert html.index("Newly failing (1)") < html.index('class="tiles"')


def test_html_escapes_everything_from_the_target() -> None:
    evil = "<script>alert(1)</script>"
    record = _record([_case("envelope::a", "fail", differences=[evil], reason=evil,
                            evidence={"url": "http://x/", "status": 200, "elapsed_ms": 1,
                                      "request": evil, "response": "<a>" + evil + "</a>"})])
    html = render_html(record)
    assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1  # the report's own filter script only


def test_publish_writes_json_and_html_and_redacts(tmp_path: Path) -> None:
    allure = tmp_path / "allure-results"
    allure.mkdir()
    record = publish([_case("envelope::a", "fail", reason="password S3cret-Value here")], RUN,
                     ReportSettings(tmp_path, allure_dir=allure,
                                    redact=lambda t: t.replace("S3cret-Value", "********")))
    for name in ("compliance.json", "compliance.html", "allure-results/environment.properties"):
        text = (tmp_path / name).read_text("utf-8" if "json" in name else "latin-1")
        assert "S3cret-Value" not in text, name
    assert record["run"]["duration_s"] == 5.0
    _valid(json.loads((tmp_path / "compliance.json").read_text("utf-8")))


def test_environment_properties_escape_and_omit_empty(tmp_path: Path) -> None:
    record = _record([_case("envelope::a", "pass")])
    record["run"]["options"] = {"faults": ["a", "b"], "baseline": None, "strict_waivers": False}
    env = environment(record)
    assert env["Option.faults"] == "a,b" and "Option.baseline" not in env
    write_environment(record, tmp_path)
    text = (tmp_path / "environment.properties").read_text("latin-1")
    assert "Target=http\\://127.0.0.1\\:1/WBXService/XMLService" in text


@pytest.mark.parametrize("url, safe", [
    ("https://user:pw@site.webex.com/WBXService/XMLService?token=x#f",
     "https://site.webex.com/WBXService/XMLService"),
    ("http://127.0.0.1:8080/WBXService/XMLService", "http://127.0.0.1:8080/WBXService/XMLService"),
])
def test_safe_url(url: str, safe: str) -> None:
    assert safe_url(url) == safe
    record = build_record([], {**RUN, "url": url, "target": url})
    assert record["run"]["url"] == record["run"]["target"] == safe


WAIVER_OK = ("waivers:\n  - requirement: envelope\n    reason: r\n    owner: o\n"
             "    issue: https://x.example/1\n    expires: 2026-12-31\n")


def test_load_waivers(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(WAIVER_OK + "  - case: private-meeting::reports-private-flag[private]\n"
                    "    reason: r\n    owner: o\n    issue: http://x.example/2\n"
                    "    expires: '2027-01-01'\n", "utf-8")
    waivers = load_waivers(path)
    assert [(w.requirement, w.case, w.expires) for w in waivers] == [
        ("envelope", None, date(2026, 12, 31)),
        (None, "private-meeting::reports-private-flag[private]", date(2027, 1, 1))]
    (tmp_path / "empty.yaml").write_text("", "utf-8")
    assert load_waivers(tmp_path / "empty.yaml") == []


@pytest.mark.parametrize("text, field, line", [
    (WAIVER_OK.replace("requirement: envelope", "requirement: envelope\n    case: envelope::a"),
     "waivers[0]", 2),
    (WAIVER_OK.replace("    owner: o\n", ""), "waivers[0].owner", 2),
    (WAIVER_OK + "    severity: high\n", "waivers[0].severity", 7),
    (WAIVER_OK.replace("2026-12-31", "2026-13-01"), "waivers[0].expires", 6),
    (WAIVER_OK.replace("requirement: envelope", "case: 'envelope::'"), "waivers[0].case", 2),
    ("- a\n- b\n", "waivers", 1),
    ("waivers: {a: 1}\n", "waivers", 1),
    ("waivers:\n  - [1]\n", "waivers[0]", 2),
    ("waivers:\n  - requirement: envelope\n   bad: [\n", None, None),
])
def test_malformed_waivers_name_file_line_and_field(tmp_path: Path, text: str,
                                                    field: str | None, line: int | None) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(CaseDefinitionError) as err:
        load_waivers(path)
    message = str(err.value)
    assert message.startswith(str(path))
    if field:
        assert f"field '{field}'" in message
    if line:
        assert f"waivers.yaml:{line}:" in message


def test_missing_waiver_file(tmp_path: Path) -> None:
    with pytest.raises(CaseDefinitionError, match="cannot read the waiver file"):
        load_waivers(tmp_path / "nope.yaml")


def test_apply_waivers_without_waivers_sets_gate_verdicts() -> None:
    record = build_record([_case("envelope::a", "pass")], RUN)
    apply_waivers(record, [], TODAY)
    assert record["waivers"] == []
    assert {r["gate_verdict"] for r in record["requirements"]} == {"pass", "not-covered"}
    record["gate"] = gate(record)
    _valid(record)
    assert compare(record, record)["newly_failing"] == []


def test_cli_validates_and_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.report.__main__ import main

    path = tmp_path / "compliance.json"
    path.write_text(json.dumps(_record([_case("envelope::a", "fail")])), "utf-8")
    assert main(["validate", str(path)]) == 0
    assert main(["html", str(path), str(tmp_path / "r.html")]) == 0
    assert "Non-conformant" in (tmp_path / "r.html").read_text("utf-8")
    broken = tmp_path / "old.json"
    broken.write_text(json.dumps({"schema_version": 1, "requirements": []}), "utf-8")
    assert main(["validate", str(broken)]) == 1
    assert "'gate' is a required property" in capsys.readouterr().err


# -- waiver matching, written once (the item's xfail and apply_waivers) ---------------------------
def test_waiver_for_prefers_the_first_active_waiver() -> None:
    from datetime import date

    from conformance.report.waivers import Waiver, apply_waivers, waiver_for

    def w(i: int, expires: date, case: str | None = None) -> Waiver:
        return Waiver(i, None if case else "private-meeting", case, "r", "o",
                      "https://x.example/1", expires)

    today = date(2026, 6, 1)
    old, new = date(2026, 1, 1), date(2026, 12, 31)
    case = {"case_id": "private-meeting::a[x]", "requirement": "private-meeting",
            "verdict": "fail"}
    expired_first = [w(0, old), w(1, new, case="private-meeting::a")]
    assert waiver_for(expired_first, case, today) == (expired_first[1], "active")
    assert waiver_for([w(0, old), w(1, old)], case, today)[1] == "expired"
    assert waiver_for([w(0, new, case="private-meeting::b")], case, today) is None
    record = {"requirements": [{"cases": [dict(case)]}]}
    apply_waivers(record, expired_first, today)
    assert record["requirements"][0]["cases"][0]["waiver"]["index"] == 1
    assert record["requirements"][0]["cases"][0]["waiver"]["status"] == "active"
    assert [x["status"] for x in record["waivers"]] == ["expired", "active"]
