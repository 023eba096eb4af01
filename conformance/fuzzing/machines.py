"""Stateful fuzzing (hypothesis ``RuleBasedStateMachine``): a user lifecycle and a meeting
lifecycle against the target, with the documented invariants checked as they go and every
created object cleaned up in ``teardown`` (which hypothesis runs on failure too).

Build a machine for a session with :func:`user_lifecycle` / :func:`meeting_lifecycle` and
run it with ``hypothesis.stateful.run_state_machine_as_test``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from ..expect import check_response
from ..ledger import Created, Ledger
from ..mock.state import REGISTRATION_FIELDS
from ..response import Message
from ..runner import user_password, user_password_pattern
from .harness import FuzzSession, FuzzTargetError
from .properties import person_body
from .strategies import field_values, person_names, registration_subsets, valid_emails

RETENTION = timedelta(days=7)   # pmr-key-retention: "within a week"
MARGIN = timedelta(hours=12)    # never assert right at the edge of the window
MAX_USERS = 3
MAX_MEETINGS = 3


class _Machine(RuleBasedStateMachine):
    fuzz: FuzzSession

    def __init__(self) -> None:
        super().__init__()
        self.fuzz.log = []
        self.advanced = 0.0
        self.n = 0
        # what this example created, reported to the run's ledger as well (torn down at the
        # end of the run if the example's own teardown could not)
        self.ledger = Ledger(parent=self.fuzz.target.ledger)
        self.created: dict[str, Created] = {}

    def _record(self, kind: str, key: str, delete_api: str, delete_field: str) -> None:
        item = Created(kind, key, delete_api, delete_field, f"fuzz:{type(self).__name__}")
        self.created[key] = item
        self.ledger.record(item)

    def _forget(self, key: str) -> None:
        item = self.created.pop(key, None)
        if item is not None:
            self.ledger.forget(item)

    def _teardown_ledger(self, quiet: Any = lambda item: False) -> None:
        """Delete what the example created (newest first); a refusal ``quiet(item)``
        accepts is no leftover."""
        def delete(item: Created) -> Any:
            return self.fuzz.call(item.delete_api, {item.delete_field: item.key},
                                  label=f"cleanup {item.delete_api} {item.key}").first

        for outcome in self.ledger.teardown(delete):
            item = outcome.item
            if outcome.status == "refused" and quiet(item):
                self.ledger.forget(item)
            elif outcome.status == "refused":
                self.fuzz.leftovers.append(f"{item.kind} {item.key}: {item.delete_api} "
                                           f"answered {outcome.detail}")
            elif outcome.status == "error":
                self.fuzz.leftovers.append(f"{item.kind} {item.key}: {outcome.detail}")
        self.ledger.clear()
        self.created.clear()

    def _uid(self, kind: str) -> str:
        t = self.fuzz.target
        number = t.next_case_number()
        self.n += 1
        return f"{t.prefix}{kind}{number:03d}"

    def _call(self, api: str, payload: Any, label: str) -> Message:
        return self.fuzz.call(api, payload, label=label)

    def _expect_ok(self, msg: Message, what: str) -> None:
        if not msg.first.ok:
            raise FuzzTargetError(f"{what} did not succeed, so the lifecycle could not go "
                                  f"on: {msg.first.summary()}")

    def _advance(self, seconds: float) -> None:
        self.fuzz.target.advance_clock(seconds)
        self.advanced += seconds

    def _restore_clock(self) -> None:
        if self.advanced:
            try:
                self._advance(-self.advanced)
            except Exception as exc:  # cleanup goes on; the leftover is reported
                self.fuzz.leftovers.append(f"mock clock not restored: {exc}")


# -- users ----------------------------------------------------------------------------------
class UserLifecycle(_Machine):
    """pmr-key-retention: a user deactivated (DelUser or SetUser) or whose PMR is disabled,
    reactivated within a week, keeps the PMR meeting key."""

    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, dict[str, Any]] = {}
        self.now = timedelta()

    def _key(self, webex_id: str) -> str | None:
        msg = self._call("GetUser", {"webExId": webex_id}, f"GetUser {webex_id}")
        self._expect_ok(msg, "GetUser")
        return msg.first.text("use:personalMeetingRoom/use:accessCode")

    def _ids(self, **state: Any) -> list[str]:
        return sorted(w for w, u in self.users.items()
                      if all(u[k] == v for k, v in state.items()))

    @precondition(lambda self: len(self.users) < MAX_USERS)
    @rule(first=person_names(), last=person_names())
    def create_user(self, first: str, last: str) -> None:
        webex_id = self._uid("u")
        t = self.fuzz.target
        password = user_password(t.prefix, self.n)
        t.add_secret_pattern(user_password_pattern(t.prefix))
        msg = self._call("CreateUser", {
            "firstName": first, "lastName": last, "webExId": webex_id,
            "email": f"{webex_id}@example.com", "password": password,
            "privilege": {"host": True}, "active": "ACTIVATED", "sendWelcome": False},
            "CreateUser")
        self._expect_ok(msg, "CreateUser")
        self._record("user", webex_id, "DelUser", "webExId")
        # "off": for "active" and "pmr", (model time, key) when it was switched off
        self.users[webex_id] = {"active": True, "pmr": True, "key": self._key(webex_id),
                                "off": {}}

    def _off(self, webex_id: str, what: str) -> None:
        user = self.users[webex_id]
        user["off"][what] = (self.now, self._key(webex_id))
        user[what] = False

    def _check_back(self, webex_id: str, what: str, how: str, index: int) -> None:
        user = self.users[webex_id]
        key = self._key(webex_id)
        since, before = user["off"].pop(what)
        elapsed = self.now - since
        if before and elapsed <= RETENTION - MARGIN and key != before:
            self.fuzz.fail(
                f"pmr-key-retention: the PMR key changed from {before!r} to {key!r} when "
                f"{how} after {elapsed}",
                differences=[f"use:personalMeetingRoom/use:accessCode: expected {before!r}, "
                             f"got {key!r}"],
                request_index=index, example={"how": how, "elapsed": str(elapsed)})
        if key != before:  # a change the documentation allows (after the window)
            user["off"] = {w: (t, key) for w, (t, _) in user["off"].items()}
        user["key"] = key

    @precondition(lambda self: any(u["active"] for u in self.users.values()))
    @rule(data=st.data(), how=st.sampled_from(["DelUser", "SetUser", "PMR"]),
          hours=st.sampled_from([0, 24, 144]))
    def cycle(self, data: st.DataObject, how: str, hours: int) -> None:
        """Off and on again in one step (deactivate and reactivate, or disable and enable
        the PMR), ``hours`` apart when the mock's clock can be advanced: the documented
        case, found with a small budget."""
        webex_id = data.draw(st.sampled_from(self._ids(active=True)), label="user")
        if how == "PMR" and not self.users[webex_id]["pmr"]:
            self._enable(webex_id)
        if how == "PMR":
            self._disable(webex_id)
        else:
            self._deactivate(webex_id, how)
        if hours and self.fuzz.target.capabilities().get("mock_control"):
            self.time_passes(hours)
        if how == "PMR":
            self._enable(webex_id)
        else:
            self._reactivate(webex_id)

    @precondition(lambda self: any(u["active"] for u in self.users.values()))
    @rule(data=st.data(), how=st.sampled_from(["DelUser", "SetUser"]))
    def deactivate(self, data: st.DataObject, how: str) -> None:
        webex_id = data.draw(st.sampled_from(self._ids(active=True)), label="user")
        self._deactivate(webex_id, how)

    def _deactivate(self, webex_id: str, how: str) -> None:
        self._off(webex_id, "active")
        body = {"webExId": webex_id} if how == "DelUser" else \
            {"webExId": webex_id, "active": "DEACTIVATED"}
        self._expect_ok(self._call(how, body, f"{how} deactivates {webex_id}"), how)

    @precondition(lambda self: any(not u["active"] for u in self.users.values()))
    @rule(data=st.data())
    def reactivate(self, data: st.DataObject) -> None:
        webex_id = data.draw(st.sampled_from(self._ids(active=False)), label="user")
        self._reactivate(webex_id)

    def _reactivate(self, webex_id: str) -> None:
        msg = self._call("SetUser", {"webExId": webex_id, "active": "ACTIVATED"},
                         f"SetUser reactivates {webex_id}")
        self._expect_ok(msg, "SetUser active=ACTIVATED")
        self.users[webex_id]["active"] = True
        self._check_back(webex_id, "active", "the user was reactivated", len(self.fuzz.log) - 1)

    @precondition(lambda self: any(u["active"] and u["pmr"] for u in self.users.values()))
    @rule(data=st.data())
    def disable_pmr(self, data: st.DataObject) -> None:
        webex_id = data.draw(st.sampled_from(self._ids(active=True, pmr=True)), label="user")
        self._disable(webex_id)

    def _disable(self, webex_id: str) -> None:
        self._off(webex_id, "pmr")
        self._expect_ok(self._call("SetUser", {"webExId": webex_id,
                                               "privilege": {"isEnablePMR": False}},
                                   f"SetUser disables the PMR of {webex_id}"), "SetUser")

    @precondition(lambda self: any(u["active"] and not u["pmr"] for u in self.users.values()))
    @rule(data=st.data())
    def enable_pmr(self, data: st.DataObject) -> None:
        webex_id = data.draw(st.sampled_from(self._ids(active=True, pmr=False)),
                             label="user")
        self._enable(webex_id)

    def _enable(self, webex_id: str) -> None:
        msg = self._call("SetUser", {"webExId": webex_id, "privilege": {"isEnablePMR": True}},
                         f"SetUser enables the PMR of {webex_id}")
        self._expect_ok(msg, "SetUser isEnablePMR=true")
        self.users[webex_id]["pmr"] = True
        self._check_back(webex_id, "pmr", "the PMR was enabled again", len(self.fuzz.log) - 1)

    # Named to sort after the lifecycle rules: hypothesis orders rules by name and shrinks
    # the choice towards the first, so an early-sorting no-op rule would stay in the
    # shrunk example instead of being deleted.
    @precondition(lambda self: any(u["active"] for u in self.users.values()))
    @rule(data=st.data())
    def update_email(self, data: st.DataObject) -> None:
        webex_id = data.draw(st.sampled_from(self._ids(active=True)), label="user")
        email = data.draw(valid_emails(domain=f"{webex_id}.example.com"), label="email")
        msg = self._call("SetUser", {"webExId": webex_id, "email": email},
                         f"SetUser changes the email of {webex_id}")
        self._expect_ok(msg, "SetUser email")

    @precondition(lambda self: bool(self.users)
                  and bool(self.fuzz.target.capabilities().get("mock_control")))
    @rule(hours=st.sampled_from([1, 12, 24, 72, 144]))
    def time_passes(self, hours: int) -> None:
        self._advance(hours * 3600)
        self.now += timedelta(hours=hours)

    def teardown(self) -> None:
        # DelUser refusing a user already deactivated leaves nothing active behind
        self._teardown_ledger(quiet=lambda item: not self.users[item.key]["active"])
        self._restore_clock()


# -- meetings -------------------------------------------------------------------------------
class MeetingLifecycle(_Machine):
    """private-meeting and registration-form-040014: what CreateMeeting/SetMeeting set is
    what GetMeeting, GetSessionInfo and LstsummarySession report; attendees without a
    required registration field get 040014 naming exactly the missing fields."""

    def __init__(self) -> None:
        super().__init__()
        self.meetings: dict[str, dict[str, Any]] = {}
        caps = self.fuzz.target.capabilities()
        self.types = {True: caps.get("private_meeting_type"),
                      False: caps.get("standard_meeting_type")}

    def _pick(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(sorted(self.meetings)), label="meeting")

    def _private(self, data: st.DataObject) -> bool:
        return data.draw(st.booleans(), label="private") if self.types[True] else False

    @initialize()
    def need_types(self) -> None:
        if not self.types[False]:
            raise FuzzTargetError("no standard meeting type found (LstMeetingType)")

    @precondition(lambda self: len(self.meetings) < MAX_MEETINGS)
    @rule(data=st.data(), name=field_values(max_size=12),
          form=registration_subsets())
    def create_meeting(self, data: st.DataObject, name: str, form: frozenset[str]) -> None:
        private = self._private(data)
        conf_name = f"{self._uid('m')} {name}"
        start = (self.fuzz.target.now() + timedelta(days=2)).strftime("%m/%d/%Y %H:%M:%S")
        body: dict[str, Any] = {
            "accessControl": {"meetingPassword": "Pw1x9Qz"},
            "metaData": {"confName": conf_name, "meetingType": self.types[private]},
            "schedule": {"startDate": start, "timeZoneID": 20, "duration": 30}}
        if form:
            body["attendeeOptions"] = {"registration": True, "auto": True}
            body["registrationForm"] = {f: {"req": f in form} for f in REGISTRATION_FIELDS}
        msg = self._call("CreateMeeting", body, "CreateMeeting")
        self._expect_ok(msg, "CreateMeeting")
        key = (msg.first.text("meet:meetingkey") or "").strip()
        if not key:
            raise FuzzTargetError("CreateMeeting returned no meetingkey")
        self._record("meeting", key, "DelMeeting", "meetingKey")
        self.meetings[key] = {"name": conf_name, "private": private, "form": set(form),
                              "has_form": bool(form)}

    @precondition(lambda self: bool(self.meetings))
    @rule(data=st.data(), name=st.none() | field_values(max_size=12),
          form=st.none() | registration_subsets())
    def set_meeting(self, data: st.DataObject, name: str | None,
                    form: frozenset[str] | None) -> None:
        key = self._pick(data)
        model = self.meetings[key]
        private = self._private(data)
        body: dict[str, Any] = {"meetingKey": key,
                                "metaData": {"meetingType": self.types[private]}}
        if name is not None:
            body["metaData"]["confName"] = f"{model['name'].split(' ')[0]} {name}"
        if form is not None:
            body["attendeeOptions"] = {"registration": True, "auto": True}
            body["registrationForm"] = {f: {"req": f in form} for f in REGISTRATION_FIELDS}
        self._expect_ok(self._call("SetMeeting", body, f"SetMeeting {key}"), "SetMeeting")
        model["private"] = private
        if name is not None:
            model["name"] = body["metaData"]["confName"]
        if form is not None:
            model["form"], model["has_form"] = set(form), True

    @precondition(lambda self: bool(self.meetings))
    @rule(data=st.data(), provided=registration_subsets(), person=person_names(),
          api=st.sampled_from(["CreateMeetingAttendee", "RegisterMeetingAttendee"]))
    def add_attendee(self, data: st.DataObject, provided: frozenset[str], person: str,
                     api: str) -> None:
        key = self._pick(data)
        model = self.meetings[key]
        email = f"{self._uid('a')}@example.com"
        values = {f: f"{f} value" for f in provided}
        msg = self._call(api, {"attendees": {
            "person": person_body(values, name=person, email=email), "role": "ATTENDEE",
            "sessionKey": key, "emailInvitations": False}}, f"{api} to {key}")
        missing = sorted(model["form"] - set(provided))
        expect: dict[str, Any] = ({"result": "FAILURE", "exceptionID": "040014",
                                   "value_set": missing} if missing else {"result": "SUCCESS"})
        diffs = check_response(expect, msg.first, api=api)
        if diffs:
            self.fuzz.fail(f"registration-form-040014: {api} with {sorted(provided)} for "
                           f"required {sorted(model['form'])}",
                           differences=[str(d) for d in diffs],
                           example={"required": sorted(model["form"]),
                                    "provided": sorted(provided)})

    @precondition(lambda self: bool(self.meetings))
    @rule(data=st.data())
    def check_meeting(self, data: st.DataObject) -> None:
        key = self._pick(data)
        model = self.meetings[key]
        private = "true" if model["private"] else "false"
        checks: list[tuple[str, Any, dict[str, Any]]] = [
            ("GetMeeting", {"meetingKey": key}, {
                "result": "SUCCESS",
                "equals": {"meet:metaData/meet:confName": model["name"],
                           "meet:isPrivateMeeting": private,
                           **({f"meet:registrationForm/meet:{f}/meet:req":
                               "true" if f in model["form"] else "false"
                               for f in REGISTRATION_FIELDS} if model["has_form"] else {})}}),
            ("GetSessionInfo", {"sessionKey": key},
             {"result": "SUCCESS", "equals": {"ep:isPrivateMeeting": private}}),
            ("LstsummarySession", {"sessionKey": key}, {
                "result": "SUCCESS",
                "equals": {f"ep:session[ep:sessionKey='{key}']/ep:isPrivateMeeting": private,
                           f"ep:session[ep:sessionKey='{key}']/ep:confName": model["name"]}}),
        ]
        for api, body, expect in checks:
            msg = self._call(api, body, f"{api} {key}")
            diffs = check_response(expect, msg.first, api=api)
            if diffs:
                req = "registration-form-040014" if any("registrationForm" in d.where
                                                        for d in diffs) else "private-meeting"
                self.fuzz.fail(f"{req}: {api} disagrees with what was set",
                               differences=[str(d) for d in diffs],
                               example={"meeting": {k: sorted(v) if isinstance(v, set) else v
                                                    for k, v in model.items()}})

    @precondition(lambda self: bool(self.meetings))
    @rule(data=st.data())
    def delete_meeting(self, data: st.DataObject) -> None:
        key = self._pick(data)
        self._expect_ok(self._call("DelMeeting", {"meetingKey": key}, f"DelMeeting {key}"),
                        "DelMeeting")
        del self.meetings[key]
        self._forget(key)
        msg = self._call("GetMeeting", {"meetingKey": key}, f"GetMeeting deleted {key}")
        if msg.first.ok:
            self.fuzz.fail(f"GetMeeting still finds meeting {key} after DelMeeting",
                           example={"meeting": key})

    def teardown(self) -> None:
        self._teardown_ledger()
        self._restore_clock()


def user_lifecycle(fuzz: FuzzSession) -> type[UserLifecycle]:
    return type("UserLifecycle", (UserLifecycle,), {"fuzz": fuzz})


def meeting_lifecycle(fuzz: FuzzSession) -> type[MeetingLifecycle]:
    return type("MeetingLifecycle", (MeetingLifecycle,), {"fuzz": fuzz})
