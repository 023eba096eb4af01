"""conformance.cases: a case's own ``since`` and mapping-valued parameters
(``${params.NAME.FIELD}``), as the meeting-uuid cases use them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conformance.cases import load_case_file, render
from conformance.errors import CaseDefinitionError

HEAD = """\
requirement: meeting-uuid
# title, since (40.6.0) and source come from the catalogue
#
#
"""


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "case-file.yaml"
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


def test_a_case_may_carry_its_own_since(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    cases:
      - id: old
        title: t
        steps: [{name: s, api: GetSite}]
      - id: newer
        title: t
        since: 40.10.0
        steps: [{name: s, api: GetSite}]
    """)
    assert {c.id: c.since for c in load_case_file(path)} == {"old": "40.6.0",
                                                              "newer": "40.10.0"}


def test_a_malformed_case_since_names_its_field(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    cases:
      - id: newer
        title: t
        since: soon
        steps: [{name: s, api: GetSite}]
    """)
    with pytest.raises(CaseDefinitionError) as err:
        load_case_file(path)
    assert err.value.field == "cases[0].since"
    assert err.value.line == 8


def test_mapping_parameters_are_read_by_field_and_named_by_id(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    cases:
      - id: lookup
        title: t
        parameters:
          api:
            - {id: GetMeeting, name: GetMeeting, key: meet:meetingkey}
            - {name: GetSessionInfo, key: ep:sessionkey}
        steps:
          - name: s
            api: "${params.api.name}"
            body: {meetingUUID: x}
            expect:
              equals: {"${params.api.key}": "1"}
    """)
    cases = load_case_file(path)
    # `id` names the combination; without one, the first value does
    assert [c.full_id for c in cases] == ["meeting-uuid::lookup[GetMeeting]",
                                          "meeting-uuid::lookup[GetSessionInfo]"]
    context = {"params": cases[1].params}
    assert render(cases[1].steps[0].api, context) == "GetSessionInfo"
    assert render(cases[1].steps[0].expect, context) == {"equals": {"ep:sessionkey": "1"}}


def test_an_unknown_parameter_is_still_refused_with_a_field_path(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
    cases:
      - id: lookup
        title: t
        parameters:
          api: [{id: a, name: GetMeeting}]
        steps:
          - name: s
            api: "${params.other.name}"
    """)
    with pytest.raises(CaseDefinitionError, match="params.other.name"):
        load_case_file(path)
