"""The run state (conformance._pytest.state): typed, in config.stash, with the run's target."""

from __future__ import annotations

from pathlib import Path

from conformance._pytest.state import RunState, SafetyOptions
from conformance.report.options import GatingOptions
from conformance.target import TargetConfig


def _state(worker: str = "", rate: float | None = None, url: str | None = None) -> RunState:
    config = TargetConfig(prefix="wxcstat1", url=url, site_name="s" if url else None,
                          webex_id="a" if url else None, password="p" if url else None)
    return RunState(target_config=config, gating=GatingOptions(),
                    safety=SafetyOptions(rate=rate), reports=Path("reports"), worker=worker)


def test_workers_number_their_objects_apart() -> None:
    assert _state().first_case_number() == 0
    assert _state("gw0").first_case_number() == 0
    assert _state("gw3").first_case_number() == 3000
    assert _state("weird").first_case_number() == 0


def test_the_limiter_is_for_real_sites_or_when_asked() -> None:
    assert _state().limiter() is None
    assert _state(rate=2.0).limiter().rate == 2.0
    assert _state(url="https://site.example/WBXService/XMLService").limiter() is not None


def test_the_target_is_made_once_and_closed() -> None:
    state = _state("gw1")
    assert state.current_target is None
    target = state.target()
    try:
        assert state.target() is target and state.current_target is target
        assert target.next_case_number() == 1001 and target.prefix == "wxcstat1"
    finally:
        state.close_target()
    assert state.current_target is None
