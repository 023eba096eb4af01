"""The case format of one source of requirement facts: what the catalogue holds is not
repeated in case files; shared steps (``use:``), ``vars``, per-value ``requires`` of
parameters, defaults for templated APIs, and load-time checks of ``repeat``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conformance.cases import default_bodies, load_case_file, render, step_body
from conformance.catalogue import catalogue
from conformance.errors import CaseDefinitionError

ROOT = Path(__file__).resolve().parent.parent

STEPS = """\
steps:
  schedule-meeting:
    name: schedule a meeting
    api: CreateMeeting
    role: setup
    expect: {result: SUCCESS}
    save: {meeting_key: meet:meetingkey}
"""


def _write(tmp_path: Path, text: str, steps: str | None = STEPS) -> Path:
    if steps is not None:
        (tmp_path / "_steps.yaml").write_text(steps, "utf-8")
    path = tmp_path / "case.yaml"
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


def _error(path: Path) -> CaseDefinitionError:
    with pytest.raises(CaseDefinitionError) as info:
        load_case_file(path)
    return info.value


@pytest.mark.parametrize("key", ["title", "since", "source", "apis"])
def test_catalogue_fields_in_a_case_file_are_refused(tmp_path: Path, key: str) -> None:
    path = _write(tmp_path, f"""\
    requirement: private-meeting
    {key}: x
    cases:
      - {{id: a, title: t, steps: [{{name: s, api: GetSite}}]}}
    """)
    err = _error(path)
    assert err.line == 2 and err.field == key
    assert "comes from the catalogue" in str(err)


def test_an_unknown_requirement_id_is_a_load_error(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    # a comment
    requirement: private-meetings
    cases:
      - {id: a, title: t, steps: [{name: s, api: GetSite}]}
    """)
    err = _error(path)
    assert err.line == 2 and err.field == "requirement"
    assert "unknown requirement id 'private-meetings'" in str(err)


def test_the_requirement_facts_come_from_the_catalogue(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    requirement: meeting-uuid
    cases:
      - {id: a, title: t, steps: [{name: s, api: GetSite}]}
      - {id: b, title: t, since: 40.10.0, apis: [GetMeeting], steps: [{name: s, api: GetSite}]}
    """)
    first, second = load_case_file(path)
    req = catalogue()["meeting-uuid"]
    assert (first.since, first.source, first.apis) == (req.since, req.source, req.apis)
    assert (second.since, second.apis) == ("40.10.0", ("GetMeeting",))  # what differs


def test_a_shared_step_is_used_with_its_own_save_and_a_merged_body(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    requirement: private-meeting
    cases:
      - id: a
        title: t
        steps:
          - use: schedule-meeting
            body: {metaData: {meetingType: "169"}}
          - use: schedule-meeting
            name: another one
            save: {other_key: meet:meetingkey}
          - {name: get, api: GetMeeting, body: {meetingKey: "${other_key}"}}
    """)
    (case,) = load_case_file(path)
    first, second, _ = case.steps
    assert (first.name, first.api, first.role) == ("schedule a meeting", "CreateMeeting",
                                                   "setup")
    assert first.save == {"meeting_key": "meet:meetingkey"}
    assert first.expect == {"result": "SUCCESS"}
    assert first.body == {"metaData": {"meetingType": "169"}}
    body = step_body(first)
    assert body["metaData"]["meetingType"] == "169"
    assert body["metaData"]["confName"] == default_bodies()["CreateMeeting"]["metaData"][
        "confName"]  # the API's defaults still apply
    assert second.name == "another one"
    assert second.save == {"meeting_key": "meet:meetingkey", "other_key": "meet:meetingkey"}


def test_an_unknown_shared_step_names_file_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    requirement: private-meeting
    cases:
      - id: a
        title: t
        steps:
          - {name: s, api: GetSite}
          - use: schedule-meting
    """)
    err = _error(path)
    assert err.line == 7 and err.field == "cases[0].steps[1].use"
    assert "unknown shared step 'schedule-meting'" in str(err) and "schedule-meeting" in str(err)


def test_a_malformed_shared_step_names_the_steps_file(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    requirement: private-meeting
    cases:
      - {id: a, title: t, steps: [{use: broken}]}
    """, steps="steps:\n  broken:\n    name: b\n    api: CreateMeeting\n    rol: setup\n")
    err = _error(path)
    assert err.path.endswith("_steps.yaml") and err.line == 5


