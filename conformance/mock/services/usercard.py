"""GetUserCard: usercard-jwt (40.6.0: an API key, HTTP header JWTToken with a
securityContext of siteName only; avatar and personalMeetingRoom in the answer) and
usercard-authorization (40.9.0: no card without authorization)."""

from __future__ import annotations

from ..wire import BAD_LOGIN, USER_NOT_FOUND, ApiError, el, group
from . import Call, handler


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
