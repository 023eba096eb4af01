"""One module per service; each registers its API handlers with :func:`handler`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from ...apis import Api, get_api
from ..req import Req
from ..state import Site, User
from ..wire import ACCESS_DENIED, INVALID_EMAIL, ApiError


@dataclass
class Call:
    site: Site
    caller: User | None
    via: str  # password | ticket | token | jwt | anonymous
    req: Req
    api: Api

    def require_caller(self) -> User:
        if self.caller is None:
            raise ApiError(*ACCESS_DENIED)
        return self.caller

    def require_admin(self) -> User:
        user = self.require_caller()
        if not user.site_admin:
            raise ApiError(*ACCESS_DENIED)
        return user

    def fault(self, name: str) -> bool:
        return self.site.fault(name)


Handler = Callable[[Call], "list[etree._Element | None]"]
HANDLERS: dict[str, tuple[Api, Handler, bool]] = {}


def handler(name: str, *, anonymous: bool = False) -> Callable[[Handler], Handler]:
    """Register the handler of API ``name``; ``anonymous`` lets callers without
    credentials through (the handler decides what they may see)."""
    api = get_api(name)

    def register(func: Handler) -> Handler:
        HANDLERS[name] = (api, func, anonymous)
        return func
    return register


_WS = re.compile(r"\s")


def check_email(call: Call, email: str | None) -> None:
    """email-whitespace (40.8.0): an email containing whitespace is rejected."""
    if email is None:
        return
    site, api = call.site, call.api.name
    if site.fault(f"email-whitespace-accepted:{api}"):
        return
    value = email
    if site.fault("email-whitespace-trimmed"):
        value = value.strip()
    if site.fault("email-only-space-checked"):
        bad = " " in value
    else:
        bad = bool(_WS.search(value))
    if bad or "@" not in value:
        raise ApiError(*INVALID_EMAIL)


def clean_email(call: Call, email: str | None) -> str | None:
    """The email as the mock stores it after :func:`check_email` let it through."""
    if email is None:
        return None
    return email.strip() if call.site.fault("email-whitespace-trimmed") else email
