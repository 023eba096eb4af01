"""The fuzzing strategies: arguments checked up front, values as documented."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from conformance.envelope import Credentials
from conformance.fuzzing import properties, xsd
from conformance.fuzzing import strategies as cst
from conformance.mock.state import REGISTRATION_FIELDS
from conformance.xmlsafe import parse_xml

FAST = settings(max_examples=60, deadline=None, database=None)
CREDS = Credentials("mocksite", "siteadmin", "secret-pw")


@pytest.mark.parametrize("make", [
    lambda: cst.whitespace_emails(kinds=[]),
    lambda: cst.whitespace_emails(kinds=["x"]),
    lambda: cst.whitespace_emails(positions=["middle"]),
    lambda: cst.whitespace_emails(max_whitespace=0),
    lambda: cst.whitespace_emails(domain=""),
    lambda: cst.valid_emails(domain="a b"),
    lambda: cst.person_names(script="klingon"),
    lambda: cst.start_offsets(guard=timedelta(0)),
    lambda: cst.start_offsets(guard=timedelta(days=2), max_distance=timedelta(days=1)),
    lambda: cst.registration_subsets(fields=["nickname"]),
    lambda: cst.registration_subsets(min_size=11),
    lambda: cst.bodycontent_counts(min_count=0),
    lambda: cst.bodycontent_counts(min_count=3, max_count=2),
    lambda: cst.xsi_type_spellings("NoSuchApi"),
    lambda: cst.bodies("NoSuchApi"),
    lambda: cst.envelopes(apis=[]),
    lambda: cst.mutated(b""),
    lambda: cst.mutated(b"<x/>", kinds=["explode"]),
])
def test_bad_arguments_fail_up_front(make) -> None:
    with pytest.raises(InvalidArgument):
        make()


@FAST
@given(email=cst.whitespace_emails())
def test_whitespace_emails_contain_documented_whitespace(email: str) -> None:
    found = cst.whitespace_in(email)
    assert found and all(c in cst.WHITESPACE_CHARS for _, c in found)
    assert email.replace(" ", "").replace("\t", "").replace("\n", "").replace("\r", "") \
        .endswith(".example.com") and "@" in email


@FAST
@given(email=cst.whitespace_emails(domain=properties.EMAIL_DOMAIN))
def test_whitespace_never_splits_the_domain_the_checks_search_for(email: str) -> None:
    assert "${case.uid}.example.com" in email


@FAST
@given(email=cst.valid_emails())
def test_valid_emails_have_no_whitespace(email: str) -> None:
    assert not cst.whitespace_in(email) and email.count("@") == 1


@FAST
@given(name=cst.person_names(script="asian"))
def test_asian_names_are_asian(name: str) -> None:
    assert all(any(lo <= ord(c) <= hi for lo, hi in cst.ASIAN_RANGES) for c in name)


@FAST
@given(offset=cst.start_offsets())
def test_start_offsets_keep_clear_of_now(offset: timedelta) -> None:
    assert timedelta(minutes=10) < abs(offset) <= timedelta(days=30)


@FAST
@given(fields=cst.registration_subsets())
def test_registration_subsets(fields: frozenset[str]) -> None:
    assert fields <= set(REGISTRATION_FIELDS)


@FAST
@given(envelope=cst.envelopes(apis=properties.read_only_apis(), max_bodies=3))
def test_envelopes_are_well_formed_requests(envelope: cst.Envelope) -> None:
    data = envelope.build(CREDS)
    root = parse_xml(data)
    assert root.tag == "{http://www.webex.com/schemas/2002/06/service}message"
    assert root.prefix == envelope.serv_prefix
    assert len(root.findall("body/bodyContent")) == len(envelope.bodies)
    assert data.startswith(f"<?xml version='1.0' encoding='{envelope.encoding}'?>".encode())


@FAST
@given(data=st.data())
def test_mutations_change_the_message(data: st.DataObject) -> None:
    base = cst.Envelope(tuple(data.draw(cst.bodies("GetUser")) for _ in range(1))).build(CREDS)
    assert isinstance(data.draw(cst.mutated(base)), bytes)


def test_xsd_drives_the_payloads() -> None:
    # the packaged schema (conformance/schema): always there, nothing outside the package
    assert xsd.xsd_root() is not None
    assert [f.name for f in xsd.request_fields("GetUser")] == ["webExId"]
    fields = {f.name: f for f in xsd.request_fields("LstsummaryUser")}
    assert fields["active"].kind == "enum" and "ACTIVATED" in fields["active"].values
    assert xsd.sequence_of("personType")[:3] == ("name", "firstName", "lastName")


def test_person_body_follows_the_schema_order() -> None:
    body = properties.person_body({"fax": "1", "title": "Dr", "city": "X", "postalCode": "9"},
                                  name="李", email="a@b.c")
    assert list(body) == ["name", "title", "address", "phones", "email", "type"]
    assert body["address"] == {"city": "X", "zipCode": "9"}
    assert body["phones"] == {"fax": "1"}


def test_email_cases_cover_every_email_api() -> None:
    from conformance.mock.faults import EMAIL_APIS
    covered = {c.params.get("api") or c.apis[0] for c in properties.email_cases()}
    assert covered == set(EMAIL_APIS)
