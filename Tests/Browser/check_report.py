#!/usr/bin/env python3
"""Opens a Herald HTML report in headless Chromium through Selenium and checks what a reader sees: the figures,
the four charts and their bars, nothing loaded from elsewhere, and a screenshot that is not blank. Prints one
line per check ("ok NAME" or "FAIL NAME: why") and exits 1 on any failure.
Usage: check_report.py REPORT.html SCREENSHOT.png SENT READ CLICKED"""
import sys
from browser import Checks, chromium
from selenium.webdriver.common.by import By

path, screenshot, sent, read, clicked = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
driver = chromium(1100, 1600)
check = Checks()

try:
    driver.get("file://" + path)
    figure = lambda row: driver.find_element(By.CSS_SELECTOR, f"#{row} td.value").text
    check("title", driver.title.endswith("Herald report"), driver.title)
    check("sent figure", figure("sent") == sent, figure("sent"))
    check("read figure", figure("read") == read, figure("read"))
    check("clicked figure", figure("clicked") == clicked, figure("clicked"))
    charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
    check("four charts", sorted(c.get_attribute("data-chart") for c in charts) == ["funnel", "growth", "series", "targets"], str([c.get_attribute("data-chart") for c in charts]))
    bar = driver.find_element(By.CSS_SELECTOR, "svg[data-chart=funnel] rect[data-label=sent]")
    check("sent bar", bar.get_attribute("data-value") == sent and bar.size["width"] > 100, f"{bar.get_attribute('data-value')} {bar.size}")
    audience = driver.find_element(By.CSS_SELECTOR, "svg[data-chart=funnel] rect[data-label=audience]")
    check("bars scaled to the audience", bar.size["width"] <= audience.size["width"], f"{bar.size} > {audience.size}")
    sent_columns = sum(int(r.get_attribute("data-value")) for r in driver.find_elements(By.CSS_SELECTOR, "svg[data-chart=series] rect.sent"))
    check("series adds up to sent", sent_columns == int(sent), str(sent_columns))
    external = driver.execute_script("return document.querySelectorAll('script, link[href], img, iframe, object').length")
    check("self-contained", external == 0, f"{external} external elements")
    loaded = driver.execute_script("return performance.getEntriesByType('resource').length")
    check("nothing fetched", loaded == 0, f"{loaded} resources")
    driver.save_screenshot(screenshot)
    with open(screenshot, "rb") as f:
        size = len(f.read())
    check("screenshot", size > 20000, f"{size} bytes")
finally:
    driver.quit()
sys.exit(1 if check.failures else 0)
