"""The mock site as a WSGI application (werkzeug).

``POST /WBXService/XMLService`` speaks the XML API; ``/_mock/*`` is the control interface
(faults, settings, clock, reset, state), present unless the app is built without it.
Every request gets an XML answer: malformed input is a FAILURE envelope, never a 500.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from lxml import etree
from werkzeug.exceptions import Forbidden, HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from ..apis import api_for_xsi_type
from ..errors import InvalidResponse
from ..namespaces import NS, XSI_TYPE
from ..xmlsafe import parse_xml
from .faults import FAULTS
from .req import Req
from .services import HANDLERS, Call
from .services.user import confirm_pending
from .state import Site, User
from .throttle import BLOCK, DEFAULT_LIMIT, NOT_FOUND_IDS, SETTING, THROTTLED_APIS, WINDOW
from .wire import (
    BAD_LOGIN,
    BAD_TICKET,
    MALFORMED,
    Answer,
    ApiError,
    build,
    failure_message,
)

log = logging.getLogger("conformance.mock")
XML_PATH = "/WBXService/XMLService"
MAX_REQUEST_BYTES = 2 * 1024 * 1024
CONTENT_TYPE = "text/xml;charset=UTF-8"
# A directory: every XML API answer of the mock is appended to a JSON-lines file there
# (answers-<pid>.jsonl: {"request": ..., "response": ...}), for the project's tests to
# validate against the schema (tests/test_mock_schema.py). MockApp(record=...) too.
RECORD_ENV = "WEBEX_MOCK_RECORD"

# Import every service module (conformance/mock/services/*.py) so that their handlers
# register; a new module needs no edit here.
import importlib  # noqa: E402
import pkgutil  # noqa: E402

from . import services as _services  # noqa: E402

for _module in sorted(m.name for m in pkgutil.iter_modules(_services.__path__)):
    importlib.import_module(f"{__package__}.services.{_module}")


class MockApp:
    def __init__(self, site: Site | None = None, *, control: bool = True,
                 latency: float = 0.0, record: str | Path | None = None) -> None:
        self.site = site or Site()
        self.control = control
        self.latency = latency
        if record is None:
            record = os.environ.get(RECORD_ENV) or None
        self.record_dir = Path(record) if record else None
        self._record_lock = threading.Lock()

    # -- WSGI ------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        except Exception:  # never a traceback on the wire
            log.exception("mock: unexpected error")
            response = Response(failure_message("000000", "Internal error"), 200,
                                content_type=CONTENT_TYPE)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.path.rstrip("/") == XML_PATH:
            if request.method != "POST":
                raise MethodNotAllowed(valid_methods=["POST"])
            if self.latency:
                import time
                time.sleep(self.latency)
            data = read_body(request, MAX_REQUEST_BYTES)
            if data is None:  # too large: refused unread
                body = self._failure(*MALFORMED)
                self._record(None, body)
            else:
                body = self.handle(data, request.headers.get("JWTToken"),
                                   client=request.remote_addr or "")
            return Response(body, 200, content_type=CONTENT_TYPE)
        if self.control and request.path.startswith("/_mock/"):
            return self.control_endpoint(request)
        raise NotFound()

    def _record(self, request: bytes | None, answer: bytes) -> None:
        """Append one answer to the record (``record`` / ``$WEBEX_MOCK_RECORD``), if on."""
        if self.record_dir is None:
            return
        line = json.dumps({"request": (request or b"").decode("utf-8", "replace"),
                           "response": answer.decode("utf-8", "replace")})
        with self._record_lock:
            self.record_dir.mkdir(parents=True, exist_ok=True)
            with open(self.record_dir / f"answers-{os.getpid()}.jsonl", "a",
                      encoding="utf-8") as out:
                out.write(line + "\n")

    # -- the XML API -------------------------------------------------------------------
    def handle(self, data: bytes, jwt: str | None = None, *, client: str = "") -> bytes:
        """One XML API request. Raises werkzeug's ``Forbidden`` (HTTP 403) for a caller
        blocked by the throttle of GetSessionInfo/GetUserCard."""
        answer = self._answer_message(data, jwt, client=client)
        self._record(data, answer)
        return answer

    def _render(self, answers: list[Answer]) -> bytes:
        """The message of the answers, each changed by the drop and replace faults set."""
        root = build(answers, exception_id_first=self.site.fault("exception-id-before-reason"))
        injection = self.site.injection
        if injection:
            header, body = root
            for answer, response, content in zip(answers, header, body, strict=True):
                injection.answer(answer.api, answer.request, response, content)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _failure(self, exception_id: str, reason: str) -> bytes:
        """A message-level FAILURE (before any API is answered)."""
        return self._render([Answer("serv", "", error=ApiError(exception_id, reason))])

    def _answer_message(self, data: bytes, jwt: str | None, *, client: str) -> bytes:
        site = self.site
        try:
            root = parse_xml(data, max_bytes=MAX_REQUEST_BYTES, max_depth=64)
        except InvalidResponse:
            return self._failure(*MALFORMED)
        if root.tag != f"{{{NS['serv']}}}message":
            return self._failure(*MALFORMED)
        msg = Req(root)
        contents = msg.all("body/bodyContent")
        if not contents:
            return self._failure(*MALFORMED)
        limit = site.injection.setting("bodycontent_limit", None, site.bodycontent_limit)
        if len(contents) > limit and not site.injection.skips("bodycontent-limit", None):
            return self._failure("000053", "BodyContent count in request must be less "
                                           f"than {limit + 1}")
        sec = msg.get("header/securityContext")
        site_name = sec.text("siteName")
        if not site_name or site_name.strip().lower() != site.name.lower():
            return self._failure(*MALFORMED)
        with site.lock:
            try:
                caller, via = self.authenticate(sec, jwt)
            except ApiError as err:
                return self._render([Answer("serv", "", error=err)])
            apis = [api_for_xsi_type(c.el.get(XSI_TYPE) or "") for c in contents]
            names = {a.name for a in apis if a is not None}
            key = f"user:{caller.webex_id.lower()}" if caller else f"client:{client}"
            if names & THROTTLED_APIS and self._blocked(key, names):
                raise Forbidden("Forbidden")
            answers = []
            for content, api in zip(contents, apis, strict=True):
                answers.append(self.answer(content.el, caller, via))
                if api is not None and api.name in THROTTLED_APIS:
                    self._count_not_found(key, answers[-1])
                if site.fault("batch-answered-once"):
                    break
        if site.fault("schema-invalid-answer"):  # requirement schema: an undeclared element
            for a in answers:
                if a.error is None:
                    a.children = [*(a.children or []),
                                  etree.Element(f"{{{NS['serv']}}}notInTheSchema")]
        return self._render(answers)

    # -- sessioninfo-usercard-throttle ---------------------------------------------------
    def _blocked(self, key: str, names: set[str]) -> bool:
        site = self.site
        if all(site.injection.skips("throttle", name) for name in names & THROTTLED_APIS):
            return False  # throttle-not-enforced, throttle-sessioninfo-not-blocked
        now = site.clock.now()
        if site.fault("throttle-all-callers-blocked"):
            return any(site.throttle.blocked(k, now) for k in list(site.throttle.blocks))
        return site.throttle.blocked(
            key, now, block=WINDOW if site.fault("throttle-block-one-hour") else BLOCK,
            endless=site.fault("throttle-block-never-ends"))

    def _count_not_found(self, key: str, answer: Answer) -> None:
        site = self.site
        if answer.error is None or answer.error.exception_id not in NOT_FOUND_IDS:
            return
        try:
            limit = int(site.settings.get(SETTING, DEFAULT_LIMIT))
        except (TypeError, ValueError):
            limit = DEFAULT_LIMIT
        site.throttle.record(key, site.clock.now(), limit,
                             window=None if site.fault("throttle-window-unbounded")
                             else WINDOW)

    def authenticate(self, sec: Req, jwt: str | None) -> tuple[User | None, str]:
        site = self.site
        webex_id = sec.text("webExID")
        if jwt:  # usercard-jwt: an API key, for GetUserCard only (see answer())
            if jwt == site.settings.get("jwt") or site.injection.skips("api-key", None):
                return site.find_user(site.settings.get("jwt_user")), "jwt"
            raise ApiError(*BAD_LOGIN)
        ticket, token, password = (sec.text("sessionTicket"), sec.text("webExAccessToken"),
                                   sec.text("password"))
        if not webex_id and not ticket and not token:
            return None, "anonymous"
        user = site.find_user(webex_id) if webex_id else None
        if ticket:  # unknown, expired or another user's: 030047
            owner = site.tickets.get(ticket)
            expiry = site.ticket_expiry.get(ticket)
            if owner and expiry is not None and site.clock.now() >= expiry:
                site.tickets.pop(ticket, None)
                site.ticket_expiry.pop(ticket, None)
                owner = None
            if owner and (user is None or owner == user.webex_id.lower()):
                return site.find_user(owner), "ticket"
            raise ApiError(*BAD_TICKET)
        if token:
            owner = site.access_tokens.get(token)
            if owner and (user is None or owner.lower() == user.webex_id.lower()):
                return site.find_user(owner), "token"
            raise ApiError(*BAD_LOGIN)
        if user is None or password is None or password != user.password \
                or user.active != "ACTIVATED":
            raise ApiError(*BAD_LOGIN)
        return user, "password"

    def answer(self, content: etree._Element, caller: User | None, via: str) -> Answer:
        api = api_for_xsi_type(content.get(XSI_TYPE) or "")
        if api is None or api.name not in HANDLERS:
            return Answer("serv", "", error=ApiError(*MALFORMED), request=content)
        api, func, anonymous = HANDLERS[api.name]
        prefix, rtype = api.response_type.split(":")
        request = self.site.injection.request(api.name, content)  # ignore faults
        try:
            if caller is None and not anonymous:
                raise ApiError(*BAD_LOGIN)
            if via == "jwt" and api.name != "GetUserCard":  # 40.6.0: GetUserCard only
                raise ApiError(*BAD_LOGIN)
            children = func(Call(self.site, caller, via, Req(request), api))
        except ApiError as err:
            if err.rule and self.site.injection.applied_anyway(err.rule, api.name):
                # an apply fault: the rejected change lands all the same (a handler changes
                # nothing before it refuses, so the second run starts from the same state)
                try:
                    func(Call(self.site, caller, via, Req(request), api,
                              skipped=frozenset({err.rule})))
                except ApiError:
                    pass
            return Answer(prefix, rtype, error=err, api=api.name, request=content)
        return Answer(prefix, rtype, children=[c for c in children if c is not None],
                      api=api.name, request=content)

    # -- control ---------------------------------------------------------------------
    def control_endpoint(self, request: Request) -> Response:
        site = self.site
        action = request.path[len("/_mock/"):].strip("/")
        payload = request.get_json(silent=True) or {}
        try:
            if action == "state" and request.method == "GET":
                prefix = request.args.get("prefix")
                body: dict[str, Any] = {"site": site.name, "api_version": site.api_version,
                                        "faults": sorted(site.faults),
                                        "settings": site.settings, "counts": site.counts()}
                if prefix:
                    body["objects"] = site.objects_with_prefix(prefix)
                return _json(body)
            if request.method != "POST":
                raise MethodNotAllowed(valid_methods=["POST"])
            if action == "reset":
                site.reset()
            elif action == "faults":
                site.set_faults(list(payload.get("faults", [])))
            elif action == "settings":
                with site.lock:
                    site.settings.update(payload.get("settings", {}))
                    if "api_version" in payload:
                        site.api_version = str(payload["api_version"])
                    if "bodycontent_limit" in payload:
                        site.bodycontent_limit = int(payload["bodycontent_limit"])
            elif action == "clock":
                with site.lock:
                    site.clock.advance(float(payload.get("advance_seconds", 0)))
            elif action == "meeting-status":
                _meeting_status(site, payload)
            elif action == "confirm-email":  # email-change-verification: the link clicked
                return _json({"ok": True, "confirmed": confirm_pending(site)})
            elif action == "faults-catalogue":
                return _json({n: {"requirement": f.requirement, "kind": f.kind,
                                  "description": f.description}
                              for n, f in FAULTS.items()})
            else:
                raise NotFound()
        except (ValueError, TypeError) as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"ok": True, "faults": sorted(site.faults)})


def read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` bytes: refused at its
    Content-Length without reading it, else (chunked) after reading at most limit + 1."""
    declared = request.content_length
    if declared is not None and declared > limit:
        return None
    chunks, size = [], 0
    while size <= limit:  # a stream may return short reads
        chunk = request.stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return None if size > limit else b"".join(chunks)


