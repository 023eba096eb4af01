"""user service: AuthenticateUser, CreateUser, GetUser, SetUser, DelUser, GetMe,
LstsummaryUser, GetUserCard; the email-change rule (email-change-verification)."""

from __future__ import annotations

import copy
import secrets
from datetime import timedelta

from lxml import etree

from ..req import Req
from ..state import DEFAULT_TZ, PMR_RETENTION, TICKET_TTL, TZ_NAMES, Site, User
from ..wire import (
    ACCESS_DENIED,
    BAD_LOGIN,
    EMAIL_EXISTS,
    MALFORMED,
    NOT_FOUND,
    USER_NOT_FOUND,
    WEBEXID_EXISTS,
    ApiError,
    el,
    group,
    matching_records,
    opt,
)
from . import common as F
from .common import Call, check_email, clean_email, handler


@handler("AuthenticateUser")
def authenticate_user(call: Call) -> list:
    user = call.require_caller()
    site = call.site
    ticket = secrets.token_urlsafe(24)
    now = site.clock.now()
    site.tickets[ticket] = user.webex_id.lower()
    site.ticket_expiry[ticket] = now + timedelta(seconds=TICKET_TTL)
    return [el("use:sessionTicket", ticket),
            el("use:createTime", int(now.timestamp() * 1000)),
            el("use:timeToLive", TICKET_TTL)]


def _find(call: Call, webex_id: str | None) -> User:
    user = call.site.find_user(webex_id)
    if user is None:
        raise ApiError(*USER_NOT_FOUND)
    return user


def _pmr_enable_flag(req: Req) -> bool | None:
    for path in ("privilege/isEnablePMR", "isEnablePMR", "personalMeetingRoom/isEnablePMR"):
        value = req.bool(path)
        if value is not None:
            return value
    return None


def _set_active(call: Call, user: User, active: str, how: str) -> None:
    site = call.site
    now = site.clock.now()
    if active == "ACTIVATED" and user.active != "ACTIVATED":
        within = user.deactivated_at is not None and now - user.deactivated_at <= PMR_RETENTION
        changed = (not within
                   or site.fault("pmr-key-changed-on-reactivation")
                   or (site.fault("pmr-key-changed-after-deluser")
                       and user.deactivated_by == "DelUser"))
        if changed:
            user.pmr_key = site.new_pmr_key()
        user.deactivated_at, user.deactivated_by = None, None
    elif active != "ACTIVATED" and user.active == "ACTIVATED":
        user.deactivated_at, user.deactivated_by = now, how
    user.active = active


def _set_pmr(call: Call, user: User, enabled: bool) -> None:
    site = call.site
    now = site.clock.now()
    if enabled and not user.pmr_enabled:
        within = user.pmr_disabled_at is not None and now - user.pmr_disabled_at <= PMR_RETENTION
        if not within or site.fault("pmr-key-changed-on-pmr-reenable"):
            user.pmr_key = site.new_pmr_key()
        user.pmr_disabled_at = None
    elif not enabled and user.pmr_enabled:
        user.pmr_disabled_at = now
    user.pmr_enabled = enabled


def _apply(call: Call, user: User, req: Req, how: str) -> None:
    for attr, path in (("first_name", "firstName"), ("last_name", "lastName")):
        value = req.text(path)
        if value is not None:
            setattr(user, attr, value)
    if req.has("password"):
        user.password = req.text("password") or user.password
    for attr, path in (("host", "privilege/host"), ("site_admin", "privilege/siteAdmin"),
                       ("um_site_admin", "privilege/umSiteAdmin")):
        value = req.bool(path)
        if value is not None:
            setattr(user, attr, value)
    _apply_40x(call, user, req, how)
    pmr = _pmr_enable_flag(req)
    if pmr is not None:
        if pmr:
            _check_e2ee(call, user)
        _set_pmr(call, user, pmr)
    active = req.text("active")
    if active:
        if active not in ("ACTIVATED", "DEACTIVATED", "REQUEST_TO_ACTIVATE"):
            raise ApiError("000000", "Fail to forward request:null")
        _set_active(call, user, active, how)
    # the rest of userType, as given (common.py), answered back by GetUser
    given = F.read(req, F.USER_STORED)
    tz = given.get("timeZoneID")
    if tz is not None and int(tz) not in TZ_NAMES:
        raise ApiError(*MALFORMED)
    user.extra["sections"] = F.merge(user.extra.get("sections", {}), given)
    privilege = F.read(req.get("privilege"), F.USER_PRIVILEGE_STORED)
    user.extra["privilege"] = F.merge(user.extra.get("privilege", {}), privilege)
    _welcome_email(call, user, req, how)


