"""meetingtype service: LstMeetingType, GetMeetingType (40.12.0 SupportPrivateMeeting)."""

from __future__ import annotations

from ..state import MeetingType
from ..wire import NOT_FOUND, ApiError, el, group, matching_records
from .common import Call, handler

# mtgtype:optionsType: what every meeting type of the mock's site supports (the rest off)
SUPPORTED = ("supportAppShare", "supportAttendeeRegistration", "supportChat",
             "supportDesktopShare", "supportFileShare", "supportMeetingRecord", "supportPoll",
             "supportPresentation", "supportVoIP", "supportVideo", "supportWindowsClient",
             "supportMacClient", "supportTeleconfCallIn", "supportTollFreeCallIn")
OPTIONS = ("supportAppShare", "supportAppShareRemote", "supportAttendeeRegistration",
           "supportRemoteWebTour", "supportWebTour", "supportFileShare", "supportChat",
           "supportCobrowseSite", "supportCorporateOfficesSite", "supportDesktopShare",
           "supportDesktopShareRemote", "supportFileTransfer", "supportInternationalCallOut",
           "supportJavaClient", "supportMacClient", "supportMeetingCenterSite",
           "supportMeetingRecord", "supportMultipleMeeting", "supportOnCallSite",
           "supportOnStageSite", "supportPartnerOfficesSite", "supportPoll",
           "supportPresentation", "supportSolarisClient", "supportSSL", "supportE2E",
           "supportPKI", "supportTeleconfCallIn", "supportTeleconfCallOut",
           "supportTollFreeCallIn", "supportVideo", "supportVoIP", "supportWebExComSite",
           "supportWindowsClient", "supportQuickStartAttendees", "supportQuickStartHost")


def _type_elements(call: Call, mt: MeetingType) -> list:
    """meetingTypeInstanceType: productCodePrefix, active, name, displayName, limits,
    options, phoneNumbers (meetingTypeTypeExt), then meetingTypeID, serviceTypes;
    SupportPrivateMeeting (40.12.0) last."""
    return [
        el("mtgtype:productCodePrefix", mt.product_code),
        el("mtgtype:active", "ACTIVATED"),
        el("mtgtype:name", mt.name),
        el("mtgtype:displayName", mt.display_name),
        group("mtgtype:limits", el("mtgtype:maxMeetingDuration", 1440),
              el("mtgtype:maxMeetingUser", 1000)),
        # pmr-e2ee-110063: options/supportE2E tells the E2EE types (the setting
        # e2ee_meeting_types), so that a run can discover them
        group("mtgtype:options", *[el(f"mtgtype:{o}", _e2ee(call, mt) if o == "supportE2E"
                                      else o in SUPPORTED) for o in OPTIONS]),
        group("mtgtype:phoneNumbers",
              el("mtgtype:primaryTollCallInNumber", "+1-408-555-0100"),
              el("mtgtype:primaryTollFreeCallInNumber", "+1-866-555-0100")),
        el("mtgtype:meetingTypeID", mt.type_id),
        group("mtgtype:serviceTypes", el("mtgtype:serviceType", mt.service_type)),
        el("mtgtype:SupportPrivateMeeting", mt.support_private),
    ]


def _e2ee(call: Call, mt: MeetingType) -> bool:
    listed = {str(t) for t in call.site.settings.get("e2ee_meeting_types") or []}
    return mt.e2ee or str(mt.type_id) in listed


@handler("LstMeetingType")
def lst_meeting_type(call: Call) -> list:
    call.require_caller()
    types = sorted(call.site.meeting_types.values(), key=lambda t: t.type_id)
    wanted = [r.text() for r in call.req.all("meetingTypeID")]
    if wanted:
        types = [t for t in types if str(t.type_id) in wanted]
    if not types:
        raise ApiError(*NOT_FOUND)
    return [matching_records("mtgtype", len(types), len(types), 1)] + [
        group("mtgtype:meetingType", *_type_elements(call, t)) for t in types]


@handler("GetMeetingType")
def get_meeting_type(call: Call) -> list:
    call.require_caller()
    mt = call.site.meeting_types.get(call.req.int("meetingTypeID", -1) or -1)
    if mt is None:
        raise ApiError(*NOT_FOUND)
    return _type_elements(call, mt)
