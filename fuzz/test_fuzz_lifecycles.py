"""Stateful fuzzing: the user lifecycle (pmr-key-retention) and the meeting lifecycle
(private-meeting, registration-form-040014). Everything created is cleaned up in the
machines' teardown, also when an invariant fails."""

from __future__ import annotations

import pytest
from hypothesis.stateful import run_state_machine_as_test

from conformance.fuzzing import machines
from conformance.fuzzing.plugin import stateful_settings


@pytest.mark.requirement("pmr-key-retention")
def test_pmr_key_survives_reactivation_within_a_week(fuzz, request):
    """Create, deactivate (DelUser/SetUser), reactivate, change email, disable and enable
    the PMR: the PMR key survives reactivation within the retention window."""
    if not fuzz.target.capabilities().get("site_admin"):
        pytest.skip("not applicable to this target: needs a site-admin account")
    machine = machines.user_lifecycle(fuzz)
    request.node._machine_name = machine.__name__
    run_state_machine_as_test(machine, settings=stateful_settings(request.config, machine))


@pytest.mark.requirement("private-meeting")
def test_meeting_apis_agree_with_what_was_set(fuzz, request):
    """Create, set, add attendees, get, list, delete: GetMeeting, GetSessionInfo and
    LstsummarySession agree with what was set; 040014 exactly for missing fields."""
    machine = machines.meeting_lifecycle(fuzz)
    request.node._machine_name = machine.__name__
    run_state_machine_as_test(machine, settings=stateful_settings(request.config, machine))
