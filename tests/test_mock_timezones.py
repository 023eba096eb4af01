"""The mock's time-zone table is common.xsd's timeZoneType, generated, and not stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conformance.mock.timezones import TIME_ZONES

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_mock_timezones.py"
PACKAGED_COMMON = ROOT / "conformance" / "schema" / "xsd" / "common" / "common.xsd"


def test_known_ids() -> None:
    assert TIME_ZONES[20] == ("GMT+00:00, Greenwich (Casablanca)", 0)
    assert TIME_ZONES[21] == ("GMT+00:00, GMT (London)", 0)
    assert TIME_ZONES[25] == ("GMT+01:00, Europe (Berlin)", 60)
    assert TIME_ZONES[4] == ("GMT-08:00, Pacific (San Jose)", -480)
    assert TIME_ZONES[45][0] == "GMT+08:00, China (Beijing)"
    assert sorted(TIME_ZONES) == list(range(len(TIME_ZONES)))


def test_every_text_is_in_the_packaged_schema() -> None:
    text = PACKAGED_COMMON.read_text("utf-8")
    for zone, _ in TIME_ZONES.values():
        assert f'value="{zone}"' in text, zone


def test_table_is_not_stale() -> None:
    run = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
