"""The Dagster UI in headless Chromium: launch a materialization from the asset graph and see the
run's numbers on the asset page. Saves a screenshot to test-artifacts/."""

import re
import time
from pathlib import Path

import dagster as dg

from extraction_pipeline_tests.support.dagster_dev import dagster_dev
from extraction_pipeline_tests.support.helpers import REPO, echo, receipt_text

ARTIFACTS = REPO / "test-artifacts"
LOCATION = "__repository__@extraction_pipeline.definitions"


def chromium(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1600,1100", f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_materialize_from_the_ui_and_see_cost_tokens_latency_and_error_rate(scripted_llm, tmp_path):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    scripted_llm(echo)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(3):
        (inbox / f"r{i}.txt").write_text(receipt_text(f"UI{i}"))
    env = {"EXTRACTION_INBOX": str(inbox), "EXTRACTION_OUTPUT_DIR": str(tmp_path / "out"),
           "EXTRACTION_SETTLE_S": "1000000"}  # fmt: skip  # the sensor stays out of this test
    ARTIFACTS.mkdir(exist_ok=True)
    home = tmp_path / "home"
    with dagster_dev(home, env) as url:
        driver = chromium(tmp_path / "chromium-profile")
        try:
            driver.get(f"{url}/locations/{LOCATION}/asset-groups/document_extraction")

            def materialize_all() -> bool:
                """Click *Materialize all*. The first-visit "join the community" dialog may cover it at
                any moment in the first seconds, and React re-renders replace elements under our feet:
                dismiss the dialog and try again until the click lands."""
                try:
                    for skip in [b for b in driver.find_elements(By.TAG_NAME, "button") if b.text.strip() == "Skip"]:
                        skip.click()
                    button = next(
                        b
                        for b in driver.find_elements(By.TAG_NAME, "button")
                        if b.text.strip().startswith("Materialize all") and b.is_enabled()
                    )
                    driver.save_screenshot(str(ARTIFACTS / "asset_graph.png"))
                    button.click()
                except (StopIteration, WebDriverException):
                    return False
                return True

            wait_for(materialize_all, 90, "a click on Materialize all")
            with dg.DagsterInstance.from_config(str(home)) as instance:
                run = wait_for(lambda: next(iter(instance.get_runs()), None), 60, "a run launched from the UI")
                final = wait_for(
                    lambda: (r := instance.get_run_by_id(run.run_id)).is_finished and r, 180, "the run to finish"
                )
                failures = [
                    f"{e.step_key}: {e.dagster_event.message} {e.dagster_event.event_specific_data.error}"
                    for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
                ]
                assert final.is_success, (final.status, failures)

            driver.get(f"{url}/assets/llm_extractions")
            names = ["cost_usd", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "latency_s", "error_rate"]

            def page_text() -> str:
                try:
                    return driver.find_element(By.TAG_NAME, "body").text
                except WebDriverException:  # the page re-rendered between find and read
                    return ""

            wait_for(lambda: all(n in page_text() for n in names), 90, "the run's metadata on the asset page")
            driver.save_screenshot(str(ARTIFACTS / "llm_extractions_asset_page.png"))
            # Numbers read as numbers: seconds to the hundredth, not 0.3569999999.
            latency = re.search(r"^latency_s\n.*\n(\S+)$", page_text(), re.M)
            assert latency and re.fullmatch(r"\d+(\.\d{1,2})?", latency.group(1)), page_text()[:2000]
        finally:
            driver.quit()