def test_the_repository_steps_file_is_valid_and_not_collected_as_a_case_file() -> None:
    from conformance.cases import shared_steps
    steps_path, steps = shared_steps(ROOT / "cases" / "private-meeting.yaml")
    assert steps_path == str((ROOT / "cases" / "_steps.yaml").resolve())
    assert "schedule-meeting" in steps


def test_schedule_a_meeting_and_save_its_key_is_written_once() -> None:
    """Issue: the step appeared 25 times in 14 files."""
    import re
    pattern = re.compile(r"api: CreateMeeting\n(?:\s+role: setup\n)?\s+expect: \{result: "
                         r"SUCCESS\}\n\s+save: \{meeting_key: meet:meetingkey\}")
    found = [p.name for p in (ROOT / "cases").glob("*.yaml") if pattern.search(p.read_text())]
    assert found == ["_steps.yaml"]


def test_vars_are_rendered_and_checked(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    requirement: private-meeting
    cases:
      - id: a
        title: t
        vars: {who: "${case.uid} guest", email: "${case.uid}@example.com"}
        steps:
          - {name: s, api: GetUser, body: {webExId: "${vars.who}"}}
    """)
    (case,) = load_case_file(path)
    context = {"case": {"uid": "wxc1"}}
    context["vars"] = render(case.vars, context)
    assert render(case.steps[0].body, context) == {"webExId": "wxc1 guest"}
    bad = _write(tmp_path, """\
    requirement: private-meeting
    cases:
      - id: a
        title: t
        vars: {who: x}
        steps:
          - {name: s, api: GetUser, body: {webExId: "${vars.whom}"}}
    """)
    err = _error(bad)
    assert err.line == 7 and "unknown template value '${vars.whom}'" in str(err)


def test_a_parameter_value_carries_its_own_requires(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    requirement: private-meeting
    cases:
      - id: a
        title: t
        requires: [site_admin]
        parameters:
          kind:
            - {id: private, requires: [private_meeting_type], private: true}
            - {id: standard, requires: [standard_meeting_type], private: false}
        steps:
          - name: s
            api: GetMeeting
            body: {meetingKey: "1"}
            expect: {equals: {meet:isPrivateMeeting: "${params.kind.private}"}}
    """)
    private, standard = load_case_file(path)
    assert private.full_id == "private-meeting::a[private]"
    assert private.requires == ("site_admin", "private_meeting_type")
    assert standard.requires == ("site_admin", "standard_meeting_type")
    assert render(standard.steps[0].expect, {"params": standard.params}) == \
        {"equals": {"meet:isPrivateMeeting": False}}


def test_defaults_apply_when_the_api_is_a_template(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    requirement: private-meeting
    cases:
      - id: a
        title: t
        parameters: {api: [CreateMeeting]}
        steps:
          - {name: s, api: "${params.api}", body: {schedule: {duration: 5}}}
    """)
    (case,) = load_case_file(path)
    body = step_body(case.steps[0], "CreateMeeting")
    assert body["schedule"]["duration"] == 5
    assert body["metaData"] == default_bodies()["CreateMeeting"]["metaData"]


@pytest.mark.parametrize("repeat", ["many", 0, "0", True])
def test_a_bad_repeat_is_a_load_error(tmp_path: Path, repeat: object) -> None:
    value = f'"{repeat}"' if isinstance(repeat, str) else str(repeat).lower()
    path = _write(tmp_path, f"""\
    requirement: bodycontent-limit-000053
    cases:
      - id: a
        title: t
        steps:
          - name: s
            api: GetAPIVersion
            repeat: {value}
    """)
    err = _error(path)
    assert err.line == 8 and err.field == "cases[0].steps[0].repeat"
