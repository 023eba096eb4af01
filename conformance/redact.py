"""Secret hygiene: passwords, session tickets, access tokens and JWTs are replaced by
value (wherever they appear) and by position (securityContext elements, ``password``
elements anywhere, the ``JWTToken`` header) before anything is logged or reported.

The target URL can carry secrets too (``https://svc:SECRET@host/...?apikey=SECRET2``): its
userinfo and its query values are secrets like the password (:func:`url_secrets`), and the
URL is shown only as :func:`redact_url` writes it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape
from urllib.parse import unquote, unquote_plus

MASK = "********"
SECRET_ELEMENTS = ("password", "sessionTicket", "webExAccessToken", "accessToken",
                   "JWTToken", "meetingPassword", "hostKey")
SECRET_HEADERS = {"jwttoken", "authorization", "cookie", "set-cookie"}
_POSITION = re.compile(
    r"(<(?:[\w.-]+:)?(" + "|".join(SECRET_ELEMENTS) + r")(?:\s[^>]*)?(?<!/)>)(.*?)(</(?:[\w.-]+:)?\2\s*>)",
    re.DOTALL)
# A cheap first look: only a text naming a secret element can need the positional pass.
_HINT = re.compile("|".join(SECRET_ELEMENTS))


class Redactor:
    """Knows the secrets of a run and masks them."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self._ordered: list[str] = []
        self._patterns: list[str] = []
        self._family: re.Pattern[str] | None = None
        self.add(*secrets)

    def add_pattern(self, pattern: str) -> None:
        """A family of secrets by regular expression (the run's generated passwords: one
        pattern instead of one more secret per case, so that masking costs the same at
        the thousandth case as at the first)."""
        if pattern not in self._patterns:
            self._patterns.append(pattern)
            self._family = re.compile("|".join(f"(?:{p})" for p in self._patterns))

    @property
    def patterns(self) -> tuple[str, ...]:
        return tuple(self._patterns)

    def add(self, *secrets: str | None) -> None:
        for s in secrets:
            if s and len(s) >= 3:
                escaped = escape(s, quote=False)
                # as written in XML text: lxml writes a carriage return as &#13;
                self._secrets.update({s, escaped, escaped.replace("\r", "&#13;")})
        # longest first, so that a secret containing another is masked whole
        self._ordered = sorted(self._secrets, key=len, reverse=True)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def text(self, value: str | bytes | None) -> str:
        if value is None:
            return ""
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:  # the service also answers in ISO-8859-1
                value = value.decode("iso-8859-1")
        if _HINT.search(value):
            value = _POSITION.sub(lambda m: m.group(1) + MASK + m.group(4), value)
        for secret in self._ordered:
            if secret in value:
                value = value.replace(secret, MASK)
        if self._family is not None:
            value = self._family.sub(MASK, value)
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {k: (MASK if k.lower() in SECRET_HEADERS else self.text(v))
                for k, v in headers.items()}


#: where the target URL comes from, as secrets and messages name it
URL_SETTING = "--conformance-url / WEBEX_XMLAPI_URL"
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<authority>[^/?#]*)"
                  r"(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?P<fragment>#.*)?$", re.DOTALL)


def _split(url: str) -> tuple[str, str | None, str, str, str | None, str]:
    """scheme://, userinfo (None: no @), host[:port], path, query (None: no ?), #fragment;
    by text, so that a URL urllib refuses (a bad port) is split all the same."""
    found = _URL.match(url)
    assert found is not None  # every part is optional: the pattern matches any string
    userinfo, at, hostport = found.group("authority").rpartition("@")
    return (found.group("scheme") or "", userinfo if at else None, hostport,
            found.group("path"), found.group("query"), found.group("fragment") or "")


def _query_items(query: str) -> list[tuple[str, str, bool]]:
    """(name, value as written, has '=') of each item of a query string."""
    items = []
    for item in query.split("&"):
        if item:
            name, eq, value = item.partition("=")
            items.append((name, value, bool(eq)))
    return items


def url_secrets(url: str | None) -> dict[str, str]:
    """The secrets inside a target URL, by where they are (the names may be printed, the
    values never): the password of the userinfo (the whole userinfo when it has no
    password: a token) and every query value (an item without ``=`` counts as a value);
    each decoded, and also as written (percent-encoded) when that differs."""
    if not url:
        return {}
    _, userinfo, _, _, query, _ = _split(url)
    found: list[tuple[str, str, str]] = []  # label, as written, decoded
    if userinfo:
        user, colon, password = userinfo.partition(":")
        if colon and password:
            found.append((f"the password in the userinfo of {URL_SETTING}", password,
                          unquote(password)))
        elif user and not colon:
            found.append((f"the userinfo (a token) of {URL_SETTING}", user, unquote(user)))
    for name, value, has_value in _query_items(query or ""):
        if has_value and value:
            found.append((f"the value of query parameter '{unquote_plus(name)}' of "
                          f"{URL_SETTING}", value, unquote_plus(value)))
        elif not has_value:
            found.append((f"a query item (without '=') of {URL_SETTING}", name,
                          unquote_plus(name)))
    out: dict[str, str] = {}
    for label, written, decoded in found:
        for form, key in ((decoded, label), (written, label + " (as written)")):
            if form in out.values():
                continue
            unique, n = key, 2
            while unique in out:
                unique, n = f"{key} #{n}", n + 1
            out[unique] = form
    return out


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]*@")


def strip_userinfo(text: str) -> str:
    """``text`` with the ``user:password@`` of every URL in it removed (a redirect's
    Location, a proxy's address inside an error message)."""
    return _USERINFO.sub(r"\1", text)


def redact_url(url: str | None) -> str:
    """The URL as it may be shown: the userinfo's password (or token) and every query value
    masked; scheme, user name, host, port, path and fragment kept."""
    if not url:
        return url or ""
    scheme, userinfo, hostport, path, query, fragment = _split(url)
    shown = scheme
    if userinfo is not None:
        user, colon, _ = userinfo.partition(":")
        shown += (f"{user}:{MASK}" if colon else MASK if user else "") + "@"
    shown += hostport + path
    if query is not None:
        shown += "?" + "&".join(f"{name}={MASK}" if has_value else MASK
                                for name, _, has_value in _query_items(query))
    return shown + fragment
