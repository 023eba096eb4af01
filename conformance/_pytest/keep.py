"""The previous run's JUnit XML and Allure results stay whole when no case runs.

pytest's JUnit writer writes ``junit.xml`` at the end of every session and allure-pytest
empties its directory at the start of one: a run that checks nothing (``-k`` that selects
nothing, ``--lf`` with nothing to rerun, an interrupted collection) would leave a
``tests="0"`` ``junit.xml`` beside the previous run's ``compliance.json``. So, when the
plugin directs them into the reports directory (:func:`~.options.default_report_paths`),
the old ones are set aside at configure time and, at the end, put back if no case ran or
dropped if one did. (``--collect-only`` writes nothing at all: the paths are not set.)
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ASIDE = ".previous-"  # reports/.previous-junit.xml, reports/.previous-allure-results


@dataclass
class Previous:
    """The reports set aside: ``{current path: where it was put}``."""

    paths: dict[Path, Path] = field(default_factory=dict)

    def set_aside(self, path: Path) -> None:
        aside = path.with_name(ASIDE + path.name)
        _remove(aside)  # left by a run that was killed
        if path.exists() or path.is_symlink():
            path.rename(aside)
        self.paths[path] = aside  # nothing set aside: the new one goes if nothing ran

    def settle(self, *, ran: bool) -> None:
        """A case ran: the new reports stand. Nothing ran: the old ones come back."""
        for path, aside in self.paths.items():
            if ran:
                _remove(aside)
                continue
            _remove(path)
            if aside.exists():
                aside.rename(path)
        self.paths.clear()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


PREVIOUS = pytest.StashKey[Previous]()


def previous(config: pytest.Config) -> Previous:
    found = config.stash.get(PREVIOUS, None)
    if found is None:
        found = config.stash[PREVIOUS] = Previous()
    return found
