"""Sections of a request that a get answers back as they were set (metaData, enableOptions,
schedule, telephony, repeat, remind, attendeeOptions, ...), read and written in the order
and with the types of Cisco's 2011 XSDs.

A section is a tuple of :class:`Field` in the schema's sequence order. :func:`read` takes
what a create/set request gives for the section (only the fields the spec knows; a value
of the wrong type is refused with 000000, as the service refuses a request its schema
rejects) and :func:`write` renders stored values, in order, with each field's default
where the XSD has one (what the service answers when the request said nothing).

No handlers here (a helper module of the service modules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..req import Req
from ..wire import MALFORMED, ApiError, el


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