SUPPORTED_SERVICES = ("meetingCenter", "trainingCenter", "supportCenter", "eventCenter",
                      "salesCenter")
# welcome-email-languages (40.7.0): the four new welcome-email languages
NEW_WELCOME_LANGUAGES = {"19": "Czech", "20": "Polish", "21": "Hungarian", "22": "Romanian"}


def _apply_40x(call: Call, user: User, req: Req, how: str) -> None:
    """displayName (40.11.0), cmrHybridVoip (40.11.0), deviceCanStartMyPMR (40.10.0),
    supportedServices (CI-linked site, 40.12.0) and the user's meeting types."""
    if req.has("displayName") and call.setting("enable_display_name"):
        user.extra["displayName"] = req.text("displayName") or ""
    for path in ("cmrHybridVoip", "privilege/cmrHybridVoip"):
        value = req.bool(path)
        if value is not None:
            user.extra["cmrHybridVoip"] = value
    value = req.bool("personalMeetingRoom/deviceCanStartMyPMR")
    if value is not None:
        user.extra["deviceCanStartMyPMR"] = value
    if req.has("supportedServices"):
        locked = how == "SetUser" and call.setting("ci_linked_site")
        if not locked:  # 40.12.0: a CI-linked site ignores the change
            services = user.extra.setdefault("supportedServices", _default_services())
            for name in SUPPORTED_SERVICES:
                value = req.bool(f"supportedServices/{name}")
                if value is not None:
                    services[name] = value
    types = [r.text() for r in req.all("meetingTypes/meetingType")]
    if types:
        user.extra["meetingTypes"] = [int(t) for t in types if (t or "").strip().isdigit()]


def _default_services() -> dict[str, bool]:
    return {"meetingCenter": True, "trainingCenter": True, "supportCenter": False,
            "eventCenter": True, "salesCenter": False}


def _is_e2ee(call: Call, type_id: int) -> bool:
    mt = call.site.meeting_types.get(type_id)
    return bool(mt and mt.e2ee) or str(type_id) in {
        str(t) for t in call.site.settings.get("e2ee_meeting_types") or []}


def _check_e2ee(call: Call, user: User) -> None:
    """pmr-e2ee-110063 (40.6.1): PMR needs at least one non-E2EE meeting type."""
    types = user.extra.get("meetingTypes") or list(call.site.meeting_types)
    flags = [_is_e2ee(call, t) for t in types]
    refused = any(flags) if call.fault("e2ee-pmr-any-e2ee-type") else all(flags)
    if refused and flags:
        call.reject("e2ee-pmr", ("110063", "User must have at least one non-E2EE meeting "
                                           "type to enable PMR."))


def _welcome_email(call: Call, user: User, req: Req, how: str) -> None:
    """welcome-email-languages (40.7.0): the mock records the welcome mail it sends."""
    if how != "CreateUser" or not req.bool("sendWelcome"):
        return
    language_id = (req.text("languageID") or "").strip()
    language = (req.text("language") or "").strip()
    if language_id in NEW_WELCOME_LANGUAGES and \
            call.fault("welcome-email-new-languages-rejected"):
        raise ApiError("999102", "Unsupported language (mock fault)")
    if language.lower() in {n.lower() for n in NEW_WELCOME_LANGUAGES.values()} and \
            call.fault("welcome-email-language-names-rejected"):
        raise ApiError("999102", "Unsupported language (mock fault)")
    user.extra["welcome_email"] = {
        "language": NEW_WELCOME_LANGUAGES.get(language_id) or language or "English",
        "html": bool(req.bool("isHTMLEmail"))}


