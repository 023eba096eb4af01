"""The mock under fuzz: thousands of arbitrary and mutated envelopes (non-XML, truncated,
huge, deeply nested, one change at a time) always get a proper envelope — FAILURE for
anything that is not a request — never a 5xx, never an internal error. In-process through
werkzeug's test Client for speed, plus a smaller batch over real HTTP."""

from __future__ import annotations

import logging

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from conformance.envelope import Credentials
from conformance.fuzzing import strategies as cst
from conformance.mock import DEFAULT_ADMIN, MockApp, Site, start_mock
from conformance.mock.app import XML_PATH
from conformance.mock.services import HANDLERS
from conformance.response import parse_message
from conformance.transport import _charset

ADMIN = Credentials("mocksite", *DEFAULT_ADMIN)
ALL_APIS = sorted(HANDLERS)
MANY = settings(max_examples=1500, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
SOME = settings(MANY, max_examples=600)
FEWER = settings(MANY, max_examples=150)


class _Crashes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def crashes():
    handler = _Crashes()
    log = logging.getLogger("conformance.mock")
    log.addHandler(handler)
    try:
        yield handler
    finally:
        log.removeHandler(handler)


@pytest.fixture(scope="module")
def client() -> Client:
    return Client(MockApp(Site()))


def check_answer(status: int, headers: dict[str, str], body: bytes, *,
                 must_fail: bool, crashes: _Crashes, request: bytes) -> None:
    assert status == 200, f"HTTP {status} for {request[:200]!r}"
    message = parse_message(body, charset=_charset(headers))  # raises if not serv:message
    for resp in message.responses:
        assert resp.result in ("SUCCESS", "FAILURE"), body[:300]
        if resp.result == "FAILURE":
            assert (resp.reason or "").strip() and (resp.exception_id or "").strip(), body[:300]
    if must_fail:
        assert all(r.result == "FAILURE" for r in message.responses), (request[:200], body[:300])
    assert not crashes.records, (f"the mock had an internal error on {request[:300]!r}: "
                                 f"{crashes.records[0].getMessage()}")


def _post(client: Client, data: bytes) -> tuple[int, dict[str, str], bytes]:
    resp = client.post(XML_PATH, data=data, headers={"Content-Type": "text/xml"})
    return resp.status_code, dict(resp.headers), resp.get_data()


@MANY
@given(data=cst.garbage())
def test_arbitrary_bytes_get_a_failure_envelope(client, crashes, data: bytes) -> None:
    check_answer(*_post(client, data), must_fail=True, crashes=crashes, request=data)


@SOME
@given(data=st.data())
def test_mutated_envelopes_get_a_proper_envelope(client, crashes, data) -> None:
    envelope = data.draw(cst.envelopes(apis=ALL_APIS, max_bodies=2), label="envelope")
    credentials = data.draw(st.sampled_from([ADMIN, None, Credentials("mocksite")]),
                            label="credentials")
    request = data.draw(cst.mutated(envelope.build(credentials)), label="mutated")
    check_answer(*_post(client, request), must_fail=False, crashes=crashes, request=request)


@SOME
@given(envelope=cst.envelopes(apis=ALL_APIS, max_bodies=3))
def test_generated_envelopes_of_every_api_get_a_proper_envelope(client, crashes,
                                                                envelope) -> None:
    request = envelope.build(ADMIN)
    check_answer(*_post(client, request), must_fail=False, crashes=crashes, request=request)


def test_the_edge_cases_of_the_table(client, crashes) -> None:
    for data, what in cst.GARBAGE_EDGES:
        check_answer(*_post(client, data), must_fail=True, crashes=crashes,
                     request=what.encode())


@pytest.fixture(scope="module")
def served():
    mock = start_mock(Site())
    session = requests.Session()
    yield mock, session
    session.close()
    mock.stop()


@FEWER
@given(data=st.one_of(cst.garbage(), st.builds(
    lambda e: e.build(ADMIN), cst.envelopes(apis=ALL_APIS, max_bodies=2))))
def test_over_real_http(served, crashes, data: bytes) -> None:
    mock, session = served
    resp = session.post(mock.url, data=data, headers={"Content-Type": "text/xml"}, timeout=30)
    check_answer(resp.status_code, dict(resp.headers), resp.content, must_fail=False,
                 crashes=crashes, request=data)


def test_the_checks_can_fail(crashes) -> None:
    """A crashing handler is caught (the mock answers 000000 'Internal error' and logs it)
    and so is an answer that is not a serv:message."""
    site = Site()
    app = MockApp(site)
    api, func, anonymous = HANDLERS["GetSite"]

    def boom(call):
        raise RuntimeError("boom")
    HANDLERS["GetSite"] = (api, boom, anonymous)
    try:
        request = cst.Envelope((cst.Body("GetSite"),)).build(ADMIN)
        with pytest.raises(AssertionError, match="internal error"):
            check_answer(*_post(Client(app), request), must_fail=False, crashes=crashes,
                         request=request)
    finally:
        HANDLERS["GetSite"] = (api, func, anonymous)
        crashes.records.clear()
    with pytest.raises(Exception, match="serv:message|root element"):
        check_answer(200, {}, b"<x/>", must_fail=False, crashes=crashes, request=b"")
    with pytest.raises(AssertionError, match="HTTP 500"):
        check_answer(500, {}, b"", must_fail=False, crashes=crashes, request=b"")
