"""The GetSessionInfo/GetUserCard throttle of the mock (sessioninfo-usercard-throttle), the
HTTP 403 it answers, and how the suite takes a 403 as an answer only where a step expects
it (``http_status``); the API key (usercard-jwt) and the always-run clean-up steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from conformance.cases import load_case_file
from conformance.envelope import Body, Credentials, build_message
from conformance.errors import Throttled
from conformance.expect import check_message
from conformance.mock import DEFAULT_ADMIN, DEFAULT_HOST, DEFAULT_JWT, Site, start_mock
from conformance.mock.throttle import BLOCK, WINDOW, Throttle
from conformance.response import parse_message
from conformance.runner import Verdict, run_case
from conformance.target import TargetConfig, TargetSession
from conformance.transport import Transport

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ADMIN = Credentials("mocksite", *DEFAULT_ADMIN)
HOST = Credentials("mocksite", *DEFAULT_HOST)


# -- the throttle state -------------------------------------------------------------------
def test_block_starts_at_the_limit_and_lasts_two_hours() -> None:
    t = Throttle()
    assert not t.record("user:a", T0, 3)
    assert not t.record("user:a", T0 + timedelta(minutes=1), 3)
    assert not t.blocked("user:a", T0 + timedelta(minutes=1))
    assert t.record("user:a", T0 + timedelta(minutes=2), 3)
    assert t.blocked("user:a", T0 + timedelta(minutes=3))
    assert not t.blocked("user:b", T0 + timedelta(minutes=3))  # per caller
    assert t.blocked("user:a", T0 + timedelta(minutes=2) + BLOCK - timedelta(seconds=1))
    assert not t.blocked("user:a", T0 + timedelta(minutes=2) + BLOCK)
    assert "user:a" not in t.blocks  # an ended block is forgotten


def test_errors_older_than_an_hour_do_not_count() -> None:
    t = Throttle()
    t.record("k", T0, 2)
    assert not t.record("k", T0 + WINDOW, 2)  # the first one is an hour old
    assert t.record("k", T0 + WINDOW + timedelta(seconds=1), 2)


def test_unbounded_window_counts_every_error() -> None:
    t = Throttle()
    t.record("k", T0, 2, window=None)
    assert t.record("k", T0 + timedelta(days=1), 2, window=None)


def test_a_clock_set_back_before_the_block_voids_it() -> None:
    t = Throttle()
    assert t.record("k", T0, 1)
    assert not t.blocked("k", T0 - timedelta(hours=3))
    assert not t.blocks


# -- the mock over HTTP -------------------------------------------------------------------
@pytest.fixture
def mock():
    server = start_mock(Site())
    yield server
    server.stop()


def _post(mock, credentials: Credentials, *bodies: Body) -> requests.Response:
    return requests.post(mock.url, data=build_message(credentials, list(bodies)), timeout=10,
                         headers={"Content-Type": "text/xml",
                                  **credentials.http_headers()})


def test_mock_blocks_both_apis_for_the_caller_with_403(mock) -> None:
    mock.site.settings["throttle_not_found_limit"] = 2
    nobody = Body("GetUserCard", {"webExId": "nobody-here"})
    resp = _post(mock, HOST, nobody, nobody)
    assert resp.status_code == 200
    assert [r.exception_id for r in parse_message(resp.content).responses] == ["030001"] * 2
    assert _post(mock, HOST, Body("GetUserCard", {"webExId": "host1"})).status_code == 403
    assert _post(mock, HOST, Body("GetSessionInfo", {"sessionKey": 1})).status_code == 403
    assert _post(mock, HOST, Body("GetUser", {"webExId": "host1"})).status_code == 200
    assert _post(mock, ADMIN, Body("GetUserCard", {"webExId": "host1"})).status_code == 200
    mock.site.clock.advance(BLOCK.total_seconds())
    resp = _post(mock, HOST, Body("GetUserCard", {"webExId": "host1"}))
    assert resp.status_code == 200 and parse_message(resp.content).first.ok


def test_site_reset_clears_the_throttle(mock) -> None:
    mock.site.settings["throttle_not_found_limit"] = 1
    _post(mock, HOST, Body("GetUserCard", {"webExId": "nobody-here"}))
    assert _post(mock, HOST, Body("GetUserCard", {"webExId": "host1"})).status_code == 403
    mock.site.reset()
    assert _post(mock, HOST, Body("GetUserCard", {"webExId": "host1"})).status_code == 200


def test_api_key_is_for_getusercard_only(mock) -> None:
    jwt = Credentials("mocksite", jwt=DEFAULT_JWT)
    card = parse_message(_post(mock, jwt, Body("GetUserCard", {"webExId": "host1"})).content)
    assert card.first.ok and card.first.text("use:personalMeetingRoom/use:accessCode")
    other = parse_message(_post(mock, jwt, Body("GetUser", {"webExId": "host1"})).content)
    assert other.first.exception_id == "030002"


# -- a 403 is an answer only where a step expects it ----------------------------------------
def test_transport_takes_403_as_an_answer_only_when_asked(mock) -> None:
    mock.site.settings["throttle_not_found_limit"] = 1
    _post(mock, HOST, Body("GetUserCard", {"webExId": "nobody-here"}))
    payload = build_message(HOST, [Body("GetUserCard", {"webExId": "host1"})])
    transport = Transport(mock.url, timeout=(2.0, 5.0))
    try:
        with pytest.raises(Throttled, match="403"):
            transport.call(payload, idempotent=True)
        ex, message = transport.call(payload, idempotent=True, accept_status=frozenset({403}))
    finally:
        transport.close()
    assert ex.status == 403
    assert message.first.result is None
    assert check_message({"http_status": 403}, message, http_status=ex.status) == []
    diffs = check_message({"http_status": 200, "result": "SUCCESS"}, message,
                          http_status=ex.status)
    assert [d.where for d in diffs] == ["HTTP status", "serv:result"]


# -- always-run steps and a repeat that is not a number ----------------------------------------
CASE = """\
requirement: envelope
cases:
  - id: stops-then-cleans
    title: t
    steps:
      - name: fails
        api: GetAPIVersion
        body: {}
        expect: {result: FAILURE}
      - name: skipped
        api: GetAPIVersion
        body: {}
      - name: clean-up
        api: GetAPIVersion
        always: true
        body: {}
        expect: {result: FAILURE}
  - id: bad-repeat
    title: t
    steps:
      - name: save a text
        api: GetAPIVersion
        body: {}
        save: {n: "ep:apiVersion"}
      - name: repeat it
        api: GetAPIVersion
        repeat: "${n}"
        body: {}
"""


def test_always_steps_run_after_a_failure_and_bad_repeat_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CASE)
    stops, bad = load_case_file(path)
    target = TargetSession(TargetConfig())
    try:
        result = run_case(stops, target)
        repeat = run_case(bad, target)
    finally:
        target.close()
    assert result.verdict is Verdict.FAIL
    assert [s.name for s in result.steps] == ["fails", "clean-up"]
    assert result.differences and "serv:result" in result.differences[0]  # the first failure
    assert len(result.leftovers) == 1 and "clean-up" in result.leftovers[0]
    assert repeat.verdict is Verdict.ERROR and "repeat must be a whole number" in repeat.reason
