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


class Redactor:
    """Knows the secrets of a run and masks them."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        for s in secrets:
            if s and len(s) >= 3:
                escaped = escape(s, quote=False)
                # as written in XML text: lxml writes a carriage return as &#13;
                self._secrets.update({s, escaped, escaped.replace("\r", "&#13;")})

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
        value = _POSITION.sub(lambda m: m.group(1) + MASK + m.group(4), value)
        for secret in sorted(self._secrets, key=len, reverse=True):
            value = value.replace(secret, MASK)
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {k: (MASK if k.lower() in SECRET_HEADERS else self.text(v))
                for k, v in headers.items()}
