"""Named faults: each is a deliberate departure from one requirement, used to prove that
the cases of that requirement can fail (the mutation self-test).

Each fault is declared once, here, with what it does (its *kind*); the mock applies it in
one place per kind:

``drop``     an element is left out of an API's answer: XPath(s) into the answer's
             ``serv:bodyContent`` (``header=True``: into its ``serv:response``: result,
             reason, gsbStatus, exceptionID, value). Applied by the app to every answer
             after the handler built it (:meth:`Injection.answer`).
``replace``  a value of an answer is replaced: the same XPaths (an attribute too:
             ``@xsi:type``) and the new text, or a function of the matched node.
``ignore``   an element of an API's *request* is ignored: request paths (local names,
             case-insensitive, ``/``-separated; ``//`` first: at any depth). The app
             removes them before the handler reads the request (:meth:`Injection.request`).
``accept``   what must be rejected is accepted: a named validation (a *rule*, see
             :data:`RULES`) is skipped for the fault's APIs. Validations ask
             ``call.reject(rule, error)`` / ``call.enforced(rule)`` (services/common.py).
``apply``    what was rejected is applied all the same: the answer stays the FAILURE of the
             rule, but the app runs the request again with that rule skipped, so its change
             lands (:meth:`MockApp.answer`).
``setting``  the fault's APIs behave as if a setting of the mock site had another value
             (handlers read ``site.settings`` through ``call.setting(name)``; the app reads
             ``bodycontent_limit`` so, as a message-level setting).
``hook``     bespoke logic that fits none of these, at the places named by ``where``; the
             code asks ``call.fault(name)`` / ``site.fault(name)`` (which refuses a name of
             any other kind: a data fault is never checked by name in the code).

XPaths use the prefixes of :data:`conformance.namespaces.NS`; ``*:name`` is any namespace.
``apis`` empty: every API (and, for drop, replace, accept and setting, the message-level
answers the app gives before any API: a malformed message, too many bodyContent elements).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..namespaces import NS
from .req import Req

DROP, REPLACE, IGNORE, ACCEPT, APPLY, SETTING, HOOK = (
    "drop", "replace", "ignore", "accept", "apply", "setting", "hook")
KINDS = (DROP, REPLACE, IGNORE, ACCEPT, APPLY, SETTING, HOOK)

# The validations (rules) an accept or apply fault skips, with where the mock checks them.
RULES: dict[str, str] = {
    "email": "an email containing whitespace is rejected (services/common.py check_email)",
    "registration-form": "040014 when a required registration field is missing "
                         "(services/attendee.py)",
    "past-start": "060016 for a start time in the past (services/meeting.py; events and "
                  "training sessions: services/common.py check_start)",
    "anonymous-lstsummarysession": "000015 for LstsummarySession without credentials "
                                   "(services/ep.py)",
    "e2ee-pmr": "110063 for PMR of a user whose meeting types are all E2EE "
                "(services/user.py)",
    "duplicate-attendee-email": "of several attendees with one email only the first is "
                                "processed (services/common.py)",
    "anonymous-hiding": "an anonymous caller does not see the session details "
                        "(services/ep.py)",
    "uninvited-hiding": "a caller not invited does not see the session details "
                        "(services/ep.py)",
    "approval-hiding": "an attendee registered but not approved (or rejected) does not see "
                       "the session details (services/ep.py)",
    "link-hiding": "meetingLink, sipURL, displayMeetingUrl are hidden from the uninvited "
                   "(services/ep.py)",
    "usercard-credentials": "GetUserCard needs credentials (services/user.py)",
    "api-key": "a JWTToken header must carry the site's API key (app.py authenticate)",
    "throttle": "a caller over the not-found limit is blocked (app.py)",
    "aa-history-not-found": "an empty LstAccessAnywhereHistory is 000015 "
                            "(services/history.py)",
    "bodycontent-limit": "too many bodyContent elements fail with 000053 (app.py)",
}


@dataclass(frozen=True)
class Fault:
    name: str
    requirement: str
    description: str
    kind: str = HOOK
    apis: tuple[str, ...] = ()       # the APIs it changes; () every API
    paths: tuple[str, ...] = ()      # drop/replace: XPaths into the answer; ignore: request
    header: bool = False             # drop/replace: in serv:response, not serv:bodyContent
    value: Any = None                # replace: text or function(node) -> text; setting
    rule: str = ""                   # accept/apply: the validation (RULES)
    setting: str = ""                # setting: the site setting's name
    when: Callable[[Req], bool] | None = None  # drop/replace: only for such requests
    where: str = ""                  # hook: where the bespoke logic lives

    def matches(self, api: str | None) -> bool:
        return not self.apis or api in self.apis


# -- declaring ---------------------------------------------------------------------------
def _apis(apis: str | Iterable[str]) -> tuple[str, ...]:
    return (apis,) if isinstance(apis, str) else tuple(apis)


def Drop(name: str, requirement: str, description: str, apis: str | Iterable[str],
         *paths: str, header: bool = False,
         when: Callable[[Req], bool] | None = None) -> Fault:
    return Fault(name, requirement, description, DROP, _apis(apis), paths, header=header,
                 when=when)


def Replace(name: str, requirement: str, description: str, apis: str | Iterable[str],
            *paths: str, value: str | Callable[[Any], str], header: bool = False) -> Fault:
    return Fault(name, requirement, description, REPLACE, _apis(apis), paths, header=header,
                 value=value)


def Ignore(name: str, requirement: str, description: str, apis: str | Iterable[str],
           *paths: str) -> Fault:
    return Fault(name, requirement, description, IGNORE, _apis(apis), paths)


def Accept(name: str, requirement: str, description: str, apis: str | Iterable[str],
           rule: str) -> Fault:
    return Fault(name, requirement, description, ACCEPT, _apis(apis), rule=rule)


def Apply(name: str, requirement: str, description: str, apis: str | Iterable[str],
          rule: str) -> Fault:
    return Fault(name, requirement, description, APPLY, _apis(apis), rule=rule)


def Setting(name: str, requirement: str, description: str, apis: str | Iterable[str],
            setting: str, value: Any) -> Fault:
    return Fault(name, requirement, description, SETTING, _apis(apis), setting=setting,
                 value=value)


def Hook(name: str, requirement: str, description: str, where: str) -> Fault:
    return Fault(name, requirement, description, HOOK, where=where)


# -- values computed from the answer -------------------------------------------------------
def _local(node: Any) -> str:
    tag = node.tag if isinstance(node.tag, str) else ""
    return tag.rpartition("}")[2]


def _session_password(node: etree._Element) -> str:
    """audio-password-not-numeric: the session password beside audioPassword."""
    for sibling in node.getparent():
        if _local(sibling) in ("meetingPassword", "sessionPassword"):
            return sibling.text or ""
    return node.text or ""


def _response_type(attr: Any) -> str:
    """wrong-response-type: the bodyContent's xsi:type names no response type."""
    return f"{str(attr).partition(':')[0]}:genericResponse"


