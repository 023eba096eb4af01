"""Reusing deactivated users instead of creating new ones.

The XML API cannot delete a user: DelUser deactivates it, and each run used to leave one
deactivated user per case that creates a user. A run now reactivates the deactivated
users of earlier runs (matched by the prefix family: ``wxc`` + 5 letters or digits + the
case number + ``u``, the names :func:`conformance.target.new_prefix` and the runner give)
and reuses them, before creating new ones; and a user one of its cases deactivated at its
end serves a later case of the same process.

Only a case that needs *some* user gets a reused one: its CreateUser is a set-up step with
the default body, nothing saved and only ``result: SUCCESS`` expected
(:func:`reusable_step`). A case that checks CreateUser itself (what it stores, what it
refuses, the welcome email) always creates a brand-new user.

A reused user is made to look like a new one with one SetUser: the CreateUser body's names,
email, password and privileges, ``active`` ACTIVATED, the PMR enabled, and ``newWebExId``:
the case's own name, so that every later step, the case's clean-up and the run's leak
check find it under this run's prefix. A GetUser then checks it: anything not as asked
(an email change waiting for confirmation, a rename the site refused) puts the user back
and the case creates its own.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .envelope import Body
from .errors import TargetError
from .sweep import KINDS, list_kind

#: the names the suite gives the users its cases create: run prefix, case number, "u"
FAMILY = re.compile(r"^wxc[a-z0-9]{5}\d{3,}u$", re.IGNORECASE)
#: candidates tried for one case before it creates its own user
TRIES = 2


def in_family(webex_id: str) -> bool:
    return bool(FAMILY.match(webex_id.strip()))


def reusable_step(step: Any, api: str) -> bool:
    """A CreateUser that only provides a user for the case (a set-up step with the default
    body, nothing saved from its answer, only SUCCESS expected), so a reused user serves
    as well as a new one."""
    expect = dict(step.expect or {})
    return (api == "CreateUser" and step.role == "setup" and not step.body
            and step.xml is None and step.use_defaults and not step.save
            and not step.info and step.repeat is None and step.as_ == "admin"
            and set(expect) <= {"result"}
            and str(expect.get("result", "SUCCESS")).upper() == "SUCCESS")


@dataclass
class Reuse:
    """What one attempt came to: ``reused`` (the user is the case's now), ``refused``
    (nothing changed; try another or create), or ``stuck`` (the user has the case's name
    but is not as asked, and could not be put back: the case cannot create its own)."""

    status: str
    old: str
    detail: str = ""
    exchange: Any = None
    message: Any = None


@dataclass
class UserPool:
    """The deactivated users one process of a run may reuse: those its own cases
    deactivated at their end, then those of earlier runs (listed once, on first need;
    never the run's own users from the listing: their cases may be in progress on another
    worker)."""

    prefix: str
    listed: list[str] | None = None                                 # None: not listed yet
    released: list[str] = field(default_factory=list)
    reused: list[tuple[str, str]] = field(default_factory=list)   # (old name, new name)
    refused: list[str] = field(default_factory=list)               # "old name: why"
    list_error: str | None = None

    def _own(self, webex_id: str) -> bool:
        return webex_id.lower().startswith(self.prefix.lower())

    def _list(self, target: Any) -> list[str]:
        kind = next(k for k in KINDS if k.kind == "user")
        try:
            found = list_kind(target, kind, lambda name: in_family(name)
                              and not self._own(name))
        except TargetError as exc:
            self.list_error = str(exc)
            return []
        ids = [f.key for f in found if not f.active]
        random.shuffle(ids)  # the workers of one run try different users first
        return ids

    def candidates(self, target: Any, limit: int = TRIES) -> Iterator[str]:
        """Up to ``limit`` users to try, each given out once."""
        for _ in range(limit):
            if self.released:
                yield self.released.pop()
                continue
            if self.listed is None:
                self.listed = self._list(target)
            if not self.listed:
                return
            yield self.listed.pop()

    def release(self, webex_id: str) -> None:
        """A user this process deactivated at the end of its case: a later case may have
        it."""
        if in_family(webex_id) and webex_id not in self.released:
            self.released.append(webex_id)

    def summary(self) -> dict[str, Any]:
        return {"reused": [f"{old} as {new}" for old, new in self.reused],
                "refused": list(self.refused), "list_error": self.list_error}


def reuse_body(old: str, create: dict[str, Any]) -> dict[str, Any]:
    """The SetUser that makes ``old`` the user ``create`` (a rendered CreateUser body)
    would have made."""
    privilege = dict(create.get("privilege") or {})
    privilege["isEnablePMR"] = True  # a personal room, as a new user has
    body = {"webExId": old}
    for key in ("firstName", "lastName", "email", "password"):
        if create.get(key) is not None:
            body[key] = create[key]
    body["privilege"] = privilege
    body["active"] = "ACTIVATED"
    body["newWebExId"] = create["webExId"]
    return body


def _as_asked(response: Any, create: dict[str, Any]) -> str | None:
    """None when GetUser shows the user as ``create`` asks; else what differs."""
    if not response.ok:
        return f"GetUser answered {response.summary()}"
    for key, path in (("firstName", "use:firstName"), ("lastName", "use:lastName"),
                      ("email", "use:email")):
        want = create.get(key)
        got = (response.text(path) or "").strip()
        if want is not None and got != str(want).strip():
            return f"{key} is {got!r}, not {want!r}"
    active = (response.text("use:active") or "").strip().upper()
    if active != "ACTIVATED":
        return f"active is {active or 'absent'!r}, not ACTIVATED"
    return None


def reuse(target: Any, old: str, create: dict[str, Any]) -> Reuse:
    """Make the deactivated user ``old`` the case's user (``create``: the rendered
    CreateUser body). A :class:`TargetError` is raised as it is (the SetUser may have been
    carried out: the caller keeps the case's name in its ledger)."""
    new = str(create["webExId"])
    ex, msg = target.call(target.admin, [Body("SetUser", reuse_body(old, create))],
                          idempotent=False)
    if not msg.first.ok:
        return Reuse("refused", old, f"SetUser answered {msg.first.summary()}")
    _, got = target.call(target.admin, [Body("GetUser", {"webExId": new})], idempotent=True)
    problem = _as_asked(got.first, create)
    if problem is None:
        return Reuse("reused", old, exchange=ex, message=msg)
    # not as a new user would be: out of the case's way again, deactivated
    _, back = target.call(target.admin, [Body("SetUser", {
        "webExId": new, "active": "DEACTIVATED", "newWebExId": old})], idempotent=False)
    if back.first.ok:
        return Reuse("refused", old, f"after SetUser {problem}; put back")
    return Reuse("stuck", old, f"after SetUser {problem}; not put back: "
                               f"{back.first.summary()}")
