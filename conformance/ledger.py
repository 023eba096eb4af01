"""The cleanup ledger: what a case (or a fuzz test) created on the target and has not
deleted yet, and its teardown. One per case, and one per run (:attr:`TargetSession.ledger
<conformance.target.TargetSession.ledger>`) that every case ledger reports to, torn down
again at the end of the run (:mod:`conformance.safety`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import TargetError

#: exception ids of a delete whose object is not there (any more): the case deleted it
#: another way (by meetingUUID, DelSession...), so nothing is left.
#: 000015 "Sorry, no record found"; 060001 "Corresponding Meeting not found" (meeting,
#: session); 030001 "Corresponding User not found" (user)
ALREADY_GONE = frozenset({"000015", "060001", "030001"})


@dataclass
class Created:
    kind: str
    key: str
    delete_api: str
    delete_field: str
    case: str = ""


@dataclass(frozen=True)
class Outcome:
    """What the teardown of one :class:`Created` came to."""

    item: Created
    status: str  # deleted | gone (ALREADY_GONE) | refused (another answer) | error
    detail: str = ""  # gone: the exception id; refused: the answer; error: the TargetError

    @property
    def removed(self) -> bool:
        """Nothing of it is left on the target."""
        return self.status in ("deleted", "gone")

    @property
    def note(self) -> str:
        return " (deactivated: DelUser cannot delete a user)" if self.item.kind == "user" \
            else ""


class Ledger:
    """Created objects, oldest first. A ledger with a ``parent`` (the run's) records and
    forgets in the parent too."""

    def __init__(self, parent: Ledger | None = None) -> None:
        self._items: list[Created] = []
        self.parent = parent

    def __iter__(self) -> Iterator[Created]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def items(self) -> list[Created]:
        return list(self._items)

    def record(self, item: Created) -> None:
        self._items.append(item)
        if self.parent is not None:
            self.parent.record(item)

    def forget(self, item: Created) -> None:
        """Drop ``item`` (deleted: nothing left to clean up), by identity."""
        for index, entry in enumerate(self._items):
            if entry is item:
                del self._items[index]
                break
        if self.parent is not None:
            self.parent.forget(item)

    def clear(self) -> None:
        """Forget everything here (the parent keeps what was not deleted)."""
        self._items.clear()

    def teardown(self, delete: Callable[[Created], Any]) -> list[Outcome]:
        """Delete everything, newest first. ``delete(item)`` sends the delete and returns
        the :class:`~conformance.response.Response`; a :class:`TargetError` is an
        ``error`` outcome. What is deleted or already gone is forgotten."""
        outcomes: list[Outcome] = []
        for item in reversed(self._items):
            try:
                response = delete(item)
            except TargetError as exc:
                outcomes.append(Outcome(item, "error", str(exc)))
                continue
            if response.ok:
                outcomes.append(Outcome(item, "deleted"))
            elif response.exception_id in ALREADY_GONE:
                outcomes.append(Outcome(item, "gone", str(response.exception_id)))
            else:
                outcomes.append(Outcome(item, "refused", response.summary()))
        for outcome in outcomes:
            if outcome.removed:
                self.forget(outcome.item)
        return outcomes
