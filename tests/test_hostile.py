"""Hostile or broken answers: the runner survives, the case is ERROR with a clear reason
(never FAIL, never a traceback), what the case created is still cleaned up, and no secret
shows in the result. A loopback proxy (tests/hostile_server.py) plays each answer in front
of the mock."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import MODES, SLOW_SECONDS, Hostile, hostile_server

from conformance.cases import Case, load_case_file
from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE
from conformance.runner import Verdict, run_case
from conformance.target import TargetConfig, TargetSession

CASE_FILE = """\
requirement: envelope
cases:
  - id: hostile
    title: a contact is created, then a read-only call meets the hostile answer
    steps:
      - name: create a contact (to prove the clean-up still runs)
        api: CreateContact
        role: setup
        expect: {result: SUCCESS}
      - name: read a meeting type
        api: GetMeetingType
        body: {meetingTypeID: 3}
        expect: {result: SUCCESS}
"""

#: mode -> (verdict, a phrase the reason must contain)
EXPECTED: dict[str, tuple[Verdict, str]] = {
    "xxe": (Verdict.ERROR, "DOCTYPE/DTD was refused"),
    "billion-laughs": (Verdict.ERROR, "DOCTYPE/DTD was refused"),
    "oversize": (Verdict.ERROR, "larger than 50000 bytes"),
    "truncated": (Verdict.ERROR, "not well-formed XML"),
    "proxy-502": (Verdict.ERROR, "HTTP 502"),
    "unknown-charset": (Verdict.ERROR, "not well-formed XML"),
    "empty": (Verdict.ERROR, "empty body"),
    "forbidden-403": (Verdict.ERROR, "HTTP 403"),
    "throttled-000045": (Verdict.ERROR, "000045"),
    "slow": (Verdict.ERROR, "no answer from"),
    "reset": (Verdict.ERROR, "unreachable"),
    # readable after all: ISO-8859-1 bytes, labelled UTF-8 or not labelled (real sites
    # answer in ISO-8859-1); the runner decodes them correctly and the case passes
    "wrong-charset": (Verdict.PASS, ""),
    "missing-charset": (Verdict.PASS, ""),
}


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    path = Path(tmp_path_factory.mktemp("hostile")) / "hostile.yaml"
    path.write_text(CASE_FILE, "utf-8")
    (only,) = load_case_file(path)
    return only


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    with hostile_server() as server:
        yield server


def _target(hostile: Hostile) -> TargetSession:
    target = TargetSession(TargetConfig(
        url=hostile.url, site_name=DEFAULT_SITE, webex_id=DEFAULT_ADMIN[0],
        password=DEFAULT_ADMIN[1], mock_control=hostile.control_url, timeout=0.5))
    target.transport.max_response_bytes = 50_000
    target.capabilities()  # discovery through the proxy, before it turns hostile
    return target


def test_every_mode_is_expected() -> None:
    assert set(EXPECTED) == set(MODES)


@pytest.mark.parametrize("mode", MODES)
def test_hostile_answer_is_error_with_a_clear_reason(mode: str, case: Case,
                                                    hostile: Hostile) -> None:
    target = _target(hostile)
    try:
        hostile.mode = mode
        started = time.perf_counter()
        result = run_case(case, target)
        elapsed = time.perf_counter() - started
        verdict, phrase = EXPECTED[mode]
        assert result.verdict is verdict, (mode, result.reason)
        assert phrase in result.reason, result.reason
        assert hostile.hits == [mode] or (mode == "reset" and hostile.hits[:1] == [mode])
        if verdict is Verdict.PASS:
            assert result.steps[-1].outcome == "ok"
        if mode == "slow":
            assert elapsed < SLOW_SECONDS + 1.5
        # the contact of step 1 was deleted at the end of the case all the same
        assert result.leftovers == []
        assert any("DelContacts contact" in c for c in result.cleanup), result.cleanup
        assert not target.ledger
        state = target.control(f"state?prefix={target.prefix}", method="GET")
        assert state["objects"]["records"] == []
        # nothing of the password, nor a traceback, in the result
        text = json.dumps(result.to_dict())
        assert DEFAULT_ADMIN[1] not in text
        assert "Traceback" not in text and "lxml" not in result.reason
    finally:
        target.close()


def test_xxe_entity_is_never_resolved(case: Case, hostile: Hostile) -> None:
    target = _target(hostile)
    try:
        hostile.mode = "xxe"
        result = run_case(case, target)
        assert "root:" not in json.dumps(result.to_dict())  # /etc/passwd never read
    finally:
        target.close()


def test_a_create_is_not_resent_after_a_reset(tmp_path: Path, hostile: Hostile) -> None:
    """Retries only for calls that change nothing: a reset CreateContact is sent once."""
    path = tmp_path / "create.yaml"
    path.write_text(CASE_FILE.replace("GetMeetingType\n        body: {meetingTypeID: 3}",
                                      "CreateContact"), "utf-8")
    (only,) = load_case_file(path)
    target = _target(hostile)
    try:
        hostile.trigger = b"CreateContact"
        hostile.mode = "reset"
        result = run_case(only, target)
        assert result.verdict is Verdict.ERROR
        assert "not retried" in result.reason
        assert hostile.hits == ["reset"]
    finally:
        target.close()
