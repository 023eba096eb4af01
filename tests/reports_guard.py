"""A plugin of the project's own tests (``tests/conftest.py``): they never write into the
checkout's ``reports/`` (issue 14). Every run of the suite a test starts must point its
reports elsewhere (``--conformance-reports=tmp``) or write none (``--collect-only``); a test
session that changed a file under ``<rootdir>/reports`` fails, naming the files."""

from __future__ import annotations

from pathlib import Path

import pytest

_BEFORE = pytest.StashKey[dict[str, tuple[int, int]]]()


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    if not directory.is_dir():
        return {}
    out = {}
    for path in directory.rglob("*"):
        if path.is_file():
            stat = path.stat()
            out[path.relative_to(directory).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return out


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE] = snapshot(session.config.rootpath / "reports")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_BEFORE, None)
    if before is None or hasattr(session.config, "workerinput"):
        return
    directory = session.config.rootpath / "reports"
    after = snapshot(directory)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more"
                                          if len(changed) > 5 else "")
        tr = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (f"the project's tests wrote into {directory}: {shown} (give each run "
                   f"--conformance-reports=<tmp>)")
        if tr is not None:
            tr.write_line(message, red=True)
        if session.exitstatus == 0:
            session.exitstatus = 1
