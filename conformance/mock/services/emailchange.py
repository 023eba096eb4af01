"""email-change-verification (40.4.0): with the site setting "require confirmation to update
email" (``require_email_confirmation``) on, SetUser by a non-admin keeps the current email
until the new one is confirmed (an email link: on the mock, ``POST /_mock/confirm-email``);
the latest request is the one to confirm. SetUser by a site admin changes it at once."""

from __future__ import annotations

from ..state import Site, User
from . import Call

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
