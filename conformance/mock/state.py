"""The mock site's state: users, meeting types, meetings, attendees and the rest, behind
one lock; a controllable clock; settings and faults."""

from __future__ import annotations

import itertools
import random
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .faults import Injection
from .throttle import DEFAULT_LIMIT as THROTTLE_LIMIT
from .throttle import Throttle
from .timezones import TIME_ZONES

DEFAULT_SITE = "mocksite"
DEFAULT_ADMIN = ("siteadmin", "Adm1n-Passw0rd!")
DEFAULT_HOST = ("host1", "H0st-Passw0rd!")
DEFAULT_ACCESS_TOKEN = "mock-access-token-siteadmin"
# usercard-jwt: the mock's API key (JWTToken header, GetUserCard only); settings jwt/jwt_user
DEFAULT_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJtb2Nrc2l0ZSJ9.bW9jay1hcGkta2V5"
API_VERSION = "40.12.0"
PMR_RETENTION = timedelta(days=7)
TICKET_TTL = 5400  # seconds a sessionTicket of AuthenticateUser lives (its timeToLive)

# Every time zone of common.xsd's timeZoneType (generated: timezones.py): the text the
# answers write, and a fixed UTC offset (DST is ignored).
TZ_NAMES = {tz_id: text for tz_id, (text, _) in TIME_ZONES.items()}
TZ_OFFSET_MINUTES = {tz_id: minutes for tz_id, (_, minutes) in TIME_ZONES.items()}
DEFAULT_TZ = 20  # GMT+00:00, Greenwich (Casablanca)
DATE_FORMAT = "%m/%d/%Y %H:%M:%S"

# meet:standardFieldsType's order (the 40.8.0 GetMeeting sample writes them so)
REGISTRATION_FIELDS = ("phone", "title", "company", "address1", "address2", "city", "state",
                       "postalCode", "country", "fax")


