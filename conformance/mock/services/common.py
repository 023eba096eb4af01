"""What the service modules share. There is one module per XML API service (user, meeting,
ep, attendee, event, training, history, site, meetingtype, auo); each imports this module
and never another service.

- the call and the handler registry: :class:`Call`, :func:`handler`, ``HANDLERS``;
- email-whitespace (40.8.0): :func:`check_email`, :func:`clean_email`,
  :func:`check_all_emails`;
- meeting-uuid (40.6.0-40.10.0): find a session by ``meetingUUID`` (any spelling: the
  notes also write ``meetingUuid`` and ``MeetingUUID``; request elements are matched
  case-insensitively) and return it in responses;
- audio-password (40.4.8/40.2.9): ``audioPassword`` (numeric), ``isEnforceAudioPassword``,
  ``isEnforceAudioLogin``;
- edu-session-templates (40.8.0): ``metaData/sessionTemplate/use`` naming an EDU meeting
  template is accepted while the Education Instructor session type is enabled;
- duplicate-attendee-email (40.12.0): of several attendees with one email in one request,
  only the first is processed;
- meetings: finding one, its links, its private flag, time zone texts; attendees added to a
  meeting (CreateMeetingAttendee, RegisterMeetingAttendee, CreateMeeting's invitees);
- the records the mock keeps simply (contacts, events, training sessions, recordings);
- sections of a request that a get answers back as they were set (metaData,
  enableOptions, schedule, telephony, repeat, remind, attendeeOptions, ...), read and
  written in the order and with the types of Cisco's 2011 XSDs (:class:`Field`,
  :func:`read`, :func:`write`, :func:`merge`).

No handlers here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from lxml import etree

from ...apis import Api, get_api
from ..req import Req
from ..state import DEFAULT_TZ, TZ_NAMES, Attendee, Meeting, Record, Site, User
from ..wire import (
    ACCESS_DENIED,
    INVALID_EMAIL,
    MALFORMED,
    MEETING_NOT_FOUND,
    NOT_FOUND,
    PAST_START,
    ApiError,
    el,
)


# -- the call and the handler registry -------------------------------------------------
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


# -- email-whitespace ------------------------------------------------------------------
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


def check_all_emails(call: Call) -> None:
    """Every ``email`` element of the request, wherever it sits (email-whitespace)."""
    for node in call.req.el.iter():
        if isinstance(node.tag, str) and node.tag.rsplit("}", 1)[-1] == "email":
            check_email(call, node.text or "")


# -- meeting-side requirements -------------------------------------------------------
T = TypeVar("T")


# The mock's own answer for a session template it does not know (or an EDU template while
# the EDU session type is off): the release notes name no exception id, no case asserts it.
TEMPLATE_NOT_FOUND = ("999103", "Session template not found (mock: the id is not documented)")


# -- meeting-uuid ---------------------------------------------------------------------------
def wanted_uuid(req: Req) -> str | None:
    """The meetingUUID a request names (meetingUUID, meetingUuid, MeetingUUID), if any."""
    value = req.text("meetingUUID")
    return value.strip() if value and value.strip() else None


def by_uuid(call: Call, items: Iterable[T], uuid_of: Callable[[T], str | None],
            uuid: str) -> T | None:
    """The item whose UUID is ``uuid`` (items in creation order), or None."""
    found = list(items)
    if call.fault("meeting-uuid-finds-latest"):
        return found[-1] if found else None
    return next((item for item in found if uuid_of(item) == uuid), None)


def filter_by_uuid(call: Call, items: list[T], uuid_of: Callable[[T], str | None],
                   req: Req | None = None) -> list[T]:
    """List APIs: only the item the request names by meetingUUID, when it names one."""
    uuid = wanted_uuid(req if req is not None else call.req)
    if uuid is None:
        return items
    item = by_uuid(call, items, uuid_of, uuid)
    return [] if item is None else [item]


def uuid_el(call: Call, tag: str, uuid: str | None) -> etree._Element | None:
    """The ``meetingUUID`` element of a response (``tag`` like ``ep:meetingUUID``)."""
    return None if uuid is None else el(tag, uuid)


# -- audio-password -------------------------------------------------------------------------
def audio_elements(call: Call, prefix: str, password: str | None) -> list[etree._Element]:
    """audioPassword (the numeric form of the session password, when there is one),
    isEnforceAudioPassword and isEnforceAudioLogin, in the order of the 40.4.8 sample."""
    out: list[etree._Element] = []
    if password:
        digest = hashlib.sha256(password.encode("utf-8")).hexdigest()
        out.append(el(f"{prefix}:audioPassword", str(int(digest, 16))[:8]))
    return out + [el(f"{prefix}:isEnforceAudioPassword", bool(password)),
                  el(f"{prefix}:isEnforceAudioLogin", False)]


# -- edu-session-templates ------------------------------------------------------------------
def check_template(call: Call) -> str | None:
    """``metaData/sessionTemplate/use`` of a create/set request: a site template
    (setting meeting_templates) or an EDU template (edu_meeting_templates) while the
    Education Instructor session type is on (edu_session_type). Returns the name."""
    name = (call.req.text("metaData/sessionTemplate/use") or "").strip()
    if not name:
        return None
    settings = call.site.settings
    edu = {str(t[0]) for t in settings.get("edu_meeting_templates", [])}
    if name in edu:
        if call.setting("edu_session_type"):
            return name
        raise ApiError(*TEMPLATE_NOT_FOUND)
    if name in {str(t[0]) for t in settings.get("meeting_templates", [])}:
        return name
    raise ApiError(*TEMPLATE_NOT_FOUND)


# -- duplicate-attendee-email ---------------------------------------------------------------
def duplicate_policy(call: Call) -> str:
    """How one request's attendees with the same email are handled: ``first`` (40.12.0:
    only the first is processed), or a fault's ``all`` / ``last``."""
    if not call.enforced("duplicate-attendee-email"):
        return "all"
    if call.fault("duplicate-attendee-email-last-wins"):
        return "last"
    return "first"


