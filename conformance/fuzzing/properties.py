"""The properties the documentation promises, each tied to a requirement id, as plain
functions of a :class:`~conformance.fuzzing.harness.FuzzSession` and generated values.

The fuzz tests (``fuzz/``) wrap them with ``@given``; the project's own tests wrap them
the same way against a mock with a fault, to prove each property can fail.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..apis import APIS, get_api
from ..cases import Case, Step, load_case_file
from ..errors import InvalidResponse
from ..expect import check_response
from ..mock.state import REGISTRATION_FIELDS
from ..response import parse_message
from ..transport import charset
from . import xsd
from .harness import FuzzSession, FuzzTargetError
from .strategies import Envelope

REPO = Path(__file__).resolve().parents[2]

# -- envelope -------------------------------------------------------------------------------
LOCKOUT_APIS = ("GetSessionInfo", "GetUserCard")  # not-found floods lock the caller out


def read_only_apis(fuzz: FuzzSession | None = None) -> list[str]:
    """APIs the mock implements that change nothing; on a real site without the lockout
    hazard enabled, not the throttled GetSessionInfo/GetUserCard."""
    import conformance.mock.app  # noqa: F401 - registers every service module

    from ..mock.services import HANDLERS
    names = sorted(n for n in HANDLERS if not APIS[n].mutating)
    if fuzz is not None and not fuzz.allowed("lockout"):
        names = [n for n in names if n not in LOCKOUT_APIS]
    return names


def envelope_answers(fuzz: FuzzSession, envelope: Envelope) -> None:
    """envelope: every response is a well-formed serv:message; each serv:response has result
    SUCCESS or FAILURE and gsbStatus; a FAILURE has reason and exceptionID; a SUCCESS has a
    bodyContent of the API's response type; several bodies are answered one by one."""
    t = fuzz.target
    credentials = t.admin
    payload = envelope.build(credentials)
    ex = fuzz.post_raw(payload, idempotent=True, label=f"envelope {envelope.apis}")
    example = {"apis": envelope.apis, "encoding": envelope.encoding,
               "serv_prefix": envelope.serv_prefix}
    try:
        message = parse_message(ex.response, charset=charset(ex.response_headers))
    except InvalidResponse as exc:
        fuzz.fail(f"the answer is not a well-formed serv:message: {exc}", example=example)
        return
    diffs: list[str] = []
    responses = message.responses
    if len(responses) != len(envelope.bodies) and not (
            len(responses) == 1 and responses[0].result == "FAILURE"):
        diffs.append(f"{len(envelope.bodies)} bodyContent answered by {len(responses)} "
                     f"serv:response")
    for index, (resp, body) in enumerate(zip(responses, envelope.bodies, strict=False), 1):
        where = f"response {index} ({body.api})"
        if resp.result not in ("SUCCESS", "FAILURE"):
            diffs.append(f"{where}: serv:result is {resp.result!r}")
        if resp.gsb_status is None:
            diffs.append(f"{where}: no serv:gsbStatus")
        if resp.result == "FAILURE":
            if not (resp.reason or "").strip():
                diffs.append(f"{where}: FAILURE without serv:reason")
            if not (resp.exception_id or "").strip():
                diffs.append(f"{where}: FAILURE without serv:exceptionID")
        elif resp.result == "SUCCESS" and len(responses) == len(envelope.bodies):
            diffs += [f"{where}: {d}" for d in
                      check_response({"body_type": "auto"}, resp, api=body.api)]
    if diffs:
        fuzz.fail(f"envelope: {len(diffs)} difference(s)", differences=diffs, example=example)


# -- email-whitespace -----------------------------------------------------------------------
EMAIL_DOMAIN = "${case.uid}.example.com"


def email_cases(cases_dir: Path | None = None) -> list[Case]:
    """The cases of ``cases/email-whitespace.yaml``, one per API (the email parameter is
    what the fuzzer generates)."""
    path = (cases_dir or REPO / "cases") / "email-whitespace.yaml"
    out: dict[tuple, Case] = {}
    for case in load_case_file(path):
        rest = tuple(sorted((k, str(v)) for k, v in case.params.items() if k != "email"))
        out.setdefault((case.id, rest), case)
    return list(out.values())


