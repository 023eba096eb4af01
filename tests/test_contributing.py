"""The README's contributor guide and architecture section name files that exist: a
newcomer who follows them finds every file they name (and a renamed or deleted module
makes this fail until the README says where the code went)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
_PATH = re.compile(r"(?<![\w./-])((?:conformance|cases|tests|scripts|examples|bench|fuzz)"
                   r"/[\w./-]*[\w/])")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 4)
    return README[start:end if end > 0 else None]


def _paths(text: str) -> set[str]:
    return {m.group(1).rstrip("/.") for m in _PATH.finditer(text)}


def _missing(text: str) -> list[str]:
    out = []
    for path in sorted(_paths(text)):
        if "*" in path or "<" in path:
            continue
        if not (ROOT / path).exists():
            out.append(path)
    return out


def test_the_guide_names_only_files_that_exist() -> None:
    guide = _section("Contributing: adding a requirement, a case, a fault, a capability")
    named = _paths(guide)
    # one worked example each: the catalogue, the overlay, a case file, the mock, the
    # faults, the registry, the profile
    for expected in ("conformance/data/requirements.yaml", "conformance/schema/overlay.yaml",
                     "cases/mobile-screen-capture.yaml", "conformance/mock/faults.py",
                     "conformance/capabilities.py", "conformance/mock/services/site.py",
                     "examples/site-profile.yaml", "cases/_steps.yaml"):
        assert expected in named, expected
    assert _missing(guide) == []


def test_the_architecture_section_names_only_files_that_exist() -> None:
    section = _section("Architecture")
    assert _missing(section) == []
    # every module of the pytest layer and of the package's top level is named
    named = {p.rsplit("/", 1)[-1] for p in _paths(section)} | set(re.findall(
        r"\b(\w+\.py)\b", section))
    modules = {p.name for p in (ROOT / "conformance").glob("*.py")} | {
        p.name for p in (ROOT / "conformance" / "_pytest").glob("*.py")}
    modules -= {"__init__.py"}
    assert sorted(modules - named) == []


def test_the_worked_example_is_the_code() -> None:
    """The guide's snippets are the repository's own declarations, not made-up ones."""
    faults = (ROOT / "conformance" / "mock" / "faults.py").read_text("utf-8")
    assert 'Drop("mobile-screen-capture-missing", "mobile-screen-capture",' in faults
    assert 'Replace("mobile-screen-capture-always-false", "mobile-screen-capture",' in faults
    caps = (ROOT / "conformance" / "capabilities.py").read_text("utf-8")
    assert 'Capability("mobile_screen_capture"' in caps
    case = (ROOT / "cases" / "mobile-screen-capture.yaml").read_text("utf-8")
    assert "id: element-returned" in case
    assert "- id: mobile-screen-capture" in (
        ROOT / "conformance" / "data" / "requirements.yaml").read_text("utf-8")
