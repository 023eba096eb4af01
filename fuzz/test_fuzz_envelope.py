"""envelope and bodycontent-limit-000053: generated envelopes of every read-only API the
mock implements (schema-driven payloads, 1-3 bodies, UTF-8 and ISO-8859-1, any serv
prefix, every accepted xsi:type spelling) are answered with proper envelopes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.fuzzing import properties
from conformance.fuzzing import strategies as cst

READ_ONLY = properties.read_only_apis()
# Clearly over any limit seen so far (the mock's is 10; the real one is not documented).
OVER_LIMIT = 200


@pytest.mark.requirement("envelope")
@given(data=st.data())
def test_every_answer_is_a_proper_envelope(fuzz, data):
    """Every response is a serv:message with SUCCESS or FAILURE; a FAILURE has reason and
    exceptionID; a SUCCESS has the API's response type; bodies answered one by one."""
    apis = properties.read_only_apis(fuzz)
    envelope = data.draw(cst.envelopes(apis=apis, max_bodies=3), label="envelope")
    properties.envelope_answers(fuzz, envelope)


@pytest.mark.requirement("bodycontent-limit-000053")
@given(count=cst.bodycontent_counts(min_count=1, max_count=3))
def test_small_batches_are_answered_one_by_one(fuzz, count):
    """A request with a few bodyContent elements gets one answer per bodyContent."""
    properties.batch_answered(fuzz, count, over=False)


@pytest.mark.requirement("bodycontent-limit-000053")
@given(count=cst.bodycontent_counts(min_count=OVER_LIMIT, max_count=OVER_LIMIT + 50))
def test_counts_clearly_over_the_limit_get_000053(fuzz, count):
    """A request with far too many bodyContent elements fails with 000053."""
    properties.batch_answered(fuzz, count, over=True)
