#!/usr/bin/env python3
"""Checks a Herald popup form in headless Chromium through Selenium, as a visitor would meet it on a shop's page
(served from its own loopback origin): it appears on its scroll trigger and not before, traps the keyboard's
focus, closes by Esc and by its backdrop, stays away for its period, validates with the server's messages,
submits, and shows the chat buttons carrying a one-time token; the host page's script and layout are unaffected.
Prints "ok NAME" / "FAIL NAME: why" per check, then "link URL" and "appear_ms N"; exits 1 on a failure.
Then, on a second page, a form with a delay trigger opens after its delay and one with exit intent when the
pointer leaves the top of the window.
Usage: check_popup.py WORKDIR HERALD_BASE TOOL SITE_PORT MESSENGER_LINK TELEGRAM_LINK DELAY_TOOL EXIT_TOOL"""
import http.server
import os
import sys
import threading
import time
from browser import Checks, chromium, colour_share
from selenium.webdriver.common.by import By
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

workdir, base, tool, site_port, messenger, telegram, delay_tool, exit_tool = sys.argv[1:9]
site = os.path.join(workdir, "site")
os.makedirs(site, exist_ok=True)
with open(os.path.join(site, "index.html"), "w") as f:
    f.write(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Shop</title>
<style>body {{ margin: 0; font: 16px serif; }} .d {{ display: none; }} section {{ height: 3000px; }}</style>
<script>window.hostValue = 42; window.globalsBefore = Object.keys(window);
window.posts = 0; var realFetch = window.fetch; window.fetch = function () {{ window.posts += 1; return realFetch.apply(this, arguments); }};</script></head>
<body><p><a id="own" href="#top">the shop's own link</a></p><p id="after">text after the snippet</p>
<script src="{base}/g/{tool}.js"></script>
<section>A long page.</section></body></html>""")
with open(os.path.join(site, "triggers.html"), "w") as f:
    f.write(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Shop</title><script>window.loadedAt = performance.now();</script></head>
<body><p>Short page.</p><script src="{base}/g/{delay_tool}.js"></script><script src="{base}/g/{exit_tool}.js"></script></body></html>""")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=site, **kwargs)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(site_port)), Quiet)
threading.Thread(target=server.serve_forever, daemon=True).start()
page = f"http://127.0.0.1:{site_port}/index.html"
# A person's Chrome: Herald counts no views from HeadlessChrome.
agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
driver = chromium(1000, 800, user_agent=agent)
check = Checks()
STATE = f"var g = window.HeraldGrowth && window.HeraldGrowth['{tool}']; return g ? g.state : null"
ROOT = f"document.querySelector('[data-herald-tool=\"{tool}\"]').shadowRoot"


def state():
    return driver.execute_script(STATE)


