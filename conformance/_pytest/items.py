"""Collection: a case file (``cases/**.yaml``) becomes a :class:`CaseFile`, each case (or
case x parameter) a :class:`CaseItem` that runs it through :func:`conformance.runner.run_case`
in set-up and turns the verdict into pytest's outcome."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ..cases import Case, is_case_file, load_case_file, param_label
from ..catalogue import catalogue
from ..errors import CaseDefinitionError, ConformanceError
from ..report.allure_env import attachment_kind, release_labels, release_note_link
from ..report.waivers import waiver_for
from ..runner import CaseResult, Verdict, run_case
from .options import cases_dir
from .render import format_result
from .state import RUN_STATE, RunState


def collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if is_case_file(file_path):  # not the shared steps file (_steps.yaml)
        if cases_dir(parent.config) in file_path.resolve().parents:
            return CaseFile.from_parent(parent, path=file_path)
    return None


def _state(node: pytest.Node) -> RunState:
    return node.config.stash[RUN_STATE]


class CaseFile(pytest.File):
    def collect(self):  # type: ignore[override]
        state = _state(self)
        try:
            cases = load_case_file(self.path)
        except CaseDefinitionError as exc:
            state.case_file_errors += 1
            raise self.CollectError(f"malformed case file: {exc}") from None
        seen: dict[str, Case] = {}
        for case in cases:
            if state.only and case.requirement not in state.only:
                continue
            params = case.param_id if case.params else None
            name = case.id + (f"[{params}]" if params is not None else "")
            if name in seen:
                state.case_file_errors += 1
                raise self.CollectError(
                    f"malformed case file: {self.path}:{case.line}: case '{case.id}': two "
                    f"parameter values get the same id '{params}': name the values (the "
                    f"mapping form, e.g. {{id: tab, value: ...}} with ${{params.NAME.value}})")
            seen[name] = case
            yield CaseItem.from_parent(self, name=name, case=case,
                                       **_node_id(self, case.id, params))


def _node_id(parent: pytest.Node, base: str, params: str | None) -> dict[str, Any]:
    """pytest 9 keeps a node id's parameters apart (``NodeId.params``), as for a
    parametrised function: ``--lf``, ``--sw`` and node-id arguments compare those, so a case
    item's id is built the same way (on pytest 8 the name gives the same string)."""
    node_id = getattr(parent, "id", None)
    if node_id is None or not hasattr(node_id, "child"):
        return {}
    return {"nodeid": node_id.child(base).with_params(params)}


class CaseError(ConformanceError):
    """Raised in set-up for ERROR: the target could not be asked, so no verdict."""


class CaseFailed(AssertionError):
    """FAIL: the target departs from the documented behaviour."""


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.originalname = case.id  # as a parametrised function's: the name without [...]
        self.extra_keyword_matches.add(case.requirement)  # -k REQUIREMENT-ID
        self.result: CaseResult | None = None
        self.add_marker(pytest.mark.requirement(case.requirement))
        for hazard in case.hazards:
            self.add_marker(pytest.mark.hazard(hazard))
        self.user_properties += [("requirement", case.requirement), ("since", case.since),
                                 ("source", f"{case.source.get('release')}: "
                                            f"{case.source.get('section')}")]
        self._allure_labels()
        _state(self).items += 1

    def _allure_labels(self) -> None:
        """Allure's behaviors tree is release > requirement > case: epic the release the
        requirement arrived in (a sortable label), feature the requirement, story the case;
        every item sits in it once. The APIs a case calls are ``api`` labels."""
        c = self.case
        mark = pytest.mark
        req = catalogue().get(c.requirement)
        for label_type, value in release_labels(req.since if req else c.since):
            self.add_marker(mark.allure_label(value, label_type=label_type))
        self.add_marker(mark.allure_label(c.requirement, label_type="feature"))
        self.add_marker(mark.allure_label(c.id, label_type="story"))
        for api in _called_apis(c):
            self.add_marker(mark.allure_label(api, label_type="api"))
        self.add_marker(mark.allure_label("critical", label_type="severity"))
        self.add_marker(mark.allure_label(c.requirement, label_type="requirement"))
        self.add_marker(mark.allure_link(release_note_link(c.source), link_type="link",
                                         name=f"release notes {c.source.get('release')}: "
                                              f"{c.source.get('section')}"))

    def setup(self) -> None:
        state = _state(self)
        _allure_parameters(self.case)
        self.result = run_case(self.case, state.target())
        self.user_properties.append(("verdict", self.result.verdict.value))
        state.results.append(self.result)
        _allure_attach(self.result)
        if self.result.verdict is Verdict.SKIP:
            pytest.skip(self.result.reason)
        if self.result.verdict is Verdict.ERROR:
            raise CaseError(self.result.reason)

    def runtest(self) -> None:
        assert self.result is not None
        if self.result.verdict is Verdict.FAIL:
            found = waiver_for(_state(self).gating.waivers, self.result.to_dict(),
                               datetime.now(UTC).date())
            if found is not None and found[1] == "active":
                w = found[0]
                pytest.xfail(f"waived until {w.expires} ({w.owner}, {w.issue}): {w.reason}")
            raise CaseFailed(self.result.reason)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):  # type: ignore[override]
        if isinstance(excinfo.value, (CaseFailed, CaseError)) and self.result is not None:
            return format_result(self.result, _state(self).current_target)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.case.line, f"{self.case.requirement}: {self.case.title}"


