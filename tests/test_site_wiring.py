"""Issue 12's wiring, piece by piece: requires checked at load, the target's Capabilities
(discovery, profile, --conformance-no-control), setting values arranged on a mock, every
answer's envelope, the run-level envelope result, and the xdist hand-over of a stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cases import load_case_file
from conformance.errors import AuthenticationFailed, CaseDefinitionError
from conformance.mock import DEFAULT_ADMIN, Site, start_mock
from conformance.profile import parse_profile
from conformance.runner import ENVELOPE_CASE_ID, Verdict, envelope_result, run_case
from conformance.target import TargetConfig, TargetSession

CASES = Path(__file__).resolve().parent.parent / "cases"


def _case(file: str, case_id: str):
    return next(c for c in load_case_file(CASES / file) if c.id == case_id)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(text, "utf-8")
    return path


STEP = ("    steps:\n      - name: s\n        api: GetSite\n        body: {}\n"
        "        expect: {result: SUCCESS}\n")


# -- requires: a misspelt name is a load error (file, line, field) ---------------------------
def test_a_misspelt_requires_of_a_case_names_file_line_field(tmp_path) -> None:
    path = _write(tmp_path, "requirement: auto-password\ncases:\n  - id: a\n    title: t\n"
                            "    requires: [site_admin, locked_loby]\n" + STEP)
    with pytest.raises(CaseDefinitionError) as err:
        load_case_file(path)
    assert err.value.path == str(path) and err.value.line == 5
    assert err.value.field == "cases[0].requires[1]"
    assert "did you mean 'locked_lobby'" in str(err.value)


def test_a_misspelt_requires_of_the_defaults_and_of_a_parameter_value(tmp_path) -> None:
    path = _write(tmp_path, "requirement: auto-password\ndefaults:\n  requires: [sit_admin]\n"
                            "cases:\n  - id: a\n    title: t\n" + STEP)
    with pytest.raises(CaseDefinitionError) as err:
        load_case_file(path)
    assert (err.value.line, err.value.field) == (3, "defaults.requires[0]")
    path = _write(tmp_path, "requirement: auto-password\ncases:\n  - id: a\n    title: t\n"
                            "    parameters:\n      v:\n        - {id: one}\n"
                            "        - {id: two, requires: [display_name_enabled=maybe]}\n"
                            + STEP)
    with pytest.raises(CaseDefinitionError) as err:
        load_case_file(path)
    assert err.value.field == "cases[0].parameters.v[1].requires[0]"
    assert err.value.line == 8 and "display_name_enabled=true" in str(err.value)


def test_requires_come_out_canonical() -> None:
    lobby = load_case_file(CASES / "locked-lobby.yaml")[0]
    assert lobby.requires == ("consistent_locked_lobby=true",)


# -- the target: capabilities, --conformance-no-control, the profile -----------------------
def test_no_control_makes_the_embedded_mock_a_site() -> None:
    target = TargetSession(TargetConfig(no_control=True))
    try:
        assert target.control_url is None and not target.is_mock
        caps = target.capabilities()
        assert not caps.has_control and caps.api_version
        assert caps.get("site_admin") is True
        assert caps.get("cmr_hybrid_voip_placement") == "privilege"
        assert caps.get("access_anywhere_history")["total"] == 6
        reason = caps.skip_reason(["consistent_locked_lobby=true"])
        assert "the site has false" in reason and "ConsistentLockedLobby" in reason
        assert target.hazard_refused(("email",))  # a site: hazards need enabling
    finally:
        target.close()


def test_the_profile_makes_the_embedded_mock_that_site_and_disagreement_is_a_finding(
        tmp_path) -> None:
    doc = ("site_name: mocksite\nsettings:\n  display_name_enabled: true\n"
           "  scheduled_pmr_in_lists: true\nmeeting_types: {e2ee_only: 200}\n")
    from conformance.cases import load_yaml
    profile = parse_profile(load_yaml(doc, "p.yaml"), "p.yaml", site_name="mocksite")
    target = TargetSession(TargetConfig(no_control=True), profile=profile)
    try:
        assert target.mock.app.site.settings["enable_display_name"] is True
        caps = target.capabilities()
        assert caps.get("e2ee_meeting_type") == 200  # LstMeetingType options/supportE2E
        assert caps.get("standard_meeting_type") == 3
        assert caps.get("display_name_enabled") is True  # GetSite does not say: the profile
        assert caps.findings == ()
        # GetSite reports the toggle off: the site's answer wins, and it is a finding
        target.mock.app.site.settings["support_return_scheduled_pmr"] = False
        fresh = TargetSession(TargetConfig(url=target.url, site_name="mocksite",
                                           webex_id=DEFAULT_ADMIN[0], password=DEFAULT_ADMIN[1]),
                              profile=profile)
        try:
            found = fresh.capabilities()
            assert found.get("scheduled_pmr_in_lists") is False
            assert any("p.yaml:4 settings.scheduled_pmr_in_lists is true" in f
                       and "the site's answer is used" in f for f in found.findings)
        finally:
            fresh.close()
    finally:
        target.close()


def test_refused_credentials_are_authentication_failed() -> None:
    server = start_mock(Site(), control=False)
    target = TargetSession(TargetConfig(url=server.url, site_name="mocksite",
                                        webex_id="siteadmin", password="wrong"))
    try:
        with pytest.raises(AuthenticationFailed, match="authentication failed for 'siteadmin'"):
            target.capabilities()
        with pytest.raises(AuthenticationFailed):  # the same error for every later call
            target.capabilities()
    finally:
        target.close()
        server.stop()


# -- setting values arranged on a mock -------------------------------------------------------
def test_on_a_mock_the_runner_arranges_the_required_value_and_restores_it() -> None:
    target = TargetSession(TargetConfig())
    try:
        site = target.mock.app.site
        for case_id, placement in (("create-set-get-in-user", "user"),
                                   ("create-set-get-in-privilege", "privilege")):
            result = run_case(_case("cmr-hybrid-voip.yaml", case_id), target)
            assert result.verdict is Verdict.PASS, result.reason
            assert result.steps[1].exchange and (
                "privilege" in result.steps[1].exchange["response"])
            assert site.settings["cmr_hybrid_voip_placement"] == "privilege"  # restored
            assert placement in case_id
        result = run_case(_case("auto-password.yaml", "none-when-not-required"), target)
        assert result.verdict is Verdict.PASS
        assert site.settings["all_meetings_need_password"] is True  # restored
    finally:
        target.close()


# -- every answer's envelope -------------------------------------------------------------------
def test_envelope_differences_are_recorded_not_the_cases_verdict() -> None:
    target = TargetSession(TargetConfig(faults=["exception-id-before-reason"]))
    try:
        other = run_case(_case("past-start-060016.yaml", load_case_file(
            CASES / "past-start-060016.yaml")[0].id), target)
        assert other.verdict is Verdict.PASS  # its requirement is not envelope
        assert other.envelope and other.envelope_checked >= 1
        first = other.envelope[0]
        assert "serv:reason" in " ".join(first["differences"])
        assert first["exchange"]["response"]
        own = run_case(_case("envelope.yaml", "failure-shape"), target)
        assert own.verdict is Verdict.FAIL  # a case of requirement envelope
        assert any("serv:reason" in d for d in own.differences)
        run = envelope_result([other.to_dict()], target.discovery_envelope,
                              target.envelope_checked)
        assert run is not None and run.case_id == ENVELOPE_CASE_ID
        assert run.verdict is Verdict.FAIL and run.evidence and run.differences
        assert other.case_id in run.differences[0]
    finally:
        target.close()


def test_the_run_level_envelope_result_passes_and_counts() -> None:
    target = TargetSession(TargetConfig())
    try:
        result = run_case(_case("auto-password.yaml", "given-password-returned"), target)
        run = envelope_result([result.to_dict()], target.discovery_envelope,
                              target.envelope_checked)
        assert run is not None and run.verdict is Verdict.PASS
        assert run.reason.startswith(f"{target.envelope_checked + result.envelope_checked} "
                                     f"answer(s) checked")
        assert envelope_result([]) is None  # nothing checked: no result
    finally:
        target.close()


# -- the xdist hand-over of discovery results ------------------------------------------------
def test_workers_discovery_results_merge_once() -> None:
    from conformance._pytest.discovery import merge_worker, worker_output
    from conformance._pytest.state import RunState, SafetyOptions
    from conformance.report.options import read_gating_options

    def state() -> RunState:
        return RunState(TargetConfig(), read_gating_options({
            "waivers": None, "strict-waivers": None, "baseline": None}), SafetyOptions(),
            Path("reports"))

    controller, worker = state(), state()
    worker.findings = ["a finding"]
    worker.discovery_checked, worker.discovery_envelope = 6, [{"api": "GetSite"}]
    merge_worker(controller, worker_output(worker))
    merge_worker(controller, worker_output(worker))
    assert controller.findings == ["a finding"] and controller.discovery_checked == 6
    assert controller.stopped is None
    worker.stopped = {"kind": "unreachable", "headline": "h"}
    merge_worker(controller, worker_output(worker))
    assert controller.stopped["kind"] == "unreachable"
    merge_worker(controller, None)


# -- the mock's issue-12 answers stay schema-valid --------------------------------------------
@pytest.mark.parametrize("placement", ["privilege", "user"])
def test_the_mocks_new_answers_are_schema_valid(placement: str) -> None:
    from conformance.envelope import Body
    from conformance.schema import validate_message

    target = TargetSession(TargetConfig())
    try:
        target.control("settings", {"settings": {"cmr_hybrid_voip_placement": placement,
                                                 "e2ee_meeting_types": [200]}})
        for body in (Body("GetUser", {"webExId": DEFAULT_ADMIN[0]}),
                     Body("LstMeetingType", {"listControl": {"startFrom": 1,
                                                             "maximumNum": 500}}),
                     Body("CreateUser", {"webExId": "wxcschema1", "firstName": "A",
                                         "lastName": "B", "email": "wxcschema1@example.com",
                                         "password": "Wxabcde!001aA",
                                         "privilege": {"host": True}, "cmrHybridVoip": True,
                                         "active": "ACTIVATED"})):
            ex, msg = target.call(target.admin, [body], idempotent=True)
            assert msg.first.ok, msg.first.summary()
            assert validate_message(ex.response) == [], body.api
            assert validate_message(ex.request) == [], body.api
        _, msg = target.call(target.admin, [Body("GetUser", {"webExId": "wxcschema1"})],
                             idempotent=True)
        where = "use:privilege/use:cmrHybridVoip" if placement == "privilege" \
            else "use:cmrHybridVoip"
        assert msg.first.text(where) == "true"
        _, msg = target.call(target.admin, [Body("LstMeetingType", {})], idempotent=True)
        e2ee = {mt.findtext("{*}meetingTypeID"): mt.findtext("{*}options/{*}supportE2E")
                for mt in msg.first.xpath("mtgtype:meetingType")}
        assert e2ee["200"] == "true" and e2ee["3"] == "false"
    finally:
        target.close()


def test_the_standalone_mock_refuses_a_bad_site_profile(tmp_path) -> None:
    import subprocess
    import sys
    bad = tmp_path / "p.yaml"
    bad.write_text("settings: {display_name_enabled: yes please}\n", "utf-8")
    proc = subprocess.run([sys.executable, "-m", "conformance.mock", "--port", "0",
                           "--site-profile", str(bad)], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 2
    assert f"{bad}:1: field 'settings.display_name_enabled'" in proc.stderr
    assert "Traceback" not in proc.stderr
