"""Unit tests for conformance.cases: load_case_file, step_body and render."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conformance.cases import (
    Case,
    Step,
    TemplateError,
    case_files,
    default_bodies,
    load_case_file,
    render,
    step_body,
)
from conformance.catalogue import catalogue
from conformance.errors import CaseDefinitionError

HEAD = """\
requirement: private-meeting
# A case file names its requirement; its title, since, source and APIs come from the
# catalogue (conformance/data/requirements.yaml). These comment lines keep the line
# numbers of the tests below where they were when the file carried those fields.
#
#
"""


def _write(tmp_path: Path, text: str, name: str = "case-file.yaml") -> Path:
    """Write a case file; whatever follows the common ``HEAD`` is dedented."""
    if text.startswith(HEAD):
        text = HEAD + textwrap.dedent(text[len(HEAD):])
    else:
        text = textwrap.dedent(text)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line(path: Path, marker: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line containing ``marker``."""
    seen = 0
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if marker in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{marker!r} not in {path}")


def _error(path: Path) -> CaseDefinitionError:
    with pytest.raises(CaseDefinitionError) as info:
        load_case_file(path)
    return info.value


def _assert_names(err: CaseDefinitionError, path: Path, line: int, field: str | None) -> None:
    text = str(err)
    assert path.name in text, text
    assert f"{path}:{line}" in text, text
    assert err.path == str(path)
    assert err.line == line, text
    if field is not None:
        assert field in text, text


# -- a valid file -----------------------------------------------------------------------------

VALID = HEAD + """\
# (the APIs come from the catalogue)
defaults:
  requires: [site_admin]
  hazards: [email]
  parameters:
    duration: [15, 30]
cases:
  - id: create-and-get
    title: Create then get
    parameters:
      kind: [a, b, c]
    steps:
      - name: create
        api: CreateMeeting
        role: setup
        body:
          schedule:
            duration: "${params.duration}"
        save:
          key: meet:meetingkey
        expect:
          result: SUCCESS
      - name: get
        api: GetMeeting
        as: host
        body:
          meetingKey: "${key}"
        expect:
          result: FAILURE
          exceptionID: "060001"
  - id: plain
    title: Without own parameters
    apis: [GetSite]
    requires: [second_user, site_admin]
    steps:
      - name: site
        api: GetSite
        defaults: false
"""


def test_valid_file_expands_to_the_cartesian_product(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID)
    cases = load_case_file(path)
    assert all(isinstance(c, Case) for c in cases)
    first = [c for c in cases if c.id == "create-and-get"]
    assert len(first) == 6
    assert [c.params for c in first] == [
        {"duration": d, "kind": k} for d in (15, 30) for k in ("a", "b", "c")]
    assert [c.full_id for c in first] == [
        f"private-meeting::create-and-get[{d}-{k}]" for d in (15, 30) for k in ("a", "b", "c")]
    plain = [c for c in cases if c.id == "plain"]
    assert [c.params for c in plain] == [{"duration": 15}, {"duration": 30}]
    assert len(cases) == 8


def test_valid_file_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID)
    cases = load_case_file(path)
    case = cases[0]
    assert case.requirement == "private-meeting"
    assert case.title == "Create then get"
    requirement = catalogue()["private-meeting"]
    assert case.since == requirement.since  # from the catalogue
    assert case.source == requirement.source
    assert case.apis == requirement.apis
    assert case.requires == ("site_admin",)
    assert case.hazards == ("email",)
    assert case.path == str(path)
    assert case.line == _line(path, "- id: create-and-get")
    create, get = case.steps
    assert isinstance(create, Step)
    assert create.name == "create" and create.api == "CreateMeeting"
    assert create.role == "setup" and create.as_ == "admin" and create.use_defaults
    assert create.save == {"key": "meet:meetingkey"}
    assert create.expect == {"result": "SUCCESS"}
    assert create.line == _line(path, "- name: create")
    assert get.as_ == "host" and get.role == "check"
    assert get.expect == {"result": "FAILURE", "exceptionID": "060001"}
    plain = cases[-1]
    assert plain.apis == ("GetSite",)  # its own list wins
    assert plain.requires == ("site_admin", "second_user")  # merged, de-duplicated, defaults first
    assert plain.steps[0].use_defaults is False
    assert plain.line == _line(path, "- id: plain")
    # the steps are plain containers (no line-number subclasses leak out)
    assert type(create.expect) is dict and type(create.save) is dict


