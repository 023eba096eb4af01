"""pytest manners (issue 14): node ids that work as printed (``--lf``, ``-k``, node-id
arguments, in bash), nothing published by ``--collect-only`` or a run where no case ran,
a plugin that stays out of unrelated projects, the terminal summary, the list options, an
environment variable for every option, no passwords in ini files, one spelling of faults.

Each test runs pytest itself (``pytester.runpytest_subprocess``: the installed entry points,
the cache provider) on a copy of a few case files against the embedded mock."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance._pytest.options import OPTIONS
from conformance._pytest.recorder import summary_lines
from conformance._pytest.render import listed
from conformance.cases import param_label
from conformance.catalogue import catalogue
from conformance.fuzzing.plugin import ENV as FUZZ_ENV
from conformance.mock.faults import FAULTS

ROOT = Path(__file__).resolve().parents[1]
INI = "[pytest]\ntestpaths = cases\nconformance_cases = cases\n"
FAULT = "email-only-space-checked"  # the mock accepts tabs and line breaks: 39 of 78 FAIL
FILE = "cases/email-whitespace.yaml"


def _project(pytester: pytest.Pytester, *names: str, ini: str = INI) -> Path:
    pytester.makefile(".ini", pytest=ini)
    (pytester.path / "cases").mkdir(exist_ok=True)
    for name in ("_steps.yaml", *names):
        shutil.copy(ROOT / "cases" / name, pytester.path / "cases" / name)
    return pytester.path


def _out(result: pytest.RunResult) -> str:
    return result.stdout.str() + result.stderr.str()


# -- item 4: node ids ------------------------------------------------------------------------
@pytest.mark.parametrize("value, label", [
    (" x@${case.uid}.example.com", "leading-space"),
    ("x@${case.uid}.example.com ", "trailing-space"),
    ("x y@${case.uid}.example.com", "inner-space"),
    ("x\t@${case.uid}.example.com", "inner-tab"),
    ("x@${case.uid}.example.com\r\n", "trailing-crlf"),
    ("x\ny@${case.uid}.example.com", "inner-lf"),
    ("x@${case.uid}.example.com", "x@case.uid.example.com"),
    ("AllowJoin", "AllowJoin"), (15, "15"), (True, "True"), ("", "empty"),
    ({"id": "GetMeeting", "key": "meet:meetingkey"}, "GetMeeting"),
    ("a/b[c]'$", "a_b_c___"),
])
def test_parameter_labels(value: object, label: str) -> None:
    assert param_label(value) == label


def test_node_ids_are_readable(pytester: pytest.Pytester) -> None:
    _project(pytester, "email-whitespace.yaml")
    result = pytester.runpytest_subprocess("--co", "-q", "-p", "no:cacheprovider")
    ids = [line for line in result.stdout.lines if "::" in line]
    assert len(ids) == 78, result.stdout.str()
    assert not [i for i in ids if re.search(r"[\t\r\n]|\$\{|[ '\"]", i)]
    for label in ("leading-space", "trailing-space", "inner-space", "inner-tab",
                  "trailing-crlf", "inner-lf"):
        assert f"{FILE}::createuser[{label}]" in ids
    assert f"{FILE}::attendee-apis[inner-tab-RegisterMeetingAttendee]" in ids


def test_last_failed_reruns_exactly_the_failures(pytester: pytest.Pytester) -> None:
    _project(pytester, "email-whitespace.yaml")
    reports = f"--conformance-reports={pytester.path / 'reports'}"
    first = pytester.runpytest_subprocess(reports, f"--conformance-faults={FAULT}")
    first.assert_outcomes(failed=39, passed=39)
    again = pytester.runpytest_subprocess(reports, f"--conformance-faults={FAULT}", "--lf")
    assert "rerun previous 39 failures" in _out(again), _out(again)[-2000:]
    again.assert_outcomes(failed=39)  # the 39 that failed, and only those
    assert re.search(r"\(partial run: \d+ of \d+ requirements selected\)", _out(again))
    fixed = pytester.runpytest_subprocess(reports, "--lf")  # without the fault: they pass
    fixed.assert_outcomes(passed=39)
    done = pytester.runpytest_subprocess(reports, "--lf")
    assert "no previously failed tests" in _out(done)


def test_keyword_selection(pytester: pytest.Pytester) -> None:
    _project(pytester, "email-whitespace.yaml")
    reports = f"--conformance-reports={pytester.path / 'reports'}"
    one = pytester.runpytest_subprocess(reports, "-p", "no:cacheprovider", "-k",
                                        "createuser and inner-tab")
    one.assert_outcomes(passed=1, deselected=77)
    crlf = pytester.runpytest_subprocess(reports, "-p", "no:cacheprovider", "-k", "crlf")
    crlf.assert_outcomes(passed=13, deselected=65)  # 12 cases + attendee-apis x 2 APIs
    by_requirement = pytester.runpytest_subprocess(
        reports, "-p", "no:cacheprovider", "--co", "-q", "-k",
        "email-whitespace and not createuser")  # a requirement id selects its cases
    assert "72/78 tests collected (6 deselected)" in by_requirement.stdout.str()


def test_node_id_arguments_work_as_printed_also_in_bash(pytester: pytest.Pytester) -> None:
    _project(pytester, "email-whitespace.yaml")
    reports = f"--conformance-reports={pytester.path / 'reports'}"
    node = f"{FILE}::createuser[trailing-crlf]"
    one = pytester.runpytest_subprocess(reports, "-p", "no:cacheprovider", "-v", node)
    one.assert_outcomes(passed=1)
    assert f"{node} PASSED" in one.stdout.str()
    every = pytester.runpytest_subprocess(reports, "-p", "no:cacheprovider",
                                          f"{FILE}::setuser")  # all its parameters
    every.assert_outcomes(passed=6)
    # as a user pastes it from the output: double-quoted in bash (a ${...} in it used to
    # be a "bad substitution")
    shell = subprocess.run(["bash", "-c", f'"{sys.executable}" -m pytest -q -p '
                                          f'no:cacheprovider {reports} "{node}"'],
                           cwd=pytester.path, capture_output=True, text=True, timeout=300)
    assert shell.returncode == 0 and "1 passed" in shell.stdout, shell.stdout + shell.stderr


def test_duplicate_parameter_ids_are_a_case_file_error(pytester: pytest.Pytester) -> None:
    _project(pytester)
    (pytester.path / "cases" / "envelope.yaml").write_text(
        "requirement: envelope\n"
        "cases:\n"
        "  - id: twice\n"
        "    title: two values, one id\n"
        "    parameters: {api: [' GetSite', '  GetSite']}\n"
        "    steps:\n"
        "      - {name: ask, api: GetSite, expect: {result: SUCCESS}}\n", "utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 4, _out(result)
    assert "the same id 'leading-space'" in _out(result)
    assert "envelope.yaml:3" in _out(result)


# -- item 2: publish nothing when nothing ran --------------------------------------------------
def test_collect_only_writes_nothing(pytester: pytest.Pytester) -> None:
    _project(pytester, "envelope.yaml")
    result = pytester.runpytest_subprocess("--co", "-q", "-p", "no:cacheprovider")
    assert result.ret == 0, _out(result)
    assert not (pytester.path / "reports").exists()
    assert "conformance" not in _out(result).split("collected")[-1]


def test_a_run_where_no_case_ran_keeps_the_previous_reports(pytester: pytest.Pytester) -> None:
    _project(pytester, "envelope.yaml")
    reports = pytester.path / "reports"
    first = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert first.ret == 0, _out(first)
    files = sorted(p for p in reports.rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in files}
    assert 'tests="0"' not in (reports / "junit.xml").read_text("utf-8")
    assert len(list((reports / "allure-results").glob("*-result.json"))) > 1
    for args in (["-k", "no-such-case"], ["--co"], ["cases/envelope.yaml::no-such-case"]):
        again = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
        assert again.ret in (4, 5) or "--co" in args, _out(again)
        after = sorted(p for p in reports.rglob("*") if p.is_file())
        assert after == files, args
        assert {p: p.read_bytes() for p in after} == before, args
        if "-k" in args:
            assert "no case ran: nothing published" in _out(again)
    assert not list(reports.glob(".previous-*"))


def test_xdist_workers_write_their_allure_results(pytester: pytest.Pytester) -> None:
    _project(pytester, "envelope.yaml")
    reports = pytester.path / "reports"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    assert result.ret == 0, _out(result)
    results = [json.loads(p.read_text("utf-8"))
               for p in (reports / "allure-results").glob("*-result.json")]
    assert len(results) == 5 and len({r["historyId"] for r in results}) == 5
    assert (reports / "allure-results" / "environment.properties").is_file()
    assert not list(reports.glob(".previous-*"))


def test_a_new_run_replaces_the_reports(pytester: pytest.Pytester) -> None:
    _project(pytester, "envelope.yaml")
    reports = pytester.path / "reports"
    pytester.runpytest_subprocess("-p", "no:cacheprovider")
    stale = reports / "allure-results" / "stale-result.json"
    stale.write_text("{}", "utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "success-shape")
    assert result.ret == 0, _out(result)
    assert not stale.exists() and not list(reports.glob(".previous-*"))
    junit = (reports / "junit.xml").read_text("utf-8")
    assert "success-shape" in junit and 'tests="0"' not in junit


# -- item 3: only in a conformance project ---------------------------------------------------
def test_the_plugin_stays_out_of_an_unrelated_project(pytester: pytest.Pytester) -> None:
    pytester.makefile(".ini", pytest="[pytest]\naddopts = -ra\n")
    pytester.makepyfile(test_app="def test_app():\n    assert True\n")
    (pytester.path / "fuzz").mkdir()
    (pytester.path / "fuzz" / "test_fuzzy.py").write_text("def test_f():\n    pass\n")
    (pytester.path / "cases").mkdir()
    shutil.copy(ROOT / "cases" / "envelope.yaml", pytester.path / "cases" / "envelope.yaml")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)  # the two Python tests; no YAML item
    text = _out(result)
    assert not re.search(r"^=+ (conformance|conformance fuzz|cleanup) =+$", text, re.M), text
    assert "run record" not in text and "exit code" not in text
    assert not (pytester.path / "reports").exists()
    assert not (pytester.path / "junit.xml").exists()


def test_a_conformance_option_activates_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makefile(".ini", pytest="[pytest]\ntestpaths = cases\n")
    (pytester.path / "cases").mkdir()
    for name in ("_steps.yaml", "envelope.yaml"):
        shutil.copy(ROOT / "cases" / name, pytester.path / "cases" / name)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           "--conformance-requirement=envelope")
    assert result.ret == 0, _out(result)
    assert "= conformance =" in _out(result).replace("=" * 10, "")
    assert (pytester.path / "reports" / "compliance.json").is_file()


# -- item 7: the terminal summary ------------------------------------------------------------
def _section(text: str, name: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(rf"=+ {name} =+", line))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("====")),
               len(lines))
    return lines[start + 1:end]


def test_terminal_summary_of_a_failing_run(pytester: pytest.Pytester) -> None:
    _project(pytester, "email-whitespace.yaml", "envelope.yaml")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           f"--conformance-faults={FAULT}")
    assert result.ret == 1
    text = _out(result)
    section = _section(text, "conformance")
    record = json.loads((pytester.path / "reports" / "compliance.json").read_text("utf-8"))
    reqs = [r for r in record["requirements"] if r["cases"]]
    cases = [c for r in reqs for c in r["cases"]]
    passing = sorted(r["id"] for r in reqs if r["verdict"] == "pass")
    total = len(record["requirements"])
    # one line of totals first; the failing requirement with how many failed, before the
    # passing ones (envelope, and the run-level results); the catalogue's other
    # requirements have no case here
    assert section[0] == (f"Non-conformant: {len(cases)} case(s): 39 FAIL, "
                          f"{len(cases) - 39} PASS; {len(reqs)} of {total} requirement(s) "
                          f"run"), section
    assert section[1] == "  FAIL     email-whitespace: 39/78 failed"
    assert section[2] == f"  PASS     {len(passing)} requirement(s): {', '.join(passing)}"
    assert "envelope" in passing
    assert section[3].startswith(f"  not covered (no case): {total - len(reqs)} "
                                 f"requirement(s): ")
    assert section[3].endswith(f"…and {total - len(reqs) - 8} more")
    assert section[-1] == "  exit code 1: non-conformance found"
    assert len(section) <= 10
    cleanup = " ".join(_section(text, "cleanup"))
    assert re.search(r"\d+ user\(s\) deactivated, not deleted \(DelUser cannot delete\): "
                     r"(\w+, ){7}\w+ …and \d+ more", cleanup), cleanup


def test_a_one_case_run_says_it_is_partial(pytester: pytest.Pytester) -> None:
    _project(pytester, "email-whitespace.yaml", "envelope.yaml")
    reports = pytester.path / "reports"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           f"{FILE}::createuser[inner-space]")
    assert result.ret == 0, _out(result)
    section = _section(_out(result), "conformance")
    record = json.loads((reports / "compliance.json").read_text("utf-8"))
    selected = record["run"]["requirement_filter"]
    total = len(record["requirements"])
    # the case's requirement, and the run-level results every run has (envelope of every
    # answer, schema)
    assert "email-whitespace" in selected and len(selected) < total
    assert record["run"]["options"]["requirement_filter"] == []
    assert section[0].startswith(f"Conformant (partial run: {len(selected)} of {total} "
                                 f"requirements selected): "), section
    assert section[2].startswith(f"  not run (filtered): {total - len(selected)} "
                                 f"requirement(s): ")
    keyword = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "success-shape")
    assert re.search(r"\(partial run: \d+ of \d+ requirements selected\)", _out(keyword))
    whole = pytester.runpytest_subprocess("-p", "no:cacheprovider", "cases")
    assert "partial run" not in _out(whole) and "not run (filtered)" not in _out(whole)


def test_summary_lines_put_what_did_not_pass_first() -> None:
    def req(rid: str, *verdicts: str, **extra: str) -> dict:
        return {"id": rid, "verdict": extra.get("verdict", verdicts[0] if verdicts else
                                                "not-covered"),
                "cases": [{"verdict": v, "reason": "no private meeting type"}
                          for v in verdicts], **extra}
    reqs = [req("a-pass", "pass"), req("b-skip", "skip", "skip"),
            req("c-fail", "pass", "fail", "fail", "pass", "fail", "pass", "pass",
                verdict="fail"),
            req("d-error", "error", "pass", verdict="error"),
            req("e-waived", "fail", verdict="fail", gate_verdict="waived"),
            *(req(f"z{i:02}") for i in range(46))]
    lines = [text for text, _ in summary_lines(reqs, gate=None, partial=True)]
    assert lines[0].startswith("Non-conformant (partial run: 5 of 51 requirements selected): "
                               "13 case(s): 4 FAIL, 1 ERROR, 6 PASS, 2 SKIP")
    assert lines[1] == "  FAIL     c-fail: 3/7 failed"
    assert lines[2] == "  ERROR    d-error: 1/2 could not tell (ERROR)"
    assert lines[3] == "  WAIVED   e-waived: 1/1 failed, waived"
    assert lines[4] == "  SKIP     b-skip: 2/2 skipped: no private meeting type"
    assert lines[5] == "  PASS     1 requirement(s): a-pass"
    assert lines[6] == ("  not run (filtered): 46 requirement(s): z00, z01, z02, z03, z04, "
                        "z05, z06, z07 …and 38 more")
    assert listed(["a", "b"]) == "a, b"


def test_a_fuzz_failure_reads_like_a_case_failure(pytester: pytest.Pytester) -> None:
    _project(pytester)
    (pytester.path / "fuzz").mkdir()
    shutil.copy(ROOT / "fuzz" / "test_fuzz_email_whitespace.py", pytester.path / "fuzz")
    for extra in ("conftest.py", "__init__.py"):
        if (ROOT / "fuzz" / extra).is_file():
            shutil.copy(ROOT / "fuzz" / extra, pytester.path / "fuzz")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "fuzz", "-k", "createuser",
        "--conformance-faults=email-whitespace-accepted:CreateUser",
        "--conformance-fuzz-derandomize", "--conformance-fuzz-examples=5")
    text = _out(result)
    assert result.ret == 1, text[-3000:]
    failures = text.split("= FAILURES =")[1].split("= short test summary")[0]
    assert re.search(r"FAIL: email-whitespace \(since 40\.8\.0\) — ", failures), failures
    assert "  case email-whitespace::fuzz:" in failures
    assert "  differences:" in failures and "  request to http://127.0.0.1:" in failures
    assert "<password>********</password>" in failures and "Adm1n-Passw0rd!" not in text
    assert "minimal example:" in failures and "replay: python -m conformance.replay" in failures
    assert "harness.py" not in failures and "Traceback" not in failures


# -- item 9: options ------------------------------------------------------------------------
def test_list_requirements_and_faults(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--conformance-list-requirements")
    assert result.ret == 0, _out(result)
    text = result.stdout.str()
    assert f"{len(catalogue())} requirements" in text
    assert all(re.search(rf"^  {re.escape(r)}\s", text, re.M) for r in catalogue())
    assert "collected" not in text  # nothing else ran
    faults = pytester.runpytest_subprocess("--conformance-list-faults")
    assert faults.ret == 0
    assert all(name in faults.stdout.str() for name in FAULTS)
    assert re.search(r"^  email-only-space-checked +email-whitespace: ", faults.stdout.str(),
                     re.M)


def test_every_option_has_an_environment_variable(pytester: pytest.Pytester,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    envs = [env for _, env, _, _ in OPTIONS] + list(FUZZ_ENV.values())
    assert all(env and env.startswith("WEBEX_") for env in envs)
    assert len(set(envs)) == len(envs)
    names = {"WEBEX_XMLAPI_URL", "WEBEX_PASSWORD", "WEBEX_FAIL_ON_LEAK", "WEBEX_RATE_LIMIT"}
    assert names <= set(envs)  # the names users already have keep working
    help_text = pytester.runpytest_subprocess("--help").stdout.str()
    for env in envs:
        assert f"[env {env}" in help_text.replace("\n", " ").replace("  ", " ") or \
            env in help_text, env
    _project(pytester, "envelope.yaml", "email-whitespace.yaml")
    monkeypatch.setenv("WEBEX_REQUIREMENT", "email-whitespace")
    monkeypatch.setenv("WEBEX_FAULTS", FAULT)
    monkeypatch.setenv("WEBEX_REPORTS", str(pytester.path / "env-reports"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=39, passed=39)
    assert (pytester.path / "env-reports" / "compliance.json").is_file()


@pytest.mark.parametrize("key, env", [("conformance_password", "WEBEX_PASSWORD"),
                                      ("conformance_jwt", "WEBEX_JWT")])
def test_a_secret_in_the_ini_file_is_refused(pytester: pytest.Pytester, key: str,
                                             env: str) -> None:
    _project(pytester, "envelope.yaml", ini=INI + f"{key} = s3cret-in-ini\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    text = _out(result)
    assert result.ret == 4, text
    assert f"{key} is set in pytest.ini" in text and f"environment variable {env}" in text
    assert "s3cret-in-ini" not in text
    assert not (pytester.path / "reports").exists()


def test_faults_are_spelled_alike_in_the_mock_cli() -> None:
    from conformance.mock.__main__ import fault_names, main
    assert fault_names(["a,b", " c "]) == ["a", "b", "c"]
    with pytest.raises(SystemExit) as exc:
        main(["--faults", "private-flag-missing,no-such-fault"])
    assert exc.value.code == 2
    from standalone_mock import standalone_mock
    with standalone_mock("--faults", "private-flag-missing,email-only-space-checked",
                         "--fault", "past-start-accepted") as mock:
        assert mock.state()["faults"] == ["email-only-space-checked", "past-start-accepted",
                                          "private-flag-missing"]


def test_the_reports_guard_of_the_projects_tests_can_fail(pytester: pytest.Pytester,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """tests/reports_guard.py fails a test session that writes into <rootdir>/reports."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests"))
    pytester.makeconftest('pytest_plugins = ["reports_guard"]\n')
    (pytester.path / "reports").mkdir()
    (pytester.path / "reports" / "old.json").write_text("{}")
    pytester.makepyfile(test_writes="""
        from pathlib import Path
        def test_writes():
            Path("reports/junit.xml").write_text("<testsuites/>")
        def test_harmless():
            Path("elsewhere.txt").write_text("x")
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_writes.py")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*the project's tests wrote into *reports: junit.xml*"])
    ok = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "harmless")
    assert ok.ret == 0, ok.stdout.str()


# -- item 8: Allure attachments under their real type ----------------------------------------
def test_allure_attachments_have_the_bodys_real_type(monkeypatch: pytest.MonkeyPatch) -> None:
    import allure

    from conformance._pytest import items
    from conformance.runner import CaseResult, StepRecord, Verdict
    attached: list[tuple[str, str, str]] = []
    monkeypatch.setattr(allure, "attach", lambda body, name, attachment_type, extension:
                        attached.append((name, attachment_type.name, extension)))
    monkeypatch.setattr(allure.dynamic, "description", lambda text: None)
    html = "<html><head><title>403 Forbidden</title></head><body>blocked</body></html>"
    step = StepRecord(name="ask", api="GetSessionInfo", outcome="error", summary="HTTP 403",
                      exchange={"request": "<serv:message xmlns:serv='x'/>", "response": html,
                                "response_headers": {"Content-Type": "text/xml"}})
    result = CaseResult("r::c", "r", "t", "40.1.0", {}, [], {}, Verdict.ERROR, steps=[step])
    items._allure_attach(result)
    assert attached == [("ask: request (redacted)", "XML", "xml"),
                        ("ask: response (redacted)", "HTML", "html")]