def _has_password(req: Req) -> bool:
    return req.has("accessControl/meetingPassword")


# -- the faults ------------------------------------------------------------------------------
EMAIL_APIS = (
    "CreateMeetingAttendee", "RegisterMeetingAttendee", "CreateEvent", "SetEvent",
    "CreateContact", "SetContact", "SetRecordingInfo", "CreateTrainingSession",
    "SetTrainingSession", "CreateUser", "SetUser", "CreateMeeting", "SetMeeting",
)

# audio-password and duplicate-attendee-email: the APIs the mock implements
AUDIO_APIS = ("GetMeeting", "GetTrainingSession", "GetEvent", "GetTeleconferenceSession")
DUPLICATE_APIS = ("CreateMeetingAttendee", "CreateMeeting", "SetMeeting", "CreateEvent",
                  "SetEvent", "CreateTrainingSession", "SetTrainingSession")
PRIVATE_APIS = ("GetSessionInfo", "GetMeeting", "LstsummarySession", "LstCalendarSession")
SESSION_LISTS = ("LstsummarySession", "LstCalendarSession")
LIST_APIS = ("LstsummarySession", "LstCalendarSession", "LstsummaryMeeting",
             "LstMeetingAttendee", "LstRecording", "LstsummaryEvent",
             "LstsummaryTrainingSession")
ATTENDEE_APIS = ("CreateMeetingAttendee", "RegisterMeetingAttendee")
USER_SETS = ("CreateUser", "SetUser")
USER_GETS = ("GetUser", "GetMe")
EDU_APIS = ("CreateMeeting", "SetMeeting", "CreateEvent", "SetEvent", "CreateTrainingSession",
            "SetTrainingSession")
LOBBY = ("externalAttendeeSecurity", "autoLock", "autoLockWaitTime")
SECURITY = "site:siteInstance/site:securityOptions"
COMMON_OPTIONS = "site:siteInstance/site:siteCommonOptions"
TEMPLATES = "site:siteInstance/site:metaData/site:meetingTemplates"