def test_parameter_lists_without_any_parameters(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: only
        title: t
        steps:
          - name: s
            api: GetSite
    """)
    (case,) = load_case_file(path)
    assert case.params == {}
    assert case.full_id == "private-meeting::only"
    assert case.apis == catalogue()["private-meeting"].apis
    assert case.requires == () and case.hazards == ()


def test_templated_api_name_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: each
        title: t
        parameters:
          api: [GetSite, GetUser]
        steps:
          - name: s
            api: "${params.api}"
    """)
    assert [c.params["api"] for c in load_case_file(path)] == ["GetSite", "GetUser"]


def test_saved_value_can_be_used_by_later_steps(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: chain
        title: t
        steps:
          - name: create
            api: CreateUser
            save: {uid: "use:userId"}
          - name: get
            api: GetUser
            body: {webExId: "${uid}"}
            expect: {equals: {"use:userId": "${uid}"}}
    """)
    (case,) = load_case_file(path)
    assert case.steps[1].body == {"webExId": "${uid}"}


# -- malformed files --------------------------------------------------------------------------

def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    bogus: 1
    cases:
      - id: a
        title: t
        steps:
          - name: s
            api: GetSite
    """)
    err = _error(path)
    text = str(err)
    assert path.name in text
    assert "bogus" in text
    assert "unknown field" in text


def test_unknown_top_level_key_names_its_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    bogus: 1
    cases:
      - id: a
        title: t
        steps:
          - name: s
            api: GetSite
    """)
    err = _error(path)
    assert err.line == _line(path, "bogus: 1")
    assert err.field == "bogus"


def test_unknown_step_key_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        steps:
          - name: s
            api: GetSite
            expct: {result: SUCCESS}
    """)
    err = _error(path)
    assert "expct" in str(err)
    assert err.line == _line(path, "expct:")


def test_unknown_step_key_names_the_step(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        steps:
          - name: s
            api: GetSite
            expct: {result: SUCCESS}
    """)
    err = _error(path)
    assert "expct" in str(err)
    assert err.field == "cases[0].steps[0].expct"
    assert path.name in str(err)


def test_missing_steps(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: no-steps
        title: t
    """)
    err = _error(path)
    _assert_names(err, path, _line(path, "- id: no-steps"), "cases[0]")
    assert "'steps' is a required property" in str(err)


def test_empty_steps(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: no-steps
        title: t
        steps: []
    """)
    err = _error(path)
    _assert_names(err, path, _line(path, "steps: []"), "cases[0].steps")


@pytest.mark.parametrize("code", ["040014", "030001", "000015"])
def test_unquoted_exception_id_says_to_quote_it(tmp_path: Path, code: str) -> None:
    path = _write(tmp_path, HEAD + f"""\
    cases:
      - id: a
        title: t
        steps:
          - name: s
            api: GetSite
            expect:
              result: FAILURE
              exceptionID: {code}
    """)
    err = _error(path)
    _assert_names(err, path, _line(path, "exceptionID:"),
                  "cases[0].steps[0].expect.exceptionID")
    assert err.field == "cases[0].steps[0].expect.exceptionID"
    assert "write it in quotes" in str(err)
    assert "must be a string" in str(err)


def test_quoted_exception_id_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        steps:
          - name: s
            api: GetSite
            expect: {result: FAILURE, exceptionID: "040014"}
    """)
    (case,) = load_case_file(path)
    assert case.steps[0].expect["exceptionID"] == "040014"


