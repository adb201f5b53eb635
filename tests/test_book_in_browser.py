"""The built book in a real browser, as a reader sees it: headless Chromium at 1400 px and 390 px.

Runs right after ``tests/test_book.py`` has built the test book in the same pytest run (both are
marked ``book``), on its HTML in ``_build/test-book/_build/html``. It needs Chromium
(``make browser`` installs Debian's); without one it skips and says so. No network is used: every
request that is not for a file of the book is refused, so maths must render from the book's own
copy of MathJax.
"""

import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT

# BOOK_BROWSER_HTML checks another build the same way, e.g. _build/quick/_build/html.
HTML = Path(os.environ.get("BOOK_BROWSER_HTML", ROOT / "_build" / "test-book" / "_build" / "html"))
CHAPTER = HTML / "notebooks" / "04_why_convolution.html"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.book


def _chromium() -> str | None:
    for name in (os.environ.get("BOOK_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine: the book was not checked in a browser "
                    "(`make browser` installs Debian's chromium; BOOK_CHROMIUM names another)")
    if not CHAPTER.exists():
        pytest.skip(f"{CHAPTER} is missing: the book build (tests/test_book.py) "
                    "did not run or failed in this run")
    from playwright.sync_api import sync_playwright

    # launch() starts Chromium with a fresh, temporary profile of its own (--user-data-dir).
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, width: int, height: int, url: Path):
    page = browser.new_page(viewport={"width": width, "height": height})

    def offline(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", offline)
    page.goto(url.as_uri())
    page.wait_for_load_state("load")
    return page


def _sidebar_shown(page) -> bool:
    """The primary sidebar (the table of contents) is on screen, at least 150 px wide."""
    return page.evaluate("""() => {
        const bar = document.querySelector('#pst-primary-sidebar, .bd-sidebar-primary');
        if (!bar) return false;
        const box = bar.getBoundingClientRect();
        const style = getComputedStyle(bar);
        return style.visibility !== 'hidden' && style.display !== 'none' && box.width >= 150
            && box.right > 150 && box.left < window.innerWidth;
    }""")


def _click_visible(page, selector: str) -> None:
    buttons = [b for b in page.query_selector_all(selector) if b.is_visible()]
    assert buttons, f"no visible {selector}"
    buttons[0].click()
    page.wait_for_timeout(600)  # the theme's slide-in/out transition


def test_phone_menu_button_opens_the_table_of_contents(browser):
    page = _page(browser, 390, 844, CHAPTER)
    assert not _sidebar_shown(page), "at 390 px the sidebar should start hidden"
    _click_visible(page, ".primary-toggle, button[aria-label*='primary sidebar' i]")
    assert _sidebar_shown(page), "the ☰ button did not bring up the table of contents at 390 px"
    links = page.evaluate("""() => [...document.querySelectorAll('.bd-sidebar-primary a')]
        .filter(a => a.getBoundingClientRect().width > 0).map(a => a.textContent.trim())""")
    assert any(link.startswith("4. ") for link in links), links
    page.close()


def test_phone_contents_button_opens_the_page_contents(browser):
    page = _page(browser, 390, 844, CHAPTER)
    _click_visible(page, ".secondary-toggle, button[aria-label*='secondary sidebar' i]")
    shown = page.evaluate("""() => {
        const bar = document.querySelector('.bd-sidebar-secondary');
        const box = bar && bar.getBoundingClientRect();
        return !!box && box.width >= 150 && box.left < window.innerWidth && box.right > 150
            && getComputedStyle(bar).visibility !== 'hidden';
    }""")
    assert shown, "the page-contents button did not bring up this page's contents at 390 px"
    page.close()


def test_phone_page_does_not_scroll_sideways(browser):
    # Chapter 16 has a long function name in a list; the instructors' page a five-column table.
    for name in ("notebooks/01_convolution", "notebooks/16_forecasting", "notebooks/22_table_measured",
                 "book/at_a_glance", "book/instructors"):
        page = _page(browser, 390, 844, HTML / f"{name}.html")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name}.html is {overflow} px wider than a 390 px phone"
        page.close()


def test_desktop_menu_button_collapses_the_sidebar_and_there_is_one_search_bar(browser):
    page = _page(browser, 1400, 900, CHAPTER)
    assert _sidebar_shown(page)
    searches = page.evaluate("""() => [...document.querySelectorAll(
        'form.bd-search, .search-button-field, .search-button, input[type=search]')]
        .filter(e => { const b = e.getBoundingClientRect();
                       return b.width > 0 && b.height > 0 && b.top < 120; }).length""")
    assert searches <= 1, f"{searches} search bars at the top of the page"
    _click_visible(page, ".primary-toggle, button[aria-label*='primary sidebar' i]")
    assert not _sidebar_shown(page), "the ☰ button did not collapse the sidebar at 1400 px"
    page.close()


def test_maths_renders_with_no_network(browser):
    chapters = sorted(p for p in (HTML / "notebooks").glob("*.html") if 'class="math' in p.read_text())
    assert chapters, "no chapter has maths to check"
    page = _page(browser, 1400, 900, chapters[0])
    page.wait_for_selector("mjx-container", timeout=15_000)
    raw = page.evaluate("""() => [...document.querySelectorAll('span.math, div.math')]
        .filter(e => !e.querySelector('mjx-container')).length""")
    assert raw == 0, f"{chapters[0].name}: {raw} formulas left as raw TeX"
    page.close()
