"""site service: GetSite (element order of site.xsd ``siteType``, 40.x additions last)."""

from __future__ import annotations

from ..wire import el, group
from . import Call, handler


@handler("GetSite")
def get_site(call: Call) -> list:
    site = call.site
    s = site.settings
    templates = group("site:meetingTemplates", *[
        group("site:meetingTemplate", el("site:meetingTemplateName", name),
              el("site:serviceType", service.replace("Center", "")
                 if call.fault("meeting-template-service-type-misspelt") else service))
        for name, service in s.get("meeting_templates", [])
        if service == "MeetingCenter"
        or not call.fault("meeting-templates-meeting-center-only")])
    if call.fault("meeting-templates-missing"):
        templates = group("site:meetingTemplates")
    # 40.12.0 sample: meetingTemplates follows the meetingTypes inside metaData.
    meta = group("site:metaData",
                 el("site:isEnterprise", True),
                 *[el("site:serviceType", t) for t in ("Meeting Center", "Event Center",
                                                       "Training Center")],
                 *[group("site:meetingTypes", el("site:meetingTypeID", mt.type_id),
                         el("site:meetingTypeName", mt.name))
                   for mt in site.meeting_types.values()],
                 templates if len(templates) else None,
                 el("site:siteName", site.name),
                 el("site:brandName", site.name),
                 el("site:timeZoneID", 20),
                 el("site:webDomain", f"{site.name}.webex.com"))
    return [group(
        "site:siteInstance",
        meta,
        group("site:securityOptions",
              el("site:allMeetingsPassword", bool(s.get("all_meetings_need_password"))),
              None if call.fault("mobile-screen-capture-missing")
              else el("site:EnableMobileScreenCapture",
                      bool(s.get("enable_mobile_screen_capture", False))
                      and not call.fault("mobile-screen-capture-always-false"))),
        group("site:siteCommonOptions",
              None if call.fault("scheduled-pmr-toggle-missing")
              else el("site:SupportXMLAPIReturnScheduledPMR",
                      bool(s.get("support_return_scheduled_pmr", False))
                      and not call.fault("scheduled-pmr-toggle-always-false")),
              # locked-lobby: GetSite's placement is the mock's choice (not documented)
              el("site:ConsistentLockedLobby", bool(s.get("consistent_locked_lobby", False)))),
    )]
