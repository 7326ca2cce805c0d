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


def colour_share(png, rgb, tolerance=24):
    """The share of a PNG's pixels (bytes, as Selenium's screenshot_as_png gives them) within `tolerance` of
    `rgb` on each channel: what a screenshot shows, read without an imaging library."""
    import struct
    import zlib
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat = 8, b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        body = png[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
    channels = {2: 3, 6: 4}[colour]
    raw, stride = zlib.decompress(idat), width * channels
    previous, index, matching = bytearray(stride), 0, 0
    for _ in range(height):
        kind, line = raw[index], bytearray(raw[index + 1:index + 1 + stride])
        index += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, channels):
            if all(abs(line[x + k] - rgb[k]) <= tolerance for k in range(3)):
                matching += 1
        previous = line
    return matching / float(width * height)