def unique_people(call: Call, people: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, email) pairs of one request, duplicates by email handled per the policy."""
    policy = duplicate_policy(call)
    if policy == "all":
        return list(people)
    kept: dict[str, tuple[str, str]] = {}
    for name, email in people:
        key = email.strip().lower()
        if key not in kept or policy == "last":
            kept[key] = (name, email)
    return list(kept.values())


# -- meetings --------------------------------------------------------------------------
def find_meeting(call: Call, req: Req | None = None, *, key_paths: tuple[str, ...] = (
        "meetingKey", "meetingkey", "sessionKey", "sessionkey")) -> Meeting:
    req = req or call.req
    site = call.site
    for path in key_paths:
        key = req.int(path)
        if key is not None:
            meeting = site.meetings.get(key)
            if meeting is None:
                raise ApiError(*MEETING_NOT_FOUND)
            return meeting
    uuid = wanted_uuid(req)  # meeting-uuid (40.6.0); meetingUuid/MeetingUUID too
    if uuid:
        found = by_uuid(call, site.meetings.values(), lambda m: m.uuid, uuid)
        if found is not None:
            return found
    raise ApiError(*MEETING_NOT_FOUND)


def is_private(call: Call, meeting: Meeting) -> bool:
    mt = call.site.meeting_types.get(meeting.meeting_type)
    return bool(mt and mt.support_private)


def private_flag(call: Call, prefix: str, meeting: Meeting):
    return el(f"{prefix}:isPrivateMeeting", is_private(call, meeting))


def tz_name(tz_id: int) -> str:
    """The timeZone text of a timeZoneID (common.xsd's timeZoneType)."""
    return TZ_NAMES.get(tz_id, TZ_NAMES[DEFAULT_TZ])


def meeting_link(site: Site, meeting: Meeting) -> str:
    if meeting.extra.get("pmr_url"):
        return str(meeting.extra["pmr_url"])
    return f"https://{site.name}.webex.com/j.php?MTID=a{meeting.key}"


def sip_url(site: Site, meeting: Meeting) -> str:
    if meeting.extra.get("pmr_owner"):
        return f"{meeting.extra['pmr_owner']}@{site.name}.webex.com"
    return f"{meeting.key}@{site.name}.webex.com"


# -- attendees of a meeting ------------------------------------------------------------
# Where each registration-form field sits in com:personType.
PERSON_PATHS = {
    "title": "title", "company": "company", "address1": "address/address1",
    "address2": "address/address2", "city": "address/city", "state": "address/state",
    "postalCode": "address/zipCode", "country": "address/country",
    "phone": "phones/phone", "fax": "phones/fax",
}


@dataclass
class Spec:
    person: Req
    meeting: Meeting
    role: str
    join_status: str


def add_attendee(call: Call, spec: Spec, seen: set[tuple[int, str]]) -> Attendee | None:
    email = clean_email(call, spec.person.text("email")) or ""
    mark = (spec.meeting.key, email.lower())
    policy = duplicate_policy(call)  # "first" unless a fault says otherwise
    if mark in seen and policy != "all":
        if policy == "last":
            for existing in spec.meeting.attendees:
                if existing.email.lower() == email.lower():
                    existing.name = spec.person.text("name") or email
        return None  # 40.12.0: only the first attendee of one email is processed
    seen.add(mark)
    for existing in spec.meeting.attendees:
        if email and existing.email.lower() == email.lower() and policy != "all":
            return existing
    person = {path: spec.person.text(path) or "" for path in
              ("name", "firstName", "lastName", *PERSON_PATHS.values())
              if spec.person.text(path) is not None}
    attendee = Attendee(call.site.next_id(), spec.meeting.key,
                        spec.person.text("name") or email, email, person, spec.role,
                        spec.join_status)
    spec.meeting.attendees.append(attendee)
    return attendee


def add_invitees(call: Call, meeting: Meeting, invitees: list[Req]) -> None:
    seen: set[tuple[int, str]] = set()
    for inv in invitees:
        add_attendee(call, Spec(inv.get("person"), meeting, inv.text("role") or "ATTENDEE",
                        "INVITE"), seen)


# -- contacts, events, training sessions, recordings: simple records -------------------
SESSION_KINDS = ("event", "training")  # sessions with a meetingUUID, template and attendees


# the session types of the mock's site (state.py's meeting types) an event or training is of
DEFAULT_SESSION_TYPE = {"event": 11, "training": 9}


EMAIL_TAGS = ("email",)
KIND_TELECONFERENCE = "teleconference"  # the record kind of teleconference-only sessions


def record_emails(call: Call) -> list[str]:
    out = []
    for node in call.req.el.iter():
        if isinstance(node.tag, str) and node.tag.rsplit("}", 1)[-1] in EMAIL_TAGS:
            out.append(clean_email(call, node.text or "") or "")
    return out


def find_record(call: Call, kind: str, key_paths: tuple[str, ...]) -> Record:
    for path in key_paths:
        key = call.req.int(path)
        if key is not None:
            rec = call.site.records[kind].get(key)
            if rec is not None:
                return rec
            break
    else:
        uuid = wanted_uuid(call.req)  # meeting-uuid: events, training sessions (40.8/40.10)
        if uuid:
            found = by_uuid(call, call.site.records[kind].values(),
                            lambda r: r.fields.get("uuid"), uuid)
            if found is not None:
                return found
    raise ApiError(*NOT_FOUND)


def _people(call: Call, kind: str) -> list[tuple[str, str]]:
    """(name, email) of the request's attendees: event ``attendees/attendee`` (a
    com:personType), training ``attendees/participants/participant/person``; of several
    with one email only the first (duplicate-attendee-email, 40.12.0)."""
    req = call.req
    if kind == "event":
        nodes = req.all("attendees/attendee")
    else:
        nodes = [p.get("person") for p in (req.all("attendees/participants/participant")
                                           + req.all("attendees/participant"))]
    out = []
    for node in nodes:
        email = clean_email(call, node.text("email"))
        if email is not None:
            out.append((node.text("name") or email, email))
    return unique_people(call, out)


def _session_fields(call: Call, rec: Record) -> None:
    """Password, session template and attendees of an event or training session."""
    if call.req.has("accessControl/sessionPassword"):
        rec.fields["password"] = call.req.text("accessControl/sessionPassword") or None
    template = check_template(call)  # edu-session-templates (40.8.0)
    if template:
        rec.fields["session_template"] = template
    people = _people(call, rec.kind)
    if people:
        rec.fields["people"] = people


def check_start(call: Call, path: str, tz_path: str) -> None:
    text = call.req.text(path)
    if text:
        try:
            start = call.site.parse_date(text, call.req.int(tz_path, 20) or 20)
        except ValueError:
            raise ApiError("000000", "Fail to forward request:null") from None
        if start < call.site.clock.now():
            call.reject("past-start", PAST_START)


def _schedule_fields(call: Call, rec: Record) -> None:
    """Host, start, time zone, duration and session type of an event or training session
    (what their list answers need)."""
    req = call.req
    tz = req.int("schedule/timeZoneID")
    if tz is not None:
        if tz not in TZ_NAMES:
            raise ApiError(*MALFORMED)
        rec.fields["tz_id"] = tz
    start = (req.text("schedule/startDate") or "").strip()
    if start:
        try:
            when = call.site.parse_date(start, rec.fields.get("tz_id", DEFAULT_TZ))
        except ValueError:
            raise ApiError(*MALFORMED) from None
        rec.fields["start"] = when
    duration = req.int("schedule/duration")
    if duration is not None:
        rec.fields["duration"] = duration
    session_type = req.int("metaData/sessionType")
    if session_type is not None:
        rec.fields["session_type"] = session_type


def create_record(call: Call, kind: str, name_path: str) -> Record:
    caller = call.require_caller()
    check_all_emails(call)
    draft = Record(0, kind, call.req.text(name_path) or "")
    draft.fields.update({"host": caller.webex_id, "tz_id": DEFAULT_TZ, "duration": 60,
                         "session_type": DEFAULT_SESSION_TYPE[kind],
                         "start": call.site.clock.now() + timedelta(minutes=5)}
                        if kind in SESSION_KINDS else {})
    if kind in SESSION_KINDS:
        _schedule_fields(call, draft)
    if kind in SESSION_KINDS:
        _session_fields(call, draft)  # may refuse the request: nothing created then
        draft.fields["uuid"] = call.site.new_uuid()
    rec = call.site.new_record(kind, draft.name)
    rec.fields.update(draft.fields)
    rec.emails = record_emails(call)
    return rec


def update_record(call: Call, rec: Record, name_path: str) -> None:
    check_all_emails(call)
    if rec.kind in SESSION_KINDS:
        draft = Record(rec.key, rec.kind, rec.name, fields=dict(rec.fields))
        _schedule_fields(call, draft)
        _session_fields(call, draft)  # may refuse the request: nothing changed then
        rec.fields = draft.fields
    name = call.req.text(name_path)
    if name is not None:
        rec.name = name
    emails = record_emails(call)
    if emails:
        rec.emails = emails


def listed_records(call: Call, kind: str) -> list[Record]:
    call.require_caller()
    recs = sorted(call.site.records[kind].values(), key=lambda r: r.key)
    key = call.req.int("sessionKey")
    if key is not None:
        recs = [r for r in recs if r.key == key]
    recs = filter_by_uuid(call, recs, lambda r: r.fields.get("uuid"))  # meeting-uuid
    if not recs:
        raise ApiError(*NOT_FOUND)
    return recs


def start_text(call: Call, rec: Record) -> str:
    return call.site.format_date(rec.fields["start"], rec.fields.get("tz_id", DEFAULT_TZ))


# -- sections in the 2011 XSDs' order (read, merge, write) -----------------------------
@dataclass(frozen=True)
class Field:
    """One child of a section: ``kind`` is bool, int, uint, str, a tuple of enumeration
    values, ``List(child, kind)`` or ``Group(prefix, fields)``; ``default`` is written when
    nothing was set (None: left out)."""

    name: str
    kind: Any = "str"
    default: Any = None
    ns: str | None = None  # the field's own prefix, when not its section's


@dataclass(frozen=True)
class List:
    """A wrapper of repeated children: ``<dayInWeek><day>MONDAY</day>...</dayInWeek>``."""

    child: str
    kind: Any = "str"


@dataclass(frozen=True)
class Group:
    """A nested section whose children are in namespace ``prefix`` (``com:`` for
    com:sessionTemplateType, the section's own prefix when None)."""

    prefix: str | None
    fields: tuple[Field, ...]


def _bad() -> ApiError:
    return ApiError(*MALFORMED)


def _scalar(kind: Any, text: str) -> str:
    value = text.strip()
    if kind == "str":
        return text
    if kind == "bool":
        if value.lower() not in ("true", "false"):
            raise _bad()
        return value.lower()
    if kind in ("int", "uint"):
        try:
            number = int(value)
        except ValueError:
            raise _bad() from None
        if kind == "uint" and number < 0:
            raise _bad()
        return str(number)
    if isinstance(kind, tuple):
        if value not in kind:
            raise _bad()
        return value
    raise TypeError(f"unknown field kind {kind!r}")


def read(req: Req, fields: Iterable[Field]) -> dict[str, Any]:
    """The fields of one section that the request gives, normalised; 000000 for a value
    its type does not allow."""
    out: dict[str, Any] = {}
    if not req:
        return out
    for f in fields:
        if f.kind is None or not req.has(f.name):  # None: the service's own, not settable
            continue
        node = req.get(f.name)
        if isinstance(f.kind, List):
            out[f.name] = [_scalar(f.kind.kind, c.text() or "") for c in node.all(f.kind.child)]
        elif isinstance(f.kind, Group):
            out[f.name] = read(node, f.kind.fields)
        else:
            out[f.name] = _scalar(f.kind, node.text() or "")
    return out


def merge(stored: dict[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """A set request changes the fields it gives and keeps the others (groups merge)."""
    out = dict(stored)
    for name, value in given.items():
        if isinstance(value, dict) and isinstance(out.get(name), dict):
            out[name] = merge(out[name], value)
        else:
            out[name] = value
    return out


def write(prefix: str, fields: Iterable[Field], values: Mapping[str, Any], *,
          defaults: bool = True) -> list[etree._Element]:
    """The section's children in schema order: the stored value, else the default."""
    out: list[etree._Element] = []
    for f in fields:
        value = values.get(f.name)
        if value is None and defaults:
            value = f.default
        if value is None:
            continue
        own = f.ns or prefix
        if isinstance(value, etree._Element):  # computed by the handler
            out.append(value)
        elif isinstance(value, tuple):  # computed: the field and what follows it
            out += [v for v in value if v is not None]
        elif isinstance(f.kind, List):
            out.append(el(f"{own}:{f.name}", None, *[el(f"{own}:{f.kind.child}", v)
                                                      for v in value]))
        elif isinstance(f.kind, Group):
            inner = f.kind.prefix or own
            out.append(el(f"{own}:{f.name}", None,
                          *write(inner, f.kind.fields, value, defaults=defaults)))
        else:
            out.append(el(f"{own}:{f.name}", value))
    return out


def names(fields: Iterable[Field]) -> tuple[str, ...]:
    return tuple(f.name for f in fields)


# -- meeting.xsd (meet:) --------------------------------------------------------------------
SESSION_TEMPLATE = Group("com", (Field("use"), Field("default", "bool")))


MEET_ACCESS_CONTROL = (
    Field("listToPublic", "bool", "false"), Field("isPublic", "bool", "false"),
    Field("meetingPassword"), Field("enforcePassword", "bool"),
)


MEET_META_DATA = (
    Field("confName"), Field("meetingType", "int"), Field("agenda"), Field("greeting"),
    Field("location"), Field("invitation"), Field("setNonMTOptions", "bool"),
    Field("sessionTemplate", SESSION_TEMPLATE), Field("isInternal", "bool"),
)


_ENABLE_OPTIONS = (
    "chat", "poll", "audioVideo", "attendeeList", "fileShare", "presentation",
    "applicationShare", "desktopShare", "webTour", "meetingRecord", "annotation",
    "importDocument", "saveDocument", "printDocument", "pointer", "switchPage", "fullScreen",
    "thumbnail", "zoom", "copyPage", "rcAppShare", "rcDesktopShare", "rcWebTour", "javaClient",
    "nativeClient", "attendeeRecordMeeting", "voip", "faxIntoMeeting", "enableReg",
    "supportQandA", "supportFeedback", "supportBreakoutSessions", "supportPanelists",
    "supportRemoteComputer", "supportShareWebContent", "supportUCFWebPages",
    "supportUCFRichMedia", "autoDeleteAfterMeetingEnd", "viewAnyDoc", "viewAnyPage",
    "allowContactPrivate", "chatHost", "chatPresenter", "chatAllAttendees", "multiVideo",
    "notes", "closedCaptions", "singleNote", "sendFeedback", "displayQuickStartHost",
    "displayQuickStartAttendees", "supportE2E", "supportPKI",
)


# The mock's site answers every option: on for the usual meeting tools, off for the rest.
_ON = {"chat", "poll", "audioVideo", "attendeeList", "fileShare", "presentation",
       "applicationShare", "desktopShare", "webTour", "meetingRecord", "annotation",
       "importDocument", "saveDocument", "printDocument", "pointer", "switchPage",
       "fullScreen", "thumbnail", "zoom", "copyPage", "javaClient", "nativeClient", "voip",
       "chatHost", "chatPresenter", "chatAllAttendees", "notes"}


MEET_ENABLE_OPTIONS = tuple(Field(n, "bool", "true" if n in _ON else "false")
                            for n in _ENABLE_OPTIONS)


MEET_SCHEDULE = (
    Field("startDate"), Field("timeZoneID", "int"), Field("timeZone"),
    Field("duration", "int"), Field("openTime", "int", "0"), Field("hostWebExID"),
    Field("templateFilePath"), Field("showFilePath"), Field("showFileStartMode", "bool"),
    Field("showFileContPlayFlag", "bool"), Field("showFileInterVal", "int"),
    Field("entryExitTone", "int"), Field("extURL"), Field("extNotifyTime", "uint"),
    Field("joinNotifyURL"), Field("joinTeleconfBeforeHost", "bool", "false"),
)


MEET_TELEPHONY = (
    Field("telephonySupport", ("NONE", "CALLIN", "CALLBACK", "OTHER"), "NONE"),
    Field("numPhoneLines", "int"), Field("extTelephonyURL"), Field("extTelephonyDescription"),
    Field("enableTSP", "bool", "false"), Field("tspAccountIndex", "int"),
    Field("personalAccountIndex", "int"), Field("intlLocalCallIn", "bool", "false"),
    Field("teleconfLocation"),
    # callInNum and tspConference are the service's (written by the handler)
    Field("callInNum", None), Field("tspConference", None),
    Field("tspAccessCodeOrder", ("SUBSCRIBER_1ST", "PARTICIPANT_1ST")),
    Field("tollFree", "bool"), Field("isMPAudio", "bool", "false"),
)


DAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")


MEET_REPEAT = (
    Field("repeatType", ("WEEKLY", "DAILY", "NO_REPEAT", "CONSTANT", "MONTHLY", "YEARLY"),
          "NO_REPEAT"),
    Field("interval", "int"), Field("afterMeetingNumber", "int"),
    Field("dayInWeek", List("day", DAYS)), Field("expirationDate"),
    Field("dayInMonth", "int"), Field("weekInMonth", "int"), Field("monthInYear", "int"),
    Field("dayInYear", "int"),
)


MEET_REMIND = (
    Field("enableReminder", "bool", "false"), Field("emails", List("email")),
    Field("sendEmail", "bool", "false"), Field("mobile"), Field("sendMobile", "bool", "false"),
    Field("daysAhead", "int"), Field("hoursAhead", "int"), Field("minutesAhead", "int"),
)


MEET_ATTENDEE_OPTIONS = (
    Field("request", "bool", "false"), Field("registration", "bool", "false"),
    Field("auto", "bool", "false"), Field("emailInvitations", "bool", "false"),
    Field("participantLimit", "uint"), Field("excludePassword", "bool", "false"),
    Field("joinRequiresAccount", "bool", "false"),
)


# The sections of a meeting a create/set stores and GetMeeting answers, in meetingType's order
MEETING_SECTIONS = {
    "metaData": MEET_META_DATA, "enableOptions": MEET_ENABLE_OPTIONS,
    "schedule": MEET_SCHEDULE, "telephony": MEET_TELEPHONY, "repeat": MEET_REPEAT,
    "remind": MEET_REMIND, "attendeeOptions": MEET_ATTENDEE_OPTIONS,
}


# Kept by the meeting's own fields (validated by the handler), not by the section store
SCHEDULE_OWN = ("startDate", "timeZoneID", "timeZone", "duration", "hostWebExID")


# -- user.xsd (use:) ------------------------------------------------------------------------
def _bools(*names: str, default: str | None = "false") -> tuple[Field, ...]:
    return tuple(Field(n, "bool", default) for n in names)


USER_ADDRESS = Group("com", (
    Field("addressType", ("PERSONAL", "GLOBAL")), Field("address1"), Field("address2"),
    Field("city"), Field("state"), Field("zipCode"), Field("country"),
))


# use:userPhonesType extends com:phonesType: phone, mobilePhone, fax are com:
USER_PHONES = Group(None, (
    Field("phone", ns="com"), Field("mobilePhone", ns="com"), Field("fax", ns="com"),
    Field("phone2"), Field("mobilePhone2"), Field("pager"),
))


USER_COMM_OPTIONS = Group(None, _bools(
    "prodAnnounce", "trainingInfo", "electronicInfo", "promos", "press", "email", "fax",
    "phone", "mail"))


USER_OPTIONS = Group(None, _bools(
    "firstNameVisible", "lastNameVisible", "addressVisible", "workPhoneVisible",
    "cellPhoneVisible", "pagerVisible", "faxVisible", "officeUrlVisible", "pictureVisible",
    "notifyOnNewMessage", "notifyOnMeeting", "followMeEnable", "emailVisible",
    "listInCategory", "titleVisible", "folderRead", "folderWrite", "messageVisible",
    "iconSelect1", "iconSelect2", "acceptLinkRequest", "holdOnLinkRequest",
    "notifyOnLinkRequest", "supportVideo", "supportApp", "supportFileShare",
    "supportDesktopShare", "supportMeetingRecord", "supportAppshareRemote",
    "supportWebTourRemote", "supportDesktopShareRemote", "subscriptionOffice"))


# privilegeType; host and siteAdmin are the user's own fields (state.User)
USER_PRIVILEGE = (
    Field("host", "bool"), Field("teleConfCallOut", "bool", "false"),
    Field("teleConfCallOutInternational", "bool", "false"),
    Field("teleConfCallIn", "bool", "true"), Field("teleConfTollFreeCallIn", "bool", "true"),
    Field("siteAdmin", "bool"), Field("voiceOverIp", "bool", "true"),
    Field("roSiteAdmin", "bool", "false"), Field("labAdmin", "bool", "false"),
    Field("otherTelephony", "bool", "true"),
    Field("teleConfCallInInternational", "bool", "false"),
    Field("attendeeOnly", "bool", "false"), Field("recordingEditor", "bool", "false"),
    Field("meetingAssist", "bool", "false"),
)


USER_MY_WEBEX = Group(None, (
    *_bools("isMyWebExPro", "myContact", "myProfile", "myMeetings", "myFolders",
            "trainingRecordings", "recordedEvents", default=None),
    Field("totalStorageSize", "int"), Field("myReports", "bool"), Field("myComputer", "int"),
    *_bools("personalMeetingRoom", "myPartnerLinks", "myWorkspaces", default=None),
))


USER_SESSION_OPTIONS = Group(None, (
    Field("defaultSessionType", "int"),
    Field("defaultServiceType", ("MeetingCenter", "EventCenter", "TrainingCenter",
                                 "SupportCenter", "SalesCenter")),
    *_bools("autoDeleteAfterMeetingEnd", "displayQuickStartHost",
            "displayQuickStartAttendees", default=None),
))


USER_SECURITY = Group(None, _bools("forceChangePassword", "resetPassword", "lockAccount",
                                   default=None))


# userType's children a create/set stores as given (the rest are the user's own fields)
USER_STORED = (
    Field("title"), Field("categoryId", "int"), Field("description"),
    Field("officeGreeting"), Field("company"), Field("address", USER_ADDRESS),
    Field("phones", USER_PHONES), Field("email2"), Field("officeurl"),
    Field("passwordHint"), Field("passwordHintAnswer"), Field("personalUrl"),
    Field("expirationDate"), Field("commOptions", USER_COMM_OPTIONS),
    Field("options", USER_OPTIONS), Field("timeZoneID", "int"),
    Field("language"), Field("locale"), Field("schedulingPermission"),
    Field("myWebEx", USER_MY_WEBEX), Field("sessionOptions", USER_SESSION_OPTIONS),
    Field("mpProfileNumber"), Field("security", USER_SECURITY), Field("languageID", "int"),
)


USER_PRIVILEGE_STORED = tuple(f for f in USER_PRIVILEGE if f.name not in ("host", "siteAdmin"))
