"""Browser tests: Playwright for Python driving the system's chromium (never a downloaded
browser). Without chromium or the playwright package they are skipped with the reason."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# The few pictures the documentation shows; the browser tests remake them on every run.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def pytest_collection_modifyitems(config, items):
    reason = None
    if sync_playwright is None:
        reason = "the playwright package is not installed (pip install -e '.[dev]')"
    elif CHROMIUM is None:
        reason = "chromium is not installed (make e2e-deps installs Debian's chromium)"
    if reason:
        for item in items:
            if "tests/e2e" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; the test still sets data up
    # through the ORM, which Django would otherwise refuse next to a running loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def screenshot():
    def take(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def docs_screenshot():
    """Saves a page as docs/screenshots/NAME.png, the picture the documentation shows."""

    def take(page, name, full_page=True):
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return take