@handler("CreateUser")
def create_user(call: Call) -> list:
    call.require_admin()
    req, site = call.req, call.site
    webex_id = (req.text("webExId") or "").strip()
    email = req.text("email")
    if not webex_id or email is None or not req.text("password"):
        raise ApiError("030001", "webExId, email and password are required")
    check_email(call, email)
    email = clean_email(call, email) or ""
    if site.find_user(webex_id):
        raise ApiError(*WEBEXID_EXISTS)
    if any(u.email.lower() == email.lower() for u in site.users.values()):
        raise ApiError(*EMAIL_EXISTS)
    user = site.add_user(webex_id, req.text("password") or "", email)
    try:
        _apply(call, user, req, "CreateUser")
    except ApiError:  # a rejected request creates no user
        site.users.pop(user.webex_id.lower(), None)
        raise
    return [el("use:userId", user.user_id)]


@handler("SetUser")
def set_user(call: Call) -> list:
    caller = call.require_caller()
    req, site = call.req, call.site
    user = _find(call, req.text("webExId") or caller.webex_id)
    if user is not caller and not caller.site_admin:
        raise ApiError(*ACCESS_DENIED)
    email = req.text("email")
    if email is not None:
        check_email(call, email)
        email = clean_email(call, email) or ""
        if any(u is not user and u.email.lower() == email.lower()
               for u in site.users.values()):
            raise ApiError(*EMAIL_EXISTS)
    draft = copy.deepcopy(user)  # a rejected request changes nothing
    _apply(call, draft, req, "SetUser")
    if email is not None:
        change_email(call, caller, draft, email)  # email-change-verification (40.4.0)
    new_id = req.text("newWebExId")
    site.users.pop(user.webex_id.lower())
    if new_id:
        draft.webex_id = new_id
    site.users[draft.webex_id.lower()] = draft
    return []


@handler("DelUser")
def del_user(call: Call) -> list:
    call.require_admin()
    ids = [r.text() for r in call.req.all("webExId")]
    if not ids:
        raise ApiError(*USER_NOT_FOUND)
    users = [_find(call, i) for i in ids]
    for user in users:
        _set_active(call, user, "DEACTIVATED", "DelUser")
    return []


def _pmr_url(call: Call, user: User) -> str:
    return f"https://{call.site.name}.webex.com/meet/{user.webex_id}"


_ASIAN = ((0x1100, 0x11FF), (0x2E80, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF),
          (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x2FA1F))


def _is_asian(text: str) -> bool:
    return any(lo <= ord(ch) <= hi for ch in text for lo, hi in _ASIAN)


def _display_name(call: Call, user: User) -> str | None:
    """display-name (40.11.0): shown only with EnableDisplayName on; an empty stored
    one is composed from the names (no space between Asian names)."""
    if not call.setting("enable_display_name"):
        return None
    stored = user.extra.get("displayName") or ""
    if stored or call.fault("display-name-not-composed"):
        return stored
    first, last = user.first_name, user.last_name
    if _is_asian(first + last) and not call.fault("display-name-asian-with-space"):
        return first + last
    return f"{first} {last}".strip()


