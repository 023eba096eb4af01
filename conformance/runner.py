"""Running one case against a target: steps, saved values, the cleanup ledger, a verdict.

Independent of pytest: the plugin, the self-tests and the benchmarks all call
:func:`run_case`.
"""

from __future__ import annotations

import re
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any

from lxml import etree

from .apis import get_api
from .capabilities import describe, describe_control_setting
from .cases import Case, Step, render, step_body
from .envelope import Body
from .envelope_check import REQUIREMENT as ENVELOPE
from .envelope_check import check_envelope
from .errors import CaseDefinitionError, TargetError
from .expect import Difference, check_message
from .ledger import Created, Ledger
from .response import Message
from .schema_findings import check_answer
from .target import TargetSession
from .userpool import reusable_step, reuse


class Verdict(str, Enum):  # noqa: UP042 - str mixin kept: values compare equal to strings
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"

    def __str__(self) -> str:
        return self.value


@dataclass
class StepRecord:
    name: str
    api: str | None
    outcome: str  # ok | differences | error | not-run
    summary: str = ""
    differences: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    exchange: dict[str, Any] | None = None
    duration_ms: float = 0.0


@dataclass
class CaseResult:
    case_id: str
    requirement: str
    title: str
    since: str
    source: dict[str, str]
    apis: list[str]
    params: dict[str, Any]
    verdict: Verdict
    reason: str = ""
    differences: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    evidence: dict[str, Any] | None = None
    duration_ms: float = 0.0
    #: every answer checked against the schema (conformance.schema_findings), not gating
    schema: dict[str, Any] = field(default_factory=dict)
    #: every answer's envelope against service.xsd (requirement envelope): the answers
    #: checked, and those with differences ({api, step, differences, exchange}); not the
    #: case's own verdict unless the case is of requirement envelope
    envelope_checked: int = 0
    envelope: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["verdict"] = self.verdict.value
        return out


class _StepFailed(Exception):
    def __init__(self, verdict: Verdict, reason: str) -> None:
        super().__init__(reason)
        self.verdict, self.reason = verdict, reason


def _request_value(body: Any, path: str) -> str | None:
    node = body
    for part in path.split("/"):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return None if isinstance(node, (dict, list)) else str(node)


def _count(value: Any) -> int:
    """A step's ``repeat`` (possibly a saved value): a whole number of at least 1."""
    try:
        n = int(str(value).strip())
    except ValueError:
        n = 0
    if n < 1:
        raise CaseDefinitionError(f"repeat must be a whole number of at least 1, got "
                                  f"{value!r}", field="repeat")
    return n


def _fmt_time(when: Any) -> str:
    return when.strftime("%m/%d/%Y %H:%M:%S")


