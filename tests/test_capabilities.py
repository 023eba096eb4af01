"""conformance.capabilities: the registry, `requires` checking, the discovery parsers and
the run's frozen Capabilities (discovery over profile, findings, control)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import MappingProxyType

import pytest
from lxml import etree

from conformance import capabilities as caps
from conformance.capabilities import (
    REGISTRY,
    Capabilities,
    MeetingTemplate,
    Observation,
    build_capabilities,
    check_requires,
    observe,
    parse_get_site,
    parse_get_user,
    parse_lst_access_anywhere_history,
    parse_lst_meeting_type,
    parse_requirement,
)
from conformance.cases import load_case_file
from conformance.envelope import Body, Credentials, build_message
from conformance.errors import CaseDefinitionError
from conformance.namespaces import NS
from conformance.profile import parse_profile
from conformance.response import parse_message

REPO = Path(__file__).resolve().parents[1]
# case files only: not the shared steps file or other `_` helpers (cases.is_case_file)
CASES = sorted(p for p in (REPO / "cases").glob("*.yaml") if not p.name.startswith("_"))


def _body(xml: str) -> etree._Element:
    """A bodyContent with the service prefixes the real answers use (GetSite: ns1)."""
    ns = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items() if p != "site")
    return etree.fromstring(f'<serv:bodyContent {ns} xmlns:ns1="{NS["site"]}">{xml}'
                            f'</serv:bodyContent>')


def _profile(text: str):
    from conformance.cases import load_yaml
    return parse_profile(load_yaml(text, "p.yaml"), "p.yaml")


# -- the registry ---------------------------------------------------------------------------
def test_every_requires_of_every_case_file_is_in_the_registry():
    seen = set()
    for path in CASES:
        for case in load_case_file(path):
            check_requires(case.requires, str(path), case.line)
            seen.update(case.requires)
    assert seen, "the case files require nothing?"


def test_every_control_setting_of_the_case_files_has_an_entry():
    used = set()
    for path in CASES:
        for case in load_case_file(path):
            for step in case.steps:
                used.update((step.control or {}).get("settings") or {})
    assert used
    missing = sorted(s for s in used if caps.by_control_setting(s) is None)
    assert not missing, f"control settings without a registry entry: {missing}"


def test_the_old_tables_are_gone():
    """target.CAPABILITIES and runner.SETTING_NAMES were replaced by the registry: skip
    reasons come from describe() and describe_control_setting()."""
    from conformance import runner, target
    assert not hasattr(target, "CAPABILITIES") and not hasattr(runner, "SETTING_NAMES")
    assert caps.describe("host") == REGISTRY["second_user"].description
    assert caps.describe_control_setting("enable_display_name") == "EnableDisplayName"


def test_each_entry_says_how_it_is_determined_and_settings_their_values():
    for entry in REGISTRY.values():
        assert entry.description and entry.determined_by
        if entry.kind == caps.FLAG:
            assert entry.values and entry.control_settings and entry.profile_key, entry.name
        if caps.DISCOVERY in entry.determined_by:
            assert entry.discovery, entry.name


def test_a_malformed_entry_is_refused():
    with pytest.raises(ValueError, match="determined_by"):
        caps.Capability("x", "x", ("guess",))
    with pytest.raises(ValueError, match="flag"):
        caps.Capability("x", "x", (caps.PROFILE,), kind=caps.FLAG, profile_key="settings.x")
    with pytest.raises(ValueError, match="discovery"):
        caps.Capability("x", "x", (caps.DISCOVERY,))


def test_profile_keys_come_from_the_registry():
    keys = caps.profile_keys()
    assert {"settings.all_meetings_need_password", "settings.display_name_enabled",
            "settings.consistent_locked_lobby", "settings.email_change_needs_confirmation",
            "settings.scheduled_pmr_in_lists", "settings.mobile_screen_capture",
            "settings.control_hub_linked", "settings.edu_session_type",
            "meeting_types.private", "meeting_types.e2ee_only", "edu_template",
            "meeting_templates"} == set(keys)


def test_describe_names_identities_and_mock_settings():
    assert "second" in caps.describe("host")
    assert caps.describe("nonsense") == "nonsense"
    assert caps.describe_control_setting("enable_display_name") == "EnableDisplayName"
    assert caps.describe_control_setting("unknown_setting") == "unknown_setting"


# -- requires -------------------------------------------------------------------------------
def test_check_requires_canonical_forms():
    assert check_requires(["site_admin", "all_meetings_need_password=false",
                           "display_name_enabled", "locked_lobby",
                           "cmr_hybrid_voip_placement=user"]) == (
        "site_admin", "all_meetings_need_password=false", "display_name_enabled=true",
        "consistent_locked_lobby=true", "cmr_hybrid_voip_placement=user")


def test_a_misspelt_requires_is_a_load_error_naming_file_line_field():
    with pytest.raises(CaseDefinitionError) as err:
        check_requires(["site_admin", "privat_meeting_type"], "cases/x.yaml", 12)
    e = err.value
    assert (e.path, e.line, e.field) == ("cases/x.yaml", 12, "requires[1]")
    assert "unknown capability 'privat_meeting_type'" in str(e)
    assert "did you mean 'private_meeting_type'" in str(e)
    assert str(e).startswith("cases/x.yaml:12: field 'requires[1]'")


@pytest.mark.parametrize("text, message", [
    ("all_meetings_need_password=yes", "write all_meetings_need_password=true"),
    ("site_admin=true", "takes no value"),
    ("cmr_hybrid_voip_placement=body", "one of privilege, user"),
    ("", "capability name"),
    ("=true", "unknown capability ''"),
])
def test_bad_requirement_values(text, message):
    with pytest.raises(CaseDefinitionError, match=re.escape(message)):
        check_requires([text], "f.yaml", 3)


def test_requires_must_be_a_list():
    with pytest.raises(CaseDefinitionError, match="list"):
        check_requires("site_admin", "f.yaml", 1)
    with pytest.raises(CaseDefinitionError, match="capability name"):
        check_requires([12], "f.yaml", 1)


def test_requirement_str_round_trips():
    for text in ("site_admin", "mobile_screen_capture=false", "cmr_hybrid_voip_placement"):
        assert str(parse_requirement(text)) == (text if "=" in text or
                                                REGISTRY[text].kind != caps.FLAG
                                                else f"{text}=true")


# -- discovery parsers ----------------------------------------------------------------------
GET_SITE = """
<ns1:siteInstance>
  <ns1:metaData>
    <ns1:isEnterprise>true</ns1:isEnterprise>
    <ns1:meetingTypes><ns1:meetingTypeID>3</ns1:meetingTypeID>
      <ns1:meetingTypeName>PRO</ns1:meetingTypeName></ns1:meetingTypes>
    <ns1:meetingTemplates>
      <ns1:meetingTemplate><ns1:meetingTemplateName>MC Meeting Tempalte 1</ns1:meetingTemplateName>
        <ns1:serviceType>MeetingCenter</ns1:serviceType></ns1:meetingTemplate>
      <ns1:meetingTemplate><ns1:meetingTemplateName>EC Meeting Tempalte 2</ns1:meetingTemplateName>
        <ns1:serviceType>EventCenter</ns1:serviceType></ns1:meetingTemplate>
    </ns1:meetingTemplates>
  </ns1:metaData>
  <ns1:securityOptions>
    <ns1:passwordExpires>false</ns1:passwordExpires>
    <ns1:allMeetingsPassword>true</ns1:allMeetingsPassword>
    <ns1:EnableMobileScreenCapture>false</ns1:EnableMobileScreenCapture>
  </ns1:securityOptions>
  <ns1:siteCommonOptions>
    <ns1:SupportXMLAPIReturnScheduledPMR>true</ns1:SupportXMLAPIReturnScheduledPMR>
    <ns1:EnableDisplayName>1</ns1:EnableDisplayName>
  </ns1:siteCommonOptions>
  <ns1:meetingOptions><ns1:ConsistentLockedLobby>0</ns1:ConsistentLockedLobby></ns1:meetingOptions>
