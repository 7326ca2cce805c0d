"""What the browser checks share: headless Chromium through Debian's chromedriver, and a tally of named checks."""
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service


def chromium(width, height, user_agent=None):
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(argument)
    if user_agent:
        options.add_argument("--user-agent=" + user_agent)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Checks:
    """Prints "ok NAME" or "FAIL NAME: why" per check; `failures` counts the failed ones."""

    def __init__(self):
        self.failures = 0

    def __call__(self, name, condition, why=""):
        print(("ok " if condition else "FAIL ") + name + ("" if condition else ": " + str(why)))
        self.failures += 0 if condition else 1
