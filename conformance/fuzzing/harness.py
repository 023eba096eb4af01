"""The fuzz harness: runs generated cases and calls against the run's target, limits the
call rate on real sites, keeps the evidence of the last failing example (hypothesis
replays the minimal example last) and saves it for :mod:`conformance.replay`.

Independent of pytest except for :func:`pytest.skip` on hazards (hypothesis passes skips
through).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..envelope import Body, build_message
from ..errors import TargetError
from ..paths import DEFAULT_REPORTS
from ..ratelimit import RateLimiter, run_dir
from ..redact import redact_url
from ..response import Message, parse_message
from ..runner import CaseResult, StepRecord, Verdict, run_case
from ..target import HAZARDS, TargetSession
from ..transport import Exchange, charset

DEFAULT_EXAMPLES_MOCK = 8
DEFAULT_EXAMPLES_SITE = 2  # plus the tabulated edge cases, which always run
DEFAULT_RATE_SITE = 60.0  # calls per minute against a real site


class FuzzFailure(AssertionError):
    """A generated example departs from the documented behaviour (FAIL)."""


class FuzzTargetError(TargetError):
    """The target could not be asked while fuzzing (ERROR, not FAIL)."""


@dataclass
class Failure:
    """Evidence of one failing example."""

    message: str
    differences: list[str] = field(default_factory=list)
    request: str = ""  # the envelope that carries the generated value (secrets masked)
    steps: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, Any] | None = None
    example: dict[str, Any] = field(default_factory=dict)
    cleanup: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)


def _step_dict(step: StepRecord) -> dict[str, Any]:
    return {"name": step.name, "api": step.api, "outcome": step.outcome,
            "summary": step.summary, "differences": list(step.differences),
            "findings": list(step.findings), "exchange": step.exchange,
            "duration_ms": step.duration_ms}


class FuzzSession:
    """Shared by the fuzz tests of one run."""

    def __init__(self, target: TargetSession, *, calls_per_minute: float | None = None,
                 reports: str | Path = DEFAULT_REPORTS, examples: int | None = None,
                 seed: int | None = None, mode: str = "random") -> None:
        self.target = target
        # the fuzzer's calls-per-minute budget, on the run's shared limiter mechanism (one
        # slot for every process of the run, as the transport's requests-per-second limit)
        self.limiter = RateLimiter(run_dir(target.prefix),
                                   calls_per_minute / 60.0 if calls_per_minute else None,
                                   name="fuzz")
        self.reports = Path(reports)
        self.examples = examples or (DEFAULT_EXAMPLES_MOCK if target.is_mock
                                     else DEFAULT_EXAMPLES_SITE)
        self.seed = seed
        self.mode = mode
        self.last_failure: Failure | None = None
        self.log: list[dict[str, Any]] = []
        self.leftovers: list[str] = []
        self.calls = 0
        self.runs = 0
        target.before_call(self._count_call)  # generated cases too: the budget and count

    def _count_call(self) -> None:
        self.limiter.acquire()
        self.calls += 1

    # -- per test ---------------------------------------------------------------------------
    def begin(self) -> None:
        self.last_failure = None
        self.log = []
        self.runs = 0

    def hazard(self, *hazards: str) -> None:
        """Skip (the whole test) when a hazard class is not enabled for a real site."""
        unknown = [h for h in hazards if h not in HAZARDS]
        if unknown:
            raise ValueError(f"unknown hazard(s) {unknown}")
        reason = self.target.hazard_refused(tuple(hazards))
        if reason:
            pytest.skip(reason)

    def allowed(self, hazard: str) -> bool:
        return self.target.hazard_refused((hazard,)) is None

    # -- cases ------------------------------------------------------------------------------
    def run(self, case: Any, *, key: str | None = None,
            example: dict[str, Any] | None = None) -> CaseResult:
        """Run a generated case; PASS returns, FAIL raises :class:`FuzzFailure`, ERROR
        raises :class:`FuzzTargetError`, SKIP skips the test."""
        self.runs += 1
        result = run_case(case, self.target)
        self.leftovers += result.leftovers
        if result.verdict is Verdict.SKIP:
            pytest.skip(result.reason)
        if result.verdict is Verdict.ERROR:
            raise FuzzTargetError(f"{case.full_id}: {result.reason}")
        if result.verdict is Verdict.FAIL:
            request = ""
            for step in result.steps:
                text = str((step.exchange or {}).get("request", ""))
                if key is not None and _contains(text, key):
                    request = text
                    break
            if not request and result.evidence:
                request = str(result.evidence.get("request", ""))
            self.last_failure = Failure(
                f"{case.title}: {result.reason}", list(result.differences), request,
                [_step_dict(s) for s in result.steps], result.evidence, dict(example or {}),
                list(result.cleanup), list(result.leftovers))
            raise FuzzFailure(f"{result.reason}\n  differences: {result.differences}\n"
                              f"  example: {example!r}")
        return result

    # -- direct calls -----------------------------------------------------------------------
    def post_raw(self, payload: bytes, *, idempotent: bool, label: str = "",
                 headers: dict[str, str] | None = None) -> Exchange:
        """Send raw bytes through the target's transport (HTTP 200 expected; the answer is
        not parsed), logged for the evidence."""
        self.limiter.acquire()
        self.calls += 1
        try:
            ex = self.target.transport.post(payload, idempotent=idempotent, headers=headers)
        except TargetError as exc:
            ex = getattr(exc, "exchange", None)
            if ex is not None:
                self.log.append({"name": label, "exchange": ex.redacted(self.target.redactor),
                                 "outcome": "error"})
            raise FuzzTargetError(str(exc), exchange=ex) from None
        self.log.append({"name": label, "exchange": ex.redacted(self.target.redactor),
                         "outcome": "ok"})
        return ex

    def post(self, payload: bytes, *, idempotent: bool, label: str = "",
             headers: dict[str, str] | None = None) -> tuple[Exchange, Message]:
        """Send raw bytes and parse the answer (a non-XML answer is ERROR)."""
        ex = self.post_raw(payload, idempotent=idempotent, label=label, headers=headers)
        try:
            msg = parse_message(ex.response, charset=charset(ex.response_headers))
        except TargetError as exc:
            raise FuzzTargetError(f"{label}: {exc}", exchange=ex) from None
        self.log[-1]["summary"] = msg.first.summary()
        return ex, msg

    def call(self, api: str, payload: Any = None, *, who: str = "admin",
             mutating: bool | None = None, label: str = "") -> Message:
        from ..apis import get_api
        spec = get_api(api)
        credentials = self.target.credentials(who)
        data = build_message(credentials, [Body(api, payload)])
        headers = credentials.http_headers() if credentials else {}
        idempotent = not (spec.mutating if mutating is None else mutating)
        return self.post(data, idempotent=idempotent, label=label or api,
                         headers=headers)[1]

    def fail(self, message: str, *, differences: list[str] | None = None,
             request_index: int | None = None, example: dict[str, Any] | None = None) -> None:
        """Record a failure of a direct-call property (the log so far is its evidence)."""
        steps = [dict(s) for s in self.log]
        chosen = steps[request_index] if request_index is not None and steps else \
            (steps[-1] if steps else None)
        request = str((chosen or {}).get("exchange", {}).get("request", "")) if chosen else ""
        self.last_failure = Failure(message, list(differences or []), request, steps,
                                    (chosen or {}).get("exchange"), dict(example or {}))
        raise FuzzFailure(message + (f"\n  differences: {differences}" if differences else ""))

    # -- saving -----------------------------------------------------------------------------
    def save(self, name: str, failure: Failure, *, requirement: str,
             replay_hint: str = "") -> tuple[Path | None, str]:
        """Write ``reports/fuzz/<name>.xml`` (the envelope, secrets masked) and a ``.json``
        beside it (all steps, the example, the seed); return the path and the replay line."""
        out = self.reports / "fuzz"
        out.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:120] or "failure"
        xml_path: Path | None = None
        if failure.request.strip().startswith("<"):
            xml_path = out / f"{slug}.xml"
            xml_path.write_bytes(_encode_like_declared(failure.request))
        meta = {"requirement": requirement, "test": name, "message": failure.message,
                "differences": failure.differences, "example": _jsonable(failure.example),
                "seed": self.seed, "mode": self.mode, "target": redact_url(self.target.url)
                if not self.target.config.embedded else "embedded mock",
                "steps": failure.steps, "cleanup": failure.cleanup,
                "leftovers": failure.leftovers}
        (out / f"{slug}.json").write_text(json.dumps(_jsonable(meta), indent=2,
                                                     ensure_ascii=False), "utf-8")
        command = ""
        if xml_path is not None:
            faults = f" --faults {','.join(self.target.config.faults)}" \
                if self.target.config.faults else ""
            command = f"python -m conformance.replay {xml_path}{faults} [--url URL]"
        if replay_hint:
            command = (command + "  |  " if command else "") + replay_hint
        return xml_path, command


def _contains(text: str, key: str) -> bool:
    from html import escape
    if key in text:
        return True
    escaped = escape(key, quote=False).replace("\r", "&#13;")
    return escaped in text


def _encode_like_declared(text: str) -> bytes:
    found = re.match(r"""<\?xml[^>]*encoding=['"]([A-Za-z0-9_.-]+)['"]""", text)
    encoding = found.group(1) if found else "utf-8"
    try:
        return text.encode(encoding, errors="xmlcharrefreplace")
    except LookupError:
        return text.encode("utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


Check = Callable[..., None]