def test_unknown_api_in_a_step(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        steps:
          - name: first
            api: GetSite
          - name: second
            api: GetNothing
    """)
    err = _error(path)
    _assert_names(err, path, _line(path, "api: GetNothing"), "cases[0].steps[1].api")
    assert "unknown API 'GetNothing'" in str(err)


@pytest.mark.parametrize(("where", "marker"), [
    ("body:\n              webExId: \"${nope}\"", "webExId:"),
    ("xml: \"<webExId>${nope}</webExId>\"", "xml:"),
    ("expect:\n              value: \"${nope}\"", "value:"),
], ids=["body", "xml", "expect"])
def test_unknown_template_variable(tmp_path: Path, where: str, marker: str) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        steps:
          - name: s
            api: GetUser
            WHERE
    """.replace("WHERE", where))
    err = _error(path)
    _assert_names(err, path, _line(path, marker), "cases[0].steps[0]")
    assert "${nope}" in str(err)
    assert "unknown template value" in str(err)


def test_unknown_parameter_in_a_template(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        parameters: {size: [1]}
        steps:
          - name: s
            api: GetUser
            body: {webExId: "${params.nope}"}
    """)
    err = _error(path)
    _assert_names(err, path, _line(path, "body:"), "cases[0].steps[0].body.webExId")


def test_saved_value_used_before_it_is_saved(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        steps:
          - name: s
            api: GetUser
            body: {webExId: "${uid}"}
            save: {uid: "use:userId"}
    """)
    err = _error(path)
    _assert_names(err, path, _line(path, "body:"), "cases[0].steps[0].body.webExId")
    assert "${uid}" in str(err)


def test_step_with_both_body_and_xml(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        steps:
          - name: both
            api: GetSite
            body: {siteName: x}
            xml: "<siteName>x</siteName>"
    """)
    err = _error(path)
    text = str(err)
    assert path.name in text
    assert "cases[0].steps[0]" in text
    assert "body" in text and "xml" in text
    assert err.line in (_line(path, "- name: both"), _line(path, "body:"), _line(path, "xml:"))
    assert f":{err.line}:" in text


def test_duplicate_case_id(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: twin
        title: first
        steps:
          - name: s
            api: GetSite
      - id: twin
        title: second
        steps:
          - name: s
            api: GetSite
    """)
    err = _error(path)
    _assert_names(err, path, _line(path, "- id: twin", occurrence=2), "cases[1].id")
    assert "duplicate case id 'twin'" in str(err)


def test_invalid_yaml_syntax(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t: x
        steps:
          - name: s
            api: GetSite
    """)
    err = _error(path)
    _assert_names(err, path, _line(path, "title: t: x"), None)
    assert "not valid YAML" in str(err)


def test_invalid_yaml_unclosed_flow(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: [t
    """)
    err = _error(path)
    assert path.name in str(err)
    assert "not valid YAML" in str(err)
    assert err.line is not None and err.line >= _line(path, "title: [t")


@pytest.mark.parametrize(("body", "key"), [
    ("            api: GetSite\n            api: GetUser\n", "api"),
    ("            api: GetSite\n            body: {a: 1, a: 2}\n", "a"),
], ids=["step-key", "flow-key"])
def test_duplicate_mapping_key(tmp_path: Path, body: str, key: str) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        steps:
          - name: s
    """.rstrip(" ") + body)
    err = _error(path)
    marker = "api: GetUser" if key == "api" else "body:"
    _assert_names(err, path, _line(path, marker), key)
    assert f"duplicate key '{key}'" in str(err)
    assert err.field == key


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "requirement: again\ncases: []\n")
    err = _error(path)
    _assert_names(err, path, _line(path, "requirement: again"), "requirement")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just a string\n"],
                         ids=["empty", "list", "scalar"])
def test_file_that_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    err = _error(path)
    assert path.name in str(err)
    assert "must be a mapping" in str(err)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    err = _error(path)
    assert "absent.yaml" in str(err) and "cannot read" in str(err)


def test_error_is_a_case_definition_error_not_a_yaml_error(tmp_path: Path) -> None:
    import yaml

    path = _write(tmp_path, "a: [\n")
    with pytest.raises(CaseDefinitionError) as info:
        load_case_file(path)
    assert not isinstance(info.value, yaml.YAMLError)


# -- step_body --------------------------------------------------------------------------------

def _one_step(tmp_path: Path, step_yaml: str) -> Step:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        steps:
          - name: s
    """.rstrip(" ") + textwrap.indent(textwrap.dedent(step_yaml), " " * 12))
    (case,) = load_case_file(path)
    return case.steps[0]


