"""The kept history (reports/history/) and the trend drawn from it: publish adds one slim
entry per run that checked something, keeps the last 10, reads back only the same target's
runs, and the HTML report draws a strip of verdict cells per requirement."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema

from conformance.report import ReportSettings, load_baseline, publish
from conformance.report.history import KEEP, history_entry, keep_history, load_history, trend

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "conformance" / "data" /
                     "compliance.schema.json").read_text("utf-8"))


def _case(cid: str, verdict: str) -> dict[str, Any]:
    return {"case_id": cid, "requirement": cid.split("::")[0], "title": "t",
            "since": "40.1.0", "source": {}, "apis": [], "params": {}, "verdict": verdict,
            "reason": "", "differences": [], "findings": [], "steps": [], "cleanup": [],
            "leftovers": [], "evidence": {"url": "u", "status": 200, "elapsed_ms": 1,
                                          "request": "<a>Secret-Req</a>", "response": "<b/>"},
            "duration_ms": 1.0}


def _run(day: int, target: str = "embedded mock") -> dict[str, Any]:
    return {"suite_version": "0.1.0", "target": target, "site_name": "s",
            "url": f"http://127.0.0.1:{4000 + day}/WBXService/XMLService",
            "api_version": "40.12.0", "start": f"2026-05-{day:02d}T02:17:00+00:00",
            "end": f"2026-05-{day:02d}T02:18:00+00:00", "options": {}}


def _publish(directory: Path, day: int, verdict: str, **run: Any) -> dict[str, Any]:
    return publish([_case("envelope::a", verdict), _case("envelope::b", "pass")],
                   {**_run(day), **run},
                   ReportSettings(directory, today=date(2026, 6, 1)))


def test_publish_keeps_the_last_ten_runs_and_draws_their_trend(tmp_path: Path) -> None:
    verdicts = ["pass", "fail", "pass", "error"] * 3  # 12 runs
    for day, verdict in enumerate(verdicts, 1):
        record = _publish(tmp_path, day, verdict)
    kept = sorted(p.name for p in (tmp_path / "history").iterdir())
    assert len(kept) == KEEP == 10
    assert kept[0] == "compliance-20260503T021700Z.json"  # the two oldest were removed
    assert kept[-1] == "compliance-20260512T021700Z.json"
    # the trend of the last run: the 9 earlier kept runs, then this one
    strip = [run["verdicts"].get("envelope") for run in record["trend"]]
    assert strip == verdicts[-10:]
    assert [run["current"] for run in record["trend"]] == [False] * 9 + [True]
    assert "private-meeting" not in record["trend"][0]["verdicts"]  # not run: no cell value
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(record))
    assert not errors, errors[:3]
    html = (tmp_path / "compliance.html").read_text("utf-8")
    assert "last 10 runs" in html
    row = html[html.index('id="row-envelope"'):]
    row = row[:row.index("</tr>")]
    cells = row.count("<i class=")
    assert cells == 10 and 'class="v-error current"' in row
    # a kept entry is slim (no case, no exchange) and still a valid baseline
    entry = json.loads((tmp_path / "history" / kept[-1]).read_text("utf-8"))
    assert entry["kind"] == "history" and "cases" not in entry["requirements"][0]
    assert "Secret-Req" not in json.dumps(entry)
    assert load_baseline(tmp_path / "history" / kept[-1])["requirements"]


def test_trend_reads_only_the_same_target_and_skips_junk(tmp_path: Path) -> None:
    _publish(tmp_path, 1, "fail", target="https://a.example/WBXService/XMLService",
             url="https://a.example/WBXService/XMLService")
    _publish(tmp_path, 2, "pass")
    (tmp_path / "history" / "compliance-broken.json").write_text("{not json", "utf-8")
    (tmp_path / "history" / "notes.json").write_text('{"a": 1}', "utf-8")
    record = _publish(tmp_path, 3, "fail")
    assert [r["verdicts"]["envelope"] for r in record["trend"]] == ["pass", "fail"]
    assert len(load_history(tmp_path, {"target": "https://a.example/WBXService/XMLService",
                                       "url": "https://a.example/WBXService/XMLService",
                                       "start": "x"})) == 1


def test_nothing_is_kept_for_a_run_that_checked_nothing(tmp_path: Path) -> None:
    record = publish([], _run(1), ReportSettings(tmp_path, today=date(2026, 6, 1)))
    assert record["gate"]["outcome"] == "nothing-run"
    assert not (tmp_path / "history").exists()
    assert keep_history(history_entry(record), tmp_path, keep=0) is None


def test_history_keep_zero_writes_no_history_and_no_trend(tmp_path: Path) -> None:
    record = publish([_case("envelope::a", "pass")], _run(1),
                     ReportSettings(tmp_path, today=date(2026, 6, 1), history_keep=0))
    assert "trend" not in record and not (tmp_path / "history").exists()
    html = (tmp_path / "compliance.html").read_text("utf-8")
    assert 'class="trend"' not in html


def test_a_full_record_dropped_into_history_counts(tmp_path: Path) -> None:
    first = _publish(tmp_path / "elsewhere", 1, "fail")
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "old.json").write_text(json.dumps(first), "utf-8")
    record = _publish(tmp_path, 2, "pass")
    assert [r["verdicts"]["envelope"] for r in record["trend"]] == ["fail", "pass"]
    assert trend(record, [])[-1]["current"] is True