def _user_elements(call: Call, user: User) -> list[etree._Element | None]:
    """getUserResponse in user.xsd's order (userType, userInstanceType, getUserResponse);
    the 40.x additions where the mock has always put them (privilege and
    personalMeetingRoom children last, displayName last)."""
    site = call.site
    services = user.extra.get("supportedServices") or _default_services()
    # cmr-hybrid-voip (40.11.0): returned for every user (false until set); where GetUser
    # writes it is the setting cmr_hybrid_voip_placement (privilege | user): the notes show
    # the placement only as an image, and the suite must pass a server either way
    cmr = bool(user.extra.get("cmrHybridVoip", False))
    in_user = site.settings.get("cmr_hybrid_voip_placement") == "user"
    st = user.extra.get("sections", {})
    tz = int(st.get("timeZoneID", DEFAULT_TZ))
    types = user.extra.get("meetingTypes") or sorted(site.meeting_types)
    privilege = dict(user.extra.get("privilege", {}), host=user.host, siteAdmin=user.site_admin)
    stored = {f.name: f for f in F.USER_STORED}

    def part(*names: str) -> list[etree._Element]:
        return F.write("use", [stored[n] for n in names], st)

    cmr_el = None if in_user else el("use:cmrHybridVoip", cmr)
    return [
        el("use:firstName", user.first_name),
        el("use:lastName", user.last_name),
        opt("use:displayName", _display_name(call, user)),  # the overlay: after lastName
        *part("title", "categoryId", "description", "officeGreeting", "company"),
        el("use:webExId", user.webex_id),
        group("use:address", *F.write("com", F.USER_ADDRESS.fields,
                                      st.get("address", {"addressType": "PERSONAL"}))),
        group("use:phones", *F.write("use", F.USER_PHONES.fields, st.get("phones", {}))),
        el("use:email", user.email),
        *part("email2", "officeurl", "passwordHint", "passwordHintAnswer", "personalUrl",
              "expirationDate"),
        group("use:commOptions", *F.write("use", F.USER_COMM_OPTIONS.fields,
                                          st.get("commOptions", {}))),
        group("use:meetingTypes", *[el("use:meetingType", t) for t in types]),
        group("use:options", *F.write("use", F.USER_OPTIONS.fields, st.get("options", {}))),
        el("use:timeZoneID", tz),
        el("use:timeZone", TZ_NAMES.get(tz, TZ_NAMES[DEFAULT_TZ])),
        # the overlay: umSiteAdmin first (40.9.0 sample), cmrHybridVoip after voiceOverIp,
        # isEnablePMR last
        group("use:privilege",
              el("use:umSiteAdmin", user.um_site_admin),
              *F.write("use", F.USER_PRIVILEGE, dict(privilege, voiceOverIp=(
                  el("use:voiceOverIp", privilege.get("voiceOverIp", "true")), cmr_el))),
              el("use:isEnablePMR", user.pmr_enabled)),
        el("use:language", st.get("language", "ENGLISH")),
        el("use:locale", st.get("locale", "U.S.")),
        *part("schedulingPermission"),
        el("use:active", user.active),
        group("use:supportedServices", *[el(f"use:{n}", services[n])
                                         for n in SUPPORTED_SERVICES]),
        group("use:myWebEx", *F.write("use", F.USER_MY_WEBEX.fields,
                                      dict({"myProfile": "true", "myMeetings": "true",
                                            "personalMeetingRoom": "true"},
                                           **st.get("myWebEx", {})))),
        group("use:personalMeetingRoom",
              el("use:welcomeMessage", f"Welcome to {user.first_name}'s Personal Room"),
              el("use:personalMeetingRoomURL", _pmr_url(call, user)),
              el("use:accessCode", user.pmr_key),
              opt("use:deviceCanStartMyPMR", user.extra.get("deviceCanStartMyPMR"))),
        group("use:sessionOptions", *F.write("use", F.USER_SESSION_OPTIONS.fields,
                                             dict({"defaultSessionType": "3",
                                                   "defaultServiceType": "MeetingCenter"},
                                                  **st.get("sessionOptions", {})))),
        *part("mpProfileNumber", "security"),
        el("use:languageID", st.get("languageID", "1")),
        # the overlay's other reading: directly under the user, at the end of userType
        el("use:cmrHybridVoip", cmr) if in_user else None,
        el("use:registrationDate", site.format_date(user.extra.setdefault(
            "registered", site.clock.now()), DEFAULT_TZ)),
        el("use:userId", user.user_id),
        el("use:passwordExpires", False),
    ]


@handler("GetUser")
def get_user(call: Call) -> list:
    caller = call.require_caller()
    user = _find(call, call.req.text("webExId") or caller.webex_id)
    if user is not caller and not caller.site_admin:
        raise ApiError(*ACCESS_DENIED)
    return _user_elements(call, user)