_FAULTS = [
    Drop("private-flag-missing", "private-meeting",
         "isPrivateMeeting is left out of GetSessionInfo, GetMeeting, LstsummarySession "
         "and LstCalendarSession", PRIVATE_APIS, ".//*:isPrivateMeeting"),
    Replace("private-flag-always-false", "private-meeting",
            "isPrivateMeeting is false even for a meeting of a private meeting type",
            PRIVATE_APIS, ".//*:isPrivateMeeting", value="false"),
    Drop("private-flag-in-lists-missing", "private-meeting",
         "isPrivateMeeting is left out of LstsummarySession and LstCalendarSession only",
         SESSION_LISTS, "ep:session/ep:isPrivateMeeting"),
    Drop("support-private-missing", "private-meeting",
         "GetMeetingType/LstMeetingType leave out SupportPrivateMeeting",
         ("GetMeetingType", "LstMeetingType"), ".//mtgtype:SupportPrivateMeeting"),
    Replace("getmeetingtype-private-false", "private-meeting",
            "GetMeetingType answers SupportPrivateMeeting false for a private type "
            "(LstMeetingType is right)", "GetMeetingType", "mtgtype:SupportPrivateMeeting",
            value="false"),
    Accept("registration-not-enforced", "registration-form-040014",
           "attendees are added although a required registration field is missing",
           ATTENDEE_APIS, "registration-form"),
    Drop("040014-without-value", "registration-form-040014",
         "exception 040014 comes without serv:value", ATTENDEE_APIS,
         "serv:value[../serv:exceptionID='040014']", header=True),
    Hook("040014-value-lists-all-required", "registration-form-040014",
         "serv:value names every required field, not just the missing ones",
         "services/attendee.py _check_registration"),
    Apply("040014-attendee-created", "registration-form-040014",
          "the attendee is created although 040014 is answered", ATTENDEE_APIS,
          "registration-form"),
    Drop("registration-form-not-returned", "registration-form-040014",
         "GetMeeting leaves out registrationForm", "GetMeeting", "meet:registrationForm"),
    Hook("040014-all-given-still-refused", "registration-form-040014",
         "040014 is answered although every required field is given",
         "services/attendee.py _check_registration"),
    Hook("040014-when-nothing-required", "registration-form-040014",
         "with no field required, every field is treated as required",
         "services/attendee.py _check_registration"),
    Hook("email-whitespace-trimmed", "email-whitespace",
         "leading and trailing whitespace is trimmed and the email accepted (every API)",
         "services/common.py check_email, clean_email"),
    Hook("email-only-space-checked", "email-whitespace",
         "only the space character is rejected; tab, CR and LF pass (every API)",
         "services/common.py check_email"),
    Apply("email-rejected-but-applied", "email-whitespace",
          "the email is rejected with FAILURE, but the create or change is applied anyway",
          (), "email"),
    *[Accept(f"email-whitespace-accepted:{api}", "email-whitespace",
             f"{api} accepts an email containing whitespace", api, "email")
      for api in EMAIL_APIS],
    Hook("pmr-key-changed-on-reactivation", "pmr-key-retention",
         "reactivating a user by SetUser gives the PMR a new key",
         "services/user.py _set_active"),
    Hook("pmr-key-changed-after-deluser", "pmr-key-retention",
         "a user deactivated by DelUser gets a new PMR key when reactivated",
         "services/user.py _set_active"),
    Hook("pmr-key-changed-on-pmr-reenable", "pmr-key-retention",
         "re-enabling a disabled PMR gives it a new key", "services/user.py _set_pmr"),
    Accept("anonymous-lstsummarysession-allowed", "lstsummarysession-anonymous-000015",
           "LstsummarySession without webExID/password lists the site's sessions",
           "LstsummarySession", "anonymous-lstsummarysession"),
    Accept("past-start-accepted", "past-start-060016",
           "CreateMeeting/SetMeeting accept a start time in the past",
           ("CreateMeeting", "SetMeeting"), "past-start"),
    Setting("auto-password-not-generated", "auto-password",
            "with 'all meetings must have a password' on, no password is generated",
            "CreateMeeting", "all_meetings_need_password", False),
    Setting("auto-password-when-off", "auto-password",
            "a password is generated although the site setting is off",
            "CreateMeeting", "all_meetings_need_password", True),
    Drop("given-password-not-returned", "auto-password",
         "a password given in the request is not returned by CreateMeeting",
         "CreateMeeting", "meet:meetingPassword", when=_has_password),
    Drop("failure-without-exception-id", "envelope",
         "a FAILURE answer has no serv:exceptionID", (), "serv:exceptionID", header=True),
    Replace("wrong-response-type", "envelope",
            "the bodyContent xsi:type of a SUCCESS does not name the API's response type",
            (), "@xsi:type", value=_response_type),
    Hook("exception-id-before-reason", "envelope",
         "a FAILURE's header writes exceptionID before reason (service.xsd responseType: "
         "result, reason, gsbStatus, exceptionID, subErrors, value)", "app.py _render"),
    Setting("email-change-waits-when-not-required", "email-change-verification",
            "a non-admin's new email waits for confirmation although the site does not "
            "require it", "SetUser", "require_email_confirmation", True),
    Hook("batch-answered-once", "envelope",
         "a request with several bodyContent elements gets only the first answered",
         "app.py _answer_message"),
    # user and site features (40.6.0-40.12.0)
    Drop("meeting-templates-missing", "site-meeting-templates",
         "GetSite leaves out meetingTemplates although the site has templates",
         "GetSite", TEMPLATES),
    Drop("meeting-templates-meeting-center-only", "site-meeting-templates",
         "GetSite returns only the MeetingCenter templates", "GetSite",
         f"{TEMPLATES}/site:meetingTemplate[site:serviceType!='MeetingCenter']"),
    Replace("meeting-template-service-type-misspelt", "site-meeting-templates",
            "meetingTemplate/serviceType is 'Meeting', 'Event', 'Training' instead of the "
            "documented values", "GetSite", f"{TEMPLATES}/site:meetingTemplate/site:serviceType",
            value=lambda node: (node.text or "").replace("Center", "")),
    Drop("mobile-screen-capture-missing", "mobile-screen-capture",
         "GetSite leaves out securityOptions/EnableMobileScreenCapture", "GetSite",
         f"{SECURITY}/site:EnableMobileScreenCapture"),
    Replace("mobile-screen-capture-always-false", "mobile-screen-capture",
            "EnableMobileScreenCapture is false whatever the site setting", "GetSite",
            f"{SECURITY}/site:EnableMobileScreenCapture", value="false"),
    Drop("scheduled-pmr-toggle-missing", "scheduled-pmr-list",
         "GetSite leaves out siteCommonOptions/SupportXMLAPIReturnScheduledPMR", "GetSite",
         f"{COMMON_OPTIONS}/site:SupportXMLAPIReturnScheduledPMR"),
    Replace("scheduled-pmr-toggle-always-false", "scheduled-pmr-list",
            "SupportXMLAPIReturnScheduledPMR is false whatever the site setting", "GetSite",
            f"{COMMON_OPTIONS}/site:SupportXMLAPIReturnScheduledPMR", value="false"),
    Ignore("um-site-admin-ignored", "um-site-admin",
           "CreateUser/SetUser ignore privilege/umSiteAdmin", USER_SETS,
           "privilege/umSiteAdmin"),
    Drop("um-site-admin-missing-in-getme", "um-site-admin",
         "GetMe leaves out privilege/umSiteAdmin", "GetMe", "use:privilege/use:umSiteAdmin"),
    Drop("um-site-admin-missing-in-lstsummaryuser", "um-site-admin",
         "LstsummaryUser leaves out privilege/umSiteAdmin", "LstsummaryUser",
         "use:user/use:privilege/use:umSiteAdmin"),
    Drop("cmr-hybrid-voip-not-returned", "cmr-hybrid-voip",
         "GetUser leaves out cmrHybridVoip", USER_GETS,
         "use:privilege/use:cmrHybridVoip", "use:cmrHybridVoip"),  # either placement
    Ignore("cmr-hybrid-voip-setuser-ignored", "cmr-hybrid-voip",
           "SetUser ignores cmrHybridVoip (CreateUser still sets it)", "SetUser",
           "cmrHybridVoip", "privilege/cmrHybridVoip"),
    Ignore("display-name-ignored", "display-name",
           "with EnableDisplayName on, CreateUser/SetUser ignore displayName", USER_SETS,
           "displayName"),
    Setting("display-name-shown-when-off", "display-name",
            "GetUser returns displayName although EnableDisplayName is off", USER_GETS,
            "enable_display_name", True),
    Hook("display-name-asian-with-space", "display-name",
         "the composed displayName always puts a space between the names, Asian too",
         "services/user.py _display_name"),
    Hook("display-name-not-composed", "display-name",
         "an empty stored displayName is returned empty, not composed from the names",
         "services/user.py _display_name"),
    Drop("device-can-start-pmr-not-returned", "device-can-start",
         "GetUser leaves out personalMeetingRoom/deviceCanStartMyPMR", USER_GETS,
         "use:personalMeetingRoom/use:deviceCanStartMyPMR"),
    Ignore("device-can-start-pmr-setuser-ignored", "device-can-start",
           "SetUser ignores personalMeetingRoom/deviceCanStartMyPMR", "SetUser",
           "personalMeetingRoom/deviceCanStartMyPMR"),
    Drop("device-can-start-meeting-not-returned", "device-can-start",
         "GetMeeting leaves out schedule/deviceCanStartMeeting", "GetMeeting",
         "meet:schedule/meet:deviceCanStartMeeting"),
    Accept("e2ee-pmr-allowed", "pmr-e2ee-110063",
           "a user whose only meeting types are E2EE can enable PMR", USER_SETS, "e2ee-pmr"),
    Replace("e2ee-pmr-wrong-exception", "pmr-e2ee-110063",
            "enabling PMR for an E2EE-only user fails with another exception id than 110063",
            USER_SETS, "serv:exceptionID[.='110063']", value="999110", header=True),
    Hook("e2ee-pmr-any-e2ee-type", "pmr-e2ee-110063",
         "PMR is refused as soon as one of the user's meeting types is E2EE",
         "services/user.py _check_e2ee"),
    Setting("ci-site-supportedservices-changed", "setuser-supportedservices-ci-site",
            "on a CI-linked site SetUser changes supportedServices all the same", "SetUser",
            "ci_linked_site", False),
    Hook("welcome-email-new-languages-rejected", "welcome-email-languages",
         "CreateUser with sendWelcome rejects languageID 19-22",
         "services/user.py _welcome_email"),
    Hook("welcome-email-language-names-rejected", "welcome-email-languages",
         "CreateUser with sendWelcome rejects language Czech, Polish, Hungarian, Romanian",
         "services/user.py _welcome_email"),
    # -- meeting-side requirements (meeting-uuid, audio-password, edu, duplicates) --------
    Ignore("meeting-uuid-not-accepted", "meeting-uuid",
           "a request naming the session by meetingUUID only finds nothing (every API)", (),
           "//meetingUUID"),
    Drop("meeting-uuid-not-returned", "meeting-uuid",
         "responses leave out meetingUUID (every API)", (), ".//*:meetingUUID"),
    Drop("meeting-uuid-not-returned-in-lists", "meeting-uuid",
         "list responses (LstsummarySession, LstCalendarSession, LstsummaryMeeting, "
         "LstMeetingAttendee, LstRecording, LstsummaryEvent, LstsummaryTrainingSession) "
         "leave out meetingUUID", LIST_APIS, "*/*:meetingUUID"),
    Hook("meeting-uuid-finds-latest", "meeting-uuid",
         "a meetingUUID lookup ignores the value and finds the latest session of its kind",
         "services/common.py by_uuid"),
    *[Drop(f"audio-password-missing:{api}", "audio-password",
           f"{api} leaves out audioPassword", api, "*:accessControl/*:audioPassword")
      for api in AUDIO_APIS],
    Drop("audio-password-missing", "audio-password",
         "GetMeeting, GetTrainingSession, GetEvent and GetTeleconferenceSession leave out "
         "audioPassword", AUDIO_APIS, "*:accessControl/*:audioPassword"),
    Replace("audio-password-not-numeric", "audio-password",
            "audioPassword is the session password itself, not its numeric form",
            AUDIO_APIS, "*:accessControl/*:audioPassword", value=_session_password),
    Drop("audio-enforce-flags-missing", "audio-password",
         "isEnforceAudioPassword and isEnforceAudioLogin are left out", AUDIO_APIS,
         "*:accessControl/*:isEnforceAudioPassword", "*:accessControl/*:isEnforceAudioLogin"),
    Setting("edu-templates-rejected", "edu-session-templates",
            "with the Education Instructor session type on, EDU templates are refused "
            "(all six APIs)", EDU_APIS, "edu_session_type", False),
    Setting("edu-templates-rejected-on-set", "edu-session-templates",
            "SetMeeting, SetEvent and SetTrainingSession refuse EDU templates (Create* "
            "accept)", ("SetMeeting", "SetEvent", "SetTrainingSession"), "edu_session_type",
            False),
    Accept("duplicate-attendee-email-all-added", "duplicate-attendee-email",
           "every attendee of one request is added, duplicates by email included (every API)",
           (), "duplicate-attendee-email"),
    Hook("duplicate-attendee-email-last-wins", "duplicate-attendee-email",
         "of several attendees with one email, the last is the one kept",
         "services/common.py duplicate_policy"),
    *[Accept(f"duplicate-attendee-email-all-added:{api}", "duplicate-attendee-email",
             f"{api} adds every attendee of one request, duplicates by email included", api,
             "duplicate-attendee-email")
      for api in DUPLICATE_APIS],
    # -- session-info requirements (lobby, participants, lookup, uninvited hiding) -------
    Drop("locked-lobby-not-returned", "locked-lobby",
         "with ConsistentLockedLobby on, GetMeeting leaves out externalAttendeeSecurity, "
         "autoLock and autoLockWaitTime", "GetMeeting",
         *[f"meet:attendeeOptions/meet:{name}" for name in LOBBY]),
    Ignore("locked-lobby-setmeeting-ignored", "locked-lobby",
           "SetMeeting ignores externalAttendeeSecurity, autoLock and autoLockWaitTime",
           "SetMeeting", *[f"attendeeOptions/{name}" for name in LOBBY]),
    Replace("locked-lobby-wait-time-zero-raised", "locked-lobby",
            "autoLockWaitTime 0 is stored as 5", "GetMeeting",
            "meet:attendeeOptions/meet:autoLockWaitTime[.='0']", value="5"),
    Drop("participant-status-missing", "session-participant-status",
         "GetSessionInfo leaves out hasHostInMeeting/hasAttendeeInMeeting while INPROGRESS",
         "GetSessionInfo", "ep:hasHostInMeeting", "ep:hasAttendeeInMeeting"),
    Hook("attendee-flag-ignores-host", "session-participant-status",
         "hasAttendeeInMeeting is false when only the host is in the meeting",
         "services/ep.py participant_status"),
    Hook("participant-flags-always-true", "session-participant-status",
         "hasHostInMeeting/hasAttendeeInMeeting are true whether anyone joined or not, "
         "in progress or not", "services/ep.py participant_status"),
    Hook("participant-status-not-gated", "session-participant-status",
         "hasHostInMeeting/hasAttendeeInMeeting keep their in-meeting values after the "
         "meeting ends", "services/ep.py participant_status"),
    Ignore("sessioninfo-pmr-url-ignored", "sessioninfo-mobile-lookup",
           "GetSessionInfo cannot find a personal room by pmrUrl", "GetSessionInfo", "pmrUrl"),
    Ignore("sessioninfo-sip-url-ignored", "sessioninfo-mobile-lookup",
           "GetSessionInfo cannot find a session by sipUrl", "GetSessionInfo", "sipUrl"),
    Ignore("sessioninfo-meeting-link-ignored", "sessioninfo-mobile-lookup",
           "GetSessionInfo cannot find a session by meetingLink", "GetSessionInfo",
           "meetingLink"),
    Ignore("sessioninfo-meeting-uuid-ignored", "sessioninfo-mobile-lookup",
           "GetSessionInfo cannot find a session by meetingUuid (without sessionKey)",
           "GetSessionInfo", "meetingUUID"),
    Accept("uninvited-sees-session-details", "sessioninfo-uninvited-hiding",
           "a signed-in caller who is not invited gets confName, startDate, duration, "
           "timeZone, meetingLink, sipURL and displayMeetingUrl", "GetSessionInfo",
           "uninvited-hiding"),
    Accept("anonymous-sees-session-details", "sessioninfo-uninvited-hiding",
           "an anonymous caller gets the details hidden from the uninvited",
           "GetSessionInfo", "anonymous-hiding"),
    Accept("uninvited-sees-links", "sessioninfo-uninvited-hiding",
           "meetingLink, sipURL and displayMeetingUrl are still returned to the uninvited",
           "GetSessionInfo", "link-hiding"),
    Accept("unapproved-attendee-sees-details", "sessioninfo-uninvited-hiding",
           "an attendee who is registered but not approved, or rejected, sees everything",
           "GetSessionInfo", "approval-hiding"),
    Hook("invited-attendee-hidden-too", "sessioninfo-uninvited-hiding",
         "an invited attendee is treated as uninvited (only the host sees the details)",
         "services/ep.py sees_details"),
    # -- user-card, throttling, email change, enrollment, history, bodyContent limit -----
    Hook("usercard-jwt-refused", "usercard-jwt",
         "GetUserCard refuses a caller with the site's API key (JWTToken header)",
         "services/user.py get_user_card"),
    Drop("usercard-access-code-missing", "usercard-jwt",
         "GetUserCard leaves out personalMeetingRoom/accessCode", "GetUserCard",
         "use:personalMeetingRoom/use:accessCode"),
    Hook("usercard-refuses-everyone", "usercard-authorization",
         "GetUserCard refuses every caller, the authorised account too",
         "services/user.py get_user_card"),
    Accept("usercard-anonymous-allowed", "usercard-authorization",
           "GetUserCard answers a caller without credentials", "GetUserCard",
           "usercard-credentials"),
    Accept("usercard-any-jwt-accepted", "usercard-authorization",
           "any JWT in the JWTToken header is taken for the site's API key", (), "api-key"),
    Accept("throttle-not-enforced", "sessioninfo-usercard-throttle",
           "a caller over the limit of not-found errors is never blocked", (), "throttle"),
    Hook("throttle-block-one-hour", "sessioninfo-usercard-throttle",
         "the block ends after one hour instead of two", "app.py _blocked"),
    Hook("throttle-block-never-ends", "sessioninfo-usercard-throttle",
         "the block does not end after two hours", "app.py _blocked"),
    Accept("throttle-sessioninfo-not-blocked", "sessioninfo-usercard-throttle",
           "a blocked caller can still call GetSessionInfo (only GetUserCard is blocked)",
           "GetSessionInfo", "throttle"),
    Hook("throttle-window-unbounded", "sessioninfo-usercard-throttle",
         "not-found errors older than an hour still count towards the limit",
         "app.py _count_not_found"),
    Hook("throttle-all-callers-blocked", "sessioninfo-usercard-throttle",
         "one caller's block blocks every caller", "app.py _blocked"),
    Setting("email-change-applied-at-once", "email-change-verification",
            "with confirmation required, a non-admin's new email applies at once", "SetUser",
            "require_email_confirmation", False),
    Hook("email-change-first-request-confirmed", "email-change-verification",
         "of several unconfirmed changes the first one, not the latest, is confirmed",
         "services/user.py change_email"),
    Hook("email-change-admin-needs-confirmation", "email-change-verification",
         "a site admin's change of an email also waits for confirmation",
         "services/user.py change_email"),
    Replace("enrollment-domain-filled", "enrollment-empty-domain",
            "GetEnrollmentInfo fills domain (a reverse DNS name) for each attendee",
            "GetEnrollmentInfo", "att:session/att:attendee/att:domain",
            value="client.example.net"),  # what a reverse DNS lookup used to give
    Drop("enrollment-domain-missing", "enrollment-empty-domain",
         "GetEnrollmentInfo leaves the domain element out", "GetEnrollmentInfo",
         "att:session/att:attendee/att:domain"),
    Ignore("aa-history-time-scope-ignored", "access-anywhere-history",
           "LstAccessAnywhereHistory ignores startTimeScope and endTimeScope",
           "LstAccessAnywhereHistory", "startTimeScope", "endTimeScope"),
    Ignore("aa-history-order-ignored", "access-anywhere-history",
           "LstAccessAnywhereHistory ignores order", "LstAccessAnywhereHistory", "order"),
    Ignore("aa-history-paging-ignored", "access-anywhere-history",
           "LstAccessAnywhereHistory ignores listControl (answers every record)",
           "LstAccessAnywhereHistory", "listControl"),
    Hook("aa-history-startfrom-zero-based", "access-anywhere-history",
         "listControl/startFrom is taken as 0-based",
         "services/history.py lst_access_anywhere_history"),
    Accept("aa-history-empty-success", "access-anywhere-history",
           "an empty LstAccessAnywhereHistory is SUCCESS with no records, not 000015",
           "LstAccessAnywhereHistory", "aa-history-not-found"),
    Hook("aa-history-matching-records-wrong-namespace", "access-anywhere-history",
         "matchingRecords/total, returned, startFrom are in the history namespace",
         "services/history.py lst_access_anywhere_history"),
    Accept("bodycontent-limit-not-enforced", "bodycontent-limit-000053",
           "any number of bodyContent elements is answered one by one", (),
           "bodycontent-limit"),
    Replace("bodycontent-limit-wrong-exception", "bodycontent-limit-000053",
            "too many bodyContent elements fail with 000000 instead of 000053", (),
            "serv:exceptionID[.='000053']", value="000000", header=True),
    Setting("bodycontent-limit-rejects-small-batch", "bodycontent-limit-000053",
            "the limit is 2: even a request with three bodyContent elements fails with 000053",
            (), "bodycontent_limit", 2),
    # -- the suite-level requirement schema (conformance.schema_findings) ---------------
    Hook("schema-invalid-answer", "schema",
         "every SUCCESS bodyContent ends with an element the schema does not declare "
         "(serv:notInTheSchema)", "app.py _answer_message"),
]

