#!/usr/bin/env python3
"""Checks a Herald growth tool in headless Chromium through Selenium, as a visitor and a site owner would see it:
a host page with its own script and styles embeds the website button snippet; the buttons render with the right
deep links and QR codes, are keyboard-reachable, and leave the host page's globals, styles and layout alone; the
landing page renders its buttons and codes. Prints "ok NAME" or "FAIL NAME: why" per check; exits 1 on a failure.
Usage: check_growth.py WORKDIR HERALD_BASE TOOL MESSENGER_LINK TELEGRAM_LINK"""
import os
import sys
from browser import Checks, chromium, colour_share
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

workdir, base, tool, messenger, telegram = sys.argv[1:6]
host = os.path.join(workdir, "host.html")
with open(host, "w") as f:
    f.write(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Shop</title>
<style>a {{ color: rgb(255, 0, 0); }} .b {{ display: none; }}</style>
<script>window.hostValue = 42; window.globalsBefore = Object.keys(window);</script></head>
<body><p><a id="own" href="#top">the shop's own link</a></p>
<div data-herald-tool="{tool}"></div>
<script src="{base}/g/{tool}.js"></script>
<script>window.newGlobals = Object.keys(window).filter(k => !window.globalsBefore.includes(k) && k !== "globalsBefore");</script>
<p id="after">after the button</p></body></html>""")

driver = chromium(1000, 900)
check = Checks()

try:
    driver.get("file://" + host)
    links = driver.execute_script(f"""
        var host = document.querySelector('[data-herald-tool="{tool}"]');
        var root = host && host.shadowRoot;
        if (!root) return null;
        return Array.from(root.querySelectorAll('a')).map(a => [a.getAttribute('data-platform'), a.href, a.textContent,
            (a.querySelector('img') || {{}}).naturalWidth || 0]);""")
    check("snippet rendered in its own shadow root", links is not None and len(links) == 2, links)
    hrefs = sorted(link[1] for link in links or [])
    check("deep links", hrefs == sorted([messenger, telegram]), hrefs)
    check("labels", sorted(link[2] for link in links or []) == ["Message us on Messenger", "Open in Telegram"], links)
    check("QR codes on desktop, loaded", all(link[3] > 0 for link in links or [[0, 0, 0, 0]]), links)
    new_globals = driver.execute_script("return window.newGlobals")
    check("one global", new_globals == ["HeraldGrowth"], new_globals)
    check("host script unaffected", driver.execute_script("return window.hostValue") == 42)
    own = driver.find_element(By.ID, "own")
    check("host styles unaffected", own.value_of_css_property("color") == "rgba(255, 0, 0, 1)", own.value_of_css_property("color"))
    colour = driver.execute_script(f"""return getComputedStyle(document.querySelector('[data-herald-tool="{tool}"]').shadowRoot.querySelector('a')).display""")
    check("host styles do not reach the buttons", colour != "none", colour)
    after = driver.find_element(By.ID, "after").location["y"]
    driver.execute_script("return new Promise(r => setTimeout(r, 300))")
    check("no layout shift", driver.find_element(By.ID, "after").location["y"] == after)
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    body.send_keys(Keys.TAB)
    focused = driver.execute_script(f"""var root = document.querySelector('[data-herald-tool="{tool}"]').shadowRoot;
        return root.activeElement ? root.activeElement.getAttribute('data-platform') : null""")
    check("keyboard reaches the first button", focused in ("messenger", "telegram"), focused)
    driver.save_screenshot(os.path.join(workdir, "button.png"))
    shadow = driver.find_element(By.CSS_SELECTOR, f'[data-herald-tool="{tool}"]').shadow_root
    code = shadow.find_element(By.CSS_SELECTOR, "img").screenshot_as_png
    black, white = colour_share(code, (0, 0, 0), 8), colour_share(code, (255, 255, 255), 8)
    check("the screenshot shows a QR code's modules", black > 0.25 and white > 0.25 and black + white > 0.95, (black, white))

    driver.get(f"{base}/s/{tool}")
    check("landing title", driver.find_element(By.TAG_NAME, "h1").text == "Deals in your chat", driver.find_element(By.TAG_NAME, "h1").text)
    sections = driver.find_elements(By.CSS_SELECTOR, "section.link")
    check("landing buttons", sorted(s.find_element(By.CSS_SELECTOR, "a.button").get_attribute("href") for s in sections) == sorted([messenger, telegram]))
    loaded = driver.execute_script("return Array.from(document.images).map(i => i.naturalWidth)")
    check("landing codes loaded", len(loaded) == 2 and all(w > 0 for w in loaded), loaded)
    scripts = driver.execute_script("return document.scripts.length")
    check("landing runs no script", scripts == 0, scripts)
    driver.save_screenshot(os.path.join(workdir, "landing.png"))
    first = driver.find_element(By.CSS_SELECTOR, "section.link a.button").screenshot_as_png
    check("the landing screenshot shows its buttons in the tool's colour", colour_share(first, (0x08, 0x66, 0xff)) > 0.5, colour_share(first, (0x08, 0x66, 0xff)))
finally:
    driver.quit()
sys.exit(1 if check.failures else 0)
