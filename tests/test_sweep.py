"""The sweep: leftovers of a crashed run found by prefix through the list APIs and deleted
(users deactivated and reported as such); --dry-run lists only; --all-prefixes; the
end-of-run teardown of the run's ledger and the leak check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.cases import default_bodies, render
from conformance.envelope import Body
from conformance.errors import CaseDefinitionError
from conformance.ledger import Created
from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE, MockServer, start_mock
from conformance.safety import finish_target, leftovers, teardown_ledger
from conformance.sweep import main, matcher, sweep
from conformance.target import TargetConfig, TargetSession

BODIES = default_bodies()
CREATES = ("CreateMeeting", "CreateContact", "CreateEvent", "CreateTrainingSession",
           "CreateUser")


@pytest.fixture
def mock() -> Iterator[MockServer]:
    server = start_mock()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def target(mock: MockServer) -> Iterator[TargetSession]:
    session = TargetSession(TargetConfig(url=mock.url, site_name=DEFAULT_SITE,
                                         webex_id=DEFAULT_ADMIN[0], password=DEFAULT_ADMIN[1],
                                         mock_control=mock.control_url, timeout=10))
    try:
        yield session
    finally:
        session.close()


def _leave(target: TargetSession, uid: str) -> dict[str, str]:
    """What a crashed run leaves: one object of each kind named ``uid``..."""
    context = {"case": {"uid": uid, "n": 1, "user_password": "Wx-Sweep!001aA"},
               "time": {"future": "12/01/2030 10:00:00"},
               "caps": {"standard_meeting_type": 3},
               "target": {"webex_id": DEFAULT_ADMIN[0]}, "params": {}}
    keys = {}
    for api in CREATES:
        _, message = target.call(target.admin, [Body(api, render(BODIES[api], context))],
                                 idempotent=False)
        assert message.first.ok, (api, message.first.summary())
        keys[api] = (message.first.text("*[1]") or "").strip()
    return keys


def _objects(target: TargetSession, prefix: str) -> dict[str, list[str]]:
    return target.control(f"state?prefix={prefix}", method="GET")["objects"]


def test_matcher() -> None:
    by_prefix = matcher("wxcab12c")
    assert by_prefix("wxcab12c001 meeting") and by_prefix("WXCAB12C7u")
    assert not by_prefix("wxcab12d001") and not by_prefix("siteadmin")
    every = matcher(all_prefixes="wxc")
    assert every("wxcab12c001 meeting") and every("wxc00000")
    assert not every("wxc-12345") and not every("wxcab1") and not every("host1")
    with pytest.raises(CaseDefinitionError):
        matcher("wx")


def test_dry_run_lists_and_deletes_nothing(target: TargetSession) -> None:
    _leave(target, "wxcdry01001")
    report = sweep(target, matcher("wxcdry01"), dry_run=True)
    assert sorted(f.kind for f in report.found) == ["contact", "event", "meeting",
                                                    "training-session", "user"]
    assert report.deleted == [] and report.errors == []
    objects = _objects(target, "wxcdry01")
    assert objects["meetings"] and objects["records"] and objects["users"]


def test_sweep_deletes_by_prefix_and_reports_users(target: TargetSession) -> None:
    _leave(target, "wxcswp01001")
    _leave(target, "wxcother1001")  # another run's: untouched
    report = sweep(target, matcher("wxcswp01"))
    assert len(report.deleted) == 5 and report.failed == [] and report.errors == []
    objects = _objects(target, "wxcswp01")
    assert objects == {"users": [], "deactivated_users": ["wxcswp01001u"], "meetings": [],
                       "records": []}
    # a second sweep finds only the deactivated user, which it cannot delete
    again = sweep(target, matcher("wxcswp01"))
    assert [(f.kind, f.active) for f in again.found] == [("user", False)]
    assert again.deleted == [] and again.left == []
    other = _objects(target, "wxcother1")
    assert other["meetings"] and other["records"] and other["users"]


def test_all_prefixes(target: TargetSession) -> None:
    _leave(target, "wxcaaaaa001")
    _leave(target, "wxcbbbbb001")
    report = sweep(target, matcher(all_prefixes="wxc"))
    assert len(report.deleted) == 10
    assert _objects(target, "wxc")["meetings"] == []
    assert sorted(_objects(target, "wxc")["deactivated_users"]) == ["wxcaaaaa001u",
                                                                    "wxcbbbbb001u"]


def test_command_line(mock: MockServer, target: TargetSession,
                      monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    _leave(target, "wxccli01001")
    monkeypatch.setenv("WEBEX_XMLAPI_URL", mock.url)
    monkeypatch.setenv("WEBEX_SITE_NAME", DEFAULT_SITE)
    monkeypatch.setenv("WEBEX_ID", DEFAULT_ADMIN[0])
    monkeypatch.setenv("WEBEX_PASSWORD", DEFAULT_ADMIN[1])
    assert main(["--prefix", "wxccli01", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "(dry run)" in out and "would delete meeting" in out and "would deactivate user" in out
    assert _objects(target, "wxccli01")["meetings"]
    assert main(["--prefix", "wxccli01"]) == 0
    out = capsys.readouterr().out
    assert "5 found, 5 deleted/deactivated" in out and "deactivated  user wxccli01001u" in out
    assert DEFAULT_ADMIN[1] not in out
    assert _objects(target, "wxccli01")["meetings"] == []


def test_command_line_needs_a_url(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture) -> None:
    monkeypatch.delenv("WEBEX_XMLAPI_URL", raising=False)
    with pytest.raises(SystemExit) as info:
        main(["--prefix", "wxcnone1"])
    assert info.value.code == 2
    assert "a site URL is needed" in capsys.readouterr().err


def test_command_line_bad_password_is_a_clear_error(mock: MockServer,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture) -> None:
    for name, value in (("WEBEX_XMLAPI_URL", mock.url), ("WEBEX_SITE_NAME", DEFAULT_SITE),
                        ("WEBEX_ID", DEFAULT_ADMIN[0]), ("WEBEX_PASSWORD", "Wrong-Pw-123")):
        monkeypatch.setenv(name, value)
    assert main(["--prefix", "wxcbadp1"]) == 1
    out = capsys.readouterr().out
    assert "not listed" in out and "030002" in out and "Wrong-Pw-123" not in out


# -- the run's ledger at the end of the run --------------------------------------------------------
def test_run_ledger_teardown_and_leak_check(target: TargetSession) -> None:
    keys = _leave(target, "wxcled01001")
    # as if the cases' own clean-up had been interrupted: everything is still in the ledger
    for item in [
        Created("meeting", keys["CreateMeeting"], "DelMeeting", "meetingKey", "c::1"),
        Created("contact", keys["CreateContact"], "DelContacts", "contactID", "c::2"),
        Created("user", "wxcled01001u", "DelUser", "webExId", "c::3"),
    ]:
        target.ledger.record(item)
    done, failed = teardown_ledger(target)
    assert failed == [] and len(done) == 3 and not target.ledger
    assert "DelUser user wxcled01001u (case c::3): done (deactivated" in done[0]
    how, objects = leftovers(target, "wxcled01")
    assert how == "mock state"
    assert len(objects["records"]) == 2  # the event and training session were not in it
    report = finish_target(target, "wxcled01", check=True)
    assert report.left == [] and len(report.swept) == 2
    assert report.deactivated_users == ["wxcled01001u"]


def test_leak_check_through_the_list_apis(target: TargetSession) -> None:
    """Without a control interface (a real site), the list APIs tell what is left."""
    _leave(target, "wxclst01001")
    target.control_url = None
    how, objects = leftovers(target, "wxclst01")
    assert how == "list APIs" and objects["errors"] == []
    assert len(objects["meetings"]) == 1 and len(objects["records"]) == 3
    assert objects["users"] == ["wxclst01001u"]
    report = finish_target(target, "wxclst01", check=True)
    assert report.left == [] and report.deactivated_users == ["wxclst01001u"]
