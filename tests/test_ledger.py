"""The cleanup ledger: record, forget, teardown with one set of "already gone" answers; the
case ledger reports to the run's."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conformance.errors import TargetError
from conformance.ledger import ALREADY_GONE, Created, Ledger
from conformance.mock.wire import MEETING_NOT_FOUND, NOT_FOUND, USER_NOT_FOUND


@dataclass
class Answer:
    ok: bool
    exception_id: str | None = None

    def summary(self) -> str:
        return f"FAILURE {self.exception_id}"


def _items() -> list[Created]:
    return [Created("meeting", "1", "DelMeeting", "meetingKey", "c::a"),
            Created("user", "u1", "DelUser", "webExId", "c::a"),
            Created("contact", "9", "DelContacts", "contactID", "c::a"),
            Created("meeting", "2", "DelMeeting", "meetingKey", "c::a")]


def test_already_gone_is_the_not_found_answers_of_the_delete_apis() -> None:
    assert ALREADY_GONE == {NOT_FOUND[0], MEETING_NOT_FOUND[0], USER_NOT_FOUND[0]}
    assert all("not found" in text.lower() or "no record" in text.lower()
               for _, text in (NOT_FOUND, MEETING_NOT_FOUND, USER_NOT_FOUND))


def test_a_case_ledger_records_and_forgets_in_the_runs_ledger() -> None:
    run = Ledger()
    case = Ledger(parent=run)
    a, b, *_ = _items()
    case.record(a)
    case.record(b)
    assert run.items() == [a, b] and case.items() == [a, b]
    case.forget(a)
    assert run.items() == [b] and case.items() == [b]
    case.clear()  # the case is over: what it could not delete stays in the run's ledger
    assert not case and run.items() == [b]


def test_forget_is_by_identity() -> None:
    ledger = Ledger()
    one = Created("meeting", "1", "DelMeeting", "meetingKey")
    twin = Created("meeting", "1", "DelMeeting", "meetingKey")
    ledger.record(one)
    ledger.record(twin)
    ledger.forget(twin)
    assert len(ledger) == 1 and ledger.items()[0] is one


def test_teardown_newest_first_with_every_outcome() -> None:
    run = Ledger()
    case = Ledger(parent=run)
    for item in _items():
        case.record(item)
    answers = {"2": Answer(True), "9": Answer(False, "060001"), "u1": Answer(False, "999999")}
    order: list[str] = []

    def delete(item: Created) -> Answer:
        order.append(item.key)
        if item.key == "1":
            raise TargetError("unreachable")
        return answers[item.key]

    outcomes = case.teardown(delete)
    assert order == ["2", "9", "u1", "1"]
    assert [(o.item.key, o.status) for o in outcomes] == [
        ("2", "deleted"), ("9", "gone"), ("u1", "refused"), ("1", "error")]
    assert outcomes[1].detail == "060001" and outcomes[3].detail == "unreachable"
    assert outcomes[2].detail == "FAILURE 999999" and "deactivated" in outcomes[2].note
    # deleted and gone are forgotten here and in the run's ledger; the rest stays
    assert [i.key for i in case] == ["1", "u1"] and [i.key for i in run] == ["1", "u1"]


@pytest.mark.parametrize("eid", sorted(ALREADY_GONE))
def test_each_already_gone_id_counts_as_removed(eid: str) -> None:
    ledger = Ledger()
    ledger.record(_items()[0])
    (outcome,) = ledger.teardown(lambda item: Answer(False, eid))
    assert outcome.status == "gone" and outcome.removed and not ledger
