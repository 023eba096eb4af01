"""conformance.profile: the site profile is validated before anything runs; every error
names the file, the line and the field; the example matches the mock's settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conformance.capabilities import MeetingTemplate, build_capabilities, profile_keys
from conformance.errors import CaseDefinitionError
from conformance.profile import (
    ENV,
    ProfileSource,
    SiteProfile,
    load_profile,
    mock_settings,
    resolve_sources,
)

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "site-profile.yaml"

FULL = """\
site_name: example
settings:
  all_meetings_need_password: true
  display_name_enabled: true
  consistent_locked_lobby: true
  email_change_needs_confirmation: true
  scheduled_pmr_in_lists: true
  mobile_screen_capture: false
  control_hub_linked: false
  edu_session_type: false
meeting_types:
  private: 169
  e2ee_only: 200
edu_template: null
meeting_templates:
  - {name: Sales kickoff, service_type: MeetingCenter}
  - name: Training day
    service_type: TrainingCenter
"""


def _load(tmp_path, text, site_name=None):
    path = tmp_path / "site.yaml"
    path.write_text(text, "utf-8")
    return load_profile(path, site_name=site_name)


def _error(tmp_path, text, site_name=None) -> CaseDefinitionError:
    with pytest.raises(CaseDefinitionError) as err:
        _load(tmp_path, text, site_name)
    return err.value


def test_the_issue_profile_loads(tmp_path):
    profile = _load(tmp_path, FULL, site_name="Example")
    assert profile.site_name == "example"
    assert profile.settings == {
        "all_meetings_need_password": True, "display_name_enabled": True,
        "consistent_locked_lobby": True, "email_change_needs_confirmation": True,
        "scheduled_pmr_in_lists": True, "mobile_screen_capture": False,
        "control_hub_linked": False, "edu_session_type": False}
    assert profile.stated("meeting_types.private") == 169
    assert profile.stated("meeting_types.e2ee_only") == 200
    assert profile.stated("edu_template") is None  # null: not stated
    assert profile.meeting_templates == (MeetingTemplate("Sales kickoff", "MeetingCenter"),
                                         MeetingTemplate("Training day", "TrainingCenter"))
    assert profile.where("meeting_types.private") == f"{tmp_path / 'site.yaml'}:12 " \
                                                     "meeting_types.private"
    assert profile.lines["settings.display_name_enabled"] == 4


def test_the_profile_is_frozen(tmp_path):
    profile = _load(tmp_path, FULL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.site_name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        profile.values["edu_template"] = "x"  # type: ignore[index]


def test_an_empty_or_comment_only_profile_states_nothing(tmp_path):
    profile = _load(tmp_path, "# nothing yet\n")
    assert profile.values == {} and profile.site_name is None
    assert profile.meeting_templates is None
    assert _load(tmp_path, "settings:\nmeeting_types:\n").values == {}


@pytest.mark.parametrize("text, line, field, words", [
    ("site_name: x\nsetings: {}\n", 2, "setings", "did you mean 'settings'"),
    ("settings:\n  display_name: true\n", 2, "settings.display_name",
     "did you mean 'display_name_enabled'"),
    ("meeting_types:\n  e2ee: 200\n", 2, "meeting_types.e2ee", "allowed: private, e2ee_only"),
    ("settings:\n  consistent_locked_lobby: 'yes'\n", 2, "settings.consistent_locked_lobby",
     "must be true or false (or null: not stated), not a string"),
    ("settings:\n  consistent_locked_lobby: 1\n", 2, "settings.consistent_locked_lobby",
     "not a number"),
    ("meeting_types:\n  private: '169'\n", 2, "meeting_types.private",
     "a meeting type ID, a whole number"),
    ("meeting_types:\n  private: true\n", 2, "meeting_types.private", "not a boolean"),
    ("meeting_types:\n  private: -3\n", 2, "meeting_types.private", "a meeting type ID"),
    ("edu_template: 12\n", 1, "edu_template", "a name, a non-empty string"),
    ("edu_template: ''\n", 1, "edu_template", "a name"),
    ("settings: [a, b]\n", 1, "settings", "must be a mapping of all_meetings_need_password"),
    ("site_name: [x]\n", 1, "site_name", "must be the site name"),
    ("meeting_templates: {name: x}\n", 1, "meeting_templates", "a list of"),
    ("meeting_templates:\n  - Sales\n", 2, "meeting_templates[0]", "a template is a mapping"),
    ("meeting_templates:\n  - {name: A, service_type: MeetingCenter}\n  - {name: B}\n", 3,
     "meeting_templates[1]", "needs 'service_type'"),
    ("meeting_templates:\n  - name: A\n    service_type: Meeting Center\n", 3,
     "meeting_templates[0].service_type", "one of MeetingCenter, EventCenter, TrainingCenter"),
    ("meeting_templates:\n  - name: A\n    service: MeetingCenter\n", 3,
     "meeting_templates[0].service", "unknown key 'service'"),
    ("meeting_templates:\n  - {name: 5, service_type: EventCenter}\n", 2,
     "meeting_templates[0].name", "non-empty string"),
])
def test_errors_name_the_file_the_line_and_the_field(tmp_path, text, line, field, words):
    error = _error(tmp_path, text)
    assert error.path == str(tmp_path / "site.yaml")
    assert (error.line, error.field) == (line, field), str(error)
    assert words in str(error)
    assert str(error).startswith(f"{tmp_path / 'site.yaml'}:{line}: field '{field}': ")


def test_a_profile_of_another_site_is_refused(tmp_path):
    error = _error(tmp_path, "# hi\nsite_name: othersite\n", site_name="mocksite")
    assert (error.line, error.field) == (2, "site_name")
    assert "'othersite'" in str(error) and "'mocksite'" in str(error)
    # without a site_name the profile applies to whichever site is configured
    assert _load(tmp_path, "settings: {}\n", site_name="mocksite").site_name is None


def test_not_yaml_not_a_mapping_duplicate_key_missing_file(tmp_path):
    bad = _error(tmp_path, "settings: {a: [}\n")
    assert bad.line == 1 and "not valid YAML" in str(bad)
    assert "is a mapping of keys" in str(_error(tmp_path, "- a\n- b\n"))
    dup = _error(tmp_path, "settings:\n  mobile_screen_capture: true\n"
                           "  mobile_screen_capture: false\n")
    assert dup.line == 3 and "duplicate key" in str(dup)
    with pytest.raises(CaseDefinitionError, match="site profile not found") as err:
        load_profile(tmp_path / "missing.yaml")
    assert err.value.path == str(tmp_path / "missing.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CaseDefinitionError, match="cannot read"):
        load_profile(tmp_path / "bin.yaml")


def test_every_registry_profile_key_is_accepted(tmp_path):
    """Adding a capability with a profile key is enough for the profile to take it."""
    sections: dict[str, list[str]] = {}
    for key in profile_keys():
        section, _, leaf = key.partition(".")
        sections.setdefault(section, []).append(leaf)
    lines = []
    for section, leaves in sections.items():
        if leaves == [""]:
            lines.append(f"{section}: null")
        else:
            lines.append(f"{section}:")
            lines += [f"  {leaf}: null" for leaf in leaves]
    assert _load(tmp_path, "\n".join(lines) + "\n").values == {}


# -- sources ------------------------------------------------------------------------------
def test_precedence_option_then_environment_then_ini(tmp_path):
    env = {ENV: "env.yaml"}
    assert resolve_sources("opt.yaml", env, "ini.yaml") == \
        ProfileSource("opt.yaml", "--conformance-site-profile")
    assert resolve_sources(None, env, "ini.yaml") == ProfileSource("env.yaml", ENV)
    assert resolve_sources(None, {}, "ini.yaml", rootdir=tmp_path) == \
        ProfileSource(str(tmp_path / "ini.yaml"), "ini conformance_site_profile")
    assert resolve_sources(None, {}, str(tmp_path / "abs.yaml"), rootdir="/elsewhere").path \
        == str(tmp_path / "abs.yaml")
    assert resolve_sources(None, {}, None) is None


def test_precedence_reads_the_process_environment(monkeypatch):
    monkeypatch.setenv(ENV, "from-env.yaml")
    assert resolve_sources(None, None, None) == ProfileSource("from-env.yaml", ENV)


@pytest.mark.parametrize("args, field", [
    (("", {}, None), "--conformance-site-profile"),
    ((None, {ENV: "  "}, None), ENV),
    ((None, {}, ""), "conformance_site_profile"),
])
def test_a_source_set_but_empty_is_a_usage_error(args, field):
    with pytest.raises(CaseDefinitionError, match="set but empty") as err:
        resolve_sources(*args)
    assert err.value.field == field


# -- the example -----------------------------------------------------------------------------
def test_the_example_profile_loads_for_the_mock_site():
    from conformance.mock import DEFAULT_SITE
    profile = load_profile(EXAMPLE, site_name=DEFAULT_SITE)
    assert isinstance(profile, SiteProfile) and profile.site_name == DEFAULT_SITE


def test_the_example_matches_the_mocks_settings():
    """Each stated setting is the mock's initial value (conformance/mock/state.py), through
    the registry's mapping of profile keys to mock settings."""
    from conformance.mock import Site
    site = Site()
    profile = load_profile(EXAMPLE, site_name=site.name)
    keys = profile_keys()
    for key, value in profile.values.items():
        entry = keys[key]
        if key == "meeting_types.private":
            assert site.meeting_types[value].support_private
            continue
        if key == "meeting_templates":
            assert [[t.name, t.service_type] for t in value] == \
                site.settings["meeting_templates"]
            continue
        assert site.settings[entry.control_settings[0]] == value, key
    assert set(profile.settings) == {k.partition(".")[2] for k in keys
                                     if k.startswith("settings.")}
    assert profile.stated("meeting_types.e2ee_only") is None
    assert site.settings["e2ee_meeting_types"] == []


