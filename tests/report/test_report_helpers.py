"""Pure report helpers of issue 14: the sortable release label and the real type of a body
(Allure, item 8), the differing element located in a response (HTML, item 5), the gate's
common cause of an all-ERROR run, and the Markdown summary for a CI job (item 10)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conformance.report import ReportSettings, assemble, render_html
from conformance.report.allure_env import (
    attachment_kind,
    body_kind,
    release_label,
    release_labels,
    release_order,
)
from conformance.report.html import difference_path, marked_lines, visible
from conformance.report.summary import markdown_summary, md

NS_DECL = ('xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
           'xmlns:ep="http://www.webex.com/schemas/2002/06/service/ep"')
RESPONSE = (f'<serv:message {NS_DECL}><serv:header><serv:response>'
            '<serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus>'
            '</serv:response></serv:header><serv:body><serv:bodyContent>'
            '<ep:session><ep:sessionKey>1</ep:sessionKey><ep:isPrivateMeeting>false'
            '</ep:isPrivateMeeting></ep:session><ep:session><ep:sessionKey>2</ep:sessionKey>'
            '</ep:session></serv:bodyContent></serv:body></serv:message>')


# -- item 8: Allure labels and attachment types ---------------------------------------------

def test_release_label_sorts_as_releases_do() -> None:
    releases = ["40.10.0", "40.2.0", "40.12.0", "40.4.5/40.2.6, 40.8.0", "40.9.0", "40.1.2"]
    by_label = sorted(releases, key=release_label)
    by_number = sorted(releases, key=release_order)
    assert by_label == by_number == ["40.1.2", "40.2.0", "40.4.5/40.2.6, 40.8.0", "40.9.0",
                                     "40.10.0", "40.12.0"]
    assert sorted(releases) != by_label  # the plain strings sort 40.10.0 before 40.2.0
    assert release_label("40.2.0") == "40.02.00" and release_order("40.4.5") == 400405
    assert release_label("all") == "all" and release_order("all") == 0
    assert dict(release_labels("40.8.0")) == {"epic": "XML API 40.08.00",
                                              "release": "40.08.00",
                                              "release_order": "400800"}


@pytest.mark.parametrize("body, content_type, kind", [
    (RESPONSE, "text/xml", "xml"),
    ("<?xml version='1.0'?>\n<serv:message xmlns:serv='x'/>", None, "xml"),
    ("<!DOCTYPE html><html><head><title>403 Forbidden</title></head></html>", "text/xml",
     "html"),
    ("<html><body><h1>403 Forbidden</h1></body></html>", "text/xml", "html"),
    ("<h1>Forbidden</h1><p>blocked for two hours", "text/html", "html"),
    ("\ufeff  <HTML><BODY>x</BODY></HTML>", None, "html"),
    ('{"error": "rate limited"}', "application/json", "json"),
    ("Forbidden", "text/plain", "text"),
    ("", "text/xml", "text"),
    (None, None, "text"),
    ("<a><b></a>", "text/xml", "text"),  # broken markup is not XML
    (b"<x/>", None, "xml"),
])
def test_body_kind(body: Any, content_type: str | None, kind: str) -> None:
    assert body_kind(body, content_type) == kind


def test_attachment_kind_names_allures_types() -> None:
    allure = pytest.importorskip("allure")
    for body in (RESPONSE, "<html><body>403</body></html>", "{}", "Forbidden"):
        name, ext = attachment_kind(body)
        attachment_type = getattr(allure.attachment_type, name)
        assert attachment_type.extension == ext
    assert attachment_kind("<html><body>403</body></html>") == ("HTML", "html")
    assert attachment_kind("Forbidden") == ("TEXT", "txt")


# -- item 5: the differing element in the response ------------------------------------------

def _marked(diffs: list[str]) -> tuple[list[str], dict[int, list[str]]]:
    view = marked_lines(RESPONSE, diffs)
    assert view is not None
    lines = [ln["text"].strip() for ln in view["lines"]]
    by_diff = {i: [lines[n] for n, ln in enumerate(view["lines"]) if i in ln["marks"]]
               for i in range(len(diffs))}
    return lines, by_diff


def test_difference_path() -> None:
    assert difference_path("serv:result: expected 'FAILURE', got 'SUCCESS'") == \
        (1, "serv:result")
    assert difference_path("response 2: serv:exceptionID: expected '000053', got <absent>") \
        == (2, "serv:exceptionID")
    assert difference_path("no difference text") is None


def test_header_field_and_element_are_highlighted() -> None:
    _, marks = _marked(["serv:result: expected 'FAILURE', got 'SUCCESS'",
                        "ep:session[ep:sessionKey='1']/ep:isPrivateMeeting: expected 'true', "
                        "got 'false'",
                        "ep:session: expected 1 element(s), got 2"])
    assert marks[0] == ["<serv:result>SUCCESS</serv:result>"]
    assert marks[1] == ["<ep:isPrivateMeeting>false</ep:isPrivateMeeting>"]
    assert marks[2][0] == "<ep:session>" and "<ep:sessionKey>2</ep:sessionKey>" in marks[2]


def test_absent_element_marks_its_nearest_ancestor() -> None:
    view = marked_lines(RESPONSE, ["ep:session[ep:sessionKey='2']/ep:isPrivateMeeting: "
                                   "expected 'true', got <absent>",
                                   "ep:nothing: expected present, got <absent>"])
    assert view is not None
    near = [ln for ln in view["lines"] if 0 in ln["marks"]]
    assert [ln["text"].strip() for ln in near] == ["<ep:session>", "</ep:session>"]
    assert all(ln["near"] for ln in near) and view["exact"][0] is False
    body = [ln["text"].strip() for ln in view["lines"] if 1 in ln["marks"]]
    assert body[0].startswith("<serv:bodyContent") and body[-1] == "</serv:bodyContent>"


def test_no_marks_for_non_xml_or_non_path_differences() -> None:
    assert marked_lines("<html><body>403</body></html", ["HTTP status: expected 200"]) is None
    view = marked_lines(RESPONSE, ["HTTP status: expected 403, got 200"])
    assert view is not None and not any(ln["marks"] for ln in view["lines"])


def test_visible_spells_out_control_characters() -> None:
    assert visible("createuser[x\ty@e\r\n]") == "createuser[x\\ty@e\\r\\n]"
    assert visible("a\x00b") == "a\\x00b"


# -- the gate's cause, the headline ----------------------------------------------------------

RUN = {"suite_version": "0.1.0", "target": "https://site.example/WBXService/XMLService",
       "url": "https://site.example/WBXService/XMLService", "site_name": "s",
       "api_version": None, "start": "2026-06-01T00:00:00+00:00",
       "end": "2026-06-01T00:00:05+00:00", "options": {}}


def _case(cid: str, verdict: str, reason: str = "", **extra: Any) -> dict[str, Any]:
    return {"case_id": cid, "requirement": cid.split("::")[0], "title": "t",
            "since": "40.1.0", "source": {}, "apis": [], "params": {}, "verdict": verdict,
            "reason": reason, "differences": [], "findings": [], "steps": [], "cleanup": [],
            "leftovers": [], "evidence": None, "duration_ms": 1.0, **extra}


def _record(cases: list[dict[str, Any]]) -> dict[str, Any]:
    return assemble(cases, RUN, ReportSettings(Path("."), today=date(2026, 6, 1)))


UNREACHABLE = "target unreachable at https://user:pw@site.example/WBXService: refused"


def test_all_error_headline_names_the_common_cause() -> None:
    reqs = ["envelope", "private-meeting", "email-whitespace", "display-name"]
    record = _record([_case(f"{r}::c{i}", "error", UNREACHABLE) for r in reqs
                      for i in range(3)])
    gate = record["gate"]
    assert gate["exit_code"] == 6
    assert gate["headline"] == ("Could not tell: target unreachable at "
                                "https://site.example/WBXService: refused")
    assert "user:pw" not in str(gate)
    assert gate["reasons"] == ["12 case(s) could not be told (ERROR: infrastructure) in 4 "
                               "requirements: target unreachable at "
                               "https://site.example/WBXService: refused"]
    assert not any(r in gate["reasons"][0] for r in reqs)
    html = render_html(record)
    head = html[html.index('id="headline"'):html.index('id="matrix-section"')]
    assert "Could not tell: target unreachable" in head and "ERRO<" not in html


def test_mixed_causes_are_listed_by_count() -> None:
    cases = [_case(f"envelope::a{i}", "error", "authentication failed (030002)")
             for i in range(3)]
    cases += [_case("private-meeting::b", "error", "throttled: HTTP 403"),
              _case("display-name::c", "error", "timeout after 2 s")]
    gate = _record(cases)["gate"]
    assert gate["cause"] == "authentication failed (030002)"
    assert gate["headline"] == "Could not tell: authentication failed (030002)"
    assert gate["reasons"][0] == ("5 case(s) could not be told (ERROR: infrastructure): "
                                  "3 × authentication failed (030002); 1 × throttled: HTTP "
                                  "403; 1 × timeout after 2 s")
    even = _record([_case("envelope::a", "error", "x"), _case("envelope::b", "error", "y"),
                    _case("envelope::c", "error", "z")])["gate"]
    assert even["cause"] is None and even["headline"] == "Could not tell: infrastructure errors"


def test_failures_keep_the_non_conformant_headline() -> None:
    gate = _record([_case("envelope::a", "fail"), _case("envelope::b", "error", "x")])["gate"]
    assert gate["headline"] == "Non-conformant" and gate["exit_code"] == 1


# -- item 10: the Markdown summary -----------------------------------------------------------

def test_summary_lists_failing_first_and_escapes_record_text() -> None:
    cases = [_case("email-whitespace::createuser[x|y<script>]", "fail",
                   differences=["serv:result: expected 'FAILURE', got 'SUCCESS'"]),
             _case("email-whitespace::createuser[ok]", "pass"),
             _case("envelope::a", "pass")]
    text = markdown_summary(_record(cases))
    assert text.startswith("## Non-conformant (exit code 1)\n")
    table = text[text.index("| requirement |"):]
    assert table.splitlines()[2].startswith("| [email-whitespace](https://help.webex.com/")
    assert "| FAIL | 1/2 failed | 40.8.0 |" in table
    assert "<script>" not in text
    # one line: a line break or tab is spelled out (and its backslash escaped: it renders
    # as the two characters \t)
    assert md("a|b <i>`x`</i>\nc\t") == "a\\|b \\<i\\>\\`x\\`\\</i\\>\\\\nc\\\\t"


def test_summary_of_an_unreachable_site_is_the_cause() -> None:
    record = _record([_case(f"envelope::c{i}", "error", UNREACHABLE) for i in range(5)])
    text = markdown_summary(record)
    assert text.startswith("## Could not tell: target unreachable at "
                           "https://site.example/WBXService: refused (exit code 6)")
    assert "**Cause:**" in text and "| requirement |" not in text


def test_partial_run_says_so() -> None:
    run = {**RUN, "requirement_filter": ["envelope"]}
    record = assemble([_case("envelope::a", "pass")], run,
                      ReportSettings(Path("."), today=date(2026, 6, 1)))
    assert record["gate"]["headline"] == ("Conformant (partial run: 1 of 34 requirements "
                                          "selected)")
    html = render_html(record)
    assert 'id="partial"' in html and "NOT RUN (filtered)" in html
    row = html[html.index('id="row-private-meeting"'):]
    assert 'data-verdict="not-run"' in row[:row.index(">")]
    text = markdown_summary(record)
    assert "33 NOT RUN (filtered)" in text and "partial run: 1 of 34" in text
    full = assemble([_case("envelope::a", "pass")], RUN,
                    ReportSettings(Path("."), today=date(2026, 6, 1)))
    assert full["gate"]["headline"] == "Conformant"
    assert "NOT RUN" not in render_html(full)