def email_case_id(case: Case) -> str:
    rest = [str(v) for k, v in case.params.items() if k != "email"]
    return "-".join([case.id, *rest])


def email_rejected(fuzz: FuzzSession, case: Case, email: str) -> None:
    """email-whitespace: the API rejects an email containing whitespace wherever it sits,
    and the rejected request changes nothing (the case file's own checks)."""
    generated = dataclasses.replace(case, params={**case.params, "email": email})
    key = email.split("${", 1)[0]
    fuzz.run(generated, key=key, example={"email": email, "case": email_case_id(case)})


# -- registration-form-040014 ---------------------------------------------------------------
_PERSON_ORDER = ("name", "firstName", "lastName", "title", "company", "webExId", "address",
                 "phones", "email", "notes", "url", "type")
_ADDRESS = {"address1": "address1", "address2": "address2", "city": "city",
            "state": "state", "postalCode": "zipCode", "country": "country"}
_PHONES = {"phone": "phone", "fax": "fax"}


def person_body(values: dict[str, str], *, name: str, email: str) -> dict[str, Any]:
    """A com:personType in schema order with the given registration-field values."""
    order = xsd.sequence_of("personType") or _PERSON_ORDER
    address_order = xsd.sequence_of("addressType") or tuple(_ADDRESS.values())
    phone_order = xsd.sequence_of("phonesType") or ("phone", "mobilePhone", "fax")
    address = {v: values[k] for k, v in _ADDRESS.items() if k in values}
    phones = {v: values[k] for k, v in _PHONES.items() if k in values}
    parts: dict[str, Any] = {
        "name": name, "title": values.get("title"), "company": values.get("company"),
        "address": {k: address[k] for k in address_order if k in address} or None,
        "phones": {k: phones[k] for k in phone_order if k in phones} or None,
        "email": email, "type": "VISITOR"}
    return {k: parts[k] for k in order if parts.get(k) is not None}


def _step(name: str, api: str, body: Any, *, role: str = "check", defaults: bool = True,
          expect: dict[str, Any] | None = None, info: dict[str, Any] | None = None,
          save: dict[str, str] | None = None) -> Step:
    return Step(name=name, api=api, body=body, xml=None, as_="admin", role=role,
                use_defaults=defaults, repeat=None, expect=expect or {}, info=info or {},
                save=save or {}, control=None, line=None)


def _case(requirement: str, case_id: str, title: str, steps: list[Step],
          params: dict[str, Any], apis: list[str], requires: tuple[str, ...] = ()) -> Case:
    from ..catalogue import catalogue
    req = catalogue()[requirement]
    return Case(requirement=requirement, id=case_id, title=title, since=req.since,
                source=dict(req.source), apis=tuple(apis), requires=requires, hazards=(),
                params=params, steps=tuple(steps), path="<fuzz>", line=None)


def registration_case(api: str, required: frozenset[str], values: dict[str, str],
                      name: str) -> Case:
    missing = sorted(set(required) - set(values))
    email = "${case.uid}r@example.com"
    form = {f: {"req": f in required} for f in REGISTRATION_FIELDS}
    add_expect: dict[str, Any] = ({"result": "FAILURE", "exceptionID": "040014",
                                   "value_set": missing} if missing
                                  else {"result": "SUCCESS"})
    steps = [
        _step("schedule a meeting with the registration form", "CreateMeeting",
              {"attendeeOptions": {"registration": True, "auto": True},
               "registrationForm": form}, role="setup", expect={"result": "SUCCESS"},
              save={"meeting_key": "meet:meetingkey"}),
        _step("GetMeeting returns the form as set", "GetMeeting",
              {"meetingKey": "${meeting_key}"},
              expect={"result": "SUCCESS", "equals": {
                  f"meet:registrationForm/meet:{f}/meet:req": f in required
                  for f in REGISTRATION_FIELDS}}),
        _step(f"{api} with the provided fields", api,
              {"attendees": {"person": person_body(values, name=name, email=email),
                             "role": "ATTENDEE", "sessionKey": "${meeting_key}",
                             "emailInvitations": False}},
              defaults=False, expect=add_expect),
    ]
    if missing:
        steps.append(_step("nobody was added", "LstMeetingAttendee",
                           {"meetingKey": "${meeting_key}"},
                           expect={"absent": [f"att:attendee[att:person/com:email="
                                              f"'{email}']"]}))
    return _case("registration-form-040014", f"fuzz-{api}", "Required registration fields "
                 "and 040014 naming exactly the missing ones", steps,
                 {"api": api, "required": sorted(required), "provided": sorted(values)},
                 ["CreateMeeting", "GetMeeting", api, "LstMeetingAttendee"])