def test_step_body_without_a_body_is_the_default(tmp_path: Path) -> None:
    step = _one_step(tmp_path, "api: CreateMeeting\n")
    assert step_body(step) == default_bodies()["CreateMeeting"]


def test_step_body_merges_the_default_with_the_step(tmp_path: Path) -> None:
    step = _one_step(tmp_path, """\
    api: CreateMeeting
    body:
      accessControl: null
      metaData:
        confName: "Mine"
        agenda: "Added"
      schedule:
        duration: 60
        timeZoneID: null
      remind: [{enableReminder: true}, {enableReminder: false}]
    """)
    default = default_bodies()["CreateMeeting"]
    body = step_body(step)
    assert "accessControl" not in body  # null removes a key
    assert body["metaData"] == {"confName": "Mine",
                                "meetingType": default["metaData"]["meetingType"],
                                "agenda": "Added"}
    assert body["schedule"] == {"startDate": default["schedule"]["startDate"],
                                "duration": 60}
    assert body["remind"] == [{"enableReminder": True}, {"enableReminder": False}]
    # the order of the default is kept (it follows the XSD); new keys come last
    assert list(body) == ["metaData", "schedule", "remind"]
    assert list(body["metaData"]) == ["confName", "meetingType", "agenda"]
    # and the shared default is untouched
    assert "accessControl" in default and default["schedule"]["duration"] == 30
    assert default["schedule"]["timeZoneID"] == 20


def test_step_body_null_for_an_absent_key_is_harmless(tmp_path: Path) -> None:
    step = _one_step(tmp_path, "api: CreateContact\nbody: {nothing: null}\n")
    assert step_body(step) == default_bodies()["CreateContact"]


def test_step_body_without_defaults(tmp_path: Path) -> None:
    step = _one_step(tmp_path, "api: CreateMeeting\ndefaults: false\nbody: {tracking: 1}\n")
    assert step_body(step) == {"tracking": 1}
    step = _one_step(tmp_path, "api: CreateMeeting\ndefaults: false\n")
    assert step_body(step) == {}


def test_step_body_of_an_api_without_a_default(tmp_path: Path) -> None:
    assert "GetUser" not in default_bodies()
    step = _one_step(tmp_path, "api: GetUser\nbody: {webExId: ana}\n")
    body = step_body(step)
    assert body == {"webExId": "ana"}
    assert type(body) is dict


def test_step_body_xml_is_returned_as_is(tmp_path: Path) -> None:
    step = _one_step(tmp_path, 'api: CreateMeeting\nxml: "<metaData/>"\n')
    assert step_body(step) == "<metaData/>"


def test_step_body_of_a_templated_api_has_no_default(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + """\
    cases:
      - id: a
        title: t
        parameters: {api: [CreateMeeting]}
        steps:
          - name: s
            api: "${params.api}"
            body: {tracking: 1}
    """)
    (case,) = load_case_file(path)
    assert step_body(case.steps[0]) == {"tracking": 1}


def test_step_body_is_independent_of_the_cached_defaults(tmp_path: Path) -> None:
    step = _one_step(tmp_path, "api: CreateMeeting\nbody: {schedule: {duration: 45}}\n")
    body = step_body(step)
    assert body["metaData"] is not default_bodies()["CreateMeeting"]["metaData"]


def test_bodies_yaml_covers_known_apis() -> None:
    from conformance.apis import APIS

    assert set(default_bodies()) <= set(APIS)


# -- render -----------------------------------------------------------------------------------

