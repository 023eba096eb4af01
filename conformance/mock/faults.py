"""Named faults: each is a deliberate departure from one requirement, used to prove that
the cases of that requirement can fail (the mutation self-test)."""

from __future__ import annotations

from dataclasses import dataclass

EMAIL_APIS = (
    "CreateMeetingAttendee", "RegisterMeetingAttendee", "CreateEvent", "SetEvent",
    "CreateContact", "SetContact", "SetRecordingInfo", "CreateTrainingSession",
    "SetTrainingSession", "CreateUser", "SetUser", "CreateMeeting", "SetMeeting",
)


@dataclass(frozen=True)
class Fault:
    name: str
    requirement: str
    description: str


_FAULTS = [
    Fault("private-flag-missing", "private-meeting",
          "isPrivateMeeting is left out of GetSessionInfo, GetMeeting, LstsummarySession "
          "and LstCalendarSession"),
    Fault("private-flag-always-false", "private-meeting",
          "isPrivateMeeting is false even for a meeting of a private meeting type"),
    Fault("private-flag-in-lists-missing", "private-meeting",
          "isPrivateMeeting is left out of LstsummarySession and LstCalendarSession only"),
    Fault("support-private-missing", "private-meeting",
          "GetMeetingType/LstMeetingType leave out SupportPrivateMeeting"),
    Fault("registration-not-enforced", "registration-form-040014",
          "attendees are added although a required registration field is missing"),
    Fault("040014-without-value", "registration-form-040014",
          "exception 040014 comes without serv:value"),
    Fault("040014-value-lists-all-required", "registration-form-040014",
          "serv:value names every required field, not just the missing ones"),
    Fault("040014-attendee-created", "registration-form-040014",
          "the attendee is created although 040014 is answered"),
    Fault("registration-form-not-returned", "registration-form-040014",
          "GetMeeting leaves out registrationForm"),
    Fault("email-whitespace-trimmed", "email-whitespace",
          "leading and trailing whitespace is trimmed and the email accepted (every API)"),
    Fault("email-only-space-checked", "email-whitespace",
          "only the space character is rejected; tab, CR and LF pass (every API)"),
    Fault("email-rejected-but-applied", "email-whitespace",
          "the email is rejected with FAILURE, but the create or change is applied anyway"),
    *[Fault(f"email-whitespace-accepted:{api}", "email-whitespace",
            f"{api} accepts an email containing whitespace") for api in EMAIL_APIS],
    Fault("pmr-key-changed-on-reactivation", "pmr-key-retention",
          "reactivating a user by SetUser gives the PMR a new key"),
    Fault("pmr-key-changed-after-deluser", "pmr-key-retention",
          "a user deactivated by DelUser gets a new PMR key when reactivated"),
    Fault("pmr-key-changed-on-pmr-reenable", "pmr-key-retention",
          "re-enabling a disabled PMR gives it a new key"),
    Fault("anonymous-lstsummarysession-allowed", "lstsummarysession-anonymous-000015",
          "LstsummarySession without webExID/password lists the site's sessions"),
    Fault("past-start-accepted", "past-start-060016",
          "CreateMeeting/SetMeeting accept a start time in the past"),
    Fault("auto-password-not-generated", "auto-password",
          "with 'all meetings must have a password' on, no password is generated"),
    Fault("auto-password-when-off", "auto-password",
          "a password is generated although the site setting is off"),
    Fault("given-password-not-returned", "auto-password",
          "a password given in the request is not returned by CreateMeeting"),
    Fault("failure-without-exception-id", "envelope",
          "a FAILURE answer has no serv:exceptionID"),
    Fault("wrong-response-type", "envelope",
          "the bodyContent xsi:type of a SUCCESS does not name the API's response type"),
    Fault("batch-answered-once", "envelope",
          "a request with several bodyContent elements gets only the first answered"),
    # user and site features (40.6.0-40.12.0)
    Fault("meeting-templates-missing", "site-meeting-templates",
          "GetSite leaves out meetingTemplates although the site has templates"),
    Fault("meeting-templates-meeting-center-only", "site-meeting-templates",
          "GetSite returns only the MeetingCenter templates"),
    Fault("mobile-screen-capture-missing", "mobile-screen-capture",
          "GetSite leaves out securityOptions/EnableMobileScreenCapture"),
    Fault("mobile-screen-capture-always-false", "mobile-screen-capture",
          "EnableMobileScreenCapture is false whatever the site setting"),
    Fault("scheduled-pmr-toggle-missing", "scheduled-pmr-list",
          "GetSite leaves out siteCommonOptions/SupportXMLAPIReturnScheduledPMR"),
    Fault("scheduled-pmr-toggle-always-false", "scheduled-pmr-list",
          "SupportXMLAPIReturnScheduledPMR is false whatever the site setting"),
    Fault("um-site-admin-ignored", "um-site-admin",
          "CreateUser/SetUser ignore privilege/umSiteAdmin"),
    Fault("um-site-admin-missing-in-getme", "um-site-admin",
          "GetMe leaves out privilege/umSiteAdmin"),
    Fault("um-site-admin-missing-in-lstsummaryuser", "um-site-admin",
          "LstsummaryUser leaves out privilege/umSiteAdmin"),
    Fault("cmr-hybrid-voip-not-returned", "cmr-hybrid-voip",
          "GetUser leaves out cmrHybridVoip"),
    Fault("cmr-hybrid-voip-setuser-ignored", "cmr-hybrid-voip",
          "SetUser ignores cmrHybridVoip (CreateUser still sets it)"),
    Fault("display-name-ignored", "display-name",
          "with EnableDisplayName on, CreateUser/SetUser ignore displayName"),
    Fault("display-name-shown-when-off", "display-name",
          "GetUser returns displayName although EnableDisplayName is off"),
    Fault("display-name-asian-with-space", "display-name",
          "the composed displayName always puts a space between the names, Asian too"),
    Fault("display-name-not-composed", "display-name",
          "an empty stored displayName is returned empty, not composed from the names"),
    Fault("device-can-start-pmr-not-returned", "device-can-start",
          "GetUser leaves out personalMeetingRoom/deviceCanStartMyPMR"),
    Fault("device-can-start-pmr-setuser-ignored", "device-can-start",
          "SetUser ignores personalMeetingRoom/deviceCanStartMyPMR"),
    Fault("e2ee-pmr-allowed", "pmr-e2ee-110063",
          "a user whose only meeting types are E2EE can enable PMR"),
    Fault("e2ee-pmr-wrong-exception", "pmr-e2ee-110063",
          "enabling PMR for an E2EE-only user fails with another exception id than 110063"),
    Fault("e2ee-pmr-any-e2ee-type", "pmr-e2ee-110063",
          "PMR is refused as soon as one of the user's meeting types is E2EE"),
    Fault("ci-site-supportedservices-changed", "setuser-supportedservices-ci-site",
          "on a CI-linked site SetUser changes supportedServices all the same"),
    Fault("welcome-email-new-languages-rejected", "welcome-email-languages",
          "CreateUser with sendWelcome rejects languageID 19-22"),
    Fault("welcome-email-language-names-rejected", "welcome-email-languages",
          "CreateUser with sendWelcome rejects language Czech, Polish, Hungarian, Romanian"),
    # -- meeting-side requirements (meeting-uuid, audio-password, edu, duplicates) --------
    # -- session-info requirements (lobby, participants, lookup, uninvited hiding) -------
    # -- user-card, throttling, email change, enrollment, history, bodyContent limit -----
]

FAULTS: dict[str, Fault] = {f.name: f for f in _FAULTS}


def faults_for(requirement: str) -> list[Fault]:
    return [f for f in _FAULTS if f.requirement == requirement]


def check_names(names: list[str] | set[str]) -> None:
    unknown = sorted(set(names) - set(FAULTS))
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: "
                         f"{', '.join(sorted(FAULTS))}")
