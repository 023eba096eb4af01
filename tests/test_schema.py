"""The XML API schema shipped in the package: generation, validation, placements."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from lxml import etree

from conformance.namespaces import NS
from conformance.schema import (
    SchemaError,
    SchemaPathError,
    inferred_elements,
    placement,
    resolve,
    validate_message,
    xsd_dir,
)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "conformance" / "schema"
sys.path.insert(0, str(ROOT / "scripts"))
import gen_schema  # noqa: E402

HAVE_INPUT = gen_schema.find_input() is not None
NEEDS_INPUT = pytest.mark.skipif(not HAVE_INPUT, reason="Cisco's 2011 XSDs are not at hand "
                                 "(set WEBEX_XSD_DIR, or put them in ../shared/xsd)")


def _response(api_type: str, prefix: str, inner: str, result: str = "SUCCESS") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<serv:message xmlns:serv="{NS['serv']}" xmlns:com="{NS['com']}" xmlns:{prefix}="{NS[prefix]}">
  <serv:header>
    <serv:response>
      <serv:result>{result}</serv:result>
      <serv:gsbStatus>PRIMARY</serv:gsbStatus>
    </serv:response>
  </serv:header>
  <serv:body>
    <serv:bodyContent xsi:type="{api_type}" xmlns:xsi="{NS['xsi']}">
{inner}
    </serv:bodyContent>
  </serv:body>
</serv:message>""".encode()