CONTEXT = {
    "a": {"b": "bee", "n": 7, "flag": False, "items": [1, 2], "nested": {"c": {"d": "deep"}}},
    "uid": "wxc001",
    "now": lambda: "01/02/2030 10:00:00",
    "none": None,
}


def test_render_resolves_dotted_paths() -> None:
    assert render("${a.b}", CONTEXT) == "bee"
    assert render("${a.nested.c.d}", CONTEXT) == "deep"
    assert render("${ a.b }", CONTEXT) == "bee"


def test_render_whole_string_keeps_the_type() -> None:
    assert render("${a.n}", CONTEXT) == 7
    assert render("${a.flag}", CONTEXT) is False
    assert render("${a.items}", CONTEXT) == [1, 2]
    assert render("${a.nested}", CONTEXT) == {"c": {"d": "deep"}}
    assert render("${none}", CONTEXT) is None


def test_render_embedded_templates_become_text() -> None:
    assert render("n=${a.n}", CONTEXT) == "n=7"
    assert render("${uid}-${a.b}", CONTEXT) == "wxc001-bee"
    assert render("${a.flag}!", CONTEXT) == "False!"


def test_render_calls_callables() -> None:
    assert render("${now}", CONTEXT) == "01/02/2030 10:00:00"
    assert render("at ${now}", CONTEXT) == "at 01/02/2030 10:00:00"


def test_render_recurses_into_containers_and_keeps_other_values() -> None:
    value = {"x": ["${a.n}", "id ${uid}", 3, None, True], "y": {"z": "${a.b}"}, "k": 1.5}
    assert render(value, CONTEXT) == {"x": [7, "id wxc001", 3, None, True], "y": {"z": "bee"},
                                      "k": 1.5}


def test_render_leaves_the_input_untouched() -> None:
    value = {"x": ["${a.b}"]}
    render(value, CONTEXT)
    assert value == {"x": ["${a.b}"]}


def test_render_text_without_templates() -> None:
    assert render("plain $ {not} $a", CONTEXT) == "plain $ {not} $a"


@pytest.mark.parametrize("template", ["${missing}", "${a.missing}", "${a.b.c}", "x ${nope} y"])
def test_render_unknown_value(template: str) -> None:
    with pytest.raises(TemplateError, match="is not available") as info:
        render(template, CONTEXT)
    assert isinstance(info.value, CaseDefinitionError)


# -- the XML API schema at collection ---------------------------------------------------------
def _schema_case(tmp_path: Path, step: str, parameters: str = "") -> Path:
    body = textwrap.indent(textwrap.dedent(step), " " * 8)
    params = f"    parameters: {parameters}\n" if parameters else ""
    return _write(tmp_path, HEAD + "cases:\n  - id: a\n    title: t\n" + params
                  + "    steps:\n      - name: s\n" + body)


@pytest.mark.parametrize(("step", "marker", "field", "words"), [
    ("api: GetUser\nbody: {webExId: x}\nexpect:\n  equals: {use:privilege/use:umSiteAdmn: true}\n",
     "umSiteAdmn", "cases[0].steps[0].expect.equals.use:privilege/use:umSiteAdmn",
     "no element use:umSiteAdmn under use:privilege"),
    ("api: GetUser\nbody: {webExId: x}\ninfo:\n  present: [\"use:privilege[\"]\n",
     "use:privilege[", "cases[0].steps[0].info.present[0]", "invalid XPath"),
    ("api: GetUser\nbody: {webExId: x}\nsave: {k: use:webExID}\n",
     "save:", "cases[0].steps[0].save.k", "no element use:webExID"),
    ("api: GetTrainingSession\nbody: {sessionKey: 1}\nexpect:\n  equals: {train:sessionkey: 1}\n",
     "train:sessionkey", "cases[0].steps[0].expect.equals.train:sessionkey",
     "no element train:sessionkey"),
    ("api: GetUser\nbody: {webExId: x}\nexpect:\n  each: {absent: [use:nothing]}\n",
     "absent", "cases[0].steps[0].expect.each.absent[0]", "no element use:nothing"),
    ("api: SetMeeting\nbody:\n  meetingKey: 1\n", "body:", "cases[0].steps[0].body",
     "no request element meetingKey for SetMeeting"),
    ("api: CreateUser\nbody: {privilege: {hots: true}}\n", "body:", "cases[0].steps[0].body",
     "no request element privilege/hots"),
])
def test_a_path_the_schema_lacks_is_a_case_definition_error(
        tmp_path: Path, step: str, marker: str, field: str, words: str) -> None:
    path = _schema_case(tmp_path, step)
    err = _error(path)
    _assert_names(err, path, _line(path, marker), field)
    assert words in str(err)


