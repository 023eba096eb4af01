"""The HTML report as a person sees it: real headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) opens reports/compliance.html of a run with one
fault injected and a baseline, and reads the headline, the matrix and a failure's details."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.mock import DEFAULT_ADMIN

SELECT = "--conformance-requirement=private-meeting,envelope"
FAULT = "private-flag-missing"


def _browser_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver; "
                    ".ci/run installs both)")
    return chromium, driver


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, driver_path = _browser_paths()
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="selenium is not installed (pip install -e '.[dev]')")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1400,1000", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def report(run_suite: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    good = run_suite(SELECT, name="conformant")
    assert good.returncode == 0, good.output
    baseline = tmp_path_factory.mktemp("baseline") / "previous.json"
    baseline.write_text((good.reports / "compliance.json").read_text("utf-8"), "utf-8")
    run = run_suite(SELECT, f"--conformance-faults={FAULT}",
                    f"--conformance-baseline={baseline}", name="html-baseline")
    assert run.returncode == 1, run.output
    return run.reports / "compliance.html"


def _open(browser: Any, report: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(report.as_uri())
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.documentElement.dataset.ready") == "yes")


def test_headline_shows_verdict_and_changes_first(browser: Any, report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, report)
    headline = browser.find_element(By.ID, "headline")
    assert headline.is_displayed()
    verdict = browser.find_element(By.ID, "verdict")
    assert verdict.text.startswith("Non-conformant") and "exit code 1" in verdict.text
    color = verdict.value_of_css_property("color")
    assert color.startswith("rgba(198, 40, 40") or color.startswith("rgb(198, 40, 40"), color
    # the changes since the baseline come before the counts
    lines = [line for line in headline.text.splitlines() if line.strip()]
    assert lines[1] == "Newly failing (1)", lines[:4]
    assert "private-meeting was PASS" in headline.text
    assert browser.find_element(By.ID, "api-version").text == "40.12.0"
    # self-contained: nothing to fetch from anywhere
    assert browser.execute_script(
        "return document.querySelectorAll('link[href], script[src], img[src], "
        "iframe, object, embed').length") == 0
    browser.save_screenshot(str(report.with_name("compliance-headline.png")))


def test_matrix_shows_verdicts_by_release_and_filters(browser: Any, report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, report)
    row = browser.find_element(By.ID, "row-private-meeting")
    assert row.is_displayed()
    assert row.find_element(By.CSS_SELECTOR, ".badge").text == "FAIL"
    assert "newly failing" in row.text
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#matrix th.rel")]
    assert headers[0] == "1.0" and headers[-1] == "12.0"
    since_cell = row.find_elements(By.CSS_SELECTOR, "td.cell")[headers.index("12.0")]
    assert since_cell.text == "FAIL"
    envelope = browser.find_element(By.ID, "row-envelope")
    assert envelope.find_element(By.CSS_SELECTOR, ".badge").text == "PASS"
    # filters: hide PASS, then search for a text
    browser.find_element(By.CSS_SELECTOR, "[data-filter-verdict='pass']").click()
    assert not envelope.is_displayed() and row.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "[data-filter-verdict='not-covered']").click()
    assert browser.find_element(By.ID, "shown-count").text == "1 of 34 shown"
    browser.find_element(By.CSS_SELECTOR, "[data-filter-verdict='pass']").click()
    search = browser.find_element(By.ID, "filter-text")
    search.send_keys("envelope")
    assert envelope.is_displayed() and not row.is_displayed()


def test_failure_details_show_differences_and_redacted_exchange(browser: Any,
                                                                report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, report)
    browser.find_element(By.CSS_SELECTOR, "#row-private-meeting a").click()
    details = browser.find_element(By.ID, "req-private-meeting")
    assert details.get_attribute("open") is not None
    case = details.find_element(
        By.CSS_SELECTOR, "[data-case='private-meeting::private-type-reports-true']")
    browser.execute_script("arguments[0].scrollIntoView()", case)
    assert case.is_displayed()
    assert case.find_element(By.CSS_SELECTOR, ".badge").text == "FAIL"
    diffs = case.find_element(By.CSS_SELECTOR, "ul.diffs")
    assert diffs.is_displayed()
    assert "ep:isPrivateMeeting: expected 'true', got <absent>" in diffs.text
    request = case.find_element(By.CSS_SELECTOR, "pre.request")
    response = case.find_element(By.CSS_SELECTOR, "pre.response")
    assert request.is_displayed() and response.is_displayed()
    assert "GetSessionInfo" in request.text and "<password>********</password>" in request.text
    assert "getSessionInfoResponse" in response.text
    page = browser.page_source
    assert DEFAULT_ADMIN[1] not in page
    case.screenshot(str(report.with_name("compliance-failure.png")))
