"""Screenshot Talent Atlas pages with the system Chromium: python tools/screenshot.py URL OUT.png [...]."""

import os
import sys

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main(pairs: list[str]) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        height = int(os.environ.get("SHOT_HEIGHT", "1800"))
        page = browser.new_page(viewport={"width": 1500, "height": height})
        for url, out in zip(pairs[::2], pairs[1::2], strict=True):
            page.goto(url)
            page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=30000)
            page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
            page.wait_for_timeout(2500)
            page.screenshot(path=out, full_page=True)
            print(out, page.url)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