class Clock:
    """Real time plus an offset the control interface can advance."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class User:
    webex_id: str
    password: str
    email: str
    first_name: str = ""
    last_name: str = ""
    user_id: int = 0
    site_admin: bool = False
    um_site_admin: bool = False
    host: bool = True
    active: str = "ACTIVATED"
    pmr_enabled: bool = True
    pmr_key: str = ""
    deactivated_at: datetime | None = None
    deactivated_by: str | None = None
    pmr_disabled_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class MeetingType:
    type_id: int
    name: str
    display_name: str
    service_type: str = "MeetingCenter"
    product_code: str = "PRO"
    support_private: bool = False
    e2ee: bool = False  # pmr-e2ee-110063: an end-to-end encrypted meeting type


@dataclass
class Attendee:
    attendee_id: int
    session_key: int
    name: str
    email: str
    person: dict[str, str] = field(default_factory=dict)
    role: str = "ATTENDEE"
    join_status: str = "INVITE"
    register_id: int | None = None


@dataclass
class Meeting:
    key: int
    uuid: str
    conf_id: int
    host: str
    conf_name: str
    meeting_type: int
    start: datetime
    tz_id: int
    duration: int
    password: str | None
    service_type: str = "MeetingCenter"
    status: str = "NOT_INPROGRESS"
    registration_form: dict[str, bool] = field(default_factory=dict)
    attendee_options: dict[str, str] = field(default_factory=dict)
    attendees: list[Attendee] = field(default_factory=list)
    # what create/set gave for metaData, enableOptions, schedule, telephony, repeat, remind
    # (services/common.py: normalised, by element name), answered back by GetMeeting
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    host_key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Record:
    """A generic object of the APIs the mock keeps simply (contacts, events, training
    sessions, recordings): a key, a name, emails and free fields."""

    key: int
    kind: str
    name: str
    emails: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


class Site:
    def __init__(self, name: str = DEFAULT_SITE, *, seed: int | None = None) -> None:
        self.name = name
        self.lock = threading.RLock()
        self.clock = Clock()
        self.random = random.Random(seed)
        self.faults: set[str] = set()
        self._injection = Injection()
        self.api_version = API_VERSION
        self.bodycontent_limit = 10
        self.settings: dict[str, Any] = {"all_meetings_need_password": True}
        # user/site toggles (defaults: the runner restores settings by update)
        self.settings.update({"enable_display_name": False, "ci_linked_site": False,
                              "enable_mobile_screen_capture": False,
                              "support_return_scheduled_pmr": False,
                              "meeting_templates": [], "e2ee_meeting_types": []})
        # edu-session-templates: the Education Instructor session type and its templates
        self.settings.update({"edu_session_type": False, "edu_meeting_templates": []})
        # user-card, throttling, email change (40.4.0-40.9.0)
        self.settings.update({"jwt": DEFAULT_JWT, "jwt_user": DEFAULT_ADMIN[0],
                              "throttle_not_found_limit": THROTTLE_LIMIT,
                              "require_email_confirmation": False})
        self.throttle = Throttle()
        self.settings.update({"consistent_locked_lobby": False})  # locked-lobby
        # cmr-hybrid-voip: where GetUser writes cmrHybridVoip (privilege | user)
        self.settings.update({"cmr_hybrid_voip_placement": "privilege"})
        self._ids = itertools.count(self.random.randint(100_000_000, 800_000_000), 7919)
        self.users: dict[str, User] = {}
        self.tickets: dict[str, str] = {}
        self.ticket_expiry: dict[str, datetime] = {}
        self.access_tokens: dict[str, str] = {}
        self.meeting_types: dict[int, MeetingType] = {}
        self.meetings: dict[int, Meeting] = {}
        self.records: dict[str, dict[int, Record]] = {}
        self.reset()

    # -- control -------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.faults.clear()
            self.clock = Clock()
            self.throttle = Throttle()
            self.api_version = API_VERSION
            self.users.clear()
            self.tickets.clear()
            self.ticket_expiry.clear()
            self.meetings.clear()
            self.records = {k: {} for k in ("contact", "event", "training", "recording",
                                            "teleconference")}
            self.access_tokens = {DEFAULT_ACCESS_TOKEN: DEFAULT_ADMIN[0]}
            admin = self.add_user(DEFAULT_ADMIN[0], DEFAULT_ADMIN[1],
                                  f"{DEFAULT_ADMIN[0]}@example.com", "Site", "Admin")
            admin.site_admin = True
            self.add_user(DEFAULT_HOST[0], DEFAULT_HOST[1], f"{DEFAULT_HOST[0]}@example.com",
                          "Host", "One")
            self.meeting_types = {mt.type_id: mt for mt in (
                MeetingType(3, "PRO", "Pro Meeting"),
                MeetingType(168, "PRV", "Private Meeting", product_code="PRV",
                            support_private=True),
                MeetingType(9, "TRS", "Training Session", "TrainingCenter", "TRS"),
                MeetingType(11, "ONS", "Event", "EventCenter", "ONS"),
                # pmr-e2ee-110063: a dedicated type for an E2EE-only site configuration;
                # E2EE when the setting e2ee_meeting_types lists it (a site profile's
                # meeting_types.e2ee_only: 200), a plain type otherwise
                MeetingType(200, "E2E", "End-to-end Encrypted Meeting", product_code="E2E"),
            )}
            rec = self.new_record("recording", "Quarterly review recording")
            rec.fields["description"] = "seeded by the mock"
            rec.fields["host"] = DEFAULT_ADMIN[0]
            rec.fields["created"] = self.clock.now() - timedelta(days=1)
            rec.fields["uuid"] = self.new_uuid()  # meeting-uuid: its meeting's UUID

    def set_faults(self, names: list[str] | set[str]) -> None:
        injection = Injection(names)  # an unknown name is a ValueError
        with self.lock:
            self.faults = set(names)
            self._injection = injection

    @property
    def injection(self) -> Injection:
        """The faults set, by kind (faults.py): what the app and the validations consult."""
        if self._injection.names != self.faults:  # self.faults changed in place
            self._injection = Injection(self.faults)
        return self._injection

    def fault(self, name: str) -> bool:
        """A bespoke (hook) fault's switch; faults of the other kinds are applied by kind."""
        return self.injection.hook(name)

    # -- factories -----------------------------------------------------------------
    def next_id(self) -> int:
        return next(self._ids)

    def new_pmr_key(self) -> str:
        return str(self.random.randint(100_000_000, 999_999_999))

    def add_user(self, webex_id: str, password: str, email: str, first: str = "",
                 last: str = "") -> User:
        user = User(webex_id, password, email, first, last, user_id=self.next_id(),
                    pmr_key=self.new_pmr_key())
        self.users[webex_id.lower()] = user
        return user

    def find_user(self, webex_id: str | None) -> User | None:
        return self.users.get((webex_id or "").lower())

    def new_record(self, kind: str, name: str) -> Record:
        rec = Record(self.next_id(), kind, name)
        self.records[kind][rec.key] = rec
        return rec

    def new_uuid(self) -> str:
        return secrets.token_hex(16)

    def counts(self) -> dict[str, int]:
        with self.lock:
            out = {"users": len(self.users),
                   "active_users": sum(u.active == "ACTIVATED" for u in self.users.values()),
                   "meetings": len(self.meetings),
                   "attendees": sum(len(m.attendees) for m in self.meetings.values())}
            out.update({f"{k}s": len(v) for k, v in self.records.items()})
            return out

    def objects_with_prefix(self, prefix: str) -> dict[str, list[str]]:
        """What is left on the site whose name starts with ``prefix`` (leak check)."""
        with self.lock:
            p = prefix.lower()
            return {
                "users": [u.webex_id for u in self.users.values()
                          if u.webex_id.lower().startswith(p) and u.active == "ACTIVATED"],
                "deactivated_users": [u.webex_id for u in self.users.values()
                                      if u.webex_id.lower().startswith(p)
                                      and u.active != "ACTIVATED"],
                "meetings": [str(m.key) for m in self.meetings.values()
                             if m.conf_name.lower().startswith(p)],
                "records": [f"{r.kind}:{r.key}" for recs in self.records.values()
                            for r in recs.values() if r.name.lower().startswith(p)],
            }

    # -- time ----------------------------------------------------------------------
    def parse_date(self, text: str, tz_id: int) -> datetime:
        local = datetime.strptime(text.strip(), DATE_FORMAT)
        offset = timedelta(minutes=TZ_OFFSET_MINUTES.get(tz_id, 0))
        return (local - offset).replace(tzinfo=UTC)

    def format_date(self, when: datetime, tz_id: int) -> str:
        offset = timedelta(minutes=TZ_OFFSET_MINUTES.get(tz_id, 0))
        return (when.astimezone(UTC) + offset).strftime(DATE_FORMAT)