def test_the_example_agrees_with_the_mocks_answers(tmp_path):
    """Discovery against the mock and the example profile: no finding."""
    from conformance.capabilities import discovery_requests, observe
    from conformance.envelope import Body, Credentials, build_message
    from conformance.mock import DEFAULT_ADMIN, MockApp, Site
    from conformance.response import parse_message
    site = Site()
    app = MockApp(site)
    creds = Credentials(site.name, *DEFAULT_ADMIN)
    answers = {api: parse_message(app.handle(build_message(creds, [Body(api, body)]))).first
               for api, body in discovery_requests(DEFAULT_ADMIN[0])}
    built = build_capabilities(observe(answers), load_profile(EXAMPLE, site_name=site.name),
                               has_control=False)
    assert built.findings == ()
    assert built.get("private_meeting_type") == 168
    assert built.get("meeting_templates") == ()
    assert built.has("email_change_needs_confirmation=false")
    assert not built.has("e2ee_meeting_type")
    # and a profile that disagrees with the mock's GetSite is a finding
    wrong = Path(EXAMPLE).read_text("utf-8").replace("all_meetings_need_password: true",
                                                    "all_meetings_need_password: false")
    (tmp_path / "wrong.yaml").write_text(wrong, "utf-8")
    built = build_capabilities(observe(answers), load_profile(tmp_path / "wrong.yaml"), False)
    [finding] = built.findings
    assert "settings.all_meetings_need_password is false" in finding
    assert "allMeetingsPassword = true" in finding
    assert built.get("all_meetings_need_password") is True


def test_mock_settings_of_the_example_are_the_mocks_own():
    from conformance.mock import Site
    site = Site()
    settings = mock_settings(load_profile(EXAMPLE))
    assert settings and all(site.settings[k] == v for k, v in settings.items()), settings


def test_mock_settings_of_a_full_profile(tmp_path):
    settings = mock_settings(_load(tmp_path, FULL.replace("edu_template: null",
                                                          "edu_template: EDU class")))
    assert settings == {
        "all_meetings_need_password": True, "enable_display_name": True,
        "consistent_locked_lobby": True, "require_email_confirmation": True,
        "support_return_scheduled_pmr": True, "enable_mobile_screen_capture": False,
        "ci_linked_site": False, "edu_session_type": False, "e2ee_meeting_types": [200],
        "edu_meeting_templates": [["EDU class", "MeetingCenter"], ["EDU class", "EventCenter"],
                                  ["EDU class", "TrainingCenter"]],
        "meeting_templates": [["Sales kickoff", "MeetingCenter"],
                              ["Training day", "TrainingCenter"]]}
    # every key is a setting the mock has
    from conformance.mock import Site
    assert set(settings) <= set(Site().settings)
