"""Saved fuzz failures: the envelope is written in its own encoding without the password,
and conformance.replay fills the credentials in again and sends it."""

from __future__ import annotations

from pathlib import Path

from conformance.envelope import Body, Credentials, build_message
from conformance.fuzzing.harness import Failure, FuzzSession, _encode_like_declared
from conformance.redact import Redactor
from conformance.replay import fill_credentials, main
from conformance.target import TargetConfig, TargetSession
from conformance.xmlsafe import parse_xml

SECRET = "S3cret-Pw!"


def _saved(tmp_path: Path, encoding: str) -> Path:
    data = build_message(Credentials("mocksite", "siteadmin", SECRET),
                         [Body("CreateContact", {"contact": {"name": "Müller 李",
                                                             "email": " a@b.example.com"}})],
                         encoding=encoding)
    text = Redactor([SECRET]).text(data)
    path = tmp_path / f"saved-{encoding}.xml"
    path.write_bytes(_encode_like_declared(text))
    return path


def test_saved_envelope_keeps_encoding_and_value_but_not_the_password(tmp_path: Path) -> None:
    for encoding in ("UTF-8", "ISO-8859-1"):
        raw = _saved(tmp_path, encoding).read_bytes()
        assert SECRET.encode() not in raw
        root = parse_xml(raw)
        assert root.findtext("body/bodyContent/contact/name") == "Müller 李"
        assert root.findtext("body/bodyContent/contact/email") == " a@b.example.com"
        filled = fill_credentials(raw, site_name="s", webex_id="u", password="p")
        assert filled.startswith(f"<?xml version='1.0' encoding='{encoding}'?>".encode())
        again = parse_xml(filled)
        assert [e.text for e in again.find("header/securityContext")] == ["u", "p", "s"]
        assert again.findtext("body/bodyContent/contact/name") == "Müller 李"


def test_replay_against_the_mock(tmp_path: Path, capsys) -> None:
    path = _saved(tmp_path, "ISO-8859-1")
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "answer 1: FAILURE" in out and "Adm1n-Passw0rd!" not in out
    assert main([str(path), "--faults", "email-whitespace-accepted:CreateContact"]) == 0
    assert "answer 1: SUCCESS" in capsys.readouterr().out
    # the old spelling stays an alias; several faults are comma-separated, as in pytest
    assert main([str(path), "--fault", "email-whitespace-accepted:CreateContact"]) == 0
    assert "answer 1: SUCCESS" in capsys.readouterr().out
    assert main([str(path), "--faults",
                 "private-flag-missing,email-whitespace-accepted:CreateContact"]) == 0
    assert "answer 1: SUCCESS" in capsys.readouterr().out


def test_replay_usage_errors(tmp_path: Path, capsys, monkeypatch) -> None:
    for name in ("WEBEX_SITE_NAME", "WEBEX_ID", "WEBEX_PASSWORD", "WEBEX_XMLAPI_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main([str(tmp_path / "missing.xml")]) == 4
    path = _saved(tmp_path, "UTF-8")
    assert main([str(path), "--url", "http://127.0.0.1:9/x"]) == 4
    assert "WEBEX_PASSWORD" in capsys.readouterr().err
    assert main([str(path), "--faults", "no-such-fault"]) == 4
    (tmp_path / "junk.xml").write_bytes(b"not xml")
    assert main([str(tmp_path / "junk.xml")]) == 4
    monkeypatch.setenv("WEBEX_SITE_NAME", "s")
    monkeypatch.setenv("WEBEX_ID", "u")
    monkeypatch.setenv("WEBEX_PASSWORD", "p-secret")
    assert main([str(path), "--url", "http://127.0.0.1:9/x", "--timeout", "2"]) == 6
    assert "p-secret" not in capsys.readouterr().out


def test_save_writes_xml_json_and_the_command(tmp_path: Path) -> None:
    target = TargetSession(TargetConfig(faults=["past-start-accepted"]))
    try:
        fuzz = FuzzSession(target, reports=tmp_path)
        request = Redactor([target.admin.password]).text(
            build_message(target.admin, [Body("GetSite")]))
        path, command = fuzz.save("test_x[a b]", Failure("m", ["d"], request,
                                                         example={"k": frozenset({"b", "a"})}),
                                  requirement="envelope")
        assert path == tmp_path / "fuzz" / "test_x-a-b.xml" and path.is_file()
        assert command == f"python -m conformance.replay {path} --faults past-start-accepted " \
                          "[--url URL]"
        assert target.admin.password not in path.read_text("utf-8")
        assert '"k": [\n      "a",\n      "b"\n    ]' in (path.with_suffix(".json")).read_text()
    finally:
        target.close()


def test_fuzz_rate_spaces_calls() -> None:
    """--conformance-fuzz-rate: calls per minute, on the run's shared limiter."""
    import time
    target = TargetSession(TargetConfig())
    try:
        fuzz = FuzzSession(target, calls_per_minute=600)  # one call per 0.1 s
        assert fuzz.limiter.rate == 10
        start = time.monotonic()
        for _ in range(4):
            fuzz.limiter.acquire()
        assert time.monotonic() - start >= 0.29
        assert FuzzSession(target, calls_per_minute=None).limiter.rate is None  # unlimited
    finally:
        target.close()
