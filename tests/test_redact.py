"""Unit tests for conformance.redact.Redactor."""

from __future__ import annotations

import pytest

from conformance.envelope import Body, Credentials, build_message
from conformance.redact import MASK, Redactor

# -- by value ---------------------------------------------------------------------------------


def test_secret_anywhere_in_text_is_masked() -> None:
    r = Redactor(["Hunter2pw"])
    out = r.text("log: user logged in with Hunter2pw; again:Hunter2pwHunter2pw.")
    assert "Hunter2pw" not in out
    assert out == f"log: user logged in with {MASK}; again:{MASK}{MASK}."


def test_secret_inside_arbitrary_elements_and_attributes_is_masked() -> None:
    r = Redactor(["tok-123456"])
    out = r.text('<confName>tok-123456</confName><a href="https://x/?t=tok-123456"/>')
    assert "tok-123456" not in out
    assert out.count(MASK) == 2


def test_xml_escaped_form_of_a_secret_is_masked() -> None:
    password = "P&ss<w>rd"
    r = Redactor([password])
    # as lxml writes it inside an element that is not a known secret position
    out = r.text("<note>P&amp;ss&lt;w&gt;rd</note> and raw P&ss<w>rd")
    assert "P&amp;ss" not in out and "P&ss" not in out
    assert out == f"<note>{MASK}</note> and raw {MASK}"
    assert password in r.secrets and "P&amp;ss&lt;w&gt;rd" in r.secrets


def test_escaped_secret_in_a_built_request_is_masked() -> None:
    password = "a&b<c>d"
    creds = Credentials("acme", webex_id="admin", password=password)
    data = build_message(creds, [Body("GetUser", {"webExId": "admin", "echo": password})])
    assert b"a&amp;b&lt;c&gt;d" in data
    out = Redactor(creds.secrets()).text(data)
    assert "a&amp;b" not in out and "a&b" not in out
    assert "<echo>" + MASK + "</echo>" in out


def test_bytes_are_decoded() -> None:
    r = Redactor(["s3cr3t"])
    assert r.text(b"<x>s3cr3t</x>") == f"<x>{MASK}</x>"
    assert r.text("caf\u00e9 s3cr3t".encode()) == f"caf\u00e9 {MASK}"


def test_none_gives_an_empty_string() -> None:
    assert Redactor().text(None) == ""


def test_longer_secrets_are_masked_before_their_prefixes() -> None:
    r = Redactor(["abc", "abcdef"])
    assert r.text("abcdef abc") == f"{MASK} {MASK}"


def test_secrets_can_be_added_later() -> None:
    r = Redactor()
    assert r.text("later-secret") == "later-secret"
    r.add("later-secret", None)
    assert r.text("later-secret") == MASK


def test_text_without_secrets_is_unchanged() -> None:
    r = Redactor(["s3cr3t"])
    text = "<serv:message><header/><body>nothing to hide &amp; here</body></serv:message>"
    assert r.text(text) == text


# -- by position ------------------------------------------------------------------------------

@pytest.mark.parametrize("element", ["password", "sessionTicket", "webExAccessToken"])
@pytest.mark.parametrize("prefix", ["", "serv:", "use:", "ns1:", "my-ns.x:"])
def test_secret_positions_are_masked_with_any_prefix(element: str, prefix: str) -> None:
    r = Redactor()  # the value is not a known secret
    text = f"<a><{prefix}{element}>not-registered-value</{prefix}{element}><b>keep</b></a>"
    out = r.text(text)
    assert "not-registered-value" not in out
    assert out == f"<a><{prefix}{element}>{MASK}</{prefix}{element}><b>keep</b></a>"


@pytest.mark.parametrize("element", ["meetingPassword", "hostKey", "accessToken", "JWTToken"])
def test_other_secret_positions(element: str) -> None:
    out = Redactor().text(f"<{element}>123456</{element}>")
    assert out == f"<{element}>{MASK}</{element}>"


def test_position_with_attributes_and_multiline_value() -> None:
    out = Redactor().text('<serv:password xsi:nil="false">\n  line1\n  line2\n</serv:password>')
    assert "line1" not in out and "line2" not in out
    assert out == f'<serv:password xsi:nil="false">{MASK}</serv:password>'


def test_every_occurrence_is_masked_and_neighbours_are_kept() -> None:
    text = ("<securityContext><webExID>admin</webExID><password>one</password>"
            "<siteName>acme</siteName></securityContext>"
            "<bodyContent><password>two</password><webExId>ana</webExId></bodyContent>")
    out = Redactor().text(text)
    assert "one" not in out and "two" not in out
    assert out.count(MASK) == 2
    for kept in ("<webExID>admin</webExID>", "<siteName>acme</siteName>",
                 "<webExId>ana</webExId>"):
        assert kept in out


