"""registration-form-040014: for any set of required registration fields and any set
provided, 040014 exactly when a required field is missing, naming exactly those fields."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conformance.fuzzing import properties
from conformance.fuzzing import strategies as cst


@st.composite
def provided_values(draw):
    fields = draw(cst.registration_subsets())
    return {f: draw(cst.field_values(max_size=12)) for f in sorted(fields)}


@pytest.mark.requirement("registration-form-040014")
@pytest.mark.parametrize("api", ["CreateMeetingAttendee", "RegisterMeetingAttendee"])
@example(required=frozenset(), values={}, name="李")  # the form itself (GetMeeting)
@example(required=frozenset({"title"}), values={}, name="Ana")  # one field missing
@example(required=frozenset({"title", "company"}), values={"title": "Dr"},  # one of two
         name="王小明")
@given(required=cst.registration_subsets(), values=provided_values(),
       name=cst.person_names())
def test_040014_names_exactly_the_missing_fields(fuzz, api, required, values, name):
    """040014 exactly when a required field is missing; serv:value names those fields."""
    properties.registration_enforced(fuzz, api, required, values, name)