def test_what_the_schema_has_is_accepted_with_defaults_and_templates(tmp_path: Path) -> None:
    path = _schema_case(tmp_path, """\
    api: CreateMeeting
    body: {metaData: {agenda: "${case.uid}"}, schedule: {openTime: 900}}
    expect:
      result: SUCCESS
      equals: {"*[local-name()='meetingkey'][. != '${case.uid}']": "1"}
    save: {k: meet:meetingkey}
    """)
    (case,) = load_case_file(path)
    assert case.inferred == ()


def test_a_templated_api_resolves_per_parameter_value(tmp_path: Path) -> None:
    step = """\
    api: "${params.api.name}"
    body: {meetingKey: 1}
    expect: {equals: {"${params.api.key}": 1}}
    """
    good = "{api: [{name: GetMeeting, key: meet:meetingkey}, " \
           "{name: GethosturlMeeting, key: meet:hostMeetingURL}]}"
    assert len(load_case_file(_schema_case(tmp_path, step, good))) == 2
    bad = "{api: [{name: GetMeeting, key: meet:meetingkey}, " \
          "{name: GethosturlMeeting, key: meet:meetingkey}]}"
    err = _error(_schema_case(tmp_path, step, bad))
    assert "GethosturlMeeting" in str(err) and "meet:meetingkey" in str(err)
    assert "${params.api.key}" in str(err)  # the field names the templated key


def test_an_inferred_parent_may_not_be_pinned_by_a_gating_check(tmp_path: Path) -> None:
    pinned = _schema_case(tmp_path, """\
    api: GetUser
    body: {webExId: x}
    expect: {equals: {use:privilege/use:cmrHybridVoip: true}}
    """)
    err = _error(pinned)
    _assert_names(err, pinned, _line(pinned, "cmrHybridVoip"),
                  "cases[0].steps[0].expect.equals.use:privilege/use:cmrHybridVoip")
    assert "only infers" in str(err) and ".//prefix:cmrHybridVoip" in str(err)
    # anywhere in the answer: the server's own placement is taken
    anywhere = _schema_case(tmp_path, """\
    api: GetUser
    body: {webExId: x}
    expect: {equals: {.//use:cmrHybridVoip: true}}
    """)
    (case,) = load_case_file(anywhere)
    assert case.inferred == ()
    # under info it is reported, not refused
    info = _schema_case(tmp_path, """\
    api: GetUser
    body: {webExId: x}
    info: {equals: {use:privilege/use:cmrHybridVoip: true}}
    """)
    (case,) = load_case_file(info)
    (use,) = case.inferred
    assert (use.api, use.element, use.block) == ("GetUser", "cmrHybridVoip", "info")
    assert use.line == _line(info, "cmrHybridVoip")


def test_inferred_request_elements_are_reported(tmp_path: Path) -> None:
    path = _schema_case(tmp_path, """\
    api: SetUser
    body: {webExId: x, privilege: {cmrHybridVoip: true}}
    expect: {result: SUCCESS}
    """)
    (case,) = load_case_file(path)
    (use,) = case.inferred
    assert use.block == "body" and use.field.endswith("body.privilege.cmrHybridVoip")


def test_every_case_of_the_suite_resolves() -> None:
    root = Path(__file__).resolve().parents[1] / "cases"
    for path in case_files(root):
        assert load_case_file(path), path