def _request(xsi_type: str, inner: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<serv:message xmlns:xsi="{NS['xsi']}" xmlns:serv="{NS['serv']}">
  <header>
    <securityContext>
      <webExID>host1</webExID>
      <password>pw</password>
      <siteName>site</siteName>
      <partnerID>p</partnerID>
      <clientInfo>c</clientInfo>
    </securityContext>
  </header>
  <body>
    <bodyContent xsi:type="java:com.webex.service.binding.{xsi_type}">
{inner}
    </bodyContent>
  </body>
</serv:message>""".encode()


GET_USER_CARD = _response("use:getUserCardResponse", "use", """
      <use:avatar>
        <use:url>https://x.webex.com/avatar160.png</use:url>
        <use:lastModifiedTime>1587493389768</use:lastModifiedTime>
        <use:isUploaded>false</use:isUploaded>
      </use:avatar>
      <use:personalMeetingRoom>
        <use:title>Test's Personal Room</use:title>
        <use:personalMeetingRoomURL>https://x.webex.com/meet/Test</use:personalMeetingRoomURL>
        <use:accessCode>713289692</use:accessCode>
      </use:personalMeetingRoom>""")


# -- generation ------------------------------------------------------------------------------
@NEEDS_INPUT
def test_the_checked_in_schema_is_what_the_generator_makes() -> None:
    files = gen_schema.generate(gen_schema.find_input())
    assert gen_schema.stale(PACKAGE / "xsd", files) == [], \
        "stale: run `python scripts/gen_schema.py` and commit conformance/schema/xsd"


def test_the_manifest_matches_the_overlay_and_the_outputs() -> None:
    """Without the 2011 XSDs at hand: an edited overlay or a hand-edited output is stale."""
    manifest = json.loads((PACKAGE / "xsd" / "GENERATED.json").read_text())
    overlay = hashlib.sha256((PACKAGE / "overlay.yaml").read_bytes()).hexdigest()
    assert manifest["overlay_sha256"] == overlay, \
        "overlay.yaml changed: run `python scripts/gen_schema.py`"
    for rel, digest in manifest["outputs_sha256"].items():
        assert hashlib.sha256((PACKAGE / "xsd" / rel).read_bytes()).hexdigest() == digest, rel


@NEEDS_INPUT
def test_a_stale_output_is_detected(tmp_path: Path) -> None:
    out = tmp_path / "xsd"
    shutil.copytree(PACKAGE / "xsd", out)
    user = out / "service" / "user" / "user.xsd"
    user.write_bytes(user.read_bytes().replace(b'name="umSiteAdmin"', b'name="umSiteAdmn"'))
    (out / "extra.xsd").write_text("<x/>")
    code = gen_schema.main(["--check", "--out", str(out)])
    assert code == 1
    problems = gen_schema.stale(out, gen_schema.generate(gen_schema.find_input()))
    assert problems == ["differs: service/user/user.xsd", "not generated: extra.xsd"]


@NEEDS_INPUT
@pytest.mark.parametrize("change, message", [
    ({"after": "noSuchSibling"}, "no sibling 'noSuchSibling'"),
    ({"parent": "use:noSuchType"}, "no complexType use:noSuchType"),
    ({"placement": "guessed"}, "placement must be one of"),
    ({"element": "host"}, "already has 'host'"),
    ({"minOccurs": 1}, "optional (minOccurs 0)"),
    ({"parent": "nope:privilegeType"}, "unknown prefix"),
])
def test_overlay_mistakes_are_named(tmp_path: Path, change: dict, message: str) -> None:
    entry = {"element": "newThing", "type": "xsd:boolean", "parent": "use:privilegeType",
             "apis": ["GetUser"], "release": "40.99.0", "section": "s",
             "placement": "documented", **change}
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(yaml.safe_dump({"additions": [entry]}))
    with pytest.raises(gen_schema.OverlayError, match=re.escape(message)):
        gen_schema.generate(gen_schema.find_input(), overlay)


def test_every_packaged_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["conformance.schema"]
    files = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
             if p.is_file() and p.suffix in (".xsd", ".yaml", ".json")]
    assert len(files) > 15
    for rel in files:
        assert any(fnmatch.fnmatch(rel, pat) and rel.count("/") == pat.count("/")
                   for pat in patterns), rel


def test_the_schema_is_read_from_the_package() -> None:
    assert xsd_dir().resolve() == (PACKAGE / "xsd").resolve()


def test_a_relocated_copy_needs_nothing_outside_the_package(tmp_path: Path) -> None:
    """WEBEX_XSD_DIR unset, the package copied elsewhere: the schema and the fuzz
    strategies' schema fields still work."""
    shutil.copytree(ROOT / "conformance", tmp_path / "conformance",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in ("WEBEX_XSD_DIR", "PYTHONPATH")}
    env["PYTHONPATH"] = str(tmp_path)
    code = (
        "import conformance, json\n"
        "from conformance.fuzzing import xsd\n"
        "from conformance.schema import validate_message, xsd_dir\n"
        "print(json.dumps({'pkg': conformance.__file__, 'xsd': str(xsd_dir()),\n"
        "  'fields': [f.name for f in xsd.request_fields('GetUser')],\n"
        "  'lst': [f.name for f in xsd.request_fields('LstsummaryUser')][:3],\n"
        "  'errors': len(validate_message(open('card.xml','rb').read()))}))\n")
    (tmp_path / "card.xml").write_bytes(GET_USER_CARD)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    got = json.loads(out.stdout)
    assert got["pkg"].startswith(str(tmp_path)) and got["xsd"].startswith(str(tmp_path))
    assert got["fields"] == ["webExId"] and got["lst"] and got["errors"] == 0


# -- validation -------------------------------------------------------------------------------
def test_a_documented_answer_is_valid() -> None:
    assert validate_message(GET_USER_CARD) == []


def test_a_failure_with_an_empty_body_is_valid() -> None:
    msg = _response("use:getUserResponse", "use", "", result="FAILURE")
    msg = re.sub(rb"<serv:bodyContent .*?</serv:bodyContent>", b"<serv:bodyContent/>", msg,
                 flags=re.S)
    assert validate_message(msg) == []


def test_a_request_as_the_samples_send_it_is_valid() -> None:
    msg = _request("ep.LstsummarySession", """
      <listControl><startFrom>1</startFrom><maximumNum>2</maximumNum></listControl>
      <serviceTypes><serviceType>MeetingCenter</serviceType></serviceTypes>
      <returnScheduledPMR>true</returnScheduledPMR>""")
    assert validate_message(msg) == []
    # the same, given as an lxml element
    assert validate_message(etree.fromstring(msg)) == []


def test_an_unknown_element_is_named_with_its_api_line_and_path() -> None:
    msg = GET_USER_CARD.replace(b"<use:isUploaded>false</use:isUploaded>",
                                b"<use:isUploaded>false</use:isUploaded>\n"
                                b"        <use:colour>red</use:colour>")
    (err,) = validate_message(msg)
    assert isinstance(err, SchemaError)
    assert err.api == "GetUserCard"
    assert err.line == msg.decode().splitlines().index(
        "        <use:colour>red</use:colour>") + 1
    assert err.path.endswith("use:avatar/use:colour")
    assert "not expected" in err.message and "GetUserCard" in str(err)


def test_order_namespace_and_required_elements_are_checked() -> None:
    swapped = _response("use:getUserCardResponse", "use", """
      <use:personalMeetingRoom><use:title>t</use:title></use:personalMeetingRoom>
      <use:avatar><use:url>u</use:url></use:avatar>""")
    assert [e.path.rsplit("/", 1)[-1] for e in validate_message(swapped)] == ["use:avatar"]
    missing = _response("ep:getSessionInfoResponse", "ep", "<ep:status>NOT_INPROGRESS</ep:status>")
    (err,) = validate_message(missing)
    assert err.api == "GetSessionInfo" and "Missing child element" in err.message
    training = _response("train:getTrainingSessionResponse", "train", """
      <train:accessControl><train:sessionPassword>x</train:sessionPassword></train:accessControl>
      <train:sessionKey>1</train:sessionKey>""")
    errors = validate_message(training)
    assert errors and "train:accessControl" in errors[0].message


def test_a_request_element_in_the_wrong_case_is_reported() -> None:
    msg = _request("user.GetUser", "<webExID>x</webExID>")
    (err,) = validate_message(msg)
    line = msg.decode().splitlines().index("<webExID>x</webExID>") + 1
    assert err.api == "GetUser" and err.line == line and "webExID" in err.message


def test_a_request_naming_no_api_is_one_clear_error() -> None:
    msg = _request("user.GetNothing", "<webExId>x</webExId>")
    errors = validate_message(msg)
    assert any("names no API" in e.message for e in errors)


@pytest.mark.parametrize("data, words", [
    (b"<serv:message", "not well-formed"),
    (b"", "empty body"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DOCTYPE"),
    (b"<other/>", "not serv:message"),
])
def test_bad_input_is_one_error_not_a_traceback(data: bytes, words: str) -> None:
    (err,) = validate_message(data)
    assert words in err.message


def test_the_compiled_schema_is_cached() -> None:
    from conformance.schema import _schema
    assert _schema() is _schema()


# -- resolve and placement --------------------------------------------------------------------
@pytest.mark.parametrize("api, xpath, side", [
    ("GetUser", "use:privilege/use:umSiteAdmin", "response"),
    ("GetUser", ".//use:cmrHybridVoip", "response"),
    ("GetMeeting", "meet:accessControl/meet:audioPassword", "response"),
    ("GetMeeting", "*[local-name()='meetingUUID' or local-name()='other']", "response"),
    ("GetSite", "site:siteInstance//site:meetingTemplate[site:meetingTemplateName='x']"
                "/site:serviceType", "response"),
    ("GetTrainingSession", "train:metaData/sess:confName", "response"),
    ("LstAccessAnywhereHistory", "history:accessAnyWhereInfo[last()]/history:confID",
     "response"),
    ("GetMeeting", "string(number(../../serv:header/serv:response[1]/serv:reason) + 1)",
     "response"),
    ("GetSessionInfo", "meetingUUID", "request"),
    ("CreateMeeting", "schedule/openTime", "request"),
])
def test_resolve_accepts_what_the_schema_has(api: str, xpath: str, side: str) -> None:
    resolve(api, xpath, side=side)


@pytest.mark.parametrize("api, xpath, words", [
    ("GetUser", "use:privilege/use:umSiteAdmn", "no element use:umSiteAdmn under use:privilege"),
    ("GetTrainingSession", "train:metaData/train:confName", "sess:confName there (namespace!)"),
    ("GetTrainingSession", "train:sessionkey", "no element train:sessionkey"),
    ("GetMeeting", "metaData", "namespace-qualified: write meet:metaData"),
    ("GetMeeting", "meet:metaData/com:confName", "the schema has meet:confName there"),
    ("GetMeeting", "meet:metaData[", "invalid XPath"),
    ("GetMeeting", "nope:metaData", "unknown namespace prefix 'nope'"),
    ("GetMeeting", "frobnicate(meet:metaData)", "invalid XPath"),
    ("GetMeeting", "$x", "invalid XPath"),
    ("GetMeeting", ".//meet:nowhere", "no element meet:nowhere below"),
    ("GetMeeting", "*[local-name()='meetingUUIDs']", "no element meetingUUIDs"),
    ("GetMeeting", "meet:metaData[meet:colour='x']", "no element meet:colour"),
    ("GetMeeting", "", "empty XPath"),
    ("NoSuchApi", "x", "unknown API"),
])
def test_resolve_names_what_the_schema_lacks(api: str, xpath: str, words: str) -> None:
    with pytest.raises(SchemaPathError, match=None) as info:
        resolve(api, xpath)
    assert words in str(info.value)


@NEEDS_INPUT
def test_an_addition_inside_a_later_addition_waits_for_it(tmp_path: Path) -> None:
    """A parent path through an element another addition adds (GetSite's
    siteCommonOptions/ConsistentLockedLobby) is applied once that element exists; a path
    through an element nothing adds is still named."""
    common = {"apis": ["GetSite"], "release": "40.99.0", "section": "s",
              "placement": "inferred"}
    inner = {"element": "innerThing", "type": "xsd:boolean",
             "parent": "site:siteType/newGroup", **common}
    outer = {"element": "newGroup", "parent": "site:siteType", **common,
             "children": [{"element": "first", "type": "xsd:boolean", "minOccurs": 0}]}
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(yaml.safe_dump({"additions": [inner, outer]}))
    site = gen_schema.generate(gen_schema.find_input(), overlay)["service/site/site.xsd"]
    assert b'name="innerThing"' in site
    overlay.write_text(yaml.safe_dump({"additions": [inner]}))
    with pytest.raises(gen_schema.OverlayError, match="no element 'newGroup'"):
        gen_schema.generate(gen_schema.find_input(), overlay)


def test_placements_of_the_overlay() -> None:
    assert placement("cmrHybridVoip", "GetUser") == "inferred"
    assert placement("displayName", "CreateUser") == "inferred"
    assert placement("meetingTemplates", "GetSite") == "documented"
    assert placement("meetingTemplateName", "GetSite") == "documented"
    assert placement("externalAttendeeSecurity", "GetMeeting") == "documented"
    assert placement("webExId", "GetUser") is None  # Cisco's 2011 XSD
    assert ("cmrHybridVoip", "SetUser") in inferred_elements()
    assert placement("ConsistentLockedLobby", "GetSite") == "inferred"
    assert placement("contactID", "LstContact") == "inferred"


def test_every_overlay_entry_records_its_source() -> None:
    doc = yaml.safe_load((PACKAGE / "overlay.yaml").read_text())
    entries = doc["additions"] + doc["types"]
    assert len(doc["additions"]) > 60
    for entry in entries:
        assert entry["placement"] in ("documented", "inferred")
        assert entry["release"] and entry["section"] and entry["apis"]
    # the 40.11.0 elements whose schema change is only an image
    for name in ("cmrHybridVoip", "displayName"):
        assert {e["placement"] for e in doc["additions"] if e["element"] == name} == \
            {"inferred"}


def test_a_case_naming_an_unknown_element_is_a_collection_error(
        pytester: pytest.Pytester) -> None:
    pytester.makefile(".ini", pytest="[pytest]\ntestpaths = cases\nconformance_cases = cases\n")
    (pytester.path / "cases").mkdir()
    (pytester.path / "cases" / "bad.yaml").write_text(
        "requirement: envelope\n"
        "cases:\n  - id: a\n    title: t\n    steps:\n      - name: s\n"
        "        api: GetUser\n        body: {webExId: x}\n"
        "        expect: {equals: {use:privilege/use:colour: red}}\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 4, result.stdout.str()
    out = result.stdout.str()
    assert "bad.yaml:9" in out and "use:colour" in out and "Traceback" not in out