FAULTS: dict[str, Fault] = {f.name: f for f in _FAULTS}


def faults_for(requirement: str) -> list[Fault]:
    return [f for f in _FAULTS if f.requirement == requirement]


def check_names(names: list[str] | set[str]) -> None:
    unknown = sorted(set(names) - set(FAULTS))
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: "
                         f"{', '.join(sorted(FAULTS))}")


# -- checking the declarations (at import: a mistake here is the mock's, not a user's) -----
_ANY_NS = re.compile(r"\*:([A-Za-z_][\w.-]*)")


def _xpath(path: str) -> etree.XPath:
    return etree.XPath(_ANY_NS.sub(r"*[local-name()='\1']", path), namespaces=NS)


XPATHS: dict[str, etree.XPath] = {}


def _check(fault: Fault) -> None:
    where = f"fault {fault.name}"
    if fault.kind not in KINDS:
        raise ValueError(f"{where}: kind {fault.kind!r} is none of {', '.join(KINDS)}")
    if fault.kind in (DROP, REPLACE, IGNORE) and not fault.paths:
        raise ValueError(f"{where}: a {fault.kind} fault needs a path")
    if fault.kind in (DROP, REPLACE):
        for path in fault.paths:
            try:
                XPATHS.setdefault(path, _xpath(path))
            except etree.XPathSyntaxError as exc:
                raise ValueError(f"{where}: invalid XPath {path!r}: {exc}") from None
    if fault.kind == REPLACE and fault.value is None:
        raise ValueError(f"{where}: a replace fault needs a value")
    if fault.kind in (ACCEPT, APPLY) and fault.rule not in RULES:
        raise ValueError(f"{where}: unknown rule {fault.rule!r} (RULES)")
    if fault.kind == SETTING and not fault.setting:
        raise ValueError(f"{where}: a setting fault names the setting")
    if fault.kind == HOOK and not fault.where:
        raise ValueError(f"{where}: a hook says where its logic lives")