def _meeting_status(site: Site, payload: dict[str, Any]) -> None:
    """``POST /_mock/meeting-status {"meeting_key", "status", "host", "attendees"}``: what
    the XML API cannot do, start a meeting and join it (session-participant-status)."""
    if not isinstance(payload, dict):
        raise ValueError("a JSON object is needed")
    status = str(payload.get("status", ""))
    if status not in ("INPROGRESS", "NOT_INPROGRESS"):
        raise ValueError(f"status must be INPROGRESS or NOT_INPROGRESS, not {status!r}")
    attendees = int(payload.get("attendees", 0))
    if attendees < 0:
        raise ValueError("attendees must not be negative")
    host = payload.get("host", False)
    if not isinstance(host, bool):
        raise ValueError(f"host must be true or false, not {host!r}")
    with site.lock:
        meeting = site.meetings.get(int(payload.get("meeting_key", 0)))
        if meeting is None:
            raise ValueError(f"no meeting with key {payload.get('meeting_key')!r}")
        meeting.status = status
        # Who is in: kept as given (absent keys keep the current value); GetSessionInfo
        # reports it only while the meeting is in progress.
        if "host" in payload:
            meeting.extra["host_joined"] = host
        if "attendees" in payload:
            meeting.extra["attendees_joined"] = attendees


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type="application/json")
