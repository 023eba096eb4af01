"""Every answer the mock gives during a full conformance run is valid against the schema of
the XML API (conformance.schema: Cisco's 2011 XSDs plus the 40.x overlay): once with the
embedded mock, once with the standalone mock by URL. The mock records its answers
(``WEBEX_MOCK_RECORD`` / ``--record``); each is validated, and the test lists every invalid
one (API, line, error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from lxml import etree
from standalone_mock import ROOT, standalone_mock

from conformance.mock import DEFAULT_HOST, MockApp
from conformance.mock.app import RECORD_ENV
from conformance.schema import validate_message

# -- the schema --------------------------------------------------------------------------
# What the mock writes and the schema does not have yet, asked of the overlay (one entry
# each, removed once conformance/schema has it): (API, element local name).
PENDING_OVERLAY: set[tuple[str, str]] = set()
# (formerly pending, now in the overlay: LstContact's contact/contactID, GetSite's
# siteCommonOptions/ConsistentLockedLobby)


def validate(answer: bytes) -> list[str]:
    """The packaged schema's complaints about one answer ([] when valid)."""
    doc = etree.fromstring(answer)
    for content in doc.iterfind(".//{*}bodyContent"):
        api = content.get(f"{{{XSI}}}type", "").rpartition(":")[2].lower()
        for name in {n for a, n in PENDING_OVERLAY if api == a.lower() + "response"}:
            for node in list(content.iterfind(f".//{{*}}{name}")):
                node.getparent().remove(node)
    return [str(e) for e in validate_message(doc)]


XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _answers_of_pending_checks() -> dict[str, bytes]:
    """The mock's LstContact and GetSite answers (the former PENDING_OVERLAY entries)."""
    from conformance.envelope import Body, Credentials, build_message
    from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE

    app = MockApp()
    creds = Credentials(DEFAULT_SITE, *DEFAULT_ADMIN)
    app.handle(build_message(creds, [Body("CreateContact", {
        "contact": {"name": "pending", "email": "pending@example.com"}})]))
    return {api: app.handle(build_message(creds, [Body(api, {})]))
            for api in ("LstContact", "GetSite")}


def test_pending_overlay_entries_are_still_pending() -> None:
    """An entry the overlay has meanwhile added must leave PENDING_OVERLAY: the former
    entries validate as they are, with their element in the answer."""
    answers = _answers_of_pending_checks()
    for api, name in (("LstContact", "contactID"), ("GetSite", "ConsistentLockedLobby")):
        assert (api, name) not in PENDING_OVERLAY
        doc = etree.fromstring(answers[api])
        assert doc.find(f".//{{*}}bodyContent//{{*}}{name}") is not None, (api, name)
        assert [str(e) for e in validate_message(answers[api])] == [], api
    for api, name in PENDING_OVERLAY:  # what stays pending is still invalid without its entry
        assert api in answers, f"no answer of {api} to check the pending {name} with"
        assert any(name in str(e) for e in validate_message(answers[api])), (api, name)


# -- the recorded answers -----------------------------------------------------------------
def _answers(directory: Path) -> list[dict]:
    out = []
    for path in sorted(directory.glob("answers-*.jsonl")):
        out += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return out


def _invalid(directory: Path) -> tuple[int, Counter]:
    answers = _answers(directory)
    bad: Counter = Counter()
    for record in answers:
        for problem in validate(record["response"].encode("utf-8")):
            bad[problem] += 1
    return len(answers), bad


def _report(how: str, total: int, bad: Counter) -> str:
    lines = [f"{sum(bad.values())} schema error(s) in the {total} answers of the mock "
             f"({how}):"]
    lines += [f"  {count:4} x {problem}" for problem, count in bad.most_common()]
    return "\n".join(lines)


def _conformance_run(reports: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"--conformance-reports={reports}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_embedded_mock_answers_are_schema_valid(tmp_path: Path) -> None:
    record = tmp_path / "answers"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}
    env[RECORD_ENV] = str(record)
    run = _conformance_run(tmp_path / "reports", env)
    assert run.returncode == 0, run.stdout[-3000:]
    total, bad = _invalid(record)
    assert total > 500, f"only {total} answers recorded"
    assert not bad, _report("embedded mock", total, bad)


def test_standalone_mock_answers_are_schema_valid(tmp_path: Path) -> None:
    record = tmp_path / "answers"
    with standalone_mock("--record", str(record)) as mock:
        env = mock.env()
        env.update({"WEBEX_HOST_ID": DEFAULT_HOST[0], "WEBEX_HOST_PASSWORD": DEFAULT_HOST[1]})
        run = _conformance_run(tmp_path / "reports", env)
    assert run.returncode == 0, run.stdout[-3000:]
    total, bad = _invalid(record)
    assert total > 500, f"only {total} answers recorded"
    assert not bad, _report("standalone mock by URL", total, bad)


# -- the check itself can fail ----------------------------------------------------------------
def _get_meeting_answer(tmp_path: Path) -> bytes:
    """A real GetMeeting answer of the mock, recorded through MockApp(record=...)."""
    from conformance.envelope import Body, Credentials, build_message
    from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE

    app = MockApp(record=tmp_path)
    creds = Credentials(DEFAULT_SITE, *DEFAULT_ADMIN)
    created = etree.fromstring(app.handle(build_message(creds, [Body("CreateMeeting", {
        "metaData": {"confName": "schema check"}})])))
    key = created.find(".//{*}meetingkey").text
    app.handle(build_message(creds, [Body("GetMeeting", {"meetingKey": key})]))
    return _answers(tmp_path)[-1]["response"].encode("utf-8")


def test_a_wrong_answer_is_reported(tmp_path: Path) -> None:
    answer = _get_meeting_answer(tmp_path)
    assert validate(answer) == []
    doc = etree.fromstring(answer)
    doc.find(".//{*}schedule/{*}timeZone").text = "GMT+00:00, GMT (Casablanca)"  # the old text
    problems = validate(etree.tostring(doc))
    assert problems and "timeZone" in problems[0]
    doc = etree.fromstring(answer)
    key = doc.find(".//{*}meetingkey")
    key.getparent().remove(key)  # a required element
    assert validate(etree.tostring(doc))


def test_recording_appends_each_answer(tmp_path: Path) -> None:
    _get_meeting_answer(tmp_path)
    answers = _answers(tmp_path)
    assert len(answers) == 2
    assert "CreateMeeting" in answers[0]["request"]
    assert "getMeetingResponse" in answers[1]["response"]