def make_report(item: pytest.Item, call: pytest.CallInfo[None],
                report: pytest.TestReport) -> None:
    """The verdict on pytest's report: ``report.conformance`` (the case's record) on the
    final report of a case, and its failure text."""
    if not isinstance(item, CaseItem) or item.result is None:
        return
    final = (call.when == "setup" and item.result.verdict in (Verdict.ERROR, Verdict.SKIP)) \
        or (call.when == "call")
    if final:
        report.conformance = item.result.to_dict()  # type: ignore[attr-defined]
    if call.when == "setup" and report.skipped and isinstance(report.longrepr, tuple):
        report.longrepr = (str(item.path), (item.case.line or 1) - 1, item.result.reason)
    if call.when == "setup" and call.excinfo is not None \
            and call.excinfo.errisinstance(CaseError):
        report.longrepr = format_result(item.result, _state(item).current_target)


def report_teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    data = getattr(report, "conformance", None)
    if data and data["verdict"] == "error" and report.when == "setup":
        return "error", "E", "ERROR (could not tell)"
    if data and data["verdict"] == "fail" and report.when == "call" and report.failed:
        return "failed", "F", "FAIL (non-conformant)"
    return None


def _called_apis(c: Case) -> list[str]:
    """The APIs a case calls: literal, or a parameter's value (``${params.api}``)."""
    called = []
    for s in c.steps:
        ref = re.fullmatch(r"\$\{params\.(\w+)\}", s.api or "")
        if ref and isinstance(c.params.get(ref.group(1)), str):
            called.append(c.params[ref.group(1)])
        elif s.api and "${" not in s.api:
            called.append(s.api)
    return list(dict.fromkeys(called)) or list(c.apis)


def _allure_parameters(case: Case) -> None:
    """Each parameter as an Allure parameter: part of the result's historyId, so every
    parametrised case is its own test in the report (not a "retry" of its siblings)."""
    if not case.params:
        return
    try:
        import allure
    except ImportError:  # allure-pytest is optional at run time
        return
    for name, value in case.params.items():
        # a mapping by its id; a string with its TAB, CR, LF escaped (x\t@...)
        shown = param_label(value) if isinstance(value, dict) else "".join(
            c.encode("unicode_escape").decode("ascii") if not c.isprintable() else c
            for c in value) if isinstance(value, str) else value
        allure.dynamic.parameter(name, shown)


def _allure_attach(result: CaseResult) -> None:
    try:
        import allure
    except ImportError:  # allure-pytest is optional at run time
        return
    allure.dynamic.description(f"Requirement {result.requirement} (since {result.since}): "
                               f"{result.title}\n\nSource: {result.source.get('release')} — "
                               f"{result.source.get('section')}")
    for step in result.steps:
        if step.exchange:
            for part in ("request", "response"):
                body = str(step.exchange.get(part, ""))
                headers = step.exchange.get(f"{part}_headers") or {}
                content_type = next((str(v) for k, v in dict(headers).items()
                                     if str(k).lower() == "content-type"), None)
                kind, extension = attachment_kind(body, content_type)
                allure.attach(body, name=f"{step.name}: {part} (redacted)",
                              attachment_type=getattr(allure.attachment_type, kind),
                              extension=extension)
