"""user service: AuthenticateUser, CreateUser, GetUser, SetUser, DelUser, GetMe,
GetUserCard, LstsummaryUser."""

from __future__ import annotations

import copy
import secrets

from lxml import etree

from ..req import Req
from ..state import PMR_RETENTION, User
from ..wire import (ACCESS_DENIED, BAD_LOGIN, EMAIL_EXISTS, NOT_FOUND, USER_NOT_FOUND,
                    WEBEXID_EXISTS, ApiError, el, group, matching_records, opt)
from . import Call, check_email, clean_email, handler


@handler("AuthenticateUser")
def authenticate_user(call: Call) -> list:
    user = call.require_caller()
    ticket = secrets.token_urlsafe(24)
    call.site.tickets[ticket] = user.webex_id.lower()
    return [el("use:sessionTicket", ticket),
            el("use:createTime", int(call.site.clock.now().timestamp() * 1000)),
            el("use:timeToLive", 5400)]


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
    pmr = _pmr_enable_flag(req)
    if pmr is not None:
        _set_pmr(call, user, pmr)
    active = req.text("active")
    if active:
        if active not in ("ACTIVATED", "DEACTIVATED", "REQUEST_TO_ACTIVATE"):
            raise ApiError("000000", "Fail to forward request:null")
        _set_active(call, user, active, how)
    for key in ("title", "company", "languageID", "language", "timeZoneID"):
        if req.has(key):
            user.extra[key] = req.text(key)


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
    _apply(call, user, req, "CreateUser")
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
        draft.email = email
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


def _user_elements(call: Call, user: User) -> list[etree._Element | None]:
    return [
        el("use:firstName", user.first_name),
        el("use:lastName", user.last_name),
        opt("use:title", user.extra.get("title")),
        opt("use:company", user.extra.get("company")),
        el("use:webExId", user.webex_id),
        el("use:email", user.email),
        group("use:privilege",
              el("use:host", user.host),
              el("use:siteAdmin", user.site_admin),
              el("use:umSiteAdmin", user.um_site_admin),
              el("use:isEnablePMR", user.pmr_enabled)),
        opt("use:languageID", user.extra.get("languageID")),
        el("use:active", user.active),
        group("use:personalMeetingRoom",
              el("use:welcomeMessage", f"Welcome to {user.first_name}'s Personal Room"),
              el("use:personalMeetingRoomURL", _pmr_url(call, user)),
              el("use:accessCode", user.pmr_key)),
        el("use:userId", user.user_id),
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


@handler("GetUserCard")
def get_user_card(call: Call) -> list:
    if call.caller is None:
        raise ApiError(*BAD_LOGIN)
    user = _find(call, call.req.text("webExId") or call.caller.webex_id)
    return [
        group("use:avatar", el("use:url", f"https://{call.site.name}.webex.com/avatar.png"),
              el("use:lastModifiedTime", 0), el("use:isUploaded", False)),
        group("use:personalMeetingRoom",
              el("use:title", f"{user.first_name}'s Personal Room"),
              el("use:personalMeetingRoomURL", _pmr_url(call, user)),
              el("use:accessCode", user.pmr_key)),
    ]


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
    return [matching_records("use", len(users), len(page), start)] + [
        group("use:user", el("use:webExId", u.webex_id), el("use:firstName", u.first_name),
              el("use:lastName", u.last_name), el("use:email", u.email),
              el("use:active", u.active),
              group("use:privilege", el("use:umSiteAdmin", u.um_site_admin)))
        for u in page]