def test_similar_element_names_are_not_positions() -> None:
    text = "<passwordHint>keep1</passwordHint><newpassword>keep2</newpassword>"
    assert Redactor().text(text) == text


def test_empty_and_self_closing_positions() -> None:
    assert Redactor().text("<password></password>") == f"<password>{MASK}</password>"
    assert Redactor().text("<password/><b>keep</b>") == "<password/><b>keep</b>"


def test_request_built_by_the_envelope_is_fully_redacted() -> None:
    creds = Credentials("acme", webex_id="admin", password="Pw!12345",
                        session_ticket="TICKET-abc", access_token="AT-xyz")
    data = build_message(creds, [Body("CreateUser", {"webExId": "u1", "password": "NewPw!99"})])
    out = Redactor(creds.secrets()).text(data)
    for secret in ("Pw!12345", "TICKET-abc", "AT-xyz", "NewPw!99"):
        assert secret not in out
    assert "<siteName>acme</siteName>" in out
    assert "<webExId>u1</webExId>" in out


# -- headers ----------------------------------------------------------------------------------

def test_secret_headers_are_masked_case_insensitively() -> None:
    r = Redactor(["s3cr3t"])
    headers = {"JWTToken": "eyJ.a.b", "authorization": "Bearer abc", "Cookie": "sid=1",
               "Set-Cookie": "sid=2", "jwttoken": "x", "AUTHORIZATION": "Basic Zm9v",
               "Content-Type": "text/xml;charset=UTF-8", "X-Echo": "value s3cr3t"}
    out = r.headers(headers)
    assert set(out) == set(headers)
    for name in ("JWTToken", "authorization", "Cookie", "Set-Cookie", "jwttoken",
                 "AUTHORIZATION"):
        assert out[name] == MASK
    assert out["Content-Type"] == "text/xml;charset=UTF-8"
    assert out["X-Echo"] == f"value {MASK}"


def test_headers_leave_the_input_untouched() -> None:
    headers = {"JWTToken": "eyJ.a.b"}
    Redactor().headers(headers)
    assert headers == {"JWTToken": "eyJ.a.b"}


def test_headers_from_jwt_credentials_are_masked() -> None:
    creds = Credentials("acme", jwt="eyJhbGciOiJIUzI1NiJ9.e30.sig")
    out = Redactor(creds.secrets()).headers({"Content-Type": "text/xml",
                                             **creds.http_headers()})
    assert out == {"Content-Type": "text/xml", "JWTToken": MASK}


# -- short strings ----------------------------------------------------------------------------

@pytest.mark.parametrize("short", ["", "a", "ab"])
def test_short_strings_are_not_registered(short: str) -> None:
    r = Redactor([short, None])
    assert r.secrets == frozenset()
    text = "a ab abc banana"
    assert r.text(text) == text


def test_three_characters_are_registered() -> None:
    r = Redactor(["abc"])
    assert "abc" in r.secrets
    assert r.text("xabcx") == f"x{MASK}x"


def test_secrets_is_a_frozen_snapshot() -> None:
    r = Redactor(["secret1"])
    snapshot = r.secrets
    assert isinstance(snapshot, frozenset)
    r.add("secret2")
    assert "secret2" not in snapshot and "secret2" in r.secrets


# -- known defect -----------------------------------------------------------------------------

def test_non_ascii_secret_in_a_latin1_body_is_masked() -> None:
    r = Redactor(["P\u00e4ssw\u00f6rd1"])
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><note>P\u00e4ssw\u00f6rd1</note>'
    out = r.text(body.encode("latin-1"))
    assert "ssw" not in out


def test_self_closing_secret_element_does_not_swallow_the_rest() -> None:
    text = "<password /><other>visible</other><password>s3cr3t-x</password>"
    out = Redactor().text(text)
    assert "visible" in out and "s3cr3t-x" not in out


def test_secret_with_carriage_return_is_masked_as_xml_writes_it() -> None:
    r = Redactor(["ab\rcd-secret"])
    assert "cd-secret" not in r.text("<note>ab&#13;cd-secret</note>")


def test_strip_userinfo_removes_every_urls_credentials_from_a_text() -> None:
    from conformance.redact import strip_userinfo
    text = ("redirect from https://svc:S3cret@a.example/x to HTTP://tok@b.example/y; "
            "mail admin@example.com")
    assert strip_userinfo(text) == ("redirect from https://a.example/x to HTTP://b.example/y; "
                                    "mail admin@example.com")
