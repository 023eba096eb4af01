"""``apis_not_covered`` in the catalogue: a listed API no case covers is named in the
compliance record, not silently absent."""

from __future__ import annotations

from pathlib import Path

from conformance.cases import case_files, load_case_file
from conformance.catalogue import catalogue
from conformance.report.record import build_record

ROOT = Path(__file__).resolve().parent.parent


def _case_apis() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in case_files(ROOT / "cases"):
        for case in load_case_file(path):
            out.setdefault(case.requirement, set()).update(case.apis)
    return out


def test_apis_not_covered_are_listed_apis_that_no_case_names() -> None:
    covered = _case_apis()
    for req in catalogue().values():
        assert set(req.apis_not_covered) <= set(req.apis), req.id
        assert not set(req.apis_not_covered) & covered.get(req.id, set()), req.id


def test_the_meeting_side_lists_are_complete() -> None:
    """Every API the catalogue lists is either named by a case or declared not covered."""
    covered = _case_apis()
    for rid in ("meeting-uuid", "duplicate-attendee-email", "audio-password",
                "edu-session-templates"):
        req = catalogue()[rid]
        assert set(req.apis) == covered[rid] | set(req.apis_not_covered), rid


def test_the_record_names_them_for_each_requirement() -> None:
    record = build_record([], {"start": "2026-01-01T00:00:00", "end": "2026-01-01T00:00:01"})
    by_id = {r["id"]: r for r in record["requirements"]}
    assert "GetEnrollmentInfo" in by_id["meeting-uuid"]["apis_not_covered"]
    assert by_id["duplicate-attendee-email"]["apis_not_covered"] == ["CreateUser", "SetUser"]
    assert all(isinstance(r["apis_not_covered"], list) for r in record["requirements"])
