"""Screenshots of a built book as a reader sees it, in headless Chromium with no network.

    .venv/bin/python tools/book_screenshots.py _build/quick/_build/html _build/screens [PAGE ...]

PAGE is a path inside the HTML folder (default: the landing page and chapters 1, 4 and 17). For
each page: desktop (1400 px) and phone (390 px), the phone with its ☰ menu opened, and the
desktop with its ☰ pressed (sidebar collapsed). Needs Chromium (`make browser`).
"""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ["book/intro.html", "notebooks/01_convolution.html", "notebooks/04_why_convolution.html",
         "notebooks/17_crnn_ctc.html"]
TOGGLE = ".primary-toggle, button[aria-label*='primary sidebar' i]"


def _offline(route):
    (route.continue_ if route.request.url.startswith("file://") else route.abort)()


def _press_menu(page):
    for button in page.query_selector_all(TOGGLE):
        if button.is_visible():
            button.click()
            page.wait_for_timeout(700)
            return


def main(html: Path, out: Path, pages: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        for name in pages:
            stem = Path(name).stem
            for label, width, height in (("desktop", 1400, 900), ("phone", 390, 844)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.route("**/*", _offline)
                page.goto((html / name).resolve().as_uri())
                page.wait_for_timeout(2500)  # MathJax typesets after load
                page.screenshot(path=out / f"{stem}-{label}.png")
                _press_menu(page)
                page.screenshot(path=out / f"{stem}-{label}-menu.png")
                page.close()
            print(f"{stem}: 4 screenshots in {out}")
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:] or PAGES)