class CaseRun:
    def __init__(self, case: Case, target: TargetSession) -> None:
        self.case = case
        self.target = target
        # what this case created, reported to the run's ledger as well
        self.ledger = Ledger(parent=target.ledger)
        self.saved: dict[str, Any] = {}
        self.n = target.next_case_number()
        self.uid = f"{target.prefix}{self.n:03d}"
        self.user_password = user_password(target.prefix, self.n)
        target.add_secret_pattern(user_password_pattern(target.prefix))
        self.result = CaseResult(case.full_id, case.requirement, case.title, case.since,
                                 case.source, list(case.apis), case.params, Verdict.PASS)
        self.settings_restore: dict[str, Any] | None = None
        self.clock_advanced = 0.0
        self.stopped_at = 0  # the step that stopped the case (0: none)
        self.reused_note = ""

    # -- template context ---------------------------------------------------------------------
    def context(self) -> dict[str, Any]:
        t = self.target
        caps = t.capabilities().template_values()
        base = {
            **self.saved,
            "saved": self.saved,
            "case": {"uid": self.uid, "n": self.n, "id": self.case.id,
                     "user_password": self.user_password},
            "run": {"prefix": t.prefix},
            "target": {"site_name": t.site_name, "webex_id": t.admin.webex_id,
                       "host_id": t.host.webex_id if t.host else None},
            "caps": caps,
            "time": {
                "future": lambda: _fmt_time(t.now() + timedelta(days=2)),
                "future_week": lambda: _fmt_time(t.now() + timedelta(days=9)),
                "past": lambda: _fmt_time(t.now() - timedelta(days=1)),
                "recent_past": lambda: _fmt_time(t.now() - timedelta(minutes=10)),
            },
        }
        base["params"] = render(self.case.params, base)  # parameter values may be templates
        base["vars"] = render(self.case.vars or {}, base)  # so may the case's vars
        return base

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> CaseResult:
        start = time.perf_counter()
        try:
            self._preconditions()
            if self.result.verdict is Verdict.PASS:
                for index, step in enumerate(self.case.steps, 1):
                    self.stopped_at = index
                    self._step(index, step)
                self.stopped_at = 0
        except _StepFailed as stop:
            self.result.verdict, self.result.reason = stop.verdict, stop.reason
        except TargetError as exc:
            self.result.verdict, self.result.reason = Verdict.ERROR, str(exc)
            if exc.exchange is not None:
                self.result.evidence = exc.exchange.redacted(self.target.redactor)  # type: ignore[attr-defined]
        except CaseDefinitionError as exc:
            self.result.verdict = Verdict.ERROR
            self.result.reason = f"case error: {exc}"
        except Exception as exc:  # our own code failed: an ERROR on the record, not a crash
            self.result.verdict = Verdict.ERROR
            self.result.reason = internal_error(exc, self.stopped_at)
        finally:
            try:
                self._always_steps()
                self._cleanup()
            except TargetError as exc:
                self.result.leftovers.append(f"clean-up failed: {exc}")
            except Exception as exc:
                self.result.leftovers.append(f"clean-up failed: {internal_error(exc, 0)}")
            self.result.duration_ms = round((time.perf_counter() - start) * 1000, 1)
        return self.result

    def _always_steps(self) -> None:
        """After a step stopped the case, the later steps marked ``always`` (clean-up the
        ledger cannot do, e.g. an email put back) still run; their trouble is a leftover,
        never the verdict."""
        if not self.stopped_at:
            return
        keep = (self.result.differences, self.result.evidence)
        for index, step in enumerate(self.case.steps, 1):
            if index <= self.stopped_at or not step.always:
                continue
            try:
                self._step(index, step)
            except (_StepFailed, TargetError, CaseDefinitionError) as exc:
                reason = exc.reason if isinstance(exc, _StepFailed) else str(exc)
                self.result.leftovers.append(f"clean-up step {index} '{step.name}' after "
                                             f"the case stopped: {reason}")
        self.result.differences, self.result.evidence = keep

    def _preconditions(self) -> None:
        t = self.target
        reason = t.applicable(self.case.since) or t.hazard_refused(self.case.hazards)
        if reason:
            self.result.verdict, self.result.reason = Verdict.SKIP, reason
            return
        caps = t.capabilities()
        reason = caps.skip_reason(self.case.requires)
        if reason:
            self.result.verdict, self.result.reason = Verdict.SKIP, reason
            return
        # on a mock: the required setting values are arranged (restored after the case)
        arrange = caps.control_settings(self.case.requires)
        if arrange:
            self._control({"settings": arrange})

    def _step(self, index: int, step: Step) -> None:
        record = StepRecord(step.name, None, "ok")
        self.result.steps.append(record)
        label = f"step {index} '{step.name}'"
        if step.control is not None:
            record.summary = self._control(render(step.control, self.context()))
            return
        context = self.context()
        api = str(render(step.api, context))
        record.api = api
        body = render(step_body(step, api), context)
        credentials = self.target.credentials(step.as_)
        if credentials is None:
            raise _StepFailed(Verdict.SKIP, f"{label} needs {describe(step.as_)}")
        repeat = _count(render(step.repeat, context)) if step.repeat is not None else 1
        bodies = [Body(api, body)] * repeat
        started = time.perf_counter()
        # Only a step that names an HTTP status takes a 403 as its answer (the documented
        # throttling); elsewhere a 403 stays an infrastructure ERROR.
        accept = frozenset({403}) if "http_status" in step.expect or \
            "http_status" in step.info else frozenset()
        reused = self._reuse_user(step, api, body) if repeat == 1 else None
        if reused is not None:
            exchange, message = reused
        else:
            exchange, message = self.target.call(credentials, bodies,
                                                 idempotent=not get_api(api).mutating,
                                                 accept_status=accept)
        record.duration_ms = round((time.perf_counter() - started) * 1000, 1)
        record.exchange = exchange.redacted(self.target.redactor)
        record.summary = message.first.summary() if exchange.status == 200 \
            else f"HTTP {exchange.status}"
        if exchange.status == 200:  # the answer against Cisco's XSDs: a schema finding
            check_answer(self.result.schema, api, message.root, step=label,
                         redact=self.target.redactor.text)
        if reused is not None:
            record.api = "SetUser"
            record.summary = f"{self.reused_note}: {record.summary}"
        self._ledger(api, body, message)
        expect = render(step.expect, context)
        info = render(step.info, context)
        diffs = check_message(expect, message, api=api, http_status=exchange.status)
        findings = check_message(info, message, api=api,
                                 http_status=exchange.status) if info else []
        saved_diffs = self._save(step, message)
        diffs += saved_diffs
        if exchange.status == 200:  # an XML API message (not an HTTP 403 page)
            diffs += self._envelope(label, api, record, message)
        record.findings = [str(f) for f in findings]
        self.result.findings += [f"{label}: {f} (informational: beyond what the release "
                                 f"notes promise)" for f in findings]
        if diffs:
            record.outcome = "differences"
            record.differences = [str(d) for d in diffs]
            self.result.differences = record.differences
            self.result.evidence = record.exchange
            if step.role == "setup":
                raise _StepFailed(Verdict.ERROR, f"set-up {label} ({api}) did not go as "
                                                 f"needed, so the behaviour could not be "
                                                 f"checked: {diffs[0]}")
            raise _StepFailed(Verdict.FAIL, f"{label} ({api}): {len(diffs)} "
                                            f"difference(s) from the documented behaviour")

    def _envelope(self, label: str, api: str, record: StepRecord,
                  message: Message) -> list[Difference]:
        """Every answer's envelope against service.xsd. Its differences are recorded for
        the run's ``envelope`` result; they are this case's differences only when the case
        is of requirement ``envelope``."""
        diffs = check_envelope(message)
        self.result.envelope_checked += 1
        if not diffs:
            return []
        self.result.envelope.append({"api": api, "step": label,
                                     "differences": [str(d) for d in diffs],
                                     "exchange": record.exchange})
        return diffs if self.case.requirement == ENVELOPE else []

    def _reuse_user(self, step: Step, api: str, body: Any) -> tuple[Any, Message] | None:
        """A deactivated user made the case's user instead of a CreateUser (see
        :mod:`conformance.userpool`); None: the step sends its CreateUser."""
        pool = self.target.user_pool
        if pool is None or not reusable_step(step, api) or not isinstance(body, dict) \
                or not body.get("webExId"):
            return None
        new = str(body["webExId"])
        for old in pool.candidates(self.target):
            # recorded first: a SetUser in flight may have renamed and activated it
            item = Created("user", new, "DelUser", "webExId", self.case.full_id)
            self.ledger.record(item)
            outcome = reuse(self.target, old, body)
            if outcome.status == "reused":
                self.ledger.forget(item)  # the step's answer records it (_ledger)
                pool.reused.append((old, new))
                self.reused_note = (f"reused the deactivated user {old} as {new} "
                                    f"(SetUser: reactivated, renamed) instead of CreateUser")
                return outcome.exchange, outcome.message
            pool.refused.append(f"{old}: {outcome.detail}")
            if outcome.status == "stuck":
                return None  # the name is taken now: the CreateUser says so (set-up ERROR)
            self.ledger.forget(item)
        return None

    def _save(self, step: Step, message: Message) -> list[Difference]:
        diffs = []
        for name, path in step.save.items():
            value = message.first.text(path)
            if value is None:
                diffs.append(Difference(path, f"a value to save as '{name}'", "<absent>"))
            else:
                self.saved[name] = value.strip()
        return diffs

    def _ledger(self, api: str, body: Any, message: Message) -> None:
        spec = get_api(api)
        for response in message.responses:
            if spec.creates is not None and response.ok:
                source, _, path = spec.creates.key.partition(":")
                keys = ([_request_value(body, path)] if source == "request"
                        else [(e.text if isinstance(e, etree._Element) else str(e))
                              for e in response.xpath(path)])
                for key in keys:
                    if key:
                        # the run's ledger too: torn down again at the end of the run
                        self.ledger.record(Created(spec.creates.kind, key.strip(),
                                                   spec.creates.delete_api,
                                                   spec.creates.delete_field,
                                                   self.case.full_id))
            if response.ok:
                # An explicit delete by the case itself: nothing left to clean up. Not for
                # users: DelUser only deactivates, and a later SetUser may reactivate.
                for item in self.ledger:
                    if item.delete_api == api and item.kind != "user" and \
                            _request_value(body, item.delete_field) == item.key:
                        self.ledger.forget(item)

    def _control(self, control: dict[str, Any]) -> str:
        t = self.target
        if not t.capabilities().has_control:
            if control.get("optional"):
                # The case's `requires` vouch for the state on this target (e.g. a site
                # setting read from GetSite): nothing to set.
                return "mock control: not available, not needed (optional)"
            raise _StepFailed(Verdict.SKIP, _control_needs(control))
        if "settings" in control:
            if self.settings_restore is None:
                self.settings_restore = dict(t.control("state", method="GET")["settings"])
            t.control("settings", {"settings": control["settings"]})
        if "advance_clock" in control:
            seconds = float(control["advance_clock"])
            t.advance_clock(seconds)
            self.clock_advanced += seconds
        if control.get("confirm_email_changes"):
            # email-change-verification: the user clicks the link of the confirmation email
            t.control("confirm-email", {})
        if "meeting_status" in control:
            # session-participant-status: the meeting is deleted at the end of the case,
            # so there is nothing to restore.
            t.control("meeting-status", dict(control["meeting_status"]))
        return "mock control"

    def _cleanup(self) -> None:
        t = self.target
        for outcome in self.ledger.teardown(t.delete):
            item = outcome.item
            if outcome.status == "deleted":
                self.result.cleanup.append(f"{item.delete_api} {item.kind} "
                                           f"{item.key}: done{outcome.note}")
                if item.kind == "user" and t.user_pool is not None:
                    t.user_pool.release(item.key)  # deactivated: a later case may reuse it
            elif outcome.status == "gone":
                # not found: the case deleted it another way (by meetingUUID, DelSession)
                self.result.cleanup.append(f"{item.delete_api} {item.kind} {item.key}: "
                                           f"already gone ({outcome.detail})")
            elif outcome.status == "refused":
                self.result.leftovers.append(f"{item.kind} {item.key}: {item.delete_api} "
                                             f"answered {outcome.detail}")
            else:
                self.result.leftovers.append(f"{item.kind} {item.key}: {outcome.detail}")
        self.ledger.clear()  # what is left stays in the run's ledger, for the end of the run
        try:
            if self.settings_restore is not None:
                t.control("settings", {"settings": self.settings_restore})
            if self.clock_advanced:
                t.advance_clock(-self.clock_advanced)
        except TargetError as exc:
            self.result.leftovers.append(f"mock settings/clock not restored: {exc}")


