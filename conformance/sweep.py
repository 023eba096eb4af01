"""Leftovers of earlier (crashed) runs: list by name prefix through the XML API and delete.

``python -m conformance.sweep --prefix wxc1a2b3`` deletes what the run with that prefix
left; ``--all-prefixes wxc`` matches every run prefix (``wxc`` + 5 letters/digits);
``--dry-run`` lists only. The target comes from the same environment variables and
``--conformance-*`` options as the suite. Users cannot be deleted through the XML API
(DelUser only deactivates): they are deactivated and reported as such.

The same functions serve the suite's own end-of-run sweep and leak check
(:mod:`conformance.safety`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from .envelope import Body
from .errors import CaseDefinitionError, TargetError, Throttled, Unreachable
from .ledger import ALREADY_GONE
from .redact import redact_url
from .response import Response
from .target import TargetConfig, TargetSession

NOT_FOUND = "000015"
PAGE = 500
MAX_PAGES = 200


@dataclass(frozen=True)
class Kind:
    """One kind of object the suite creates: how to list it and how to delete it."""

    kind: str
    list_api: str
    item: str        # XPath of one listed object, relative to bodyContent
    key: str         # relative to the item
    name: str        # relative to the item
    delete_api: str
    delete_field: str
    paged: bool = True


def _ln(*names: str) -> str:
    return "/".join(f"*[local-name()='{n}']" for n in names)


# In deletion order: what hangs on others first, users (hosts of meetings) last.
KINDS: tuple[Kind, ...] = (
    Kind("meeting", "LstsummaryMeeting", _ln("meeting"), _ln("meetingKey"), _ln("confName"),
         "DelMeeting", "meetingKey"),
    Kind("event", "LstsummaryEvent", _ln("event"), _ln("sessionKey"), _ln("sessionName"),
         "DelEvent", "sessionKey"),
    Kind("training-session", "LstsummaryTrainingSession", _ln("trainingSession"),
         _ln("sessionKey"), _ln("confName"), "DelTrainingSession", "sessionKey"),
    Kind("contact", "LstContact", _ln("contact"), _ln("contactID"), _ln("name"),
         "DelContacts", "contactID", paged=False),
    # every other kind of session (teleconference-only sessions): a session already found
    # as a meeting, event or training session above is not listed twice
    Kind("session", "LstsummarySession", _ln("session"), _ln("sessionKey"), _ln("confName"),
         "DelSession", "sessionKey"),
    Kind("user", "LstsummaryUser", _ln("user"), _ln("webExId"), _ln("webExId"),
         "DelUser", "webExId"),
)


@dataclass
class Found:
    kind: str
    key: str
    name: str
    active: bool = True  # users: ACTIVATED (a deactivated user is what DelUser leaves)

    def __str__(self) -> str:
        state = "" if self.active else " (deactivated: DelUser cannot delete a user)"
        return f"{self.kind} {self.key} '{self.name}'{state}"


@dataclass
class SweepReport:
    found: list[Found]
    deleted: list[str]
    failed: list[str]
    errors: list[str]  # list APIs that could not be asked

    @property
    def left(self) -> list[Found]:
        done = set(self.deleted)
        return [f for f in self.found if f.active and f"{f.kind} {f.key}" not in done]


def matcher(prefix: str | None = None, all_prefixes: str | None = None) -> Callable[[str], bool]:
    """A test for names: starting with ``prefix``, or with any run prefix built on
    ``all_prefixes`` (``wxc`` + 5 lower-case letters or digits)."""
    if all_prefixes:
        pattern = re.compile(re.escape(all_prefixes) + r"[a-z0-9]{5}", re.IGNORECASE)
        return lambda name: bool(pattern.match(name.strip()))
    if not prefix or len(prefix) < 4:
        raise CaseDefinitionError("a sweep needs a prefix of at least 4 characters",
                                  field="prefix")
    low = prefix.lower()
    return lambda name: name.strip().lower().startswith(low)


def _total(response: Response) -> int | None:
    text = response.text(_ln("matchingRecords", "total"))
    return int(text) if text and text.strip().isdigit() else None


def list_kind(target: TargetSession, kind: Kind, match: Callable[[str], bool]) -> list[Found]:
    """Every object of ``kind`` whose name matches. Raises :class:`TargetError` when the
    list API cannot be asked or answers an unexpected FAILURE."""
    found: list[Found] = []
    start = 1
    for _ in range(MAX_PAGES):
        body: dict = {"listControl": {"startFrom": start, "maximumNum": PAGE}} \
            if kind.paged else {}
        ex, message = target.call(target.admin, [Body(kind.list_api, body)],
                                  idempotent=True)
        response = message.first
        if not response.ok:
            if response.exception_id == NOT_FOUND:
                break
            raise TargetError(f"{kind.list_api} answered {response.summary()}", exchange=ex)
        items = response.xpath(kind.item)
        for item in items:
            key = (item.xpath(f"string({kind.key})") or "").strip()
            name = (item.xpath(f"string({kind.name})") or "").strip()
            if key and match(name):
                active = True
                if kind.kind == "user":
                    active = (item.xpath(f"string({_ln('active')})") or "ACTIVATED").strip() \
                        .upper() == "ACTIVATED"
                found.append(Found(kind.kind, key, name, active))
        total = _total(response)
        start += len(items)
        if not kind.paged or not items or total is None or start > total:
            break
    return found


def find(target: TargetSession, match: Callable[[str], bool]
         ) -> tuple[list[Found], list[str]]:
    """Everything of every kind whose name matches; and the kinds that could not be
    listed (with the reason)."""
    found: list[Found] = []
    errors: list[str] = []
    limiter = getattr(getattr(target, "transport", None), "limiter", None)
    if limiter is not None and limiter.every_answer_forbidden():
        # a proxy, a firewall or a blocked account: no call of the run got through, so the
        # run created nothing, and each list call would wait the back-off for one more 403
        return found, ["nothing listed: every answer of the run was HTTP 403 (the site or "
                       "something in front of it refuses this caller), so nothing was "
                       "created; not asked again"]
    for kind in KINDS:
        try:
            known = {f.key for f in found}
            found += [f for f in list_kind(target, kind, match) if f.key not in known]
        except Unreachable as exc:  # no use asking for the other kinds
            errors.append(f"nothing listed: {exc}")
            break
        except Throttled as exc:
            if getattr(exc.exchange, "status", None) == 403:
                # refused: the other list calls would each wait the back-off for a 403 too
                errors.append(f"nothing listed: {exc}")
                break
            errors.append(f"{kind.kind}s not listed: {exc}")
        except TargetError as exc:
            errors.append(f"{kind.kind}s not listed: {exc}")
    return found, errors


def delete(target: TargetSession, item: Found) -> str | None:
    """Delete (users: deactivate) one object; None when done, else the reason."""
    kind = next(k for k in KINDS if k.kind == item.kind)
    try:
        _, message = target.call(target.admin, [Body(kind.delete_api,
                                                     {kind.delete_field: item.key})],
                                 idempotent=False)
    except TargetError as exc:
        return str(exc)
    response = message.first
    if response.ok or response.exception_id in ALREADY_GONE:
        return None  # gone (perhaps deleted meanwhile)
    return f"{kind.delete_api} answered {response.summary()}"


def sweep(target: TargetSession, match: Callable[[str], bool], *, dry_run: bool = False
          ) -> SweepReport:
    found, errors = find(target, match)
    report = SweepReport(found, [], [], errors)
    if dry_run:
        return report
    for item in found:
        if not item.active:
            continue
        reason = delete(target, item)
        if reason is None:
            report.deleted.append(f"{item.kind} {item.key}")
        else:
            report.failed.append(f"{item}: {reason}")
    return report


# -- command line ----------------------------------------------------------------------------
_SETTINGS = (("url", "WEBEX_XMLAPI_URL"), ("site-name", "WEBEX_SITE_NAME"),
             ("webex-id", "WEBEX_ID"), ("password", "WEBEX_PASSWORD"),
             ("timeout", None), ("mock-control", "WEBEX_MOCK_CONTROL"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.sweep",
        description="Delete what earlier runs of the suite left on a site (by name prefix). "
                    "Target settings as for the suite: WEBEX_XMLAPI_URL, WEBEX_SITE_NAME, "
                    "WEBEX_ID, WEBEX_PASSWORD or the --conformance-* options.")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--prefix", help="the run prefix to sweep (e.g. wxc1a2b3)")
    which.add_argument("--all-prefixes", metavar="BASE",
                       help="every run prefix: BASE followed by 5 letters/digits (e.g. wxc)")
    parser.add_argument("--dry-run", action="store_true", help="list only, delete nothing")
    for name, env in _SETTINGS:
        parser.add_argument(f"--conformance-{name}", dest=name.replace("-", "_"),
                            help=f"[env {env}]" if env else None)
    args = parser.parse_args(argv)
    values = {name: getattr(args, name.replace("-", "_")) or (os.environ.get(env) if env
                                                                else None)
              for name, env in _SETTINGS}
    if not values["url"]:
        parser.error("a site URL is needed (WEBEX_XMLAPI_URL or --conformance-url): the "
                     "embedded mock is gone when its run ends, there is nothing to sweep")
    try:
        timeout = float(values["timeout"] or 60)
        config = TargetConfig(url=values["url"], site_name=values["site-name"],
                              webex_id=values["webex-id"], password=values["password"],
                              mock_control=values["mock-control"], timeout=timeout)
        match = matcher(args.prefix, args.all_prefixes)
        target = TargetSession(config)
    except (CaseDefinitionError, ValueError) as exc:
        parser.error(str(exc))
    try:
        report = sweep(target, match, dry_run=args.dry_run)
    finally:
        target.close()
    what = args.prefix or f"{args.all_prefixes}?????"
    print(f"sweep of '{what}' on {redact_url(target.url)}"
          f"{' (dry run)' if args.dry_run else ''}:")
    for error in report.errors:
        print(f"  ERROR {target.redactor.text(error)}")
    for item in report.found:
        if not item.active:
            status = "already deactivated (DelUser cannot delete a user):"
        elif args.dry_run:
            status = "would delete" if item.kind != "user" else "would deactivate"
        elif f"{item.kind} {item.key}" in report.deleted:
            status = "deleted" if item.kind != "user" else "deactivated"
        else:
            status = "NOT deleted"
        print(f"  {status:12} {item.kind} {item.key} '{item.name}'")
    for failure in report.failed:
        print(f"  FAILED {target.redactor.text(failure)}")
    print(f"  {len(report.found)} found, {len(report.deleted)} deleted/deactivated, "
          f"{len(report.failed)} failed, {len(report.errors)} list error(s)")
    if report.errors or report.failed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