@handler("GetMe")
def get_me(call: Call) -> list:
    return _user_elements(call, call.require_caller())


@handler("LstsummaryUser")
def lst_summary_user(call: Call) -> list:
    call.require_admin()
    users = sorted(call.site.users.values(), key=lambda u: u.webex_id.lower())
    webex_id = call.req.text("webExId")
    if webex_id:
        users = [u for u in users if u.webex_id.lower() == webex_id.lower()]
    if not users:
        raise ApiError(*NOT_FOUND)
    start = max(1, call.req.int("listControl/startFrom", 1) or 1)
    maximum = min(500, call.req.int("listControl/maximumNum", 50) or 50)
    page = users[start - 1:start - 1 + maximum]
    # lstsummaryUserResponse: user* (userSummaryInstanceType), then matchingRecords;
    # privilege/umSiteAdmin (40.x) last in each user
    return [
        group("use:user", el("use:webExId", u.webex_id), el("use:firstName", u.first_name),
              el("use:lastName", u.last_name), el("use:email", u.email),
              el("use:active", u.active),
              group("use:privilege", el("use:umSiteAdmin", u.um_site_admin)))
        for u in page] + [matching_records("use", len(users), len(page), start)]


# -- GetUserCard: usercard-jwt (40.6.0), usercard-authorization (40.9.0) ---------------
# An API key: HTTP header JWTToken with a securityContext of siteName only; avatar and
# personalMeetingRoom in the answer. No card without authorization.
@handler("GetUserCard", anonymous=True)  # the handler refuses anonymous callers itself
def get_user_card(call: Call) -> list:
    site = call.site
    if call.caller is None:  # the id is not documented (usercard-authorization)
        call.reject("usercard-credentials", BAD_LOGIN)
    if call.via == "jwt" and call.fault("usercard-jwt-refused"):
        raise ApiError(*BAD_LOGIN)
    if call.fault("usercard-refuses-everyone"):
        raise ApiError(*BAD_LOGIN)
    webex_id = call.req.text("webExId") or (call.caller.webex_id if call.caller else None)
    user = site.find_user(webex_id)
    if user is None:
        raise ApiError(*USER_NOT_FOUND)
    pmr_url = f"https://{site.name}.webex.com/meet/{user.webex_id}"
    return [
        group("use:avatar", el("use:url", f"https://{site.name}.webex.com/avatar.png"),
              el("use:lastModifiedTime", 0), el("use:isUploaded", False)),
        group("use:personalMeetingRoom",
              el("use:title", f"{user.first_name}'s Personal Room"),
              el("use:personalMeetingRoomURL", pmr_url),
              el("use:accessCode", user.pmr_key)),
    ]


# -- email-change-verification (40.4.0) ------------------------------------------------
# With the site setting "require confirmation to update email" (require_email_confirmation)
# on, SetUser by a non-admin keeps the current email until the new one is confirmed (an
# email link: on the mock, POST /_mock/confirm-email); the latest request is the one to
# confirm. SetUser by a site admin changes it at once.
PENDING = "pending_email"


def change_email(call: Call, caller: User, user: User, email: str) -> None:
    """Apply (or hold for confirmation) the email of ``user`` that ``caller`` sets."""
    confirm = bool(call.setting("require_email_confirmation"))
    admin_waits = caller.site_admin and call.fault("email-change-admin-needs-confirmation")
    if confirm and (not caller.site_admin or admin_waits):
        if PENDING not in user.extra or not call.fault("email-change-first-request-confirmed"):
            user.extra[PENDING] = email  # the latest request is the one to confirm
        return
    user.email = email
    user.extra.pop(PENDING, None)  # an admin's change supersedes a pending one


def confirm_pending(site: Site) -> list[str]:
    """Every pending change confirmed (the user clicked the link); the users changed."""
    done = []
    with site.lock:
        for user in site.users.values():
            pending = user.extra.pop(PENDING, None)
            if pending is not None:
                user.email = pending
                done.append(user.webex_id)
    return done