if len(FAULTS) != len(_FAULTS):
    raise ValueError("two faults have one name")
for _fault in _FAULTS:
    _check(_fault)


# -- applying them ---------------------------------------------------------------------------
def _strip(content: etree._Element, path: str) -> int:
    """Remove the request elements at ``path`` (Req's local names, case-insensitive)."""
    anywhere = path.startswith("//")
    parts = [p.lower() for p in path.lstrip("/").split("/")]
    nodes = [n for n in content.iter() if n is not content] if anywhere else list(content)
    nodes = [n for n in nodes if isinstance(n.tag, str) and _local(n).lower() == parts[0]]
    for part in parts[1:]:
        nodes = [c for n in nodes for c in n
                 if isinstance(c.tag, str) and _local(c).lower() == part]
    for node in nodes:
        node.getparent().remove(node)
    return len(nodes)


class Injection:
    """The faults set on a site, by kind: what the app and the validations consult."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names = frozenset(names)
        check_names(set(self.names))
        active = [FAULTS[n] for n in sorted(self.names)]
        self.of_kind = {kind: [f for f in active if f.kind == kind] for kind in KINDS}

    def __bool__(self) -> bool:
        return bool(self.names)

    # hooks -------------------------------------------------------------------------------
    def hook(self, name: str) -> bool:
        """A bespoke fault's switch. Asking for a fault of another kind is a mistake of the
        mock's code: such faults are applied by their kind, never checked by name."""
        fault = FAULTS[name]
        if fault.kind != HOOK:
            raise ValueError(f"fault {name} is a {fault.kind} fault: the mock applies it by "
                             "its kind (faults.py), no code asks for it by name")
        return name in self.names

    # accept / apply / setting ----------------------------------------------------------
    def skips(self, rule: str, api: str | None) -> bool:
        """An accept fault skips validation ``rule`` for ``api``."""
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r} (faults.RULES)")
        return any(f.rule == rule and f.matches(api) for f in self.of_kind[ACCEPT])

    def applied_anyway(self, rule: str, api: str | None) -> bool:
        """An apply fault lands the change ``rule`` rejected for ``api``."""
        return any(f.rule == rule and f.matches(api) for f in self.of_kind[APPLY])

    def setting(self, name: str, api: str | None, value: Any) -> Any:
        for fault in self.of_kind[SETTING]:
            if fault.setting == name and fault.matches(api):
                return fault.value
        return value

    # ignore ------------------------------------------------------------------------------
    def request(self, api: str | None, content: etree._Element) -> etree._Element:
        """The request as the handler sees it: a copy without the ignored elements."""
        faults = [f for f in self.of_kind[IGNORE] if f.matches(api)]
        if not faults:
            return content
        content = copy.deepcopy(content)
        for fault in faults:
            for path in fault.paths:
                _strip(content, path)
        return content

    # drop / replace ------------------------------------------------------------------------
    def answer(self, api: str | None, request: etree._Element | None,
               response: etree._Element, body: etree._Element) -> None:
        """Change one rendered answer (its serv:response and serv:bodyContent) in place."""
        for fault in self.of_kind[DROP] + self.of_kind[REPLACE]:
            if not fault.matches(api):
                continue
            if fault.when is not None and (request is None or not fault.when(Req(request))):
                continue
            root = response if fault.header else body
            for path in fault.paths:
                for node in XPATHS[path](root):
                    _change(fault, node)


def _change(fault: Fault, node: Any) -> None:
    attribute = not isinstance(node, etree._Element)
    if fault.kind == DROP:
        if attribute:
            del node.getparent().attrib[node.attrname]
        elif node.getparent() is not None:
            node.getparent().remove(node)
        return
    value = fault.value(node) if callable(fault.value) else fault.value
    if attribute:
        node.getparent().set(node.attrname, value)
    else:
        node.text = value

