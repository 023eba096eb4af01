"""Every requirement points at a real release-notes section (issue 14, item 6): no section
refers the user to behaviours.md (a file they do not have), and the link the HTML report and
Allure render is built from the section's own title. With the release notes beside the
checkout (shared/seeds), each title is traced to the heading it translates."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from conformance.catalogue import catalogue
from conformance.report.allure_env import RELEASE_NOTES_URL, release_note_link

ROOT = Path(__file__).resolve().parent.parent

# requirement id -> the heading of its section in the Traditional Chinese release notes (the
# most complete of the three seed files), under the release's "API <release> 更新" part. The
# catalogue's English title translates it (or is the English article's own title).
SEED_HEADINGS = {
    "private-meeting": ("40.12.0", "XML API 支援私人會議類型"),
    "site-meeting-templates": ("40.12.0", "GetSite API 將傳回網站層級的會議範本"),
    "setuser-supportedservices-ci-site":
        ("40.12.0", "XML API SetUser 無法變更元素 supportedServices 當網站是 CI 統一網站時"),
    "display-name": ("40.11.0", "XMLAPI CreateUser 支援 displayname"),
    "cmr-hybrid-voip": ("40.11.0", "適用於 CMR 混合 VoIP 的 XMLAPI 使用者層級控制項"),
    "mobile-screen-capture": ("40.10.0", "XMLAPI 將為網站管理員設定傳回額外的元素以停用螢幕擷取"),
    "device-can-start": ("40.10.0", "XMLAPI 支援 MEET-269 無 PIN 碼加入改進"),
    "welcome-email-languages": ("40.7.0", "CreateUser API 歡迎使用電子郵件支援四種新語言"),
    "pmr-e2ee-110063": ("40.6.1", "E2EE 會議類型不支援 PMR 會議"),
    "um-site-admin": ("40.6.0", "已新增使用者管理角色"),
    "scheduled-pmr-list": ("40.6.0", "LstSummarySession 增強功能"),
    "bodycontent-limit-000053": ("40.4.4", "BodyContent 數量限制"),
    "envelope": ("40.4.4", "BodyContent 數量限制"),
    "lstsummarysession-anonymous-000015": ("40.2.0", "移除對以下項目的匿名存取權 LstSummarySession"),
    "past-start-060016": ("40.2.0", "CreateMeetingSetMeeting 安全性增強功能"),
    "auto-password": ("40.1.2", "如果未提供密碼,排定會議會自動產生密碼"),
    "access-anywhere-history": ("40.1.0", "LstAccessAnywhereHistory 增強功能"),
}


def _first_title(section: str) -> str:
    return section.split(";")[0].split("(")[0].strip()


@pytest.mark.parametrize("req_id", sorted(catalogue()))
def test_section_is_a_real_title_not_a_pointer(req_id: str) -> None:
    source = catalogue()[req_id].source
    section = str(source.get("section") or "")
    assert section.strip(), f"{req_id}: no source section"
    assert "behaviours.md" not in section, f"{req_id}: section refers to behaviours.md"
    assert not re.match(r"(?i)\s*see\b", section), f"{req_id}: {section!r} is a pointer"
    title = _first_title(section)
    assert len(title.split()) >= 2, f"{req_id}: {title!r} is too short to find"
    assert str(source.get("release") or "").strip(), f"{req_id}: no release"


@pytest.mark.parametrize("req_id", sorted(catalogue()))
def test_link_is_built_from_the_section_title(req_id: str) -> None:
    source = catalogue()[req_id].source
    link = release_note_link(source)
    base, _, fragment = link.partition("#:~:text=")
    assert base == RELEASE_NOTES_URL
    assert unquote(fragment) == _first_title(str(source["section"]))
    assert fragment == quote(_first_title(str(source["section"])), safe="")
    assert "behaviours" not in link


def test_the_old_pointer_would_fail() -> None:
    """The check above catches what issue 14 found (a link to 'see behaviours.md')."""
    link = release_note_link({"release": "40.12.0", "section": "see behaviours.md"})
    assert "behaviours.md" in unquote(link)
    assert re.match(r"(?i)\s*see\b", "see behaviours.md")


def _seed_file() -> Path | None:
    candidates = [os.environ.get("WEBEX_SEEDS_DIR")]
    candidates += [str(p / "shared" / "seeds") for p in ROOT.parents[:2]]
    for c in candidates:
        if c and Path(c).is_dir():
            found = sorted(Path(c).glob("000_*.txt"))
            if found:
                return found[0]
    return None


def test_every_translated_section_is_a_heading_of_its_release() -> None:
    seed = _seed_file()
    if seed is None:
        pytest.skip("the release notes (shared/seeds) are not beside this checkout")
    lines = [line.strip() for line in seed.read_text("utf-8").splitlines()]
    releases: dict[str, list[str]] = {}
    current = None
    for line in lines:
        m = re.fullmatch(r"API (40\.\d+\.\d+)(?: 和 [\d.]+)? 更新", line)
        if m:
            current = m.group(1)
            releases[current] = []
        elif current:
            releases[current].append(line)
    missing = {rid: (rel, head) for rid, (rel, head) in SEED_HEADINGS.items()
               if head not in releases.get(rel, [])}
    assert not missing, missing
    for rid, (rel, _) in SEED_HEADINGS.items():
        assert rid in catalogue(), rid
        source = catalogue()[rid].source
        assert rel in str(source.get("release")) or source.get("release") == "all", rid
