"""The catalogue against the case files and the faults: no case names an unknown id, every
fault breaks a covered requirement, every covered requirement has a fault, and the README's
requirements table is generated from the current state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conformance.cases import case_files, load_case_file
from conformance.catalogue import catalogue
from conformance.mock.faults import FAULTS

ROOT = Path(__file__).resolve().parent.parent


def _covered() -> set[str]:
    return {c.requirement for p in case_files(ROOT / "cases") for c in load_case_file(p)}


def _suite_level() -> set[str]:
    """Requirements the suite checks on every answer (one run-level result, no case file)."""
    return {r.id for r in catalogue().values() if r.level == "suite"}


def test_catalogue_has_the_33_documented_ids() -> None:
    assert len([r for r in catalogue().values() if r.level == "behaviour"]) == 33
    assert _suite_level() == {"schema"}
    assert {r.level for r in catalogue().values()} == {"behaviour", "suite"}


def test_no_case_file_checks_a_suite_level_requirement() -> None:
    assert _covered() & _suite_level() == set()


def test_no_case_names_an_unknown_requirement() -> None:
    assert _covered() - set(catalogue()) == set()


def test_every_fault_names_a_catalogued_and_covered_requirement() -> None:
    covered = _covered() | _suite_level()  # a suite-level one: its run-level result
    for fault in FAULTS.values():
        assert fault.requirement in catalogue(), fault.name
        assert fault.requirement in covered, f"{fault.name}: no case for {fault.requirement}"


def test_every_covered_requirement_has_a_fault() -> None:
    with_faults = {f.requirement for f in FAULTS.values()}
    assert (_covered() | _suite_level()) - with_faults == set()


def test_readme_requirements_table_is_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "requirements_table.py"),
                             "--check"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