def wait(condition, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def active():
    return driver.execute_script(f"""var host = document.querySelector('[data-herald-tool="{tool}"]');
        var a = host && host.shadowRoot.activeElement; return a ? (a.name || a.getAttribute('aria-label') || a.id || a.tagName) : null""")


def open_by_scrolling():
    driver.execute_script("window.scrollAt = performance.now(); window.scrollTo(0, document.body.scrollHeight * 0.7)")
    return wait(lambda: state() == "open")


def keys(*sequence):
    ActionChains(driver).send_keys(*sequence).perform()


try:
    driver.get(page)
    after = driver.find_element("id", "after").location["y"]
    time.sleep(0.3)
    check("not shown before its trigger", state() == "waiting", state())
    check("opens when the page is scrolled past its depth", open_by_scrolling(), state())
    appear = driver.execute_script(f"return window.HeraldGrowth['{tool}'].shownAt - window.scrollAt")
    check("a modal dialog", driver.execute_script(f"var d = {ROOT}.querySelector('[role=dialog]'); return d && d.getAttribute('aria-modal')") == "true")
    check("focus moves to the first field", active() == "first_name", active())
    check("no layout shift", driver.find_element("id", "after").location["y"] == after)
    count = driver.execute_script(f"return {ROOT}.querySelectorAll('.d button, .d input:not([tabindex=\"-1\"]), .d select').length")
    for _ in range(count + 2):
        keys(Keys.TAB)
    check("Tab stays in the dialog", active() is not None, active())
    driver.execute_script(f"{ROOT}.querySelector('.x').focus()")
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    check("Shift+Tab from the first control wraps to the last (Continue)", active() == "BUTTON", active())
    keys(Keys.ESCAPE)
    check("Esc closes it", wait(lambda: state() == "closed"), state())
    check("closed means gone", driver.execute_script(f"return document.querySelector('[data-herald-tool=\"{tool}\"]') === null"))
    driver.get(page)
    time.sleep(0.2)
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    time.sleep(0.3)
    check("not shown again within its period", state() == "suppressed", state())

    driver.execute_script("localStorage.clear()")
    driver.get(page)
    check("shown again when the period is over", open_by_scrolling(), state())
    ActionChains(driver).move_by_offset(8, 8).click().perform()
    check("the backdrop closes it", wait(lambda: state() == "closed"), state())

    driver.execute_script("localStorage.clear()")
    driver.get(page)
    open_by_scrolling()
    keys(Keys.ENTER)
    messages = driver.execute_script(f"return Array.from({ROOT}.querySelectorAll('.m')).map(m => [m.id, m.textContent])")
    messages = {id: text for id, text in messages if id}
    check("a required field is refused in the page", messages.get("f-first_name-m") == "Please fill this in.", messages)
    check("the consent is required", messages.get("f-consent-m") == "Please tick the box to agree.", messages)
    check("nothing is sent while the form is invalid", driver.execute_script("return window.posts") == 0)
    check("focus goes to the first invalid field", active() == "first_name", active())
    keys("Zoë", Keys.TAB, "zoe@example")
    keys(Keys.ENTER)
    messages = dict(driver.execute_script(f"return Array.from({ROOT}.querySelectorAll('.m')).filter(m => m.id).map(m => [m.id, m.textContent])"))
    check("an e-mail address is checked", messages.get("f-email-m") == "Please enter an e-mail address like name@example.com.", messages)
    check("an answered field is cleared of its message", messages.get("f-first_name-m") == "", messages)
    keys(".com", Keys.TAB, "B", Keys.TAB, Keys.SPACE)
    driver.save_screenshot(os.path.join(workdir, "popup.png"))
    shadow = driver.find_element(By.CSS_SELECTOR, f'[data-herald-tool="{tool}"]').shadow_root
    button = shadow.find_element(By.CSS_SELECTOR, "button.b").screenshot_as_png
    dialog = shadow.find_element(By.CSS_SELECTOR, ".d").screenshot_as_png
    check("the screenshot shows the form on white with its Continue button in the tool's colour",
          colour_share(button, (0x08, 0x66, 0xff)) > 0.5 and colour_share(dialog, (255, 255, 255), 8) > 0.5,
          (colour_share(button, (0x08, 0x66, 0xff)), colour_share(dialog, (255, 255, 255), 8)))
    keys(Keys.ENTER)
    check("submitted by the keyboard alone", wait(lambda: state() == "submitted"), state())
    check("one request", driver.execute_script("return window.posts") == 1)
    links = driver.execute_script(f"return Array.from({ROOT}.querySelectorAll('a.b')).map(a => [a.getAttribute('data-platform'), a.href])")
    token = driver.execute_script(f"return window.HeraldGrowth['{tool}'].token")
    check("the chat buttons carry the token", links == [["messenger", messenger + "--" + token], ["telegram", telegram + "--" + token]], links)
    check("focus moves to the chat button", active() == "A", active())
    loaded = wait(lambda: driver.execute_script(f"return Array.from({ROOT}.querySelectorAll('img.q')).every(i => i.naturalWidth > 0)"))
    check("its QR code carries the token too, and loads", loaded)
    driver.save_screenshot(os.path.join(workdir, "thanks.png"))
    chat = shadow.find_element(By.CSS_SELECTOR, "a.b").screenshot_as_png
    code = shadow.find_element(By.CSS_SELECTOR, "img.q").screenshot_as_png
    black, white = colour_share(code, (0, 0, 0), 8), colour_share(code, (255, 255, 255), 8)
    check("the screenshot shows the chat button in the tool's colour and a QR code's black and white modules",
          colour_share(chat, (0x08, 0x66, 0xff)) > 0.5 and black > 0.25 and white > 0.25 and black + white > 0.95, (black, white))
    # ret_nodes and se_* are Selenium's own, left by its element lookups and screenshots.
    new_globals = driver.execute_script("return Object.keys(window).filter(k => !window.globalsBefore.includes(k) && !['globalsBefore', 'posts', 'scrollAt', 'ret_nodes'].includes(k) && !k.startsWith('se_'))")
    check("one global", new_globals == ["HeraldGrowth"], new_globals)
    check("host script unaffected", driver.execute_script("return window.hostValue") == 42)
    check("host styles unaffected", driver.find_element("id", "own").value_of_css_property("color") != "")
    driver.get(page)
    time.sleep(0.2)
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    time.sleep(0.3)
    check("not shown again once submitted", state() == "suppressed", state())

    def state_of(name):
        return driver.execute_script(f"var g = window.HeraldGrowth && window.HeraldGrowth['{name}']; return g ? g.state : null")

    driver.get(f"http://127.0.0.1:{site_port}/triggers.html")
    check("a delayed form waits for its delay", state_of(delay_tool) == "waiting", state_of(delay_tool))
    check("then opens", wait(lambda: state_of(delay_tool) == "open"), state_of(delay_tool))
    delayed = driver.execute_script(f"return window.HeraldGrowth['{delay_tool}'].openedAt - window.loadedAt")
    check("after its delay (1 s)", 1000 <= delayed < 2500, delayed)
    keys(Keys.ESCAPE)
    check("an exit-intent form waits for the pointer to leave", state_of(exit_tool) == "waiting", state_of(exit_tool))
    driver.execute_script("document.dispatchEvent(new MouseEvent('mouseout', {clientX: 400, clientY: -1, relatedTarget: null, bubbles: true}))")
    check("and opens when it leaves by the top", wait(lambda: state_of(exit_tool) == "open"), state_of(exit_tool))
    print("link " + (links[-1][1] if links else ""))
    print("appear_ms %.1f" % appear)
finally:
    driver.quit()
    server.shutdown()
sys.exit(1 if check.failures else 0)
