"""The mock's faults as data (conformance/mock/faults.py): each fault declared once with its
kind, applied by kind in one place; the few bespoke hooks asked by name only where they say;
an unknown fault, rule or declaration mistake is an error."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from conformance.envelope import Body, Credentials, build_message
from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE, MockApp, Site
from conformance.mock import faults as F
from conformance.mock.faults import FAULTS, RULES, Fault, Injection
from conformance.response import parse_message

MOCK = Path(F.__file__).resolve().parent
ADMIN = Credentials(DEFAULT_SITE, *DEFAULT_ADMIN)


def _app(*faults: str) -> MockApp:
    app = MockApp()
    app.site.set_faults(list(faults))
    return app


def _call(app: MockApp, *bodies: Body, credentials: Credentials = ADMIN):
    return parse_message(app.handle(build_message(credentials, list(bodies))))


def _future(hours: int = 24) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%m/%d/%Y %H:%M:%S")


def _meeting(app: MockApp, **access: str) -> str:
    body = {"metaData": {"confName": "faults", "meetingType": 168},
            "schedule": {"startDate": _future(), "timeZoneID": 20}}
    if access:
        body["accessControl"] = access
    msg = _call(app, Body("CreateMeeting", body))
    assert msg.first.result == "SUCCESS", msg.first.reason
    return msg.first.text("meet:meetingkey")


# -- the declarations ------------------------------------------------------------------------
def test_every_fault_is_declared_with_what_its_kind_needs() -> None:
    assert len(FAULTS) > 120
    for fault in FAULTS.values():
        assert fault.kind in F.KINDS, fault.name
        if fault.kind in (F.DROP, F.REPLACE, F.IGNORE):
            assert fault.paths, fault.name
        if fault.kind in (F.ACCEPT, F.APPLY):
            assert fault.rule in RULES, fault.name
        if fault.kind == F.SETTING:
            assert fault.setting, fault.name
        if fault.kind == F.HOOK:
            assert fault.where and not fault.apis and not fault.paths, fault.name


def test_hooks_are_few() -> None:
    hooks = [f.name for f in FAULTS.values() if f.kind == F.HOOK]
    assert len(hooks) * 4 <= len(FAULTS), hooks  # bespoke logic stays the exception


def test_setting_faults_name_settings_of_the_mock_site() -> None:
    site = Site()
    for fault in FAULTS.values():
        if fault.kind == F.SETTING:
            assert fault.setting in site.settings or hasattr(site, fault.setting), fault.name


@pytest.mark.parametrize("fault, message", [
    (Fault("x", "envelope", "d", kind="sometimes"), "kind 'sometimes' is none of"),
    (Fault("x", "envelope", "d", kind=F.DROP), "a drop fault needs a path"),
    (Fault("x", "envelope", "d", kind=F.DROP, paths=("meet:[",)), "invalid XPath"),
    (Fault("x", "envelope", "d", kind=F.REPLACE, paths=("meet:a",)), "needs a value"),
    (Fault("x", "envelope", "d", kind=F.ACCEPT, rule="nope"), "unknown rule 'nope'"),
    (Fault("x", "envelope", "d", kind=F.SETTING), "names the setting"),
    (Fault("x", "envelope", "d"), "says where its logic lives"),
])
def test_a_declaration_mistake_is_named(fault: Fault, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        F._check(fault)


# -- names: unknown ones are errors; data faults are never asked for by name --------------
def test_an_unknown_fault_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Site().set_faults(["no-such-fault"])
    with pytest.raises(ValueError, match="unknown fault"):
        Injection(["private-flag-missing", "no-such-fault"])
    site = Site()
    site.set_faults(["private-flag-missing"])
    assert site.faults == {"private-flag-missing"}


def test_asking_for_a_data_fault_by_name_is_an_error() -> None:
    site = Site()
    with pytest.raises(ValueError, match="drop fault"):
        site.fault("private-flag-missing")
    assert site.fault("batch-answered-once") is False
    with pytest.raises(KeyError):
        site.fault("no-such-fault")
    with pytest.raises(ValueError, match="unknown rule"):
        site.injection.skips("no-such-rule", "GetUser")


def _named_in_code() -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """Per module of the mock (faults.py aside): the names given to ``fault(...)``, the
    rules given to ``reject``/``enforced``/``skips``, and every string constant."""
    hooks: dict[str, set[str]] = {}
    rules: dict[str, set[str]] = {}
    strings: set[str] = set()
    for path in sorted(MOCK.rglob("*.py")):
        if path.name == "faults.py":
            continue
        where = path.relative_to(MOCK).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.args and isinstance(node.args[0], ast.Constant):
                if node.func.attr == "fault":
                    hooks.setdefault(where, set()).add(node.args[0].value)
                if node.func.attr in ("reject", "enforced", "skips", "applied_anyway"):
                    rules.setdefault(where, set()).add(node.args[0].value)
    return hooks, rules, strings


def test_each_hook_is_asked_for_where_it_is_declared_and_nowhere_else() -> None:
    hooks, _, _ = _named_in_code()
    declared = {f.name: f.where.split()[0] for f in FAULTS.values() if f.kind == F.HOOK}
    asked = {name: where for where, names in hooks.items() for name in names}
    assert asked == declared


def test_every_rule_is_checked_and_no_other() -> None:
    _, rules, _ = _named_in_code()
    assert set().union(*rules.values()) == set(RULES)


def test_no_data_fault_is_named_in_the_mock_code() -> None:
    _, _, strings = _named_in_code()
    data = {f.name for f in FAULTS.values() if f.kind != F.HOOK}
    assert strings & data == set()


# -- each kind, applied ----------------------------------------------------------------------
def test_drop_leaves_an_element_out_of_the_listed_apis_only() -> None:
    for faults, present in (((), True), (("private-flag-missing",), False),
                            (("private-flag-in-lists-missing",), True)):
        app = _app(*faults)
        key = _meeting(app)
        msg = _call(app, Body("GetMeeting", {"meetingKey": key}))
        assert bool(msg.first.xpath("meet:isPrivateMeeting")) is present, faults
        lists = _call(app, Body("LstsummarySession", {}))
        in_list = bool(lists.first.xpath("ep:session/ep:isPrivateMeeting"))
        assert in_list is (not faults), faults


def test_drop_when_the_request_says_so() -> None:
    app = _app("given-password-not-returned")
    given = _call(app, Body("CreateMeeting", {
        "accessControl": {"meetingPassword": "Given1234"},
        "metaData": {"confName": "given"}, "schedule": {"startDate": _future()}}))
    assert given.first.xpath("meet:meetingPassword") == []
    generated = _call(app, Body("CreateMeeting", {
        "metaData": {"confName": "generated"}, "schedule": {"startDate": _future()}}))
    assert generated.first.text("meet:meetingPassword")


def test_drop_and_replace_in_the_response_header() -> None:
    app = _app("failure-without-exception-id")
    msg = _call(app, Body("GetUser", {"webExId": "nobody-here"}))
    assert msg.first.result == "FAILURE" and msg.first.exception_id is None
    names = [child.tag.rpartition("}")[2] for child in msg.first.header]
    assert names == ["result", "reason", "gsbStatus"]


def test_replace_a_text_and_an_attribute() -> None:
    app = _app("private-flag-always-false", "wrong-response-type")
    key = _meeting(app)
    answer = etree.fromstring(app.handle(build_message(ADMIN, [
        Body("GetMeeting", {"meetingKey": key})])))
    flag = answer.find(".//{*}isPrivateMeeting")
    assert flag is not None and flag.text == "false"
    content = answer.find(".//{*}bodyContent")
    assert content.get(f"{{{F.NS['xsi']}}}type") == "meet:genericResponse"


def test_replace_with_a_function_of_the_answer() -> None:
    app = _app("audio-password-not-numeric")
    key = _meeting(app, meetingPassword="Abc12345")
    msg = _call(app, Body("GetMeeting", {"meetingKey": key}))
    assert msg.first.text("meet:accessControl/meet:audioPassword") == "Abc12345"


def test_ignore_strips_the_request_before_the_handler() -> None:
    app = _app("um-site-admin-ignored")
    created = _call(app, Body("CreateUser", {
        "firstName": "U", "lastName": "M", "webExId": "umfault", "password": "Passw0rd-1!",
        "email": "umfault@example.com", "privilege": {"umSiteAdmin": True}}))
    assert created.first.result == "SUCCESS", created.first.reason
    msg = _call(app, Body("LstsummaryUser", {"webExId": "umfault"}))
    assert msg.first.text("use:user/use:privilege/use:umSiteAdmin") == "false"


def test_strip_matches_local_names_case_insensitively_and_at_any_depth() -> None:
    content = etree.fromstring(
        '<c xmlns:m="urn:m"><m:meetingUuid>1</m:meetingUuid>'
        '<a><MeetingUUID>2</MeetingUUID><b>3</b></a><privilege><umSiteAdmin/></privilege></c>')
    assert F._strip(content, "//meetingUUID") == 2
    assert F._strip(content, "privilege/UMSITEADMIN") == 1
    assert etree.tostring(content) == b'<c xmlns:m="urn:m"><a><b>3</b></a><privilege/></c>'


def test_accept_skips_a_validation_for_its_apis() -> None:
    past = (datetime.now(UTC) - timedelta(hours=2)).strftime("%m/%d/%Y %H:%M:%S")
    body = {"metaData": {"confName": "past"}, "schedule": {"startDate": past}}
    assert _call(_app(), Body("CreateMeeting", body)).first.exception_id == "060016"
    assert _call(_app("past-start-accepted"), Body("CreateMeeting", body)).first.result \
        == "SUCCESS"
    accepted = _app("email-whitespace-accepted:CreateContact")
    bad = {"contact": {"name": "x", "email": " a@example.com"}}
    assert _call(accepted, Body("CreateContact", bad)).first.result == "SUCCESS"
    assert _call(accepted, Body("CreateUser", {
        "webExId": "ws1", "password": "Passw0rd-1!", "email": " a@example.com"})
    ).first.result == "FAILURE"  # another API: still enforced


def test_apply_lands_the_rejected_change_and_answers_the_failure() -> None:
    bad = {"contact": {"name": "applied", "email": "a b@example.com"}}
    for faults, listed in (((), False), (("email-rejected-but-applied",), True)):
        app = _app(*faults)
        msg = _call(app, Body("CreateContact", bad))
        assert msg.first.result == "FAILURE" and msg.first.exception_id == "999101"
        contacts = _call(app, Body("LstContact", {}))
        assert (contacts.first.result == "SUCCESS") is listed, faults


def test_setting_changes_what_the_listed_apis_see() -> None:
    app = _app("auto-password-not-generated")
    created = _call(app, Body("CreateMeeting", {
        "metaData": {"confName": "nopw"}, "schedule": {"startDate": _future()}}))
    assert created.first.xpath("meet:meetingPassword") == []
    site = _call(app, Body("GetSite", {}))  # the site still says passwords are required
    assert site.first.text("site:siteInstance/site:securityOptions/site:allMeetingsPassword") \
        == "true"


def test_a_message_level_setting_and_accept() -> None:
    bodies = [Body("GetAPIVersion")] * 3
    assert _call(_app(), *bodies).first.result == "SUCCESS"
    small = _call(_app("bodycontent-limit-rejects-small-batch"), *bodies)
    assert small.first.exception_id == "000053"
    many = [Body("GetAPIVersion")] * 11
    assert _call(_app(), *many).first.exception_id == "000053"
    assert len(_call(_app("bodycontent-limit-not-enforced"), *many).responses) == 11
    wrong = _call(_app("bodycontent-limit-wrong-exception"), *many)
    assert wrong.first.exception_id == "000000"
