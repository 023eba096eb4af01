"""One module per service; each registers its API handlers with :func:`handler`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
    # the validations skipped for this call: the app's second run of an apply fault
    skipped: frozenset[str] = field(default_factory=frozenset)

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
        """A bespoke (hook) fault's switch (faults.py: every other kind is applied by it)."""
        return self.site.fault(name)

    def enforced(self, rule: str) -> bool:
        """Whether validation ``rule`` (faults.RULES) holds for this call: an accept fault
        of the API, or the second run of an apply fault, skips it."""
        skipped = self.site.injection.skips(rule, self.api.name)
        return not skipped and rule not in self.skipped

    def reject(self, rule: str, error: ApiError | tuple[str, ...]) -> None:
        """Validation ``rule`` refuses the request with ``error``, unless a fault skips it
        (then this returns and the request goes on)."""
        if self.enforced(rule):
            err = error if isinstance(error, ApiError) else ApiError(*error)
            err.rule = rule
            raise err

    def setting(self, name: str, default: Any = None) -> Any:
        """A site setting as this API sees it (a setting fault may change it)."""
        return self.site.injection.setting(name, self.api.name,
                                           self.site.settings.get(name, default))


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
    value = email
    if call.fault("email-whitespace-trimmed"):
        value = value.strip()
    if call.fault("email-only-space-checked"):
        bad = " " in value
    else:
        bad = bool(_WS.search(value))
    if bad or "@" not in value:
        call.reject("email", INVALID_EMAIL)


def clean_email(call: Call, email: str | None) -> str | None:
    """The email as the mock stores it after :func:`check_email` let it through."""
    if email is None:
        return None
    return email.strip() if call.fault("email-whitespace-trimmed") else email
