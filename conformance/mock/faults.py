"""Named faults: each is a deliberate departure from one requirement, used to prove that
the cases of that requirement can fail (the mutation self-test)."""

from __future__ import annotations

from dataclasses import dataclass

EMAIL_APIS = (
    "CreateMeetingAttendee", "RegisterMeetingAttendee", "CreateEvent", "SetEvent",
    "CreateContact", "SetContact", "SetRecordingInfo", "CreateTrainingSession",
    "SetTrainingSession", "CreateUser", "SetUser", "CreateMeeting", "SetMeeting",
)

# audio-password and duplicate-attendee-email: the APIs the mock implements
AUDIO_APIS = ("GetMeeting", "GetTrainingSession", "GetEvent", "GetTeleconferenceSession")
DUPLICATE_APIS = ("CreateMeetingAttendee", "CreateMeeting", "SetMeeting", "CreateEvent",
                  "SetEvent", "CreateTrainingSession", "SetTrainingSession")


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
    Fault("getmeetingtype-private-false", "private-meeting",
          "GetMeetingType answers SupportPrivateMeeting false for a private type "
          "(LstMeetingType is right)"),
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
    Fault("040014-all-given-still-refused", "registration-form-040014",
          "040014 is answered although every required field is given"),
    Fault("040014-when-nothing-required", "registration-form-040014",
          "with no field required, every field is treated as required"),
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
    Fault("exception-id-before-reason", "envelope",
          "a FAILURE's header writes exceptionID before reason (service.xsd responseType: "
          "result, reason, gsbStatus, exceptionID, subErrors, value)"),
    Fault("email-change-waits-when-not-required", "email-change-verification",
          "a non-admin's new email waits for confirmation although the site does not "
          "require it"),
    Fault("batch-answered-once", "envelope",
          "a request with several bodyContent elements gets only the first answered"),
    # user and site features (40.6.0-40.12.0)
    Fault("meeting-templates-missing", "site-meeting-templates",
          "GetSite leaves out meetingTemplates although the site has templates"),
    Fault("meeting-templates-meeting-center-only", "site-meeting-templates",
          "GetSite returns only the MeetingCenter templates"),
    Fault("meeting-template-service-type-misspelt", "site-meeting-templates",
          "meetingTemplate/serviceType is 'Meeting', 'Event', 'Training' instead of the "
          "documented values"),
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
    Fault("device-can-start-meeting-not-returned", "device-can-start",
          "GetMeeting leaves out schedule/deviceCanStartMeeting"),
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
    Fault("meeting-uuid-not-accepted", "meeting-uuid",
          "a request naming the session by meetingUUID only finds nothing (every API)"),
    Fault("meeting-uuid-not-returned", "meeting-uuid",
          "responses leave out meetingUUID (every API)"),
    Fault("meeting-uuid-not-returned-in-lists", "meeting-uuid",
          "list responses (LstsummarySession, LstCalendarSession, LstsummaryMeeting, "
          "LstMeetingAttendee, LstRecording, LstsummaryEvent, LstsummaryTrainingSession) "
          "leave out meetingUUID"),
    Fault("meeting-uuid-finds-latest", "meeting-uuid",
          "a meetingUUID lookup ignores the value and finds the latest session of its kind"),
    *[Fault(f"audio-password-missing:{api}", "audio-password",
            f"{api} leaves out audioPassword") for api in AUDIO_APIS],
    Fault("audio-password-missing", "audio-password",
          "GetMeeting, GetTrainingSession, GetEvent and GetTeleconferenceSession leave out "
          "audioPassword"),
    Fault("audio-password-not-numeric", "audio-password",
          "audioPassword is the session password itself, not its numeric form"),
    Fault("audio-enforce-flags-missing", "audio-password",
          "isEnforceAudioPassword and isEnforceAudioLogin are left out"),
    Fault("edu-templates-rejected", "edu-session-templates",
          "with the Education Instructor session type on, EDU templates are refused "
          "(all six APIs)"),
    Fault("edu-templates-rejected-on-set", "edu-session-templates",
          "SetMeeting, SetEvent and SetTrainingSession refuse EDU templates (Create* accept)"),
    Fault("duplicate-attendee-email-all-added", "duplicate-attendee-email",
          "every attendee of one request is added, duplicates by email included (every API)"),
    Fault("duplicate-attendee-email-last-wins", "duplicate-attendee-email",
          "of several attendees with one email, the last is the one kept"),
    *[Fault(f"duplicate-attendee-email-all-added:{api}", "duplicate-attendee-email",
            f"{api} adds every attendee of one request, duplicates by email included")
      for api in DUPLICATE_APIS],
    # -- session-info requirements (lobby, participants, lookup, uninvited hiding) -------
    Fault("locked-lobby-not-returned", "locked-lobby",
          "with ConsistentLockedLobby on, GetMeeting leaves out externalAttendeeSecurity, "
          "autoLock and autoLockWaitTime"),
    Fault("locked-lobby-setmeeting-ignored", "locked-lobby",
          "SetMeeting ignores externalAttendeeSecurity, autoLock and autoLockWaitTime"),
    Fault("locked-lobby-wait-time-zero-raised", "locked-lobby",
          "autoLockWaitTime 0 is stored as 5"),
    Fault("participant-status-missing", "session-participant-status",
          "GetSessionInfo leaves out hasHostInMeeting/hasAttendeeInMeeting while INPROGRESS"),
    Fault("attendee-flag-ignores-host", "session-participant-status",
          "hasAttendeeInMeeting is false when only the host is in the meeting"),
    Fault("participant-flags-always-true", "session-participant-status",
          "hasHostInMeeting/hasAttendeeInMeeting are true whether anyone joined or not, "
          "in progress or not"),
    Fault("participant-status-not-gated", "session-participant-status",
          "hasHostInMeeting/hasAttendeeInMeeting keep their in-meeting values after the "
          "meeting ends"),
    Fault("sessioninfo-pmr-url-ignored", "sessioninfo-mobile-lookup",
          "GetSessionInfo cannot find a personal room by pmrUrl"),
    Fault("sessioninfo-sip-url-ignored", "sessioninfo-mobile-lookup",
          "GetSessionInfo cannot find a session by sipUrl"),
    Fault("sessioninfo-meeting-link-ignored", "sessioninfo-mobile-lookup",
          "GetSessionInfo cannot find a session by meetingLink"),
    Fault("sessioninfo-meeting-uuid-ignored", "sessioninfo-mobile-lookup",
          "GetSessionInfo cannot find a session by meetingUuid (without sessionKey)"),
    Fault("uninvited-sees-session-details", "sessioninfo-uninvited-hiding",
          "a signed-in caller who is not invited gets confName, startDate, duration, "
          "timeZone, meetingLink, sipURL and displayMeetingUrl"),
    Fault("anonymous-sees-session-details", "sessioninfo-uninvited-hiding",
          "an anonymous caller gets the details hidden from the uninvited"),
    Fault("uninvited-sees-links", "sessioninfo-uninvited-hiding",
          "meetingLink, sipURL and displayMeetingUrl are still returned to the uninvited"),
    Fault("unapproved-attendee-sees-details", "sessioninfo-uninvited-hiding",
          "an attendee who is registered but not approved, or rejected, sees everything"),
    Fault("invited-attendee-hidden-too", "sessioninfo-uninvited-hiding",
          "an invited attendee is treated as uninvited (only the host sees the details)"),
    # -- user-card, throttling, email change, enrollment, history, bodyContent limit -----
    Fault("usercard-jwt-refused", "usercard-jwt",
          "GetUserCard refuses a caller with the site's API key (JWTToken header)"),
    Fault("usercard-access-code-missing", "usercard-jwt",
          "GetUserCard leaves out personalMeetingRoom/accessCode"),
    Fault("usercard-refuses-everyone", "usercard-authorization",
          "GetUserCard refuses every caller, the authorised account too"),
    Fault("usercard-anonymous-allowed", "usercard-authorization",
          "GetUserCard answers a caller without credentials"),
    Fault("usercard-any-jwt-accepted", "usercard-authorization",
          "any JWT in the JWTToken header is taken for the site's API key"),
    Fault("throttle-not-enforced", "sessioninfo-usercard-throttle",
          "a caller over the limit of not-found errors is never blocked"),
    Fault("throttle-block-one-hour", "sessioninfo-usercard-throttle",
          "the block ends after one hour instead of two"),
    Fault("throttle-block-never-ends", "sessioninfo-usercard-throttle",
          "the block does not end after two hours"),
    Fault("throttle-sessioninfo-not-blocked", "sessioninfo-usercard-throttle",
          "a blocked caller can still call GetSessionInfo (only GetUserCard is blocked)"),
    Fault("throttle-window-unbounded", "sessioninfo-usercard-throttle",
          "not-found errors older than an hour still count towards the limit"),
    Fault("throttle-all-callers-blocked", "sessioninfo-usercard-throttle",
          "one caller's block blocks every caller"),
    Fault("email-change-applied-at-once", "email-change-verification",
          "with confirmation required, a non-admin's new email applies at once"),
    Fault("email-change-first-request-confirmed", "email-change-verification",
          "of several unconfirmed changes the first one, not the latest, is confirmed"),
    Fault("email-change-admin-needs-confirmation", "email-change-verification",
          "a site admin's change of an email also waits for confirmation"),
    Fault("enrollment-domain-filled", "enrollment-empty-domain",
          "GetEnrollmentInfo fills domain (a reverse DNS name) for each attendee"),
    Fault("enrollment-domain-missing", "enrollment-empty-domain",
          "GetEnrollmentInfo leaves the domain element out"),
    Fault("aa-history-time-scope-ignored", "access-anywhere-history",
          "LstAccessAnywhereHistory ignores startTimeScope and endTimeScope"),
    Fault("aa-history-order-ignored", "access-anywhere-history",
          "LstAccessAnywhereHistory ignores order"),
    Fault("aa-history-paging-ignored", "access-anywhere-history",
          "LstAccessAnywhereHistory ignores listControl (answers every record)"),
    Fault("aa-history-startfrom-zero-based", "access-anywhere-history",
          "listControl/startFrom is taken as 0-based"),
    Fault("aa-history-empty-success", "access-anywhere-history",
          "an empty LstAccessAnywhereHistory is SUCCESS with no records, not 000015"),
    Fault("aa-history-matching-records-wrong-namespace", "access-anywhere-history",
          "matchingRecords/total, returned, startFrom are in the history namespace"),
    Fault("bodycontent-limit-not-enforced", "bodycontent-limit-000053",
          "any number of bodyContent elements is answered one by one"),
    Fault("bodycontent-limit-wrong-exception", "bodycontent-limit-000053",
          "too many bodyContent elements fail with 000000 instead of 000053"),
    Fault("bodycontent-limit-rejects-small-batch", "bodycontent-limit-000053",
          "the limit is 2: even a request with three bodyContent elements fails with 000053"),
    # -- the suite-level requirement schema (conformance.schema_findings) ---------------
    Fault("schema-invalid-answer", "schema",
          "every SUCCESS bodyContent ends with an element the schema does not declare "
          "(serv:notInTheSchema)"),
]

FAULTS: dict[str, Fault] = {f.name: f for f in _FAULTS}


def faults_for(requirement: str) -> list[Fault]:
    return [f for f in _FAULTS if f.requirement == requirement]


def check_names(names: list[str] | set[str]) -> None:
    unknown = sorted(set(names) - set(FAULTS))
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(unknown)}; known: "
                         f"{', '.join(sorted(FAULTS))}")
