"""past-start-060016: a start time in the past is always rejected with 060016 by
CreateMeeting and SetMeeting; a future one never is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import example, given

from conformance.fuzzing import properties
from conformance.fuzzing import strategies as cst


@pytest.mark.requirement("past-start-060016")
@pytest.mark.parametrize("api", ["CreateMeeting", "SetMeeting"])
@example(offset=timedelta(days=-1))
@example(offset=timedelta(days=1))
@given(offset=cst.start_offsets())
def test_past_start_is_rejected_with_060016(fuzz, api, offset):
    """A past start time fails with 060016; a future one succeeds."""
    properties.start_time_checked(fuzz, api, offset)
