"""The mock's service modules: one per XML API service, each answering the APIs of its
service only, sharing code through services/common.py alone (no service imports another,
so no import circle between services)."""

from __future__ import annotations

import ast
from pathlib import Path

import conformance.mock.app  # noqa: F401  (registers every handler)
from conformance.mock.services import HANDLERS

SERVICES = Path(conformance.mock.app.__file__).resolve().parent / "services"
EXPECTED = {"user", "meeting", "ep", "attendee", "event", "training", "history", "site",
            "meetingtype", "auo"}


def _modules() -> set[str]:
    return {p.stem for p in SERVICES.glob("*.py")} - {"__init__", "common"}


def test_one_module_per_xml_api_service() -> None:
    assert _modules() == EXPECTED


def test_each_handler_lives_in_the_module_of_its_service() -> None:
    wrong = {name: (api.service, func.__module__) for name, (api, func, _) in HANDLERS.items()
             if func.__module__.rsplit(".", 1)[1] != api.service.rsplit(".", 1)[-1]}
    assert wrong == {}
    assert {func.__module__.rsplit(".", 1)[1] for _, func, _ in HANDLERS.values()} == EXPECTED


def _service_imports(path: Path) -> set[str]:
    """The modules of the services package a module imports (relative imports of level 1)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_services_share_code_only_through_common() -> None:
    for name in sorted(_modules()):
        assert _service_imports(SERVICES / f"{name}.py") <= {"common"}, name
    assert _service_imports(SERVICES / "common.py") == set()