</ns1:siteInstance>"""


def test_get_site_reads_each_setting_where_the_samples_put_it():
    obs = parse_get_site(_body(GET_SITE))
    values = {k: v.value for k, v in obs.items()}
    assert values == {
        "all_meetings_need_password": True, "mobile_screen_capture": False,
        "scheduled_pmr_in_lists": True, "display_name_enabled": True,
        "consistent_locked_lobby": False,
        "meeting_templates": (MeetingTemplate("MC Meeting Tempalte 1", "MeetingCenter"),
                              MeetingTemplate("EC Meeting Tempalte 2", "EventCenter"))}
    assert "securityOptions/allMeetingsPassword" in obs["all_meetings_need_password"].evidence
    # undocumented placements: the evidence says where this answer had it
    assert obs["consistent_locked_lobby"].evidence == \
        "GetSite siteInstance/meetingOptions/ConsistentLockedLobby = 0"


def test_get_site_documented_placement_only():
    """allMeetingsPassword outside securityOptions is not the documented element."""
    obs = parse_get_site(_body("<ns1:siteInstance><ns1:siteCommonOptions>"
                               "<ns1:allMeetingsPassword>true</ns1:allMeetingsPassword>"
                               "</ns1:siteCommonOptions></ns1:siteInstance>"))
    assert "all_meetings_need_password" not in obs


def test_get_site_absent_elements_are_unknown_but_no_templates_means_none():
    obs = parse_get_site(_body("<ns1:siteInstance/>"))
    assert set(obs) == {"meeting_templates"}
    assert obs["meeting_templates"].value == ()
    assert parse_get_site(None) == {}
    assert parse_get_site(_body("")) == {}


def test_get_site_a_value_that_is_not_a_boolean_is_a_problem():
    obs = parse_get_site(_body("<ns1:siteInstance><ns1:securityOptions><ns1:allMeetingsPassword>"
                               "yes</ns1:allMeetingsPassword></ns1:securityOptions>"
                               "</ns1:siteInstance>"))
    problem = obs["all_meetings_need_password"]
    assert problem.value is None and "'yes', not an xsd:boolean" in problem.problem
    built = build_capabilities(obs, None, False)
    assert "all_meetings_need_password" not in built.known
    assert any("not an xsd:boolean" in f for f in built.findings)


def _type(type_id, service="MeetingCenter", private=None, e2e=None):
    priv = "" if private is None else \
        f"<mtgtype:SupportPrivateMeeting>{str(private).lower()}</mtgtype:SupportPrivateMeeting>"
    opts = "" if e2e is None else \
        f"<mtgtype:options><mtgtype:supportE2E>{str(e2e).lower()}</mtgtype:supportE2E></mtgtype:options>"
    return (f"<mtgtype:meetingType><mtgtype:name>T{type_id}</mtgtype:name>{opts}"
            f"<mtgtype:meetingTypeID>{type_id}</mtgtype:meetingTypeID><mtgtype:serviceTypes>"
            f"<mtgtype:serviceType>{service}</mtgtype:serviceType></mtgtype:serviceTypes>"
            f"{priv}</mtgtype:meetingType>")


def test_lst_meeting_type_private_e2ee_and_standard():
    body = _body(_type(3, private=False, e2e=False) + _type(168, private=True)
                 + _type(200, private=False, e2e=True) + _type(9, "TrainingCenter", True, True))
    obs = parse_lst_meeting_type(body)
    assert obs["private_meeting_type"].value == 168
    assert obs["private_meeting_type"].accepts == {168}
    assert obs["private_meeting_type"].rejects == {3, 200, 9}
    assert obs["e2ee_meeting_type"].value == 200
    assert obs["e2ee_meeting_type"].rejects == {3, 9}  # 168 does not say
    assert obs["standard_meeting_type"].value == 3
    assert obs["private_meeting_type"].listed == {3, 9, 168, 200}


def test_lst_meeting_type_without_the_elements_accepts_and_rejects_nothing():
    obs = parse_lst_meeting_type(_body(_type(3) + _type(168) + _type(9, "TrainingCenter")))
    assert "private_meeting_type" not in obs  # no type says: unknown, not "none"
    assert "e2ee_meeting_type" not in obs
    assert obs["standard_meeting_type"].value == 3
    profile = _profile("meeting_types: {private: 168, e2ee_only: 3}\n")
    built = build_capabilities(obs, profile, False)
    assert built.get("private_meeting_type") == 168 and built.get("e2ee_meeting_type") == 3
    assert built.findings == ()
    assert "standard_meeting_type" not in built.known  # 3 is the E2EE type: none is left
    two = parse_lst_meeting_type(_body(_type(3) + _type(4)))
    assert build_capabilities(two, profile, False).get("standard_meeting_type") == 4
    # a type marked E2EE by the control interface for one case leaves the standard type
    assert build_capabilities(obs, None, True).get("standard_meeting_type") == 3
    none = parse_lst_meeting_type(_body(_type(3, private=False)))
    assert none["private_meeting_type"].value is None  # the site says: none
    assert parse_lst_meeting_type(None) == {}


def test_get_user_site_admin_and_cmr_placement():
    priv = parse_get_user(_body("<use:webExId>a</use:webExId><use:privilege><use:siteAdmin>true"
                                "</use:siteAdmin><use:cmrHybridVoip>false</use:cmrHybridVoip>"
                                "</use:privilege>"))
    assert priv["site_admin"].value is True
    assert priv["cmr_hybrid_voip_placement"].value == "privilege"
    user = parse_get_user(_body("<use:privilege><use:siteAdmin>false</use:siteAdmin>"
                                "</use:privilege><use:cmrHybridVoip>true</use:cmrHybridVoip>"))
    assert user["site_admin"].value is False
    assert user["cmr_hybrid_voip_placement"].value == "user"
    assert "cmr_hybrid_voip_placement" not in parse_get_user(_body("<use:privilege/>"))


def test_access_anywhere_history_records_none_or_unknown():
    rec = parse_lst_access_anywhere_history(_body(
        "<history:matchingRecords><serv:total>6</serv:total></history:matchingRecords>"
        "<history:accessAnyWhereInfo><history:confID>1</history:confID><history:startTime>"
        "11/29/2019 03:05:44</history:startTime><history:endTime>11/29/2019 03:10:06"
        "</history:endTime></history:accessAnyWhereInfo>"))
    assert dict(rec["access_anywhere_history"].value) == {
        "total": 6, "conf_id": "1", "start_time": "11/29/2019 03:05:44",
        "end_time": "11/29/2019 03:10:06", "start_date": "11/29/2019",
        "end_date": "11/29/2019"}
    built = build_capabilities(rec, None, True)  # discovery, also on a mock with control
    assert built.template_values()["access_anywhere_history"]["start_time"] == \
        "11/29/2019 03:05:44"
    assert built.has("access_anywhere_history")
    none = parse_lst_access_anywhere_history(None, "000015")
    assert none["access_anywhere_history"].value is False
    assert parse_lst_access_anywhere_history(None, "000001") == {}


def test_discovery_against_the_mock_in_process():
    """The parsers read the mock's own answers (the discovery requests, through the mock's
    WSGI app, no sockets)."""
    from conformance.mock import DEFAULT_ADMIN, MockApp, Site
    site = Site()
    app = MockApp(site)
    creds = Credentials(site.name, *DEFAULT_ADMIN)
    answers = {}
    for api, body in caps.discovery_requests(DEFAULT_ADMIN[0]):
        answers[api] = parse_message(app.handle(build_message(creds, [Body(api, body)]))).first
    obs = observe(answers)
    built = build_capabilities(obs, None, has_control=False)
    assert built.get("site_admin") is True
    assert built.get("private_meeting_type") == 168
    assert built.get("standard_meeting_type") == 3
    assert built.get("all_meetings_need_password") is True
    assert built.get("scheduled_pmr_in_lists") is False
    assert built.get("consistent_locked_lobby") is False
    assert built.get("access_anywhere_history")["total"] == 6
    assert built.get("recording")
    assert built.api_version == "40.12.0"
    assert built.findings == ()


def test_observe_needs_a_parser():
    with pytest.raises(ValueError, match="no discovery parser"):
        observe({"GetMeeting": None})


# -- the run's capabilities ---------------------------------------------------------------
def _obs(**values):
    return {k: Observation(v, f"answer {k}") for k, v in values.items()}


def test_discovery_wins_over_the_profile_and_the_disagreement_is_a_finding():
    profile = _profile("settings:\n  all_meetings_need_password: false\n"
                       "  email_change_needs_confirmation: true\n")
    built = build_capabilities(_obs(all_meetings_need_password=True), profile, False)
    assert built.get("all_meetings_need_password") is True
    assert built.known["all_meetings_need_password"].source == "discovery"
    assert built.get("email_change_needs_confirmation") is True  # only the profile says
    assert built.known["email_change_needs_confirmation"].source == "profile"
    [finding] = built.findings
    assert finding.startswith("site profile p.yaml:2 settings.all_meetings_need_password is "
                              "false, but answer all_meetings_need_password")
    assert "the site's answer is used" in finding


def test_agreement_is_no_finding():
    profile = _profile("settings: {all_meetings_need_password: true}\n")
    assert build_capabilities(_obs(all_meetings_need_password=True), profile,
                              False).findings == ()


def test_meeting_type_profile_choice_when_the_site_confirms_it_or_does_not_say():
    obs = {"private_meeting_type": Observation(168, "LstMeetingType", frozenset({168, 169}),
                                               frozenset({3}), frozenset({3, 168, 169, 170}))}
    chosen = build_capabilities(obs, _profile("meeting_types: {private: 169}\n"), False)
    assert chosen.get("private_meeting_type") == 169 and chosen.findings == ()
    silent = build_capabilities(obs, _profile("meeting_types: {private: 170}\n"), False)
    assert silent.get("private_meeting_type") == 170 and silent.findings == ()
    assert silent.known["private_meeting_type"].source == "profile"


@pytest.mark.parametrize("stated, why", [(3, "listed, not qualifying"), (999, "not listed")])
def test_meeting_type_the_site_contradicts(stated, why):
    obs = {"private_meeting_type": Observation(168, "LstMeetingType: private types [168]",
                                               frozenset({168}), frozenset({3}),
                                               frozenset({3, 168}))}
    built = build_capabilities(obs, _profile(f"meeting_types: {{private: {stated}}}\n"), False)
    assert built.get("private_meeting_type") == 168
    [finding] = built.findings
    assert f"meeting_types.private is {stated}" in finding and why in finding


def test_e2ee_type_the_site_contradicts_and_has_none():
    obs = {"e2ee_meeting_type": Observation(None, "LstMeetingType: E2EE types none of 3, 200",
                                            frozenset(), frozenset({3, 200}),
                                            frozenset({3, 200}))}
    built = build_capabilities(obs, _profile("meeting_types: {e2ee_only: 200}\n"), False)
    assert built.get("e2ee_meeting_type") is None
    assert not built.has("e2ee_meeting_type")
    assert "E2EE types none" in built.skip_reason(["e2ee_meeting_type"])
    assert len(built.findings) == 1


def test_templates_the_profile_states_are_the_expectation_the_site_is_compared():
    profile = _profile("meeting_templates:\n  - {name: Sales kickoff, service_type: MeetingCenter}\n")
    seen = {"meeting_templates": Observation((), "GetSite siteInstance//meetingTemplates: none")}
    built = build_capabilities(seen, profile, False)
    assert built.get("meeting_templates") == (MeetingTemplate("Sales kickoff", "MeetingCenter"),)
    [finding] = built.findings
    assert "GetSite siteInstance//meetingTemplates: none" in finding
    assert "expectation" in finding
    values = built.template_values()["meeting_templates"]
    assert values["names"] == ["Sales kickoff"] and values["count"] == 1
    assert values["by_service"] == {"MeetingCenter": ["Sales kickoff"], "EventCenter": [],
                                    "TrainingCenter": []}
    # discovery alone does not make the templates known: the case needs the admin's list
    assert not build_capabilities(seen, None, False).has("meeting_templates")


def test_requirements_of_a_setting_value_on_a_site():
    built = build_capabilities(_obs(all_meetings_need_password=True), None, False)
    assert built.has("all_meetings_need_password")
    assert built.has("all_meetings_need_password=true")
    assert not built.has("all_meetings_need_password=false")
    reason = built.skip_reason(["all_meetings_need_password=false"])
    assert reason == ("not applicable to this target: needs the site setting 'All meetings "
                      "must have a password' false; the site has true (answer "
                      "all_meetings_need_password)")
    unknown = built.skip_reason(["display_name_enabled=true"])
    assert "the site's answers do not show it" in unknown
    assert "state it in the site profile (settings.display_name_enabled)" in unknown
    assert built.control_settings(["all_meetings_need_password=false"]) == {}


def test_on_a_mock_with_control_a_setting_value_is_arranged():
    built = build_capabilities(_obs(all_meetings_need_password=True), None, True)
    requires = ["all_meetings_need_password=false", "display_name_enabled",
                "e2ee_meeting_type", "meeting_templates", "edu_template", "site_admin"]
    assert built.unmet(requires) == [parse_requirement("site_admin")]
    settings = built.control_settings(requires)
    assert settings == {"all_meetings_need_password": False, "enable_display_name": True,
                        "e2ee_meeting_types": [3],
                        "meeting_templates": [["Conformance MC template", "MeetingCenter"],
                                              ["Conformance EC template", "EventCenter"],
                                              ["Conformance TC template", "TrainingCenter"]],
                        "edu_meeting_templates": [["Conformance EDU class", "MeetingCenter"],
                                                  ["Conformance EDU class", "EventCenter"],
                                                  ["Conformance EDU class", "TrainingCenter"]]}
    assert built.get("e2ee_meeting_type") == 3
    # the arranged settings are copies: a runner that changes them changes no registry
    settings["e2ee_meeting_types"].append(9)
    assert built.control_settings(["e2ee_meeting_type"]) == {"e2ee_meeting_types": [3]}


def test_control_only_capabilities():
    site = build_capabilities({}, None, False)
    for name in ("meeting_in_progress", "throttle_limit", "mock_control"):
        assert not site.has(name)
        assert "only the mock's control interface can arrange" in site.skip_reason([name]) \
            or name == "mock_control"
    mock = build_capabilities({}, None, True)
    assert all(mock.has(n) for n in ("meeting_in_progress", "throttle_limit", "mock_control"))
    assert mock.template_values()["mock_control"] is True


def test_access_anywhere_history_from_the_site_answer():
    none = build_capabilities(_obs(access_anywhere_history=False), None, False)
    assert not none.has("access_anywhere_history")
    assert "the site has none" in none.skip_reason(["access_anywhere_history"])
    assert build_capabilities(_obs(access_anywhere_history={"total": 1}), None, False).has(
        "access_anywhere_history")
    # without discovery, a mock with the control interface has its own records
    assert build_capabilities({}, None, True).has("access_anywhere_history")
    # but a mock whose answer shows none has none
    assert not build_capabilities(_obs(access_anywhere_history=False), None, True).has(
        "access_anywhere_history")


def test_configuration_entries():
    built = build_capabilities({}, None, False, {"second_user": True, "jwt": False})
    assert built.has("second_user") and not built.has("jwt")
    assert "not configured" in built.skip_reason(["jwt"])
    with pytest.raises(ValueError, match="configuration"):
        build_capabilities({}, None, False, {"site_admin": True})
    with pytest.raises(ValueError, match="unknown capability"):
        build_capabilities({"nonsense": Observation(1, "x")}, None, False)


def test_choice_requirements():
    built = build_capabilities(_obs(cmr_hybrid_voip_placement="user"), None, False)
    assert built.has("cmr_hybrid_voip_placement")
    assert built.has("cmr_hybrid_voip_placement=user")
    assert not built.has("cmr_hybrid_voip_placement=privilege")
    assert "the site has user" in built.skip_reason(["cmr_hybrid_voip_placement=privilege"])


def test_capabilities_are_frozen():
    built = build_capabilities(_obs(site_admin=True), None, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.has_control = True  # type: ignore[misc]
    assert isinstance(built.known, MappingProxyType)
    with pytest.raises(TypeError):
        built.known["site_admin"] = None  # type: ignore[index]
    assert "site_admin" in built and "jwt" not in built and 3 not in built
    assert Capabilities().get("site_admin", "no") == "no"


def test_template_values_leave_out_unknown_and_none():
    built = build_capabilities(
        {"private_meeting_type": Observation(None, "none", listed=frozenset({3})),
         "api_version": Observation("40.12.0", "GetAPIVersion")}, None, False)
    values = built.template_values()
    assert "private_meeting_type" not in values
    assert values["api_version"] == "40.12.0"