def run_case(case: Case, target: TargetSession) -> CaseResult:
    return CaseRun(case, target).run()


def internal_error(exc: BaseException, step: int) -> str:
    """The reason of a case our own code failed in: the exception and where it was raised
    (the innermost frame in this package), never a whole traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/conformance/" in f.filename.replace("\\", "/")] or frames
    where = ""
    if ours:
        path = ours[-1].filename.replace("\\", "/")
        where = f" at conformance/{path.rsplit('/conformance/', 1)[-1]}:{ours[-1].lineno}"
    at_step = f" in step {step}" if step else ""
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return (f"internal error of the suite{at_step}: {type(exc).__name__}"
            f"{': ' + text if text else ''}{where}; no verdict: a problem of the suite or "
            f"of the case, not of the target")


def _control_needs(control: dict[str, Any]) -> str:
    """The skip reason of a control step on a target without the control interface."""
    needs = []
    settings = control.get("settings") or {}
    if settings:
        names = ", ".join(dict.fromkeys(describe_control_setting(k) for k in settings))
        needs.append(f"the site setting(s) {names} in a known state")
    if "advance_clock" in control:
        needs.append(f"the site's clock moved on {float(control['advance_clock']):g} s "
                     "(never slept for)")
    if control.get("confirm_email_changes"):
        needs.append("an email change confirmed (the link of the confirmation email)")
    if "meeting_status" in control:
        needs.append("a meeting in progress with people joined")
    if not needs:
        return "needs " + describe("mock_control")
    return ("needs " + "; ".join(needs) + ", which only the mock's control interface can "
            "arrange (the XML API cannot)")


def user_password(prefix: str, n: int) -> str:
    """The password of the users a case creates: unique per case, valid for the service's
    password rules (upper and lower case, a digit, a special character)."""
    return f"Wx{prefix[-5:]}!{n:03d}aA"


def user_password_pattern(prefix: str) -> str:
    """Every :func:`user_password` of the run, as one regular expression (redaction)."""
    return re.escape(f"Wx{prefix[-5:]}!") + r"\d{3,}aA"


#: the run-level result of requirement envelope: every answer of the run, not one case
ENVELOPE_CASE_ID = f"{ENVELOPE}::every-answer"
ENVELOPE_TITLE = "Every answer's envelope follows service.xsd's messageType and responseType"
MAX_ENVELOPE_SHOWN = 20


def envelope_result(records: list[dict[str, Any]],
                    discovery: list[dict[str, Any]] | None = None,
                    discovery_checked: int = 0) -> CaseResult | None:
    """One result for requirement ``envelope`` over every answer of the run (the cases'
    records and the capability discovery's answers): FAIL with the first differences and
    their exchanges when any answer departs from service.xsd, else PASS naming how many
    answers were checked. None when no answer was checked."""
    from .catalogue import catalogue

    found = list(discovery or [])
    checked = discovery_checked
    for record in records:
        checked += int(record.get("envelope_checked") or 0)
        for item in record.get("envelope") or []:
            found.append({**item, "case": record.get("case_id")})
    if not checked:
        return None
    req = catalogue().get(ENVELOPE)
    result = CaseResult(ENVELOPE_CASE_ID, ENVELOPE, ENVELOPE_TITLE,
                        req.since if req else "", dict(req.source) if req else {},
                        list(req.apis) if req else [], {}, Verdict.PASS)
    if not found:
        result.reason = f"{checked} answer(s) checked against service.xsd: no difference"
        return result
    result.verdict = Verdict.FAIL
    result.reason = (f"{len(found)} of {checked} answer(s) depart from service.xsd's "
                     f"envelope (first: {found[0].get('api')}, "
                     f"{found[0].get('case') or found[0].get('step')})")
    for item in found[:MAX_ENVELOPE_SHOWN]:
        where = f"{item.get('case') or 'discovery'} {item.get('step')} ({item.get('api')})"
        result.differences += [f"{where}: {d}" for d in item.get("differences", [])]
        result.steps.append(StepRecord(str(item.get("step")), item.get("api"), "differences",
                                       differences=list(item.get("differences", [])),
                                       exchange=item.get("exchange")))
    if len(found) > MAX_ENVELOPE_SHOWN:
        result.differences.append(f"... and {len(found) - MAX_ENVELOPE_SHOWN} more answer(s)")
    result.evidence = found[0].get("exchange")
    return result