def registration_enforced(fuzz: FuzzSession, api: str, required: frozenset[str],
                          values: dict[str, str], name: str) -> None:
    """registration-form-040014: 040014 exactly when a required field is missing, and
    serv:value names exactly the missing fields; nobody is added then."""
    case = registration_case(api, required, values, name)
    fuzz.run(case, key="<attendees>", example={
        "api": api, "required": sorted(required), "provided": sorted(values),
        "missing": sorted(set(required) - set(values))})


# -- past-start-060016 ----------------------------------------------------------------------
def _fmt(when: Any) -> str:
    return when.strftime("%m/%d/%Y %H:%M:%S")


def start_time_checked(fuzz: FuzzSession, api: str, offset: timedelta) -> None:
    """past-start-060016: CreateMeeting/SetMeeting with a start time in the past fail with
    060016; with a future one they succeed."""
    start = _fmt(fuzz.target.now() + offset)
    past = offset < timedelta(0)
    expect = {"result": "FAILURE", "exceptionID": "060016"} if past else {"result": "SUCCESS"}
    schedule = {"schedule": {"startDate": start, "timeZoneID": 20}}
    steps = []
    if api == "SetMeeting":
        steps.append(_step("schedule a meeting in the future", "CreateMeeting", {},
                           role="setup", expect={"result": "SUCCESS"},
                           save={"meeting_key": "meet:meetingkey"}))
        steps.append(_step("move its start", "SetMeeting",
                           {"meetingKey": "${meeting_key}", **schedule}, expect=expect))
    else:
        steps.append(_step("schedule a meeting", "CreateMeeting", schedule, expect=expect))
    case = _case("past-start-060016", f"fuzz-{api}", "A past start time is rejected with "
                 "060016, a future one is not", steps,
                 {"api": api, "offset_minutes": int(offset.total_seconds() // 60)},
                 [api])
    fuzz.run(case, key=start, example={"api": api, "offset": str(offset), "start": start})


# -- bodycontent-limit-000053 ---------------------------------------------------------------
BATCH_API = "GetSite"  # the API of the 000053 sample (40.4.4)


def batch_answered(fuzz: FuzzSession, count: int, *, over: bool) -> None:
    """bodycontent-limit-000053: a small batch is answered one by one; a count clearly
    over the limit fails with 000053."""
    from ..envelope import Body, build_message
    payload = build_message(fuzz.target.admin, [Body(BATCH_API)] * count)
    ex = fuzz.post_raw(payload, idempotent=True, label=f"{count} x {BATCH_API}")
    try:
        message = parse_message(ex.response, charset=charset(ex.response_headers))
    except InvalidResponse as exc:
        raise FuzzTargetError(f"not an XML API answer: {exc}", exchange=ex) from None
    example = {"count": count, "over": over}
    codes = [r.exception_id for r in message.responses]
    if over:
        if message.first.result != "FAILURE" or message.first.exception_id != "000053":
            fuzz.fail(f"{count} bodyContent (clearly over the limit) answered "
                      f"{message.first.summary()}, not FAILURE 000053",
                      differences=[f"serv:exceptionID: expected '000053', got "
                                   f"{message.first.exception_id!r}"], example=example)
    elif len(message.responses) != count or "000053" in codes:
        fuzz.fail(f"{count} bodyContent answered by {len(message.responses)} response(s) "
                  f"({codes})", differences=[f"responses: expected {count}, got "
                                             f"{len(message.responses)}"], example=example)


def api_names() -> list[str]:
    return sorted(APIS)


def is_mutating(api: str) -> bool:
    return get_api(api).mutating
