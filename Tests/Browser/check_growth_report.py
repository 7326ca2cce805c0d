#!/usr/bin/env python3
"""Opens a Herald growth report (HTML) in headless Chromium through Selenium and checks what a reader sees: the
tool's row, its funnel chart's bars, the chart of sources, nothing loaded from elsewhere, and bars drawn in the
screenshot. Prints "ok NAME" / "FAIL NAME: why" per check; exits 1 on a failure.
Usage: check_growth_report.py REPORT.html TOOL VIEWS SUBMITTED SUBSCRIBED SOURCE"""
import sys
from browser import Checks, chromium, colour_share
from selenium.webdriver.common.by import By

path, tool, views, submitted, subscribed, source = sys.argv[1:7]
driver = chromium(1100, 1400)
check = Checks()
try:
    driver.get("file://" + path)
    check("title", driver.title == "Audience growth — Herald report", driver.title)
    cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, f'tr[data-tool="{tool}"] td')]
    check("the tool's row: views, submitted, subscribed", cells[3:6] == [views, submitted, subscribed], cells)
    bars = {r.get_attribute("data-label"): r.get_attribute("data-value") for r in driver.find_elements(By.CSS_SELECTOR, f'svg[data-chart="tool-{tool}"] rect')}
    check("the tool's funnel chart", bars == {"views": views, "submitted": submitted, "subscribed": subscribed}, bars)
    sources = {r.get_attribute("data-label"): r.get_attribute("data-value") for r in driver.find_elements(By.CSS_SELECTOR, 'svg[data-chart="sources"] rect')}
    check("the sources chart", sources.get(source) == subscribed, sources)
    external = driver.execute_script("return document.querySelectorAll('script, link[href], img, iframe, object').length")
    check("self-contained", external == 0, f"{external} external elements")
    chart = driver.find_element(By.CSS_SELECTOR, f'svg[data-chart="tool-{tool}"]').screenshot_as_png
    check("the screenshot shows its bars", colour_share(chart, (0x2f, 0x7d, 0x5b), 10) > 0.005 and colour_share(chart, (0x6b, 0x7f, 0x99), 10) > 0.005)
finally:
    driver.quit()
sys.exit(1 if check.failures else 0)
