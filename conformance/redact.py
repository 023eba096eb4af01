"""Secret hygiene: passwords, session tickets, access tokens and JWTs are replaced by
value (wherever they appear) and by position (securityContext elements, ``password``
elements anywhere, the ``JWTToken`` header) before anything is logged or reported."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape

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
