"""The API registry: binding service, response type, whether a call changes state, and
what it creates (so the runner can delete it afterwards, whatever the case expected).

Services come from Cisco's 2011 XSDs where the API existed then; the 40.x APIs
(CreateContact, SetContact, LstCalendarSession, GetUserCard, GetMe, ...) from the
release notes and public documentation.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import CaseDefinitionError


@dataclass(frozen=True)
class Creates:
    """An object an API creates and how to delete it.

    ``key`` is ``response:<xpath>`` (relative to bodyContent) or ``request:<path>``
    (local names, ``/``-separated, within the request's bodyContent).
    """

    kind: str
    key: str
    delete_api: str
    delete_field: str


@dataclass(frozen=True)
class Api:
    name: str
    service: str
    prefix: str
    mutating: bool
    creates: Creates | None = None
    response_name: str | None = None

    @property
    def xsi_type(self) -> str:
        return f"java:com.webex.service.binding.{self.service}.{self.name}"

    @property
    def response_type(self) -> str:
        base = self.response_name or (self.name[0].lower() + self.name[1:])
        return f"{self.prefix}:{base}Response"


def _a(name: str, service: str, prefix: str, mutating: bool = False,
       creates: Creates | None = None, response_name: str | None = None) -> Api:
    return Api(name, service, prefix, mutating, creates, response_name)


_MEETING = Creates("meeting", "response:meet:meetingkey", "DelMeeting", "meetingKey")
_USER = Creates("user", "request:webExId", "DelUser", "webExId")
_ATTENDEE = Creates("attendee", "response:att:attendeeId", "DelMeetingAttendee",
                    "attendeeID")
_REGISTRANT = Creates("attendee", "response:att:register/att:attendeeID",
                      "DelMeetingAttendee", "attendeeID")
_CONTACT = Creates("contact", "response:ep:contactID", "DelContacts", "contactID")
_EVENT = Creates("event", "response:event:sessionKey", "DelEvent", "sessionKey")
_TRAINING = Creates("training-session", "response:train:sessionkey", "DelTrainingSession",
                    "sessionKey")
_TELECONF = Creates("teleconference-session", "response:auo:sessionKey", "DelSession",
                    "sessionKey")

APIS: dict[str, Api] = {a.name: a for a in [
    # user service
    _a("AuthenticateUser", "user", "use"),
    _a("GetUser", "user", "use"),
    _a("CreateUser", "user", "use", True, _USER),
    _a("SetUser", "user", "use", True),
    _a("DelUser", "user", "use", True),
    _a("GetMe", "user", "use"),
    _a("GetUserCard", "user", "use"),
    _a("LstsummaryUser", "user", "use"),
    # site
    _a("GetSite", "site", "site"),
    # ep
    _a("GetAPIVersion", "ep", "ep", response_name="getAPIVersion"),
    _a("GetSessionInfo", "ep", "ep"),
    _a("LstsummarySession", "ep", "ep"),
    _a("LstCalendarSession", "ep", "ep"),
    _a("CreateContact", "ep", "ep", True, _CONTACT),
    _a("SetContact", "ep", "ep", True),
    _a("LstContact", "ep", "ep"),
    _a("DelContacts", "ep", "ep", True),
    _a("SetRecordingInfo", "ep", "ep", True),
    _a("GetRecordingInfo", "ep", "ep"),
    _a("LstRecording", "ep", "ep"),
    _a("DelSession", "ep", "ep", True),
    # meeting type
    _a("LstMeetingType", "meetingtype", "mtgtype"),
    _a("GetMeetingType", "meetingtype", "mtgtype"),
    # meeting
    _a("CreateMeeting", "meeting", "meet", True, _MEETING),
    _a("SetMeeting", "meeting", "meet", True),
    _a("GetMeeting", "meeting", "meet"),
    _a("DelMeeting", "meeting", "meet", True),
    _a("LstsummaryMeeting", "meeting", "meet"),
    _a("GethosturlMeeting", "meeting", "meet"),
    _a("GetjoinurlMeeting", "meeting", "meet"),
    # teleconference-only sessions: binding service meeting.auo (Cisco's reference guide)
    _a("CreateTeleconferenceSession", "meeting.auo", "auo", True, _TELECONF),
    _a("SetTeleconferenceSession", "meeting.auo", "auo", True),
    _a("GetTeleconferenceSession", "meeting.auo", "auo"),
    # attendee
    _a("CreateMeetingAttendee", "attendee", "att", True, _ATTENDEE),
    _a("RegisterMeetingAttendee", "attendee", "att", True, _REGISTRANT),
    _a("LstMeetingAttendee", "attendee", "att"),
    _a("DelMeetingAttendee", "attendee", "att", True),
    _a("GetEnrollmentInfo", "attendee", "att"),
    # event
    _a("CreateEvent", "event", "event", True, _EVENT),
    _a("SetEvent", "event", "event", True),
    _a("GetEvent", "event", "event"),
    _a("DelEvent", "event", "event", True),
    _a("LstsummaryEvent", "event", "event"),
    # training
    _a("CreateTrainingSession", "training", "train", True, _TRAINING),
    _a("SetTrainingSession", "training", "train", True),
    _a("GetTrainingSession", "training", "train"),
    _a("DelTrainingSession", "training", "train", True),
    _a("LstsummaryTrainingSession", "training", "train"),
    # history
    _a("LstAccessAnywhereHistory", "history", "history", response_name="LstAccessAnywhereHistory"),
]}


def get_api(name: str) -> Api:
    try:
        return APIS[name]
    except KeyError:
        raise CaseDefinitionError(f"unknown API '{name}' (known: {', '.join(sorted(APIS))})",
                                  field="api") from None


def api_for_xsi_type(xsi_type: str) -> Api | None:
    """The API named by a request ``xsi:type`` (any binding service spelling)."""
    name = xsi_type.rsplit(".", 1)[-1].strip()
    return APIS.get(name)
