"""email-whitespace: no API accepts an email containing whitespace, wherever it sits and
whatever the kind, and a rejected request changes nothing. Each API's check and "nothing
changed" steps come from cases/email-whitespace.yaml; the email is generated."""

from __future__ import annotations

import pytest
from hypothesis import example, given

from conformance.fuzzing import properties
from conformance.fuzzing import strategies as cst

CASES = properties.email_cases()



def edge_cases(test):
    """The tabulated edge cases (strategies.email_edges) run first, whatever the budget."""
    # applied bottom-up: the last one applied runs first, so reverse to run in table order
    for email, _, _ in reversed(cst.email_edges(domain=properties.EMAIL_DOMAIN)):
        test = example(email=email)(test)
    return test


@pytest.mark.requirement("email-whitespace")
@pytest.mark.parametrize("case", CASES, ids=[properties.email_case_id(c) for c in CASES])
@edge_cases
@given(email=cst.whitespace_emails(domain=properties.EMAIL_DOMAIN))
def test_no_api_accepts_whitespace_in_an_email(fuzz, case, email):
    """An email containing whitespace is rejected and nothing is created or changed."""
    properties.email_rejected(fuzz, case, email)
